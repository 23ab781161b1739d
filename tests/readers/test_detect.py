"""Choosing the reader: by extension first, then by the first bytes; and the readers' registry."""

from __future__ import annotations

import codecs
import io
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsmed.api import CheckOptions, Input, Screening
from rlsmed.readers import READERS, InputFormat, ReadOptions, detect_format, reader_for

from ..helpers import DATA

INPUTS = DATA / "inputs"
CSV, FHIR, TEXT = "csv", "fhir", "text"  # InputFormat values


def test_every_input_format_has_its_reader_in_the_registry() -> None:
    formats = [f for f in InputFormat if f is not InputFormat.AUTO]
    assert [spec.format for spec in READERS].count(InputFormat.TEXT) == 1
    assert {spec.format for spec in READERS} == set(formats)
    for fmt in formats:
        reader = reader_for(fmt)
        assert reader.format is fmt and reader.name == fmt.value
    names = [ext for spec in READERS for ext in (*spec.extensions, *spec.maybe)]
    assert len(names) == len(set(names)), "an extension names one format"


FHIR_HEAD = b'{"resourceType": "Bundle"}'
CSV_HEAD = b"medication,dose\n"
TEXT_HEAD = b"Zoloft 50 mg\n"
TABLE_HEAD = b"Patient MRN\tMedication Name\tSig\nE1\tZoloft 50 mg\tdaily\n"  # an Epic export saved as .txt


