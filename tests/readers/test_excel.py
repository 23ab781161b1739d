"""The Excel reader: .xlsx, .xls and .ods read as tables with the column rules of CSV."""

from __future__ import annotations

import csv
import datetime
import io
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlsmed.errors import InputError
from rlsmed.models import InputRecord
from rlsmed.readers.base import ReadOptions
from rlsmed.readers.csv import CsvReader
from rlsmed.readers.excel import EXTRA_MESSAGE, ExcelReader, cell_text, workbook_kind

from ..helpers import DATA

openpyxl = pytest.importorskip("openpyxl")

INPUTS = DATA / "inputs"


def xlsx(*sheets: tuple[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook written by openpyxl (as Excel writes one) with these sheets and rows."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes, name: str = "meds.xlsx", sheet: str | None = None, **options: str) -> list[InputRecord]:
    return list(ExcelReader().read(io.BytesIO(data), name, ReadOptions(sheet=sheet, **options)))  # type: ignore[arg-type]


def error(data: bytes, name: str = "meds.xlsx", sheet: str | None = None, **options: str) -> InputError:
    with pytest.raises(InputError) as e:
        read(data, name, sheet, **options)
    return e.value


HEADER = ["Patient", "Medication", "Dose", "Status", "RxNorm", "Start"]
ROWS: list[list[object]] = [
    ["E1001", "Sertraline 50 mg tablet", "1 tab daily", "Active", 312940, datetime.date(2024, 3, 1)],
    ["E1001", "Benadryl 25 mg at bedtime", "25 mg", "Active", None, datetime.datetime(2024, 5, 17, 8, 30)],
    [None, None, None, None, None, None],
    ["E1002", "metformin 500 mg", 2, "Active", 861007, None],
    ["E1002", "Reglan 10 mg", 2.5, "Stopped", None, None],
]


def test_rows_read_with_the_csv_column_rules() -> None:
    records = read(xlsx(("Medications", [HEADER, *ROWS])))
    assert [(r.line, r.record, r.text, r.patient, r.status, r.codes) for r in records] == [
        (2, "row 1", "Sertraline 50 mg tablet", "E1001", "Active", ("312940",)),
        (3, "row 2", "Benadryl 25 mg at bedtime", "E1001", "Active", ()),
        (5, "row 3", "metformin 500 mg", "E1002", "Active", ("861007",)),  # line: the row Excel shows
        (6, "row 4", "Reglan 10 mg", "E1002", "Stopped", ()),
    ]
    assert dict(records[0].context) == {"Dose": "1 tab daily", "Status": "Active", "Start": "2024-03-01"}
    assert dict(records[1].context)["Start"] == "2024-05-17 08:30:00"
    assert dict(records[2].context)["Dose"] == "2"  # a whole number, as Excel shows it
    assert dict(records[3].context)["Dose"] == "2.5"


def as_csv(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[cell_text(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def test_same_records_as_the_same_rows_saved_as_csv() -> None:
    rows = [HEADER, *ROWS]
    from_csv = list(CsvReader().read(io.BytesIO(as_csv(rows)), "meds.xlsx", ReadOptions()))
    assert read(xlsx(("Sheet1", rows))) == from_csv


def test_title_rows_above_the_header_are_passed_over() -> None:
    rows = [["Clinic medication report, March"], [], ["Printed 2024-03-31", None, "page 1"], HEADER, *ROWS[:2]]
    records = read(xlsx(("Report", rows)))
    assert [(r.line, r.text) for r in records] == [(5, "Sertraline 50 mg tablet"), (6, "Benadryl 25 mg at bedtime")]


def test_a_one_column_sheet() -> None:
    records = read(xlsx(("S", [["Medication"], ["Zoloft"], ["Reglan"]])))
    assert [r.text for r in records] == ["Zoloft", "Reglan"]


def test_a_data_row_is_never_taken_for_the_header() -> None:
    # "Drug for diabetes" reads as a medication column name, but the first row already names one.
    rows = [["Medications", None], ["metformin", "Drug for diabetes"], ["Zoloft", None]]
    # (The second cell is beyond the one-column header: screened with the medication, as in CSV.)
    assert [r.text for r in read(xlsx(("S", rows)))] == ["metformin, Drug for diabetes", "Zoloft"]


@pytest.mark.parametrize("name", ["excel.report.xls", "excel.report.ods"])
def test_xls_and_ods(name: str) -> None:
    records = read((INPUTS / name).read_bytes(), name)
    assert [(r.line, r.text, r.patient, r.status, r.codes) for r in records] == [
        (4, "Sertraline 50 mg tablet", "E1001", "Active", ("312940",)),
        (5, "Benadryl 25 mg at bedtime", "E1001", "Active", ()),
        (7, "metformin 500 mg", "E1002", "Active", ("861007",)),
        (8, "Reglan 10 mg", "E1002", "Stopped", ()),
    ]
    assert records[0].context["Start"] == "2024-03-01"


def test_first_sheet_or_the_one_named() -> None:
    data = xlsx(("Cover", [["Medication"], ["Zoloft"]]), ("Inpatient", [["Drug", "Dose"], ["haloperidol", "5 mg"]]))
    assert [r.text for r in read(data)] == ["Zoloft"]
    assert [r.text for r in read(data, sheet="Inpatient")] == ["haloperidol"]
    assert [r.text for r in read(data, sheet="inpatient ")] == ["haloperidol"]  # case and spaces forgiven
    assert error(data, sheet="Outpatient").message == "no sheet 'Outpatient'; the sheets are: Cover, Inpatient"


def test_no_medication_column_names_the_sheet() -> None:
    e = error(xlsx(("Labs", [["Test", "Result"], ["ferritin", 30]])))
    assert e.message.startswith("no medication column")
    assert e.message.endswith("(sheet 'Labs')")


def test_the_named_column() -> None:
    rows = [["Patient", "Ordered item", "Dose"], ["E1", "Zoloft", "50 mg"]]
    assert [r.text for r in read(xlsx(("S", rows)), column="Ordered item")] == ["Zoloft"]


def test_an_empty_sheet_has_no_records() -> None:
    assert read(xlsx(("Empty", []))) == []


def test_damaged_workbook() -> None:
    data = xlsx(("S", [["Medication"], ["Zoloft"]]))
    e = error(data[: len(data) // 2])
    assert e.where == "meds.xlsx"
    assert e.message.startswith("cannot read this workbook")
    assert "Zoloft" not in str(e)


def test_missing_extra_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # as if it were not installed
    e = error(xlsx(("S", [["Medication"], ["Zoloft"]])))
    assert (e.where, e.message) == ("meds.xlsx", EXTRA_MESSAGE)
    assert "pip install 'rlsmed[excel]'" in EXTRA_MESSAGE


def test_workbook_kind_by_content(tmp_path: Path) -> None:
    assert workbook_kind(xlsx(("S", [["Medication"]]))[:65536]) == "xlsx"
    assert workbook_kind((INPUTS / "excel.report.xls").read_bytes()) == "xls"
    assert workbook_kind((INPUTS / "excel.report.ods").read_bytes()) == "ods"
    import zipfile

    path = tmp_path / "meds.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("meds.csv", "Medication\nZoloft\n")
    assert workbook_kind(path.read_bytes()) is None
    assert workbook_kind(b"Medication\nZoloft\n") is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("Zoloft", "Zoloft"),
        (312940.0, "312940"),
        (2.5, "2.5"),
        (0.1, "0.1"),
        (1e20, "1e+20"),
        (7, "7"),
        (True, "TRUE"),
        (datetime.datetime(2024, 1, 31), "2024-01-31"),
        (datetime.datetime(2024, 1, 31, 21, 5), "2024-01-31 21:05:00"),
        (datetime.date(2024, 1, 31), "2024-01-31"),
        (datetime.time(8, 0), "08:00:00"),
        (datetime.timedelta(hours=2), "2:00:00"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


_CELL = st.one_of(
    st.none(),
    # Text openpyxl would store as a formula ("=0") has no value until Excel computes it: left out.
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12).filter(
        lambda t: not t.startswith("=")
    ),
    st.integers(-(10**9), 10**9),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_CELL, min_size=3, max_size=3), max_size=12))
def test_property_every_non_empty_row_is_one_record_as_in_csv(rows: list[list[object]]) -> None:
    header: list[object] = ["Patient", "Medication", "Dose"]
    table = [header, *rows]
    records = read(xlsx(("S", table)))
    non_empty = [r for r in rows if any(cell_text(v).strip() for v in r)]
    assert len(records) == len(non_empty)
    assert [r.text for r in records] == [cell_text(r[1]).strip() for r in non_empty]
    if all("\n" not in cell_text(v) and "\r" not in cell_text(v) for row in table for v in row):
        assert records == list(CsvReader().read(io.BytesIO(as_csv(table)), "meds.xlsx", ReadOptions()))
