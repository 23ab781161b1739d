"""The CDS Hooks service, over HTTP with a real client: discovery, HL7's hook examples, the cards, the
gate on the problem list, FHIR searches when prefetch is missing, and refusals that are never 5xx."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from .conftest import (
    HYPERTENSION,
    PARKINSON,
    RLS,
    SERTRALINE_ORDER,
    FakeFhir,
    Server,
    bundle,
    call,
    condition,
    example,
    order,
)

SIGN = "/cds-services/rlsmed-order-sign"
SELECT = "/cds-services/rlsmed-order-select"
SERTRALINE = SERTRALINE_ORDER
EXAMPLES = [f"{hook}-{version}" for hook in ("order-sign", "order-select") for version in ("r4", "stu3", "dstu2")]
RLS_REASON = {"reasonCode": [{"text": "Restless legs syndrome"}]}


def cards(server: Server, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = server.client.post(path, json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    found: list[dict[str, Any]] = response.json()["cards"]
    for card in found:
        _check_card(card)
    return found


def _check_card(card: dict[str, Any]) -> None:
    """The card rules of CDS Hooks 2.0, and rlsmed's own: no suggestion that could change an order."""
    assert 0 < len(card["summary"]) < 140
    assert card["indicator"] in ("info", "warning", "critical")
    assert card["source"]["label"].startswith("rlsmed knowledge base ")
    assert card["detail"]
    assert "suggestions" not in card and "selectionBehavior" not in card
    for reason in card["overrideReasons"]:
        assert reason["code"] and reason["system"] and reason["display"]
    for link in card.get("links", []):
        assert link["type"] == "absolute" and link["url"].startswith(("http://", "https://")) and link["label"]
    for value in card.values():
        assert value not in (None, "", [], {})  # the specification forbids empty elements


