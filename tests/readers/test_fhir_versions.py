"""FHIR beyond R4: DSTU2 MedicationOrder and older MedicationStatement shapes; resourceTypes written
otherwise; what is not read is reported; JSON that is not JSON (duplicate keys, NaN) refused."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from rlsmed.errors import InputError
from rlsmed.models import InputRecord
from rlsmed.readers.base import ReadOptions
from rlsmed.readers.fhir import FhirReader

from ..helpers import explain_failure, run_cli


def read(data: object, name: str = "meds.json") -> tuple[list[InputRecord], list[str]]:
    raw = data if isinstance(data, str) else json.dumps(data)
    reader = FhirReader()
    records = list(reader.read(io.BytesIO(raw.encode()), name, ReadOptions()))
    return records, reader.notes()


def error(data: object, name: str = "meds.json") -> InputError:
    with pytest.raises(InputError) as e:
        read(data, name)
    return e.value


def bundle(*resources: object) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


# DSTU2 (2015) as older EHR APIs still serve it
MEDICATION_ORDER = {
    "resourceType": "MedicationOrder",
    "id": "mo1",
    "status": "active",
    "patient": {"reference": "Patient/p7"},
    "dateWritten": "2016-03-02",
    "medicationCodeableConcept": {"text": "Zoloft 50 mg"},
    "reasonCodeableConcept": {"text": "Depression"},
    "dosageInstruction": [{"text": "1 tablet daily"}],
}


def test_dstu2_medication_order_is_read() -> None:
    (record,), notes = read(bundle(MEDICATION_ORDER))
    assert (record.record, record.text, record.patient, record.status) == (
        "MedicationOrder/mo1",
        "Zoloft 50 mg",
        "p7",
        "active",
    )
    assert record.reason == "Depression"
    assert dict(record.context) == {"dosage": "1 tablet daily", "dateWritten": "2016-03-02"}
    assert notes == []


def test_the_audit_reproduction_is_flagged_through_the_command_line(tmp_path: object) -> None:
    text = json.dumps(bundle({**MEDICATION_ORDER, "id": None, "patient": None}))
    result = run_cli(["check", "-f", "json"], stdin=text)
    assert result.exit_code == 1, explain_failure(result)
    assert [f["ingredient"] for f in json.loads(result.stdout)["findings"]] == ["sertraline"]


@pytest.mark.parametrize(
    ("shape", "status"),
    [
        ({"wasNotTaken": True, "status": "completed"}, "not-taken"),  # DSTU2 MedicationStatement
        ({"taken": "n", "status": "active"}, "not-taken"),  # STU3 MedicationStatement
        ({"taken": "y", "status": "active"}, "active"),
        ({"wasNotTaken": False, "status": "active"}, "active"),
    ],
)
def test_older_statements_that_say_not_taken(shape: dict[str, object], status: str) -> None:
    statement = {"resourceType": "MedicationStatement", "medicationCodeableConcept": {"text": "Reglan"}, **shape}
    (record,), _ = read(statement)
    assert record.status == status


def test_dstu2_administration_not_given() -> None:
    given = {
        "resourceType": "MedicationAdministration",
        "wasNotGiven": True,
        "medicationCodeableConcept": {"text": "x"},
    }
    assert read(given)[0][0].status == "not-done"


def test_not_taken_statements_are_mentions_not_current() -> None:
    statement = {"resourceType": "MedicationStatement", "taken": "n", "medicationCodeableConcept": {"text": "Reglan"}}
    report = json.loads(run_cli(["check", "-f", "json"], stdin=json.dumps(bundle(statement))).stdout)
    assert report["findings"] == [] and report["left_out"] == []
    assert [(m["record_status"], m["status"], m["status_reason"]) for m in report["not_current"]] == [
        ("not-taken", "not_current", "status 'not-taken' in the input")
    ]
    every = json.loads(run_cli(["check", "-f", "json", "--all-statuses"], stdin=json.dumps(bundle(statement))).stdout)
    assert [(f["record_status"], f["status"]) for f in every["findings"]] == [("not-taken", "not_current")]


# resourceTypes written otherwise, lists, and types not read


def test_resource_type_in_another_case_or_with_spaces_is_read_and_said() -> None:
    records, notes = read(
        bundle(
            {**MEDICATION_ORDER, "resourceType": "medicationrequest", "id": "a"},
            {**MEDICATION_ORDER, "resourceType": "MedicationRequest ", "id": "b"},
        )
    )
    assert [r.record for r in records] == ["MedicationRequest/a", "MedicationRequest/b"]
    assert notes == [
        "1 resource with resourceType 'medicationrequest' read as MedicationRequest",
        "1 resource with resourceType 'MedicationRequest ' read as MedicationRequest",
    ]


def test_a_resource_that_is_a_list_is_read_and_said() -> None:
    value = {"resourceType": "Bundle", "entry": [{"resource": [MEDICATION_ORDER, {**MEDICATION_ORDER, "id": "mo2"}]}]}
    records, notes = read(value)
    assert [r.record for r in records] == ["MedicationOrder/mo1", "MedicationOrder/mo2"]
    assert notes == ["1 Bundle entry whose resource is a list: read"]


def test_medication_types_not_read_are_said_and_a_file_of_only_them_is_an_error() -> None:
    odd = {"resourceType": "MedicationOrders", "medicationCodeableConcept": {"text": "Zoloft"}}
    records, notes = read(bundle(MEDICATION_ORDER, odd))
    assert len(records) == 1
    assert notes == ["1 MedicationOrders resource not read (not a medication use rlsmed reads)"]
    e = error(bundle(odd, odd))
    assert e.message == "no medication resource rlsmed reads, but 2 MedicationOrders: nothing was screened"
    result = run_cli(["check"], stdin=json.dumps(bundle(odd)))
    assert result.exit_code == 2
    assert "nothing was screened" in result.stderr


def test_bare_medications_are_products_counted_as_such() -> None:
    medication = {"resourceType": "Medication", "id": "m1", "code": {"text": "Zoloft 50 mg"}}
    records, notes = read(bundle(medication, {**medication, "id": "m2"}))
    assert records == []
    assert notes == [
        "2 Medication resources (a product, not a patient's use of it) and no MedicationRequest, -Statement, "
        "-Dispense or -Administration: nothing to screen on its own"
    ]
    assert read(bundle(medication, MEDICATION_ORDER))[1] == []  # beside a use, nothing to say


def test_notes_reach_stderr() -> None:
    medication = {"resourceType": "Medication", "id": "m1", "code": {"text": "Zoloft 50 mg"}}
    result = run_cli(["check", "-f", "json"], stdin=json.dumps(medication))
    assert result.exit_code == 3  # a product alone: nothing to screen, and the note says why
    assert "rlsmed: <stdin>: 1 Medication resource (a product" in result.stderr


# JSON as the standard defines it


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (
            '{"resourceType": "MedicationRequest", "status": "active", "status": "entered-in-error"}',
            "meds.json:1",
            "not valid JSON (key 'status' given twice in one object)",
        ),
        (
            '{"resourceType": "MedicationRequest", "medicationCodeableConcept": {"text": NaN}}',
            "meds.json:1",
            "not valid JSON (NaN is not a JSON value)",
        ),
        (
            '{"resourceType": "MedicationRequest", "id": 1}\n{"resourceType": "MedicationRequest", "id": Infinity}\n',
            "meds.ndjson:2",
            "not valid JSON (Infinity is not a JSON value)",
        ),
    ],
)
def test_duplicate_keys_and_nan_are_not_json(text: str, where: str, message: str) -> None:
    e = error(text, where.split(":")[0])
    assert (e.where, e.message) == (where, message)
