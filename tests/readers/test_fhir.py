"""The FHIR reader: bundles, resources, arrays and NDJSON; references; R5 shapes; robustness."""

from __future__ import annotations

import codecs
import csv
import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlsmed.errors import InputError
from rlsmed.models import InputRecord
from rlsmed.readers import fhir
from rlsmed.readers.base import ReadOptions
from rlsmed.readers.decode import CHUNK
from rlsmed.readers.fhir import FhirReader

from ..helpers import DATA, SHARED, CountingStream

INPUTS = DATA / "inputs"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def read(data: str | bytes | object, name: str = "meds.json") -> list[InputRecord]:
    """Records from bytes, text, or a JSON value (dumped first)."""
    text = data if isinstance(data, (str, bytes)) else json.dumps(data)
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return list(FhirReader().read(io.BytesIO(raw), name, ReadOptions()))


def read_fixture(name: str) -> list[InputRecord]:
    return read((INPUTS / name).read_bytes(), name)


def fixture_json(name: str) -> Any:
    return json.loads((INPUTS / name).read_text(encoding="utf-8"))


def error(data: str | bytes | object, name: str = "meds.json") -> InputError:
    with pytest.raises(InputError) as e:
        read(data, name)
    return e.value


def texts(records: list[InputRecord]) -> list[str]:
    return [r.text for r in records]


def request(rid: str = "mr-1", text: str = "Sertraline 50 mg", **fields: Any) -> dict[str, Any]:
    resource = {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"text": text},
        "subject": {"reference": "Patient/p1"},
    }
    resource.update(fields)
    return resource