@pytest.mark.parametrize(
    ("name", "fhir", "csv", "text", "table"),
    [
        ("meds.csv", FHIR, CSV, CSV, CSV),
        ("meds.tsv", FHIR, CSV, CSV, CSV),
        ("MEDS.TAB", FHIR, CSV, CSV, CSV),
        ("meds.psv", FHIR, CSV, CSV, CSV),
        ("bundle.json", FHIR, FHIR, FHIR, FHIR),
        ("bulk.ndjson", FHIR, FHIR, FHIR, FHIR),
        ("bulk.jsonl", FHIR, FHIR, FHIR, FHIR),
        ("patient.fhir", FHIR, FHIR, FHIR, FHIR),
        ("dir.v2/meds.txt", FHIR, CSV, TEXT, CSV),
        ("meds.text", FHIR, CSV, TEXT, CSV),
        ("notes.md", FHIR, TEXT, TEXT, TEXT),
    ],
)
def test_by_extension_unless_the_content_tells_otherwise(name: str, fhir: str, csv: str, text: str, table: str) -> None:
    # FHIR JSON wins over every name; a medication table wins over .txt; otherwise the extension decides.
    for head, expected in ((FHIR_HEAD, fhir), (CSV_HEAD, csv), (TEXT_HEAD, text), (TABLE_HEAD, table), (b"", text)):
        assert detect_format(name, head) is InputFormat(expected), head


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("b.csv", b'{\n  "resourceType": "Bundle",\n  "type": "transaction"', FHIR),
        ("b.txt", b'\xef\xbb\xbf[\n {"resourceType": "MedicationRequest"}]', FHIR),
        ("bulk.csv", b'{"resourceType":"Medication","id":"m"}\n{"resourceType":"MedicationRequest"}\n', FHIR),
        ("notes.txt", b'{"note": "Zoloft 50 mg"}\n', TEXT),  # JSON, but no FHIR: the name decides
        ("data.csv", b'{"note": "Zoloft 50 mg"}\n', CSV),  # and the CSV reader rejects it
        ("meds.txt", b"Medication,Comment\nZoloft,a\nLipitor,b\nHaldol,c\n", CSV),
        ("meds.txt", b"Patient,Item,Dose\nP1,Zoloft,50 mg\nP1,Lipitor,20 mg\nP2,Haldol,5 mg\n", TEXT),  # no medication
        ("meds.txt", b"Zoloft 50 mg, daily\nLipitor 20 mg, daily\n", TEXT),
    ],
)
def test_content_that_overrides_a_name(name: str, head: bytes, expected: str) -> None:
    assert detect_format(name, head) is InputFormat(expected)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"resourceType": "Bundle"}', FHIR),
        (b'\n\n   [{"resourceType": "MedicationRequest"}]', FHIR),
        (codecs.BOM_UTF8 + b'{"resourceType": "Bundle"}', FHIR),
        (codecs.BOM_UTF16_LE + '{"resourceType": "Bundle"}'.encode("utf-16-le"), FHIR),
        ('{"resourceType": "Bundle"}'.encode("utf-16-le"), FHIR),
        (b"medication,dose\nZoloft,50 mg\n", CSV),
        (b"Patient ID;Drug Name;Dose\r\n", CSV),
        (b"\n\nMRN\tGeneric Name\n", CSV),
        (b'"Medication Name"|"Sig"\n', CSV),
        (codecs.BOM_UTF8 + b"DESCRIPTION,CODE\r\n", CSV),
        (codecs.BOM_UTF16_LE + "drug\tdose\r\n".encode("utf-16-le"), CSV),
        (b"Zoloft 50 mg, daily\nLipitor\n", TEXT),
        (b"Medications: aspirin, ibuprofen\n", TEXT),  # a list's title, not a header
        (b"medication\nZoloft\n", TEXT),  # no delimiter: a one-word first line
        (b"Name,Date of birth\n", TEXT),
        # A pasted list whose first line looks like a header: the cells are not column names ...
        (b"Medications, as of 3/1\nsertraline 50 mg, haloperidol 5 mg, Benadryl 25 mg\n", TEXT),
        (b"Medication list (2024), Dr Smith\nZoloft\n", TEXT),
        (b"Medications - current, reviewed by: Dr Smith\nZoloft\n", TEXT),
        # ... or the rows have more cells than the header ...
        (b"Medications, current\nsertraline 50 mg, haloperidol 5 mg, Benadryl 25 mg\n", TEXT),
        (b"Medication,Dose\nZoloft,50 mg\nLipitor,20 mg,daily\n", TEXT),
        (b"Medication,Dose,Route\nZoloft,50 mg\n", TEXT),  # or fewer
        # ... or nothing but a medication-ish first cell says it is a header.
        (b"Drug, Zoloft\n", TEXT),
        (b"Meds, Zoloft, Lipitor\n", TEXT),
        (b"Medications, current\nsertraline 50 mg, haloperidol 5 mg\n", TEXT),
        (b"Sertraline, Lipitor, Tramadol\nHaloperidol, Benadryl, Lithium\nA, B, C\nD, E, F\n", TEXT),
        # Tables: a medication column with another known column, or with rows enough to show the structure.
        (b"Medication,Extra\nZoloft,a\nLipitor,b\nHaldol,c\n", CSV),
        (b"Medication,Extra\nZoloft,a\nLipitor,b\n", TEXT),
        (b"medication,dose\nZoloft,50 mg,\nLipitor,20 mg,,\n", CSV),  # a trailing delimiter is no cell
        (b'medication,sig\nZoloft,"1 tab\nat night"\n"Lipitor, 20 mg",daily\n', CSV),  # quoted line ends
        (b"ICD10 Code,Drug,Dose,Line_2\n", CSV),  # digits inside a word
        (b"Patient,Item,Dose\nP1,Zoloft,50 mg\nP1,Lipitor,20 mg\nP2,Haldol,5 mg\n", CSV),  # asks for --column
        (b"Patient,Item,Dose\nP1,Zoloft,50 mg\n", TEXT),
        # JSON only when it starts as JSON does.
        (b"[ ] Zoloft 50 mg\n[x] Lipitor 20 mg\n", TEXT),
        (b"[Zoloft] 50 mg\n", TEXT),
        (b"{Zoloft} 50 mg\n", TEXT),
        (b"{ }\n", TEXT),
        (b"[1, 2]\n", TEXT),
        (b'[\n  {\n    "resourceType": "MedicationRequest"', FHIR),
        (b'{"resourceType":"Medication"}\n{"resourceType":"MedicationRequest"}\n', FHIR),
        (b'{"note": "not FHIR"}', FHIR),  # the FHIR reader says what it is
        (b"", TEXT),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", TEXT),  # the text reader reports binary input
        ("Sérénace, 5 mg\n".encode("cp1252"), TEXT),
    ],
)
def test_by_content_for_other_names_and_stdin(head: bytes, expected: str) -> None:
    assert detect_format("<stdin>", head) is InputFormat(expected)
    assert detect_format("export.dat", head) is InputFormat(expected)


def test_fixtures_are_detected_by_content_too() -> None:
    for path in sorted(INPUTS.iterdir()):
        kind = path.name.split(".")[0]
        if kind not in ("csv", "fhir") or path.stat().st_size == 0 or "no-med-column" in path.name:
            continue
        if path.name == "csv.ragged.csv":
            # Rows with more cells than the header are no proof of a table (a pasted list can look so): by
            # content this is text; named .csv it is read as CSV, ragged rows and all.
            assert detect_format("<stdin>", path.read_bytes()) is InputFormat.TEXT
            continue
        assert detect_format("<stdin>", path.read_bytes()[: 1 << 16]).value == kind, path.name


