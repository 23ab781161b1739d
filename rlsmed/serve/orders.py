"""Screening for the server: a CDS Hooks call's draft orders and the patient's active medications, through
the library's pipeline (the page's lists go through `rlsmed.api.check_inputs`).

Screenings run on the event loop's thread, one at a time, as the engine's caches expect. A CDS call's
screening takes a millisecond or two, less than handing it to another thread would cost (the loop and
that thread would take turns at the interpreter lock); a long list pasted on the page holds other calls
for as long as it takes, which only the local page (never a public address) allows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

from ..engine import engine
from ..formats import InputFormat
from ..inputs import Input
from ..models import Finding, LineResult
from ..options import CheckOptions
from ..pipeline import Screening
from ..readers.fhir_json import Json
from ..report import Advice, ReportMeta

__all__ = ["ACTIVE", "ORDERS", "OrderFindings", "screen_orders", "warm"]

ORDERS = "<draft orders>"
ACTIVE = "<active medications>"


class OrderFindings(NamedTuple):
    """What the screening of a CDS Hooks call found."""

    orders: tuple[Finding, ...]  # flagged drugs among the draft orders
    active: tuple[Finding, ...]  # flagged drugs on the active medication list
    meta: ReportMeta
    advice: tuple[Advice, ...]


def screen_orders(
    orders: Json | None, active: Json | None, kb_files: tuple[str, ...] = (), country: str = ""
) -> OrderFindings:
    """Screen draft orders and active medications (FHIR Bundles or resources; None: not given), with the
    site's knowledge-base files and market."""
    inputs = [Input.from_text(json.dumps(v), name) for v, name in ((orders, ORDERS), (active, ACTIVE)) if v]
    options = CheckOptions(input_format=InputFormat.FHIR, kb_files=kb_files, country=country)
    screening = Screening(inputs, options)
    with screening:
        results: Sequence[LineResult] = tuple(screening) if inputs else ()
        screening.finish()
    findings = [f for r in results for f in r.findings]
    return OrderFindings(
        tuple(f for f in findings if f.record.source == ORDERS),
        tuple(f for f in findings if f.record.source == ACTIVE),
        screening.meta,
        screening.advice(),
    )


def warm(kb_files: tuple[str, ...] = (), country: str = "") -> ReportMeta:
    """Build the knowledge base and matcher before the first call, which would otherwise wait for them
    (KnowledgeBaseError when a site file is invalid)."""
    engine(kb_files, country)
    return screen_orders(_SAMPLE, None, kb_files, country).meta


_SAMPLE: Json = {
    "resourceType": "MedicationRequest",
    "status": "draft",
    "medicationCodeableConcept": {"text": "sertraline 50 mg tablet"},
}