def bundle(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


# Bundles


def test_searchset_bundle() -> None:
    records = read_fixture("fhir.bundle-searchset.json")
    assert texts(records) == ["Benadryl 25 mg tablet", "Metoclopramide 10 MG Oral Tablet"]
    first, second = records
    assert first.source == "fhir.bundle-searchset.json"
    assert (first.line, second.line) == (1, 2)
    assert first.record == "MedicationRequest/mr-1"
    assert first.patient == "pat-1"
    assert second.patient == "pat-1"  # from an absolute, versioned reference
    assert first.status == "active"
    assert second.status == "stopped"  # reported, not filtered: screening decides
    assert first.codes == ("1049630",)
    assert second.codes == ("311666",)  # the RxNorm coding, not the SNOMED one
    assert first.reason == "Insomnia; Pruritus"
    assert dict(first.context) == {
        "dosage": "1 tablet at bedtime; as needed",
        "authoredOn": "2024-02-01",
        "intent": "order",
    }


@pytest.mark.parametrize(
    "kind",
    [
        "collection",
        "searchset",
        "transaction",
        "transaction-response",
        "batch",
        "batch-response",
        "document",
        "history",
        "message",
        "subscription-notification",
    ],
)
def test_every_bundle_type(kind: str) -> None:
    data = fixture_json("fhir.bundle-references.json")
    data["type"] = kind
    records = read(data)
    assert [r.record for r in records] == [
        "MedicationRequest/r-1",
        "MedicationRequest/r-2",
        "MedicationDispense/r-3",
        "MedicationAdministration/r-4",
    ]


def test_batch_response_entries_without_a_resource_are_skipped() -> None:
    (record,) = read_fixture("fhir.bundle-batch-response.json")
    assert record.line == 2
    assert record.record == "MedicationStatement/ms-1"
    assert record.text == "Citalopram 20 mg"
    assert dict(record.context) == {"dosage": "20 mg daily", "effectiveDateTime": "2023-12-01"}


def test_nested_bundles_are_read_and_numbered_by_the_outer_entry() -> None:
    records = read_fixture("fhir.bundle-nested.json")
    assert [(r.line, r.record, r.text) for r in records] == [
        (2, "MedicationRequest/n-1", "Mirtazapine 15 mg"),
        (2, "MedicationRequest/n-2", "Mirtazapine 15 mg"),  # a Medication of the enclosing bundle
        (3, "MedicationRequest/n-3", "Quetiapine 25 mg"),
    ]
    assert records[2].status == "draft"


def test_deeply_nested_bundles_do_not_recurse() -> None:
    inner: dict[str, Any] = bundle(request("deep"))
    for _ in range(150):
        inner = bundle(inner)
    (record,) = read(inner)
    assert record.record == "MedicationRequest/deep"


def test_empty_and_odd_bundles() -> None:
    assert read({"resourceType": "Bundle", "type": "searchset", "total": 0}) == []
    assert read({"resourceType": "Bundle", "entry": []}) == []
    assert read({"resourceType": "Bundle", "entry": "none"}) == []
    assert read({"resourceType": "Bundle", "entry": [None, 3, [], {"fullUrl": "x"}]}) == []


# Resource types


@pytest.mark.parametrize(
    ("kind", "fields", "context"),
    [
        ("MedicationRequest", {"authoredOn": "2024-01-01"}, {"authoredOn": "2024-01-01", "intent": "order"}),
        ("MedicationStatement", {"effectiveDateTime": "2024-01-02"}, {"effectiveDateTime": "2024-01-02"}),
        ("MedicationDispense", {"whenHandedOver": "2024-01-03"}, {"whenHandedOver": "2024-01-03"}),
        (
            "MedicationAdministration",
            {"effectivePeriod": {"start": "2024-01-04", "end": "2024-01-05"}},
            {"effectivePeriod.start": "2024-01-04"},
        ),
    ],
)
def test_every_medication_resource_type(kind: str, fields: dict[str, Any], context: dict[str, str]) -> None:
    resource = {
        "resourceType": kind,
        "id": "x1",
        "status": "completed",
        "medicationCodeableConcept": {"text": "Haloperidol 5 mg"},
        "subject": {"reference": "Patient/p9"},
        **fields,
    }
    if kind == "MedicationRequest":
        resource["intent"] = "order"
    (record,) = read(bundle(resource))
    assert record.record == f"{kind}/x1"
    assert record.text == "Haloperidol 5 mg"
    assert record.patient == "p9"
    assert record.status == "completed"
    assert dict(record.context) == context


@pytest.mark.parametrize("kind", ["Medication", "Patient", "Observation", "Condition", "MedicationKnowledge", "List"])
def test_other_resource_types_are_ignored(kind: str) -> None:
    resource = {"resourceType": kind, "id": "o1", "code": {"text": "Sertraline"}}
    assert read(bundle(resource)) == []
    assert read(resource) == []


def test_dosage_text_in_every_shape() -> None:
    records = read(
        bundle(
            request("a", dosageInstruction=[{"text": "1 daily"}, {"timing": {}}, {"text": "with food"}]),
            {**request("b"), "resourceType": "MedicationStatement", "dosage": [{"text": "2 at night"}]},
            {**request("c"), "resourceType": "MedicationAdministration", "dosage": {"text": "5 mg IV"}},
        )
    )
    assert [r.context.get("dosage") for r in records] == ["1 daily; with food", "2 at night", "5 mg IV"]


# The drug: concepts and references


@pytest.mark.parametrize(
    ("concept", "text", "codes"),
    [
        ({"text": "Zoloft 50 mg", "coding": [{"system": RXNORM, "code": "1", "display": "x"}]}, "Zoloft 50 mg", ("1",)),
        (
            {
                "coding": [
                    {"system": "http://snomed.info/sct", "display": "snomed"},
                    {"system": RXNORM, "display": "rx"},
                ]
            },
            "rx",
            (),
        ),
        ({"coding": [{"system": "http://snomed.info/sct", "code": "9", "display": "snomed"}]}, "snomed", ()),
        (
            {
                "coding": [
                    {"system": RXNORM + "/", "code": "2"},
                    {"system": "urn:oid:2.16.840.1.113883.6.88", "code": "3"},
                ]
            },
            "RxNorm 2, 3",  # a code without text: the code, for a person to see
            ("2", "3"),
        ),
        ({"coding": [{"system": RXNORM, "code": "2"}, {"system": RXNORM, "code": "2"}]}, "RxNorm 2", ("2",)),
        ({"coding": [{"system": "http://snomed.info/sct", "code": "372720008"}]}, "SNOMED CT 372720008", ()),
        ({"coding": [{"system": "http://hl7.org/fhir/sid/ndc", "code": "0093-7198-01"}]}, "NDC 0093-7198-01", ()),
        (
            {"coding": [{"system": "https://formulary.example/local", "code": "F-12"}]},
            "https://formulary.example/local F-12",
            (),
        ),
        ({"coding": [{"code": "F-12"}]}, "code F-12", ()),
        ({}, "", ()),
    ],
)
def test_codeable_concept(concept: dict[str, Any], text: str, codes: tuple[str, ...]) -> None:
    (record,) = read(request(medicationCodeableConcept=concept))
    assert (record.text, record.codes) == (text, codes)


def test_contained_medications() -> None:
    records = read_fixture("fhir.bundle-contained.json")
    assert texts(records) == [
        "Sertraline 50 MG Oral Tablet",
        "Aspirin / Diphenhydramine citrate / Caffeine",  # a Medication known only by its ingredients
        "Lithium carbonate 300 mg",  # not contained after all: the reference's display
    ]
    assert [r.codes for r in records] == [("312938",), ("1191",), ()]
    assert records[0].patient == "5b1e6c6a-0001"  # urn:uuid: stripped


def test_medications_elsewhere_in_the_bundle() -> None:
    records = read_fixture("fhir.bundle-references.json")
    assert [(r.line, r.text, r.codes) for r in records] == [
        (1, "Ondansetron 2 mg/mL injection", ("1740467",)),  # by fullUrl urn:uuid
        (4, "Haloperidol 5 MG Oral Tablet", ("310671",)),  # by Medication/id
        (5, "Haloperidol 5 MG Oral Tablet", ("310671",)),  # by an absolute, versioned URL
        (6, "Promethazine 25 mg", ()),  # unresolved: the reference's display
    ]
    assert records[0].patient == "pat-9"
    assert dict(records[2].context) == {"dosage": "5 mg at night", "whenHandedOver": "2024-03-01T10:00:00Z"}
    assert dict(records[3].context) == {"dosage": "25 mg IV", "effectivePeriod.start": "2024-03-02T08:00:00Z"}


def test_urn_uuid_reference_by_id_when_full_url_differs() -> None:
    medication = {"resourceType": "Medication", "id": "abc", "code": {"text": "Droperidol"}}
    data = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "https://server/Medication/abc", "resource": medication},
            {"resource": request(medicationCodeableConcept=None, medicationReference={"reference": "urn:uuid:abc"})},
        ],
    }
    assert texts(read(data)) == ["Droperidol"]


