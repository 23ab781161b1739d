"""Restless legs syndrome and Parkinson's disease read from a patient's conditions, as EHRs record them."""

from __future__ import annotations

from typing import Any

import pytest

from rlsmed.serve.problems import problems_of

from .conftest import bundle, condition

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


@pytest.mark.parametrize(
    ("resource", "named"),
    [
        (condition("", (SNOMED, "32914008")), "restless legs syndrome (SNOMED CT 32914008)"),
        (
            condition("RLS (restless legs syndrome)", (ICD10CM, "G25.81")),
            "RLS (restless legs syndrome) (ICD-10-CM G25.81)",
        ),
        (condition("", (ICD10CM, "G2581")), "restless legs syndrome (ICD-10-CM G25.81)"),
        (condition("", ("http://hl7.org/fhir/sid/icd-9-cm", "333.94")), "restless legs syndrome (ICD-9-CM 333.94)"),
        (condition("", ("http://id.who.int/icd/release/11/mms", "7A80")), "restless legs syndrome (ICD-11 7A80)"),
        (condition("Restless leg"), "Restless leg"),
        (condition("Willis-Ekbom disease"), "Willis-Ekbom disease"),
        (condition("h/o RLS, on iron"), "h/o RLS, on iron"),
    ],
)
def test_rls_by_code_or_words(resource: dict[str, Any], named: str) -> None:
    found = problems_of(bundle(resource))
    assert found.rls == (named,) and found.has_rls and not found.parkinson


@pytest.mark.parametrize(
    "resource",
    [
        condition("Family history of restless legs syndrome"),
        condition("Ekbom syndrome"),  # also delusional parasitosis
        condition("Restless legs syndrome", (SNOMED, "32914008"), status="resolved"),
        condition("Restless legs syndrome", status="remission"),
        {**condition("RLS"), "verificationStatus": {"coding": [{"code": "refuted"}]}},
        {**condition("RLS"), "verificationStatus": {"coding": [{"code": "entered-in-error"}]}},
        {"resourceType": "Condition", "code": {"text": "RLS"}, "abatementDateTime": "2024-01-01"},
        condition("Restlessness"),
        condition("Leg cramps"),
    ],
)
def test_what_is_not_rls_now(resource: dict[str, Any]) -> None:
    assert not problems_of(bundle(resource)).has_rls


def test_stu3_statuses_and_conditions_without_status() -> None:
    stu3 = {
        "resourceType": "Condition",
        "clinicalStatus": "active",
        "verificationStatus": "confirmed",
        "code": {"text": "RLS"},
    }
    assert problems_of(stu3).has_rls
    assert problems_of({"resourceType": "Condition", "code": {"text": "RLS"}}).has_rls
    assert not problems_of({**stu3, "clinicalStatus": "resolved"}).has_rls


@pytest.mark.parametrize(
    "resource",
    [
        condition("", (SNOMED, "49049000")),
        condition("", (ICD10CM, "G20.A1")),
        condition("", (ICD10CM, "G20")),
        condition("Parkinsonism"),
        condition("Parkinson's disease"),
    ],
)
def test_parkinsons_disease(resource: dict[str, Any]) -> None:
    assert problems_of(bundle(resource)).parkinson


def test_searchsets_of_any_shape() -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "warning"}]}
    nested = bundle(outcome, bundle(condition("RLS")), "not a resource", kind="collection")  # type: ignore[arg-type]
    found = problems_of(nested, None, [1, 2], {"resourceType": "Patient"})
    assert found.rls == ("RLS",) and found.conditions == 1
    assert problems_of(None) == problems_of() == problems_of(bundle())
