"""Tables that are not one medication a row: several medication columns, rows longer than the header,
Excel's "sep=;" line; and, over generated tables and documents, every record in exactly one state."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rlsmed
from rlsmed.models import InputRecord
from rlsmed.readers import InputFormat, detect_format
from rlsmed.readers.base import ReadOptions
from rlsmed.readers.csv import CsvReader

from ..helpers import explain_failure, run_cli


def read(text: str, name: str = "meds.csv", **options: str) -> tuple[list[InputRecord], list[str]]:
    reader = CsvReader()
    records = list(reader.read(io.BytesIO(text.encode()), name, ReadOptions(**options)))  # type: ignore[arg-type]
    return records, reader.notes()


WIDE = "patient,Medication 1,Medication 2,Medication 3\n1,metformin,Zoloft,Reglan\n2,lisinopril,haloperidol,\n"


def test_every_medication_column_is_screened_each_cell_a_record() -> None:
    records, notes = read(WIDE)
    assert [(r.line, r.record, r.text, r.patient) for r in records] == [
        (2, "row 1, Medication 1", "metformin", "1"),
        (2, "row 1, Medication 2", "Zoloft", "1"),
        (2, "row 1, Medication 3", "Reglan", "1"),
        (3, "row 2, Medication 1", "lisinopril", "2"),
        (3, "row 2, Medication 2", "haloperidol", "2"),
    ]
    assert notes == []
    assert all(dict(r.context) == {} for r in records)  # medication columns are not context


def test_a_repeated_header_is_several_medication_columns() -> None:
    records, _ = read("medication,medication,dose\nZoloft,Reglan,1 tab\n")
    assert [(r.record, r.text, dict(r.context)) for r in records] == [
        ("row 1, medication", "Zoloft", {"dose": "1 tab"}),
        ("row 1, medication", "Reglan", {"dose": "1 tab"}),
    ]


def test_named_column_reads_only_that_one() -> None:
    records, _ = read(WIDE, column="Medication 2")
    assert [(r.record, r.text) for r in records] == [("row 1", "Zoloft"), ("row 2", "haloperidol")]
    assert dict(records[0].context) == {"Medication 1": "metformin", "Medication 3": "Reglan"}


def test_a_wide_row_without_any_drug_is_still_one_record() -> None:
    records, _ = read("patient,Drug 1,Drug 2\n7,,\n")
    assert [(r.record, r.text, r.patient) for r in records] == [("row 1, Drug 1", "", "7")]


def test_different_medication_headers_are_not_a_wide_export() -> None:
    records, _ = read("Drug,Description,Dose\nZoloft,an antidepressant,50 mg\n")
    assert [(r.record, r.text) for r in records] == [("row 1", "Zoloft")]


def test_rows_longer_than_the_header_screen_every_cell_from_the_medication_on() -> None:
    # The audit's reproduction: Reglan beyond the header, and Benadryl moved by an unquoted comma.
    records, notes = read("patient,medication,dose\n3,metformin,500,Reglan 10 mg\n1,metformin, Benadryl 25mg,1 tab\n")
    assert [r.text for r in records] == ["metformin, 500, Reglan 10 mg", "metformin, Benadryl 25mg, 1 tab"]
    assert [r.patient for r in records] == ["3", "1"]
    assert notes == [
        "2 rows longer than the header (lines 2, 3): their cells from the medication column on screened together"
    ]


def test_a_trailing_delimiter_is_no_longer_row() -> None:
    records, notes = read("medication,dose\nZoloft,50 mg,\n")
    assert ([r.text for r in records], notes) == (["Zoloft"], [])


def test_cells_beyond_the_header_of_a_wide_export_are_records_of_their_own() -> None:
    records, notes = read("Medication 1,Medication 2\nZoloft,Reglan,Benadryl\n")
    assert [(r.record, r.text) for r in records] == [
        ("row 1, Medication 1", "Zoloft"),
        ("row 1, Medication 2", "Reglan"),
        ("row 1, column 3", "Benadryl"),
    ]
    assert notes == [
        "1 row longer than the header (line 2): each cell beyond the header screened as a record of its own"
    ]


def test_excel_sep_line_sets_the_delimiter() -> None:
    records, _ = read("sep=;\nPatient;Medication\n1;Zoloft, 50 mg\n")
    assert [(r.line, r.text, r.patient) for r in records] == [(3, "Zoloft, 50 mg", "1")]
    assert detect_format("<stdin>", b"sep=;\nPatient;Medication;Dose\n1;Zoloft;50 mg\n") is InputFormat.CSV


@pytest.mark.usefixtures("tiny_kb")
def test_the_audit_reproductions_through_the_command_line(tmp_path: Path) -> None:
    wide = tmp_path / "w.csv"
    wide.write_text(WIDE)
    result = run_cli(["check", str(wide), "-f", "json"])
    assert result.exit_code == 1, explain_failure(result)
    assert [f["record"] for f in json.loads(result.stdout)["findings"]] == ["row 1, Medication 2"]  # tiny KB: Zoloft
    ragged = tmp_path / "r.csv"
    ragged.write_text("patient,medication,dose\n1,metformin, Benadryl 25mg,1 tab\n")
    result = run_cli(["check", str(ragged), "-f", "json"])
    assert [f["ingredient"] for f in json.loads(result.stdout)["findings"]] == ["diphenhydramine"]
    assert f"rlsmed: {ragged}: 1 row longer than the header (line 2)" in result.stderr


# Every record ends in exactly one state: findings, recognised, unrecognised, or left out by its status


STATUSES = st.sampled_from(["", "active", "stopped", "entered-in-error", "Discontinued", "on-hold"])
DRUGS = st.sampled_from(["Zoloft", "Benadryl 25 mg", "metformin", "lisinopril", "mystery pill", "", "Reglan"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(1, 3),
    st.lists(st.tuples(STATUSES, st.lists(DRUGS, min_size=3, max_size=5)), min_size=1, max_size=8),
)
def test_property_each_record_in_exactly_one_state(
    tiny_kb: object, columns: int, rows: list[tuple[str, list[str]]]
) -> None:
    header = ["Patient", "Status", *(f"Medication {i + 1}" for i in range(columns))]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    expected = 0
    for number, (status, drugs) in enumerate(rows):
        cells = drugs[: columns + 2]  # some rows longer than the header
        writer.writerow([f"p{number}", status, *cells])
        beyond = [c for c in cells[columns:] if c]
        if columns == 1:
            expected += 1  # one record a row (a long row's cells screened together)
        else:
            expected += max(1, sum(bool(c) for c in cells[:columns]) + len(beyond))
    report = rlsmed.check(out.getvalue(), input_format="csv")
    screened = [r.record for r in report.results]
    left_out = list(report.left_out)
    assert len(screened) + len(left_out) == expected
    assert report.summary.records == len(screened)
    assert report.summary.skipped + report.summary.skipped_never == len(left_out)
    names = [(r.line, r.record, r.text) for r in screened + left_out]
    assert len(set(names)) == len(names) or columns > 1  # the same drug twice in a row has the same name
    assert sum(r.status.value == "flagged" for r in report.results) == report.summary.flagged