def test_a_concept_without_text_is_completed_from_the_reference() -> None:
    resource = request(
        medicationCodeableConcept={"coding": [{"system": RXNORM, "code": "5"}]},
        medicationReference={"reference": "#m"},
        contained=[{"resourceType": "Medication", "id": "m", "code": {"text": "Lithium"}}],
    )
    (record,) = read(resource)
    assert (record.text, record.codes) == ("Lithium", ("5",))


def _with_reference(reference: str, *medications: dict[str, Any], **fields: Any) -> dict[str, Any]:
    ref = {"reference": reference, **fields}
    return bundle(request(medicationCodeableConcept=None, medicationReference=ref), *medications)


@pytest.mark.parametrize(
    ("data", "text", "codes"),
    [
        (_with_reference("Medication/gone"), "Medication/gone (not found in the input)", ()),
        (_with_reference("#gone"), "#gone (not found in the input)", ()),
        (_with_reference("Medication/gone", display="Lithium 300 mg"), "Lithium 300 mg", ()),  # the display first
        (
            _with_reference(
                "Medication/m",
                {"resourceType": "Medication", "id": "m", "code": {"coding": [{"system": RXNORM, "code": "1049630"}]}},
            ),
            "RxNorm 1049630",
            ("1049630",),
        ),
        (
            _with_reference(
                "Medication/m",
                {"resourceType": "Medication", "id": "m", "code": {"coding": [{"system": RXNORM, "code": "1049630"}]}},
                display="Benadryl",
            ),
            "Benadryl",
            ("1049630",),
        ),
        (
            _with_reference("Medication/m", {"resourceType": "Medication", "id": "m", "status": "active"}),
            "Medication/m (a Medication with no name or code)",
            (),
        ),
    ],
)
def test_what_a_record_without_a_drug_name_says(data: dict[str, Any], text: str, codes: tuple[str, ...]) -> None:
    (record,) = read(data)
    assert (record.text, record.codes) == (text, codes)


