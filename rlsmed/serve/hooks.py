"""The CDS Hooks services rlsmed offers, and the calls they accept, read and checked.

A call that does not follow the specification is refused with a 4xx and one sentence saying what is
wrong; the sentence never quotes the call's data.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from ..readers.fhir_json import Json, kind_of, objs, string_of
from .fhir_client import FhirAccess
from .refused import Refused

__all__ = ["CONDITIONS", "MEDICATIONS", "SERVICES", "BadCall", "HookCall", "Service", "read_call"]

CONDITIONS = "conditions"
MEDICATIONS = "medications"
# Prefetch templates: the patient's current conditions (RLS and Parkinson's disease are looked for by code
# and by text, so the search is not narrowed to codes) and active medication orders.
PREFETCH = {
    CONDITIONS: "Condition?patient={{context.patientId}}&clinical-status=active",
    MEDICATIONS: "MedicationRequest?patient={{context.patientId}}&status=active",
}
# The draft orders rlsmed reads: R4/R5 and STU3 MedicationRequest, DSTU2 MedicationOrder.
_ORDER_TYPES = frozenset({"MedicationRequest", "MedicationOrder", "Medication"})


class Service(NamedTuple):
    id: str
    hook: str
    title: str
    description: str

    def discovery(self) -> dict[str, Any]:
        return {
            "hook": self.hook,
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "prefetch": dict(PREFETCH),
            "usageRequirements": (
                "Cards only for patients with restless legs syndrome on the problem list (unless the service "
                "is run for every patient); without the conditions prefetch it needs fhirServer and "
                "fhirAuthorization to search for them."
            ),
        }


_ABOUT = "which may provoke or worsen restless legs syndrome (RLS), or cause augmentation when ordered for RLS"
SERVICES = {
    s.id: s
    for s in (
        Service(
            "rlsmed-order-select",
            "order-select",
            "RLS medication check (order selected)",
            f"Checks newly selected medication orders for drugs {_ABOUT}.",
        ),
        Service(
            "rlsmed-order-sign",
            "order-sign",
            "RLS medication check (before signing)",
            f"Checks medication orders about to be signed for drugs {_ABOUT}.",
        ),
    )
}


class BadCall(Refused):
    """A call that cannot be answered: the HTTP status and the reason (no data from the call in it)."""


class HookCall(NamedTuple):
    """A checked CDS Hooks call."""

    service: Service
    hook_instance: str
    patient_id: str
    orders: Json  # a Bundle of the draft orders to screen (for order-select: the selected ones) and Medications
    prefetch: dict[str, object]  # only the keys the client sent; a value may be None ("no data")
    access: FhirAccess | None  # where to search when a prefetch key is missing


def read_call(service: Service, body: bytes) -> HookCall:
    """A call to `service` from its JSON body, or BadCall."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BadCall(400, "the request body is not JSON") from None
    if not isinstance(value, dict):
        raise BadCall(400, "the request body is not a JSON object")
    hook = _string(value, "hook")
    if hook != service.hook:
        raise BadCall(400, f"this service answers the {service.hook} hook, not another")
    instance = _string(value, "hookInstance")
    context = value.get("context")
    if not isinstance(context, dict):
        raise BadCall(400, "context is required, as a JSON object")
    patient = _string(context, "patientId", "context.patientId")
    drafts = context.get("draftOrders")
    if not isinstance(drafts, dict) or kind_of(drafts) != "Bundle":
        raise BadCall(400, "context.draftOrders is required, as a FHIR Bundle")
    orders = _orders(drafts, _selections(context) if service.hook == "order-select" else None)
    prefetch = value.get("prefetch", {})
    if not isinstance(prefetch, dict):
        raise BadCall(400, "prefetch must be a JSON object")
    for key in (CONDITIONS, MEDICATIONS):
        if key in prefetch and prefetch[key] is not None and not isinstance(prefetch[key], dict):
            raise BadCall(400, f"prefetch.{key} must be a FHIR resource or null")
    return HookCall(service, instance, patient, orders, prefetch, _access(value))


def _string(value: Json, key: str, name: str = "") -> str:
    text = value.get(key)
    if not isinstance(text, str) or not text.strip():
        raise BadCall(400, f"{name or key} is required, as a string")
    return text.strip()


def _selections(context: Json) -> set[str]:
    selections = context.get("selections")
    if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
        raise BadCall(400, "context.selections is required for order-select, as an array of strings")
    return {s.strip() for s in selections}


def _orders(drafts: Json, selections: set[str] | None) -> Json:
    """The draft orders to screen, as a Bundle the FHIR reader takes: for order-select only the selected
    ones (the others are context, already seen when they were selected), and every Medication, which an
    order may refer to."""
    entries = []
    for entry in objs(drafts.get("entry")):
        resource = entry.get("resource")
        if not isinstance(resource, dict) or kind_of(resource) not in _ORDER_TYPES:
            continue
        kind = kind_of(resource)
        if (
            selections is not None
            and kind != "Medication"
            and f"{kind}/{string_of(resource.get('id'))}" not in selections
        ):
            continue
        entries.append(entry)
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _access(value: Json) -> FhirAccess | None:
    server = value.get("fhirServer")
    auth = value.get("fhirAuthorization")
    if server is not None and not isinstance(server, str):
        raise BadCall(400, "fhirServer must be a URL")
    if auth is None:
        return None
    if not isinstance(auth, dict):
        raise BadCall(400, "fhirAuthorization must be a JSON object")
    if not server:
        raise BadCall(400, "fhirAuthorization is given without fhirServer")
    token = auth.get("access_token")
    if not isinstance(token, str) or not token:
        raise BadCall(400, "fhirAuthorization.access_token is required, as a string")
    if str(auth.get("token_type", "Bearer")).lower() != "bearer":
        raise BadCall(400, "fhirAuthorization.token_type must be Bearer")
    return FhirAccess(server.strip(), token)
