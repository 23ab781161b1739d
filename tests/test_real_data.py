"""Real exports nobody on the team wrote (Synthea CSV and FHIR bundles in ../shared/bench): whole panels of
patients screened, checked against an oracle that reads the same files independently."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from .helpers import ROOT, check_json

BENCH = ROOT.parent / "shared" / "bench"
pytestmark = pytest.mark.skipif(not BENCH.is_dir(), reason="../shared/bench is not beside the repository")
CORE = {
    line.split("#")[0].strip()
    for line in (ROOT / "tests" / "data" / "core_drugs.txt").read_text().splitlines()
    if line.split("#")[0].strip()
}
CURRENT = {"active", "on-hold", "intended", "draft", "unknown"}


def core_in(text: str) -> set[str]:
    """The core ingredients a medication description names (whole words, any case)."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return {ingredient for ingredient in CORE if ingredient in words}


def flagged_by_patient(report: dict[str, object]) -> dict[str | None, set[str]]:
    out: dict[str | None, set[str]] = defaultdict(set)
    for finding in report["findings"]:  # type: ignore[attr-defined]
        out[finding["patient"]].add(finding["ingredient"])
    return out


def test_synthea_medications_csv() -> None:
    path = BENCH / "synthea_output_medications.csv"
    expected: dict[str, set[str]] = defaultdict(set)
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        expected[row["PATIENT"]] |= core_in(row["DESCRIPTION"])
    report = check_json([str(path)])
    assert report["summary"]["records"] == len(rows) == 4485
    flagged = flagged_by_patient(report)
    assert {p: s for p, s in expected.items() if s} == dict(flagged)
    assert report["summary"]["patients"] == len(expected)


def _bundle_medications(path: Path) -> list[tuple[str, str]]:
    """(status, medication text) of each medication resource, read straight from the bundle."""
    bundle = json.loads(path.read_text())
    resources = {e["resource"].get("id"): e["resource"] for e in bundle["entry"]}
    out = []
    for resource in resources.values():
        if resource["resourceType"] not in ("MedicationRequest", "MedicationAdministration"):
            continue
        concept = resource.get("medicationCodeableConcept")
        if concept is None:
            ref = resource["medicationReference"]["reference"].split(":")[-1].split("/")[-1]
            concept = resources[ref]["code"]
        text = concept.get("text") or concept["coding"][0]["display"]
        out.append((resource["status"], text))
    return out


@pytest.mark.parametrize("bundle", sorted((BENCH / "fhir").glob("*.json")), ids=lambda p: p.stem)
def test_synthea_fhir_bundles(bundle: Path) -> None:
    medications = _bundle_medications(bundle)
    everything = set().union(*(core_in(text) for _, text in medications))
    current = set().union(*(core_in(text) for status, text in medications if status in CURRENT))
    all_statuses = check_json([str(bundle), "--all-statuses"])
    assert {f["ingredient"] for f in all_statuses["findings"]} == everything
    assert all_statuses["summary"]["records"] == len(medications)
    default = check_json([str(bundle)])
    assert {f["ingredient"] for f in default["findings"]} == current
    for finding in all_statuses["findings"]:
        assert finding["record"].startswith(("MedicationRequest/", "MedicationAdministration/"))
        assert finding["patient"] and finding["status"]


def test_no_drug_of_an_mtsamples_allergy_section_is_read_as_current() -> None:
    """Real transcribed notes (MTSamples, for measurement only): every drug an allergy section names
    is an allergy, never a finding or a current medicine."""
    sections = [json.loads(line) for line in (BENCH / "mtsamples_medications.jsonl").read_text().splitlines()]
    allergy = [s for s in sections if s["section_kind"] == "allergy"]
    assert len(allergy) == 10
    mentioned = 0
    for section in allergy:
        report = check_json([], stdin=f"{section['section']}: {section['text']}\n")
        assert report["findings"] == [] and report["recognized"] == [], section["id"]
        assert all(m["status"] == "allergy" for m in report["not_current"]), section["id"]
        mentioned += len(report["not_current"])
    assert mentioned == 4  # erythromycin, naproxen, and Bactrim's two ingredients