def test_a_concept_code_comes_before_a_reference_that_is_not_found() -> None:
    resource = request(
        medicationCodeableConcept={"coding": [{"system": RXNORM, "code": "5"}]},
        medicationReference={"reference": "Medication/gone"},
    )
    (record,) = read(resource)
    assert (record.text, record.codes) == ("RxNorm 5", ("5",))


@pytest.mark.parametrize(
    ("full_url", "name"),
    [
        ("urn:uuid:9d1c0000-0000-4000-8000-000000000007", "urn:uuid:9d1c0000-0000-4000-8000-000000000007"),
        ("https://fhir.example.org/r4/MedicationStatement/ms-9", "MedicationStatement/ms-9"),
        ("https://fhir.example.org/r4/MedicationStatement/ms-9/_history/3", "MedicationStatement/ms-9"),
        ("https://fhir.example.org/r4/Other/ms-9", "https://fhir.example.org/r4/Other/ms-9"),
        (None, "MedicationStatement#2"),
        ("", "MedicationStatement#2"),
    ],
)
def test_an_entry_without_an_id_is_named_by_its_full_url(full_url: str | None, name: str) -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": {"text": "Lithium"},
    }
    entry: dict[str, Any] = {"resource": statement, "request": {"method": "POST", "url": "MedicationStatement"}}
    if full_url is not None:
        entry["fullUrl"] = full_url
    data = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [{"resource": {"resourceType": "Patient"}}, entry],
    }
    (record,) = read(data)
    assert record.record == name


def test_r5_shapes() -> None:
    records = read_fixture("fhir.r5.json")
    assert [(r.text, r.codes, r.status) for r in records] == [
        ("Simvastatin 40 MG Oral Tablet", ("198211",), "active"),
        ("Tramadol / Acetaminophen", ("10689",), "recorded"),
        ("Ondansetron 4 mg", (), "completed"),
    ]
    assert records[0].reason == "Hyperlipidaemia; High cholesterol"
    assert dict(records[2].context) == {"occurrenceDateTime": "2024-05-01T09:00:00Z"}


# Documents that are not a Bundle


def test_single_resource() -> None:
    (record,) = read_fixture("fhir.single.json")
    assert record.line == 1
    assert record.record == "MedicationStatement#1"  # no id
    assert record.text == "Sertraline"
    assert record.patient == "legacy-1"  # `patient` in older shapes


def test_array_of_resources() -> None:
    records = read_fixture("fhir.array.json")
    assert [(r.line, r.record, r.text) for r in records] == [
        (2, "MedicationRequest/a-1", "Escitalopram 10 mg"),
        (4, "MedicationDispense/a-2", "Venlafaxine 75 mg"),
    ]


def test_array_holding_a_bundle() -> None:
    records = read([{"resourceType": "Patient"}, bundle(request("x"), request("y"))])
    assert [(r.line, r.record) for r in records] == [(2, "MedicationRequest/x"), (2, "MedicationRequest/y")]


def test_empty_documents() -> None:
    assert read(b"") == []
    assert read(b"  \n\r\n") == []
    assert read(b"[]") == []


