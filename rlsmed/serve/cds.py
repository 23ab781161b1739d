"""The CDS Hooks endpoints: discovery, the order-select and order-sign services, and feedback.

A call's orders are screened first: when none is flagged the answer is no card, and nothing else is
read or fetched. Otherwise the patient's conditions decide (RLS on the problem list, unless the service
fires for every patient); they come from the prefetch, else from the client's FHIR server, else the
answer is 412 (no card), as the specification asks of a service that lacks the data it needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import RlsmedError
from ..readers.fhir_json import Json, kind_of
from .cards import CardContext, cards_for
from .config import ServeConfig
from .fhir_client import FhirAccess, FhirUnavailable, search
from .hooks import CONDITIONS, MEDICATIONS, SERVICES, BadCall, HookCall, read_call
from .http import guarded, json_response
from .orders import screen_orders
from .problems import Problems, problems_of
from .refused import Refused

__all__ = ["cds_routes"]


def _error(request: Request, status: int, reason: str) -> Response:
    return json_response({"error": reason}, status)


def cds_routes() -> list[Route]:
    return [
        Route("/cds-services", discovery, methods=["GET"]),
        Route("/cds-services/{id}", call, methods=["POST"]),
        Route("/cds-services/{id}/feedback", feedback, methods=["POST"]),
    ]


@guarded(_error)
async def discovery(request: Request) -> Response:
    await _verify(request)
    return json_response({"services": [s.discovery() for s in SERVICES.values()]})


@guarded(_error)
async def call(request: Request) -> Response:
    service = SERVICES.get(request.path_params["id"])
    await _verify(request)
    if service is None:
        raise Refused(404, "no such CDS service; GET /cds-services lists them")
    hook = read_call(service, await request.body())
    return json_response({"cards": await _cards(hook, request)})


@guarded(_error)
async def feedback(request: Request) -> Response:
    """Feedback is accepted and not kept: the service stores nothing of its calls."""
    await _verify(request)
    if request.path_params["id"] not in SERVICES:
        raise Refused(404, "no such CDS service")
    try:
        body = _json_object(await request.body())
    except ValueError:
        raise Refused(400, "the request body is not a JSON object") from None
    if not isinstance(body.get("feedback"), list):
        raise Refused(400, "feedback is required, as an array")
    return json_response({})


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


async def _verify(request: Request) -> None:
    """The caller's JWT checked, when the service verifies callers (Refused with 401 when it fails). Its
    audience is the URL called; feedback may name the service's URL instead."""
    trust = request.app.state.trust
    if trust is None:
        return
    config: ServeConfig = request.app.state.config
    called = config.base_url + request.url.path
    audiences = (called, called.removesuffix("/feedback")) if called.endswith("/feedback") else (called,)
    await trust.verify(request.headers.get("authorization", ""), audiences)


async def _cards(hook: HookCall, request: Request) -> list[dict[str, Any]]:
    config: ServeConfig = request.app.state.config
    site = (config.kb_files, config.country)
    active = _given(hook.prefetch, MEDICATIONS)
    try:
        found = screen_orders(hook.orders, active, *site)
    except (RlsmedError, RecursionError):  # RecursionError: JSON nested deeper than it can be written
        raise BadCall(400, "the draft orders could not be read as FHIR medication orders") from None
    if not found.orders:
        return []
    problems = await _problems(hook, config.every_patient)
    if not problems.has_rls and not config.every_patient:
        return []
    if MEDICATIONS not in hook.prefetch and hook.access is not None:
        fetched = await _search(hook.access, f"MedicationRequest?patient={quote(hook.patient_id)}&status=active")
        if fetched is not None:
            bundle = {"resourceType": "Bundle", "entry": [{"resource": r} for r in fetched]}
            with contextlib.suppress(RlsmedError, RecursionError):  # the active list is only mentioned
                found = found._replace(active=screen_orders(None, bundle, *site).active)
    base = config.base_url or f"{request.url.scheme}://{request.url.netloc}"
    context = CardContext(found.meta, problems, config.every_patient, base, found.advice, found.active)
    return cards_for(found.orders, context)


def _given(prefetch: dict[str, object], key: str) -> Json | None:
    """A prefetched value that holds data: None when it is missing, null, or an OperationOutcome."""
    value = prefetch.get(key)
    return value if isinstance(value, dict) and kind_of(value) != "OperationOutcome" else None


async def _problems(hook: HookCall, every_patient: bool) -> Problems:
    value = hook.prefetch.get(CONDITIONS)
    if CONDITIONS in hook.prefetch and (value is None or _given(hook.prefetch, CONDITIONS) is not None):
        return problems_of(value)  # null: the client has no conditions for the patient
    if hook.access is None:
        if every_patient:
            return Problems()
        raise BadCall(412, "no conditions prefetch, and no fhirServer with fhirAuthorization to search for them")
    found = await _search(hook.access, f"Condition?patient={quote(hook.patient_id)}&clinical-status=active")
    if found is None:
        if every_patient:
            return Problems()
        raise BadCall(412, "no conditions prefetch, and the FHIR server did not give them")
    return problems_of(*found)


async def _search(access: FhirAccess, query: str) -> list[Json] | None:
    """The resources a FHIR search finds, on a worker thread; None when the server does not give them."""
    try:
        return await asyncio.to_thread(search, access, query)
    except FhirUnavailable:
        return None
