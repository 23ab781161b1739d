"""Choosing the reader: by extension first, then by the first bytes; and the readers' registry."""

from __future__ import annotations

import codecs
import json
import time
from pathlib import Path

import pytest

from rlsmed.api import CheckOptions, Input, Screening
from rlsmed.readers import InputFormat, ReadOptions, detect_format, reader_for

from ..helpers import DATA

INPUTS = DATA / "inputs"
CSV, FHIR, TEXT = "csv", "fhir", "text"  # InputFormat values


def test_every_input_format_has_its_reader() -> None:
    formats = [f for f in InputFormat if f is not InputFormat.AUTO]
    assert {f.value for f in formats} == {"text", "csv", "fhir"}
    for fmt in formats:
        assert reader_for(fmt).name == fmt.value


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("meds.csv", CSV),
        ("meds.tsv", CSV),
        ("MEDS.TAB", CSV),
        ("meds.psv", CSV),
        ("bundle.json", FHIR),
        ("bulk.ndjson", FHIR),
        ("bulk.jsonl", FHIR),
        ("patient.fhir", FHIR),
        ("dir.v2/meds.txt", TEXT),
        ("meds.text", TEXT),
        ("notes.md", TEXT),
    ],
)
def test_by_extension_whatever_the_content(name: str, expected: str) -> None:
    for head in (b'{"resourceType": "Bundle"}', b"medication,dose\n", b"Zoloft 50 mg\n", b""):
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
        assert detect_format("<stdin>", path.read_bytes()[: 1 << 16]).value == kind, path.name


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
        assert [r.text for r in records] == ["Fluoxetine 20 MG Oral Capsule", "Droperidol 2.5 mg"]
    path = tmp_path / "export"
    path.write_text(json.dumps(json.loads((INPUTS / "fhir.bundle-searchset.json").read_text("utf-8"))))
    assert _records(path) == ["Benadryl 25 mg tablet"]  # the stopped request is not current
    assert _records(path, all_statuses=True) == ["Benadryl 25 mg tablet", "Metoclopramide 10 MG Oral Tablet"]