# NDJSON


def test_ndjson_bulk_export() -> None:
    records = read_fixture("fhir.bulk.ndjson")
    assert [(r.line, r.record, r.text, r.status) for r in records] == [
        (2, "MedicationRequest/b-1", "Fluoxetine 20 MG Oral Capsule", "active"),
        (5, "MedicationRequest/b-2", "Lorazepam 1 MG Oral Tablet", "completed"),  # Medication from line 1
        (6, "MedicationAdministration/b-3", "Droperidol 2.5 mg", "in-progress"),
    ]


@pytest.mark.parametrize("name", ["<stdin>", "export.json", "bulk.txt"])
def test_ndjson_is_recognised_by_content(name: str) -> None:
    data = (INPUTS / "fhir.bulk.ndjson").read_bytes()
    assert [r.line for r in read(data, name)] == [2, 5, 6]


def test_a_one_line_ndjson_file_is_a_single_resource() -> None:
    (record,) = read(json.dumps(request()) + "\n", "one.ndjson")
    assert record.line == 1


def test_ndjson_whose_first_line_is_longer_than_the_look_ahead() -> None:
    big = request("big", note=[{"text": "x" * (CHUNK + 100)}])
    data = json.dumps(big) + "\n" + json.dumps(request("small")) + "\n"
    assert [(r.line, r.record) for r in read(data, "<stdin>")] == [
        (1, "MedicationRequest/big"),
        (2, "MedicationRequest/small"),
    ]


FORWARD = [
    (1, "MedicationRequest/f-1", "Haloperidol 5 MG Oral Tablet", ("310671",)),  # Medication on line 4
    (2, "MedicationRequest/f-2", "Sertraline 50 mg", ()),
    (3, "MedicationDispense/f-3", "RxNorm 1049630", ("1049630",)),  # on line 6, by urn:uuid
    (5, "MedicationRequest/f-4", "Medication/nowhere (not found in the input)", ()),
]


def _forward(records: list[InputRecord]) -> list[tuple[int, str, str, tuple[str, ...]]]:
    return [(r.line, r.record, r.text, r.codes) for r in records]


@pytest.mark.parametrize("name", ["fhir.bulk-references-first.ndjson", "<stdin>"])
def test_ndjson_references_to_later_lines(name: str) -> None:
    # Without a pre-pass (stdin), lines are held from the first reference not yet found until the
    # Medication may have come: here, the end of the input. The records keep their order.
    records = read((INPUTS / "fhir.bulk-references-first.ndjson").read_bytes(), name)
    assert _forward(records) == FORWARD


def test_ndjson_look_ahead_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fhir, "MAX_LOOKAHEAD", 2)  # lines 1-2 are held, then 3-4: each Medication comes too late
    later = "not found in the lines before it or shortly after"
    records = read_fixture("fhir.bulk-references-first.ndjson")
    assert _forward(records) == [
        (1, "MedicationRequest/f-1", f"Medication/nm1 ({later})", ()),
        (2, "MedicationRequest/f-2", "Sertraline 50 mg", ()),
        (3, "MedicationDispense/f-3", f"urn:uuid:nm2 ({later})", ()),
        FORWARD[3],  # held from line 5 to the end, where nothing can come any more
    ]


def test_held_ndjson_lines_stay_few(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fhir, "MAX_LOOKAHEAD", 50)
    line = json.dumps(request(medicationCodeableConcept=None, medicationReference={"reference": "Medication/x"}))
    data = ((line + "\n") * 2000).encode()
    stream = CountingStream(data)
    records = FhirReader().read(stream, "bulk.ndjson", ReadOptions())
    first = next(records)
    assert first.text == "Medication/x (not found in the lines before it or shortly after)"
    assert stream.consumed < len(data)  # streamed: held no more than the look-ahead
    assert sum(1 for _ in records) == 1999