def test_a_table_is_judged_on_complete_lines_of_a_long_head() -> None:
    rows = b"".join(b'P%d,"Sertraline %d mg","Take 1 tablet\nby mouth daily"\n' % (i, i) for i in range(3000))
    head = (b"patient,medication,sig\n" + rows)[: 1 << 16]  # the last row is cut short
    for cut in (head, head[:8190], head[:8200], head[:8300]):
        assert detect_format("<stdin>", cut) is InputFormat.CSV
    lines = [b"Sertraline %d mg, Lipitor 20 mg" % i for i in range(3000)]
    lines[15] += b", Benadryl 25 mg"  # one row of the first twenty with more cells than the header
    assert detect_format("<stdin>", (b"Medication, dose\n" + b"\n".join(lines))[: 1 << 16]) is InputFormat.TEXT


def test_detection_is_fast() -> None:
    head = (b"x" * 200 + b"\n") * 330  # a full 64 KiB head of long lines
    start = time.perf_counter()
    for _ in range(200):
        detect_format("<stdin>", head)
    assert (time.perf_counter() - start) / 200 < 0.002


# Through the library: detection, reading, and the screening of statuses


def _records(path: Path, all_statuses: bool = False) -> list[str]:
    screening = Screening([Input.from_path(path)], CheckOptions(read=ReadOptions(all_statuses=all_statuses)))
    return [r.text for r in screening.records()]


@pytest.mark.usefixtures("tiny_kb")
def test_screening_reads_csv_and_fhir(tmp_path: Path) -> None:
    assert _records(INPUTS / "csv.synthea.csv")[0] == "diphenhydrAMINE Hydrochloride 25 MG Oral Tablet"
    with open(INPUTS / "fhir.bulk.ndjson", "rb") as stream:
        records = Screening([Input.from_stream(stream)]).records()
        # A stopped medicine is read too (a mention that is not current); one entered in error is not.
        assert [r.text for r in records] == [
            "Fluoxetine 20 MG Oral Capsule",
            "Lorazepam 1 MG Oral Tablet",
            "Droperidol 2.5 mg",
        ]
    path = tmp_path / "export"
    path.write_text(json.dumps(json.loads((INPUTS / "fhir.bundle-searchset.json").read_text("utf-8"))))
    both = ["Benadryl 25 mg tablet", "Metoclopramide 10 MG Oral Tablet"]
    assert _records(path) == _records(path, all_statuses=True) == both


# The audit's cases, through the library


def _stdin(data: bytes) -> list[tuple[int, str]]:
    screening = Screening([Input.from_stream(io.BytesIO(data))])
    return [(r.line, r.text) for r in screening.records()]


@pytest.mark.usefixtures("tiny_kb")
def test_a_pasted_list_under_a_header_like_title_is_text() -> None:
    data = b"Medications, as of 3/1\nsertraline 50 mg, haloperidol 5 mg, Benadryl 25 mg\n"
    assert _stdin(data) == [
        (1, "Medications, as of 3/1"),
        (2, "sertraline 50 mg, haloperidol 5 mg, Benadryl 25 mg"),  # every drug of the line is screened
    ]


@pytest.mark.usefixtures("tiny_kb")
def test_a_checklist_is_text_not_json() -> None:
    assert _stdin(b"[ ] Zoloft 50 mg\n[x] Lipitor 20 mg\n") == [(1, "[ ] Zoloft 50 mg"), (2, "[x] Lipitor 20 mg")]


@pytest.mark.usefixtures("tiny_kb")
@pytest.mark.parametrize("name", ["bundle.csv", "bundle.txt", "bundle.tsv"])
def test_fhir_json_with_another_extension_is_read_as_fhir(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes((INPUTS / "fhir.bundle-searchset.json").read_bytes())
    assert _records(path, all_statuses=True) == ["Benadryl 25 mg tablet", "Metoclopramide 10 MG Oral Tablet"]


@pytest.mark.usefixtures("tiny_kb")
def test_an_epic_tab_export_saved_as_txt_is_read_as_tsv() -> None:
    screening = Screening([Input.from_path(INPUTS / "csv.epic-tab.txt")])
    records = list(screening.records())
    assert [(r.patient, r.record, r.text) for r in records] == [
        ("E2001", "row 1", "sertraline (ZOLOFT) 50 MG tablet"),
        ("E2001", "row 2", "Tylenol PM Extra Strength caplet"),
        ("E2002", "row 3", "carbidopa-levodopa (SINEMET) 25-100 MG tablet"),
    ]
    assert records[2].reason == "Parkinson's disease"
    assert records[0].context["Sig"] == "Take 1 tablet by mouth daily"


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(st.text(alphabet='ab1 ,;|\t"{}[]:/\r\n\x00é', max_size=30), max_size=12).map(
            lambda lines: "\n".join(lines).encode("utf-8")
        ),
    ),
    st.sampled_from(["<stdin>", "meds.txt", "meds.csv", "export.dat"]),
)
def test_detection_never_fails(head: bytes, name: str) -> None:
    assert detect_format(name, head) in set(InputFormat)
