"""FhirReader.prepare: the Medication resources of a run's FHIR inputs, collected before they are read."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from rlsmed.api import CheckOptions, Input, Screening
from rlsmed.errors import InputError
from rlsmed.models import InputRecord
from rlsmed.readers import InputFormat, ReadOptions, fhir
from rlsmed.readers.fhir import FhirReader, scan_medications
from rlsmed.readers.references import MedicationIndex

from ..helpers import DATA, CountingStream

INPUTS = DATA / "inputs"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def medication(mid: str, display: str, code: str) -> dict[str, Any]:
    return {
        "resourceType": "Medication",
        "id": mid,
        "code": {"coding": [{"system": RXNORM, "code": code, "display": display}]},
    }


def request(rid: str, reference: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "medicationReference": {"reference": reference},
        "subject": {"reference": "Patient/p1"},
    }


def ndjson(*resources: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in resources)


def bulk_export(tmp_path: Path) -> list[Path]:
    """A Bulk Data export: one NDJSON file per resource type, requests first."""
    requests = tmp_path / "MedicationRequest.ndjson"
    requests.write_text(ndjson(request("r1", "Medication/m1"), request("r2", "Medication/m2")), "utf-8")
    medications = tmp_path / "Medication.ndjson"
    medications.write_text(
        ndjson(medication("m1", "Haloperidol 5 MG Oral Tablet", "310671"), medication("m2", "Lithium", "6448")),
        "utf-8",
    )
    return [requests, medications]


def prepare(inputs: list[Input], input_format: InputFormat, options: ReadOptions) -> ReadOptions:
    """The read options of a run over these inputs, once its readers have looked at them (apart from the
    run's own record of patients' conditions, which every run adds)."""
    read = Screening(inputs, CheckOptions(read=options, input_format=input_format)).read_options()
    return read._replace(conditions=options.conditions)


def screen(inputs: list[Input], input_format: InputFormat = InputFormat.AUTO) -> list[InputRecord]:
    """The records of a run (read with the options its readers prepared)."""
    return list(Screening(inputs, CheckOptions(input_format=input_format)).records())


def described(records: list[InputRecord]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(r.record, r.text, r.codes) for r in records]


BULK = [
    ("MedicationRequest/r1", "Haloperidol 5 MG Oral Tablet", ("310671",)),
    ("MedicationRequest/r2", "Lithium", ("6448",)),
]


@pytest.mark.usefixtures("tiny_kb")
def test_bulk_data_export_references_resolve_across_files(tmp_path: Path) -> None:
    paths = bulk_export(tmp_path)
    assert described(screen([Input.from_path(p) for p in paths])) == BULK
    assert described(screen([Input.from_path(p) for p in reversed(paths)])) == BULK
    assert described(screen([Input.from_path(p) for p in paths], InputFormat.FHIR)) == BULK


def test_without_prepare_a_reference_to_another_file_is_not_found(tmp_path: Path) -> None:
    requests, _ = bulk_export(tmp_path)
    with open(requests, "rb") as stream:
        records = list(FhirReader().read(stream, str(requests), ReadOptions()))
    assert [r.text for r in records] == [
        "Medication/m1 (not found in the input)",
        "Medication/m2 (not found in the input)",
    ]


def test_prepared_options_are_kept(tmp_path: Path) -> None:
    inputs = [Input.from_path(p) for p in bulk_export(tmp_path)]
    read = prepare(inputs, InputFormat.AUTO, ReadOptions())
    assert prepare(inputs, InputFormat.AUTO, read).medications is read.medications  # not scanned again


@pytest.mark.usefixtures("tiny_kb")
def test_references_across_bundle_files(tmp_path: Path) -> None:
    first = tmp_path / "requests.json"
    first.write_text(json.dumps({"resourceType": "Bundle", "entry": [{"resource": request("r1", "Medication/m1")}]}))
    second = tmp_path / "formulary.json"
    entries = [{"fullUrl": "urn:uuid:m1", "resource": medication("m1", "Haloperidol 5 MG Oral Tablet", "310671")}]
    second.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}, indent=1))
    assert described(screen([Input.from_path(first), Input.from_path(second)])) == BULK[:1]


@pytest.mark.usefixtures("tiny_kb")
def test_stdin_is_not_read_twice_but_looks_ahead(tmp_path: Path) -> None:
    paths = bulk_export(tmp_path)
    both = b"".join(p.read_bytes() for p in paths)  # cat MedicationRequest.ndjson Medication.ndjson |
    stdin = Input.from_stream(io.BytesIO(both))
    assert prepare([stdin], InputFormat.AUTO, ReadOptions()) == ReadOptions()
    assert described(screen([stdin])) == BULK


@pytest.mark.usefixtures("tiny_kb")
def test_stdin_resolves_to_medications_of_the_files(tmp_path: Path) -> None:
    requests, medications = bulk_export(tmp_path)
    stdin = Input.from_stream(io.BytesIO(requests.read_bytes()))
    assert described(screen([stdin, Input.from_path(medications)])) == BULK


def test_inputs_without_fhir_leave_the_options_alone(tmp_path: Path) -> None:
    text = Input.from_text("Zoloft 50 mg\n")
    table = Input.from_path(INPUTS / "csv.synthea.csv")
    options = ReadOptions(column="DESCRIPTION")
    assert prepare([text, table], InputFormat.AUTO, options) == options
    assert prepare([Input.from_path(INPUTS / "fhir.bulk.ndjson")], InputFormat.TEXT, options) == options
    # One Bundle alone: its references resolve within it, so it is not read twice.
    assert prepare([Input.from_path(INPUTS / "fhir.bundle-references.json")], InputFormat.AUTO, options) == options


def test_unreadable_inputs_are_left_for_the_reading_to_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"resourceType": "Medication", "id": "m1"}\n{not json\n', "utf-8")
    inputs = [
        Input.from_path(tmp_path / "missing.ndjson"),
        Input.from_path(tmp_path),  # a directory
        Input.from_path(bad),
        Input.from_path(INPUTS / "fhir.bulk.ndjson"),
    ]
    read = prepare(inputs, InputFormat.AUTO, ReadOptions())
    assert read.medications is not None
    assert read.medications.sources == {str(bad), str(INPUTS / "fhir.bulk.ndjson")}
    assert set(read.medications.entries) == {"Medication/m1", "Medication/bulk-med"}
    with pytest.raises(InputError) as e:
        list(Screening(inputs, CheckOptions(read=read)).records())
    assert e.value.where == str(tmp_path / "missing.ndjson")


def test_what_is_no_regular_file_is_not_opened_by_prepare() -> None:
    # A pipe (`rlsmed check <(zcat bulk.ndjson.gz)`) can be read only once: prepare must not take its bytes.
    def never() -> Any:
        pytest.fail("opened")

    assert prepare([Input("/dev/null", never)], InputFormat.AUTO, ReadOptions()) == ReadOptions()


def test_only_lines_naming_a_medication_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    real = fhir.json.loads
    monkeypatch.setattr(fhir.json, "loads", lambda text: parsed.append(text) or real(text))
    lines = [request(f"r{i}", "Medication/m1") for i in range(500)]
    data = ndjson(*lines, medication("m1", "Lithium", "6448"), *lines).encode()
    run = MedicationIndex()
    scan_medications(io.BytesIO(data), "big.ndjson", run)
    assert len(parsed) == 1
    assert run.entries == {"Medication/m1": ("Lithium", ("6448",), "")}  # no more than the medications
    assert run.sources == {"big.ndjson"}


def test_the_index_is_bounded() -> None:
    data = ndjson(*[medication(f"m{i}", f"Drug {i}", str(i)) for i in range(10)]).encode()
    run = MedicationIndex(limit=4)
    scan_medications(io.BytesIO(data), "many.ndjson", run)
    assert len(run.entries) == 4
    assert run.full
    assert not run.sources
    options = ReadOptions(medications=run)
    stream = io.BytesIO(ndjson(request("r9", "Medication/m9")).encode())
    (record,) = FhirReader().read(stream, "requests.ndjson", options)
    assert record.text == "Medication/m9 (not resolved: more Medication resources than rlsmed keeps)"


def test_reading_a_scanned_input_streams() -> None:
    line = json.dumps(request("r", "Medication/m1")) + "\n"
    data = (line * 3000 + json.dumps(medication("m1", "Lithium", "6448")) + "\n").encode()
    run = MedicationIndex()
    scan_medications(io.BytesIO(data), "bulk.ndjson", run)
    stream = CountingStream(data)
    records = FhirReader().read(stream, "bulk.ndjson", ReadOptions(medications=run))
    assert next(records).text == "Lithium"  # resolved to the last line before that was read
    assert stream.consumed < len(data)