def test_ndjson_errors_name_the_line() -> None:
    good = json.dumps(request())
    e = error(f"{good}\n{good}\n{{not json\n{good}\n", "bulk.ndjson")
    assert e.where == "bulk.ndjson:3"
    assert e.message.startswith("not valid JSON (")
    e = error(f"{good}\n\n42\n", "bulk.ndjson")
    assert e.where == "bulk.ndjson:3"
    assert e.message == "JSON, but not a FHIR resource, Bundle or NDJSON"


def test_ndjson_lines_with_crlf_and_a_bom() -> None:
    data = codecs.BOM_UTF8 + (json.dumps(request("a")) + "\r\n" + json.dumps(request("b")) + "\r\n").encode()
    assert [r.line for r in read(data, "bulk.ndjson")] == [1, 2]


def test_ndjson_streams() -> None:
    line = json.dumps(request()) + "\n"
    data = (line * (4 * CHUNK // len(line) + 1000)).encode()
    stream = CountingStream(data)
    records = FhirReader().read(stream, "bulk.ndjson", ReadOptions())
    next(records)
    assert stream.consumed < len(data)


# Unreadable input


def test_malformed_json_names_the_line() -> None:
    e = error((INPUTS / "fhir.malformed.json").read_bytes(), "fhir.malformed.json")
    assert e.where == "fhir.malformed.json:5"
    assert e.message == "not valid JSON (Expecting property name enclosed in double quotes)"


@pytest.mark.parametrize("data", ["[" * 100_000, '{"a":' * 100_000, "[" * 100_000 + "]" * 100_000])
def test_deeply_nested_json(data: str) -> None:
    e = error(data)
    assert e.where.startswith("meds.json")
    assert e.message.startswith("not valid JSON")


def test_json_that_is_not_fhir() -> None:
    e = error((INPUTS / "fhir.not-fhir.json").read_bytes(), "fhir.not-fhir.json")
    assert (e.where, e.message) == ("fhir.not-fhir.json", "JSON, but not a FHIR resource, Bundle or NDJSON")
    for data in ("42", '"text"', "null", '[1, 2, {"a": 1}]'):
        assert error(data).message == "JSON, but not a FHIR resource, Bundle or NDJSON"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ("Sertraline 50 mg\n", "meds.json:1"),
        ('{"resourceType": "Bundle",\n "entry": [\n', "meds.json:3"),
        ('{"resourceType": "Bundle"}\n\n{"broken"\n', "meds.json:3"),
        ("1" * 5000, "meds.json"),  # more digits than Python converts
    ],
)
def test_other_unreadable_documents(data: str, where: str) -> None:
    e = error(data)
    assert e.where == where
    assert e.message.startswith("not valid JSON (")
    assert "\n" not in e.message and len(e.message) < 100


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fhir, "MAX_DOCUMENT", CHUNK * 2)
    data = json.dumps(bundle(*[request(str(i), "x" * 100) for i in range(2000)]))
    e = error(data)
    assert e.where == "meds.json"
    assert "NDJSON" in e.message


def test_binary_input() -> None:
    assert error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").message.startswith("binary data")


# Encodings


def _searchset_text() -> str:
    return (INPUTS / "fhir.bundle-searchset.json").read_text(encoding="utf-8").replace("Benadryl", "Bénadryl")


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
        lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
        lambda t: t.encode("utf-16-le"),
        lambda t: t.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom-crlf", "utf16le-bom", "utf16be-bom", "utf16le", "cp1252-crlf"],
)
def test_encodings(encode: Any) -> None:
    records = read(encode(_searchset_text()))
    assert texts(records) == ["Bénadryl 25 mg tablet", "Metoclopramide 10 MG Oral Tablet"]