def test_discovery_lists_both_hooks_with_their_prefetch(server: Server) -> None:
    response = server.client.get("/cds-services")
    assert response.status_code == 200
    services = {s["hook"]: s for s in response.json()["services"]}
    assert set(services) == {"order-select", "order-sign"}
    for hook, service in services.items():
        assert service["id"] == f"rlsmed-{hook}" and service["description"] and service["title"]
        assert service["prefetch"]["conditions"].startswith("Condition?patient={{context.patientId}}")
        assert service["prefetch"]["medications"].startswith("MedicationRequest?patient={{context.patientId}}")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_hl7_examples_as_published_give_no_card(server: Server, name: str) -> None:
    # Amoxicillin-clavulanate and a pureed diet: nothing that worsens RLS.
    path = SIGN if name.startswith("order-sign") else SELECT
    assert cards(server, path, example(name, prefetch={"conditions": bundle(RLS)})) == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_hl7_examples_with_a_flagged_drug_give_its_card(server: Server, name: str) -> None:
    body = example(name, prefetch={"conditions": bundle(RLS)})
    for entry in body["context"]["draftOrders"]["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] in ("MedicationRequest", "MedicationOrder"):
            resource["medicationCodeableConcept"] = {"text": "Remeron 15 mg tablet"}
    [card] = cards(server, SIGN if name.startswith("order-sign") else SELECT, body)
    assert card["summary"] == "Mirtazapine may worsen this patient's restless legs syndrome"
    assert card["indicator"] == "warning"  # moderate evidence, RLS on the problem list
    assert "**Ordered:** Remeron 15 mg tablet" in card["detail"]
    assert "**Problem list:** Restless legs syndrome (SNOMED CT 32914008)" in card["detail"]


def test_a_card_carries_evidence_sources_and_links(server: Server) -> None:
    [card] = cards(server, SIGN, call("order-sign-r4", SERTRALINE, conditions=bundle(RLS)))
    assert card["summary"] == "Sertraline may worsen this patient's restless legs syndrome"
    assert card["indicator"] == "warning"  # moderate evidence, RLS on the problem list
    assert "**Ordered:** sertraline 50 MG Oral Tablet (1 tablet daily)" in card["detail"]
    assert "**Evidence:** moderate." in card["detail"]
    assert "**Consider:**" in card["detail"] and "**Iron:**" in card["detail"]
    assert "does not replace, clinical judgement" in card["detail"]
    assert card["source"]["url"] == f"{server.url}/kb"
    assert card["links"][0]["url"] == f"{server.url}/kb/sertraline"
    assert any(link["url"].startswith("https://doi.org/") for link in card["links"])
    page = server.client.get("/kb/sertraline")
    assert page.status_code == 200 and "Serotonergic" in page.text


def test_class_sources_are_cited_as_such(server: Server) -> None:
    [card] = cards(server, SIGN, call("order-sign-r4", order("fluvoxamine 50 mg"), conditions=bundle(RLS)))
    assert "(on the drug class)" in card["detail"].split("**Sources:**", 1)[1]
    page = server.client.get("/kb/fluvoxamine")
    assert "About the drug class (these do not name this drug)" in page.text


def test_weak_evidence_is_information(server: Server) -> None:
    [card] = cards(server, SIGN, call("order-sign-r4", order("Reglan 10 mg tablet"), conditions=bundle(RLS)))
    assert card["summary"] == "Metoclopramide may worsen this patient's restless legs syndrome"
    assert card["indicator"] == "info"  # weak evidence: case reports
    assert "**Evidence:** weak (case reports)." in card["detail"]


def test_no_card_without_rls_on_the_problem_list(server: Server) -> None:
    assert cards(server, SIGN, call("order-sign-r4", SERTRALINE, conditions=bundle(HYPERTENSION))) == []
    assert cards(server, SIGN, call("order-sign-r4", SERTRALINE, conditions=None)) == []  # null: none recorded
    resolved = condition("Restless legs syndrome", ("http://snomed.info/sct", "32914008"), status="resolved")
    assert cards(server, SIGN, call("order-sign-r4", SERTRALINE, conditions=bundle(resolved))) == []


@pytest.mark.parametrize(
    "problem",
    [
        condition("RLS"),
        condition("Willis-Ekbom disease"),
        condition("Restless leg syndrome, unspecified"),
        condition("", ("http://hl7.org/fhir/sid/icd-10-cm", "G25.81")),
    ],
    ids=["RLS", "Willis-Ekbom", "text", "ICD-10-CM"],
)
def test_rls_is_found_by_code_or_by_the_words_clinicians_use(server: Server, problem: dict[str, Any]) -> None:
    assert len(cards(server, SIGN, call("order-sign-r4", SERTRALINE, conditions=bundle(HYPERTENSION, problem)))) == 1


def test_a_dopamine_agonist_ordered_for_rls_gets_the_augmentation_card(server: Server) -> None:
    pramipexole = order("pramipexole 0.125 MG Oral Tablet", **RLS_REASON)
    [card] = cards(server, SIGN, call("order-sign-r4", pramipexole, conditions=bundle(RLS)))
    assert card["summary"] == "Pramipexole for RLS: risk of augmentation with long-term daily use"
    assert card["indicator"] == "warning"
    assert "alpha-2-delta" in card["detail"]


def test_a_dopamine_agonist_for_parkinsons_disease_is_information(server: Server) -> None:
    ropinirole = order("Requip 2 mg tablet")  # no reason given: the problem list says Parkinson's disease
    [card] = cards(server, SIGN, call("order-sign-r4", ropinirole, conditions=bundle(RLS, PARKINSON)))
    assert card["summary"] == "Ropinirole for Parkinson's disease: watch for RLS symptoms getting worse"
    assert card["indicator"] == "info"
    assert "taken to be Parkinson's disease from the problem list" in card["detail"]
    assert "neurologist" in card["detail"]


def test_one_card_per_drug_and_per_ingredient_of_a_product(server: Server) -> None:
    orders = (
        order("sertraline 50 mg tablet", "a"),
        order("Zoloft 100 mg", "b"),
        order("Tylenol PM caplet", "c"),
        order("amlodipine 5 mg", "d"),
    )
    found = cards(server, SIGN, call("order-sign-r4", *orders, conditions=bundle(RLS)))
    assert sorted(c["summary"].split()[0] for c in found) == ["Diphenhydramine", "Sertraline"]
    [sertraline] = [c for c in found if c["summary"].startswith("Sertraline")]
    assert "sertraline 50 mg tablet; Zoloft 100 mg" in sertraline["detail"]


def test_order_select_cards_only_the_selected_orders(server: Server) -> None:
    body = call("order-select-r4", order("Reglan 10 mg", "a"), SERTRALINE, conditions=bundle(RLS))
    body["context"]["selections"] = ["MedicationRequest/rx-1"]
    [card] = cards(server, SELECT, body)
    assert card["summary"].startswith("Sertraline")


def test_the_active_medication_list_is_mentioned(server: Server) -> None:
    active = bundle(order("citalopram 20 mg tablet", "old", status="active"))
    [card] = cards(server, SIGN, call("order-sign-r4", SERTRALINE, conditions=bundle(RLS), medications=active))
    assert "**Also on the active medication list:** citalopram" in card["detail"]


def test_stopped_or_cancelled_orders_get_no_card(server: Server) -> None:
    stopped = order("sertraline 50 mg", status="stopped")
    assert cards(server, SIGN, call("order-sign-r4", stopped, conditions=bundle(RLS))) == []


def test_a_brand_that_differs_by_market_is_to_check(server: Server) -> None:
    [card] = cards(server, SIGN, call("order-sign-r4", order("Benadryl 25 mg capsule"), conditions=bundle(RLS)))
    assert card["summary"].startswith("To check on the pack: diphenhydramine may worsen")
    assert card["indicator"] == "info"
    assert "**To verify:** Benadryl differs by market" in card["detail"]


def test_a_misspelling_is_to_verify(server: Server) -> None:
    [card] = cards(server, SIGN, call("order-sign-r4", order("sertaline 50 mg"), conditions=bundle(RLS)))
    assert card["summary"].startswith("Possible match, to verify: sertraline may worsen")
    assert card["indicator"] == "info"
    assert '**To verify:** "sertaline" was read as sertraline' in card["detail"]


def test_markdown_in_an_order_stays_text(server: Server) -> None:
    sneaky = order("sertraline 50 mg [click](https://evil.example) <img src=x> **bold**")
    [card] = cards(server, SIGN, call("order-sign-r4", sneaky, conditions=bundle(RLS)))
    assert "\\[click\\](https://evil.example) \\<img src=x\\> \\*\\*bold\\*\\*" in card["detail"]


def test_every_patient_gives_cards_without_rls(every_patient: Server) -> None:
    [card] = cards(every_patient, SIGN, call("order-sign-r4", SERTRALINE))  # no prefetch, no FHIR server
    assert card["summary"] == "Sertraline may provoke or worsen restless legs syndrome (RLS)"
    assert card["indicator"] == "info"
    assert "restless legs syndrome is not recorded" in card["detail"]


def test_a_site_market_reads_its_brands(every_patient: Server) -> None:
    # Without --country, Sominex is every market's; the every-patient server runs for GB.
    [card] = cards(every_patient, SIGN, call("order-sign-r4", order("Sominex 20 mg tablet")))
    assert card["summary"].startswith("Promethazine")


def test_cors_only_for_the_allowed_origin(every_patient: Server) -> None:
    headers = {"Origin": "https://sandbox.example.org", "Access-Control-Request-Method": "POST"}
    allowed = every_patient.client.options(SIGN, headers=headers)
    assert allowed.headers["access-control-allow-origin"] == "https://sandbox.example.org"
    other = every_patient.client.options(SIGN, headers={**headers, "Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


def test_without_prefetch_the_fhir_server_is_searched(server: Server, fhir: FakeFhir) -> None:
    fhir.resources["Condition"] = [HYPERTENSION, RLS]
    fhir.resources["MedicationRequest"] = [order("citalopram 20 mg", "old", status="active")]
    fhir.page = 1  # one resource a page: RLS is on the second
    [card] = cards(server, SIGN, call("order-sign-r4", SERTRALINE, **fhir.access()))
    assert "citalopram" in card["detail"]
    paths = [path for path, _ in fhir.requests]
    assert paths[0] == "/fhir/Condition?patient=1288992&clinical-status=active"
    assert paths[1].endswith("&_offset=1")
    assert any(p.startswith("/fhir/MedicationRequest?patient=1288992&status=active") for p in paths)
    assert all(headers["Authorization"] == "Bearer fhir-token" for _, headers in fhir.requests)


def test_no_search_when_no_order_is_flagged_or_prefetch_is_given(server: Server, fhir: FakeFhir) -> None:
    assert cards(server, SIGN, call("order-sign-r4", order("amlodipine 5 mg"), **fhir.access())) == []
    assert cards(
        server, SIGN, call("order-sign-r4", SERTRALINE, conditions=bundle(RLS), medications=None, **fhir.access())
    )
    assert fhir.requests == []


def test_412_when_the_conditions_cannot_be_had(server: Server, fhir: FakeFhir) -> None:
    response = server.client.post(SIGN, json=call("order-sign-r4", SERTRALINE))
    assert response.status_code == 412
    assert "no conditions prefetch" in response.json()["error"]
    fhir.token = "another token"  # the server refuses ours
    response = server.client.post(
        SIGN,
        json=call("order-sign-r4", SERTRALINE, **fhir.access())
        | {"fhirAuthorization": {"access_token": "wrong", "token_type": "Bearer"}},
    )
    assert response.status_code == 412
    insecure = call(
        "order-sign-r4", SERTRALINE, fhirServer="http://fhir.example.org", fhirAuthorization={"access_token": "t"}
    )
    assert server.client.post(SIGN, json=insecure).status_code == 412  # plain http off this machine: not searched


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (json.dumps({"hook": "patient-view", "hookInstance": "x", "context": {}}).encode(), "order-sign hook"),
        (json.dumps({"hook": "order-sign", "context": {}}).encode(), "hookInstance is required"),
        (json.dumps({"hook": "order-sign", "hookInstance": "x"}).encode(), "context is required"),
        (json.dumps({"hook": "order-sign", "hookInstance": "x", "context": {"draftOrders": {}}}).encode(), "patientId"),
        (
            json.dumps({"hook": "order-sign", "hookInstance": "x", "context": {"patientId": "1"}}).encode(),
            "draftOrders",
        ),
        (json.dumps(call("order-sign-r4") | {"prefetch": []}).encode(), "prefetch must be a JSON object"),
        (json.dumps(call("order-sign-r4", conditions="RLS")).encode(), "prefetch.conditions"),
        (
            json.dumps(call("order-sign-r4") | {"fhirAuthorization": {"access_token": "t"}}).encode(),
            "without fhirServer",
        ),
    ],
)
def test_malformed_calls_are_refused_with_a_reason(server: Server, body: bytes, reason: str) -> None:
    response = server.client.post(SIGN, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert reason in response.json()["error"]


def test_deeply_nested_orders_are_refused_not_failed(server: Server) -> None:
    for depth in range(900, 1000, 4):  # around the depth where Python's JSON gives up
        nested = {**SERTRALINE, "extension": "NESTED"}
        body = json.dumps(call("order-sign-r4", nested, conditions=bundle(RLS))).replace(
            '"NESTED"', "[" * depth + "]" * depth
        )
        response = server.client.post(SIGN, content=body, headers={"content-type": "application/json"})
        assert response.status_code in (200, 400), depth


def test_order_select_needs_its_selections(server: Server) -> None:
    body = example("order-select-r4")
    del body["context"]["selections"]
    response = server.client.post(SELECT, json=body)
    assert response.status_code == 400 and "selections" in response.json()["error"]


def test_unknown_services_methods_and_large_bodies(server: Server) -> None:
    assert server.client.post("/cds-services/patient-greeter", json=example("order-sign-r4")).status_code == 404
    assert server.client.get(SIGN).status_code == 405
    huge = server.client.post(SIGN, content=b" " * (5 << 20) + b"{}", headers={"content-type": "application/json"})
    assert huge.status_code == 413
    assert "over the limit" in huge.json()["error"]


def test_feedback_is_accepted_and_not_kept(server: Server) -> None:
    feedback = {"feedback": [{"card": "4e0a3a1e", "outcome": "overridden", "outcomeTimestamp": "2026-12-02T10:00:00Z"}]}
    assert server.client.post(f"{SIGN}/feedback", json=feedback).status_code == 200
    assert server.client.post(f"{SIGN}/feedback", json={"cards": []}).status_code == 400


def test_the_access_log_holds_no_medication(server: Server) -> None:
    cards(server, SIGN, call("order-sign-r4", SERTRALINE, conditions=bundle(RLS)))
    server.client.post(
        SIGN, content=b'{"hook": "order-sign", "sertraline": [', headers={"content-type": "application/json"}
    )
    assert "rlsmed: POST /cds-services/rlsmed-order-sign 400" in "\n".join(server.log)
    # Start lines, then one line a request: method, path, status, time; paths name services and entries of
    # the knowledge base (GET /kb/sertraline), never what a call or a form held.
    request = re.compile(r"rlsmed: (GET|POST|OPTIONS) (/|/check|/kb|/kb/[a-z-]+|/cds-services[a-z/-]*) \d{3} [\d.]+ ms")
    for line in server.log[3:]:
        assert request.fullmatch(line), line
