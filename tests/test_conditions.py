"""RLS on record: FHIR Conditions and Synthea-style condition tables, counted in a population screening."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import rlsmed
from rlsmed.conditions import is_rls, read_conditions
from rlsmed.errors import InputError

from .helpers import DATA, check_json, run_cli, write

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SYNTHEA = DATA / "inputs" / "csv.synthea.csv"  # p-0001 takes diphenhydramine; p-0002 nothing flagged


def condition(patient: str, code: str = "32914008", system: str = SNOMED, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "subject": {"reference": f"Patient/{patient}"},
        "code": {"coding": [{"system": system, "code": code, "display": "Restless legs syndrome"}]},
        **extra,
    }


def request(patient: str, text: str, rid: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient}"},
        "medicationCodeableConcept": {"text": text},
    }


@pytest.mark.parametrize(
    ("codes", "text", "expected"),
    [
        (["32914008"], "", True),
        (["G25.81"], "", True),
        ([], "Restless legs syndrome (disorder)", True),
        ([], "Willis-Ekbom disease", True),
        ([], "RLS", True),
        (["44054006"], "Diabetes mellitus type 2", False),
        ([], "restless", False),  # one word alone is no diagnosis
    ],
)
def test_what_reads_as_rls(codes: list[str], text: str, expected: bool) -> None:
    assert is_rls(codes, text) is expected


def test_a_synthea_conditions_table(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "conditions.csv",
        "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION\n"
        "2010-01-01,,a,e,32914008,Restless legs syndrome (disorder)\n"
        "2010-01-01,2012-01-01,b,e,32914008,Restless legs syndrome (disorder)\n"  # it stopped
        "2010-01-01,,c,e,44054006,Diabetes mellitus type 2 (disorder)\n",
    )
    assert read_conditions(path) == {"a"}


def test_fhir_conditions_that_are_not_on_record(tmp_path: Path) -> None:
    resolved = {"coding": [{"code": "resolved"}]}
    refuted = {"coding": [{"code": "refuted"}]}
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": condition("a")},
            {"resource": condition("b", "G25.81", ICD10CM)},
            {"resource": condition("c", clinicalStatus=resolved)},
            {"resource": condition("d", verificationStatus=refuted)},
        ],
    }
    assert read_conditions(write(tmp_path, "c.json", json.dumps(bundle))) == {"a", "b"}
    ndjson = "".join(json.dumps(condition(p)) + "\n" for p in ("x", "y"))
    assert read_conditions(write(tmp_path, "c.ndjson", ndjson)) == {"x", "y"}


def test_a_file_that_holds_no_conditions_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="PATIENT and CODE or DESCRIPTION"):
        read_conditions(write(tmp_path, "x.csv", "name,dose\nZoloft,50\n"))
    result = run_cli(["check", str(SYNTHEA), "--conditions", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and result.stderr == f"rlsmed: {tmp_path / 'missing.csv'}: no such file\n"


def test_patients_with_rls_who_take_a_flagged_drug(tmp_path: Path) -> None:
    conditions = write(
        tmp_path, "conditions.csv", "PATIENT,CODE,DESCRIPTION\np-0001,32914008,RLS\np-0002,32914008,RLS\n"
    )
    summary = check_json([str(SYNTHEA), "--conditions", str(conditions)], expect=1)["summary"]
    assert (summary["rls_on_record"], summary["patients_with_rls"], summary["patients_with_rls_flagged"]) == (
        True,
        2,
        1,
    )
    # Without a conditions file, nothing is said of RLS on record.
    plain = check_json([str(SYNTHEA)], expect=1)["summary"]
    assert (plain["rls_on_record"], plain["patients_with_rls"]) == (False, 0)


def test_rls_only_leaves_the_others_out_and_counts_them(tmp_path: Path) -> None:
    conditions = write(tmp_path, "conditions.csv", "PATIENT,DESCRIPTION\np-0002,Restless legs syndrome\n")
    report = check_json([str(SYNTHEA), "--conditions", str(conditions), "--rls-only"], expect=0)
    assert {r["patient"] for r in report["recognized"]} == {"p-0002"} and not report["findings"]
    assert report["summary"]["skipped_no_rls"] == 2
    result = run_cli(
        ["check", str(SYNTHEA), "--conditions", str(conditions), "--rls-only", "-o", str(tmp_path / "r.txt")]
    )
    assert "2 left out (no RLS on record)" in result.stderr


def test_conditions_in_fhir_inputs_count_in_any_order(tmp_path: Path) -> None:
    """A Bulk Data export: the Conditions come in their own file, after the requests; read as inputs."""
    requests = write(
        tmp_path,
        "MedicationRequest.ndjson",
        "".join(json.dumps(request(p, "Benadryl 25 mg", f"r{p}")) + "\n" for p in ("a", "b", "c")),
    )
    conditions = write(tmp_path, "Condition.ndjson", json.dumps(condition("b")) + "\n")
    report = check_json([str(requests), str(conditions)], expect=1)
    assert (report["summary"]["patients_with_rls"], report["summary"]["patients_with_rls_flagged"]) == (1, 1)
    only = check_json([str(requests), str(conditions), "--rls-only"], expect=1)
    assert [f["patient"] for f in only["findings"]] == ["b"]
    # A patient's bundle holds both.
    bundle = {
        "resourceType": "Bundle",
        "entry": [{"resource": request("p", "Zoloft", "r1")}, {"resource": condition("p")}],
    }
    single = check_json([str(write(tmp_path, "patient.json", json.dumps(bundle))), "--rls-only"], expect=1)
    assert single["summary"]["patients_with_rls_flagged"] == 1 and len(single["findings"]) == 1


def test_the_library_takes_conditions_too(tmp_path: Path) -> None:
    conditions = write(tmp_path, "conditions.csv", "PATIENT,CODE\np-0001,G25.81\n")
    report = rlsmed.check_files([SYNTHEA], conditions=str(conditions), rls_only=True)
    assert {r.record.patient for r in report.results} == {"p-0001"}
    assert report.summary.patients_with_rls_flagged == 1


def test_rls_only_refuses_an_input_read_once_without_conditions_given(tmp_path: Path) -> None:
    # From stdin the patients with RLS are not known before screening: leaving everyone out (exit 0)
    # would hide an RLS patient's flagged drug, so the run is refused.
    bundle = {
        "resourceType": "Bundle",
        "entry": [{"resource": request("p", "Zoloft", "r1")}, {"resource": condition("p")}],
    }
    text = json.dumps(bundle)
    result = run_cli(["check", "--rls-only"], stdin=text)
    assert result.exit_code == 2
    assert "--rls-only needs the patients' conditions before screening" in result.stderr
    assert "Zoloft" not in result.stderr and len(result.stderr.splitlines()) == 1
    conditions = write(tmp_path, "conditions.csv", "PATIENT,CODE\np,G25.81\n")
    given = check_json(["--rls-only", "--conditions", str(conditions)], stdin=text, expect=1)
    assert [f["patient"] for f in given["findings"]] == ["p"]


def test_rls_only_screens_records_that_name_no_patient(tmp_path: Path) -> None:
    # A plain list names no patient, so it cannot be left out as "without RLS on record".
    conditions = write(tmp_path, "conditions.csv", "PATIENT,CODE\np,G25.81\n")
    meds = write(tmp_path, "meds.txt", "Zoloft 50 mg\nLipitor 20 mg\n")
    report = check_json([str(meds), "--rls-only", "--conditions", str(conditions)], expect=1)
    assert [f["ingredient"] for f in report["findings"]] == ["sertraline"]
    assert report["summary"]["skipped_no_rls"] == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_a_conditions_table_in_each_unicode_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "conditions.csv"
    path.write_bytes("PATIENT,DESCRIPTION\r\np-1,Restless legs syndrome (disorder)\r\n".encode(encoding))
    assert read_conditions(path) == {"p-1"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_conditions_read_as_a_stream_whatever_the_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str
) -> None:
    # Tables and NDJSON are read a chunk at a time (memory stays flat): lines and characters split across
    # chunks must read the same.
    from rlsmed import conditions as module

    table = 'PATIENT,DESCRIPTION\r\np-1,"Restless legs,\r\nsyndrome"\r\np-2,Asthma\r\np-3,Willis-Ekbom disease\r\n'
    ndjson = "".join(json.dumps(condition(p)) + "\n" for p in ("a", "b")) + json.dumps(request("c", "x", "r")) + "\n"
    bundle = json.dumps({"resourceType": "Bundle", "entry": [{"resource": condition("d")}]}, indent=2)
    files = {"t.csv": table, "c.ndjson": ndjson, "b.json": bundle}
    for name, text in files.items():
        (tmp_path / name).write_bytes(text.encode(encoding))
    whole = {name: read_conditions(tmp_path / name) for name in files}
    assert whole == {"t.csv": {"p-1", "p-3"}, "c.ndjson": {"a", "b"}, "b.json": {"d"}}
    for size in (1, 3, 7):
        monkeypatch.setattr(module, "_CHUNK", size)
        assert {name: read_conditions(tmp_path / name) for name in files} == whole