def test_invalid_bytes_name_their_line() -> None:
    # UTF-8 from the first bytes on, so later bytes must be UTF-8 too (as for every reader).
    padding = '"pad": "' + "x" * CHUNK + '",\n'
    data = '{"a": "é",\n'.encode() + padding.encode() + b'"b": "\xff"\n}'
    e = error(data)
    assert (e.where, e.message) == ("meds.json:3", "bytes that are not valid UTF-8 text")
    e = error(b'{"a":\n"\x81"}')  # not UTF-8, and undefined in Windows-1252
    assert (e.where, e.message) == ("meds.json:2", "bytes that are not valid Windows-1252 text")


# Unexpected shapes


def test_odd_shapes_are_read_as_far_as_sensible() -> None:
    records = read_fixture("fhir.odd-shapes.json")
    assert [(r.line, r.record, r.text, r.patient, r.status) for r in records] == [
        (3, "MedicationRequest/42", "Amitriptyline 10 mg", "odd-1", None),
        (4, "MedicationRequest#4", "7", "5", "active"),
        (5, "MedicationStatement#5", "Medication/nowhere (not found in the input)", "odd-2", None),
        (6, "MedicationDispense#6", "", None, None),
        (8, "MedicationRequest/odd-3", "Prochlorperazine", None, None),
    ]
    assert records[0].reason == "Neuropathic pain"
    assert records[0].context["dosage"] == "10 mg at night"
    assert records[-1].codes == ("8123",)


JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
KEYS = st.sampled_from(
    [
        "resourceType",
        "id",
        "status",
        "medicationCodeableConcept",
        "medicationReference",
        "medication",
        "concept",
        "reference",
        "coding",
        "system",
        "code",
        "display",
        "text",
        "contained",
        "subject",
        "patient",
        "reasonCode",
        "reasonReference",
        "reason",
        "dosage",
        "dosageInstruction",
        "ingredient",
        "item",
        "itemCodeableConcept",
        "effectivePeriod",
        "start",
        "entry",
        "resource",
        "fullUrl",
    ]
)
TYPES = st.sampled_from(["MedicationRequest", "MedicationStatement", "MedicationDispense", "Medication", "Bundle"])
JSON_VALUE = st.recursive(
    JSON_LEAF | TYPES | st.just(RXNORM) | st.just("#m"),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)
RESOURCE = st.builds(
    lambda kind, fields: {**fields, "resourceType": kind},
    TYPES,
    st.dictionaries(KEYS, JSON_VALUE, max_size=6),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(RESOURCE, max_size=3), st.sampled_from(["bundle", "array", "ndjson", "single"]))
def test_resources_of_any_shape_never_raise(resources: list[dict[str, Any]], how: str) -> None:
    if how == "bundle":
        data = json.dumps(bundle(*resources))
    elif how == "array":
        data = json.dumps(resources)
    elif how == "ndjson":
        data = "\n".join(json.dumps(r) for r in resources)
    else:
        data = json.dumps(resources[0] if resources else {"resourceType": "Bundle"})
    for record in read(data, "x.ndjson" if how == "ndjson" else "x.json"):
        assert isinstance(record.text, str)
        assert all(isinstance(c, str) for c in record.codes)
        assert record.patient is None or isinstance(record.patient, str)
        assert all(isinstance(v, str) for v in record.context.values())


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), JSON_VALUE.map(lambda v: json.dumps(v).encode())))
def test_any_input_gives_records_or_an_input_error(data: bytes) -> None:
    try:
        read(data)
    except InputError as e:
        assert e.where.startswith("meds.json")
        assert "\n" not in e.message


# Real exports, when the shared bench is present

BENCH = SHARED / "bench" / "fhir"


@pytest.mark.skipif(not (BENCH / "index.tsv").exists(), reason="shared bench not present")
def test_synthea_bundles_record_counts() -> None:
    with open(BENCH / "index.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) == 20
    for row in rows:
        records = read((BENCH / row["file"]).read_bytes(), row["file"])
        expected = int(row["n_MedicationRequest"]) + int(row["n_MedicationAdministration"])
        assert len(records) == expected, row["file"]
        assert all(r.text and r.codes for r in records), row["file"]
        assert {r.patient for r in records} == {row["patient_id"]}, row["file"]
