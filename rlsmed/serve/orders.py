"""Screening for the server: draft orders and a patient's active medications through the library, one
screening at a time on a thread of its own (the engine's caches are built for one thread), so that the
event loop goes on answering while a long list is screened."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple, TypeVar

from ..engine import engine
from ..formats import InputFormat
from ..inputs import Input
from ..models import Finding, LineResult
from ..options import CheckOptions
from ..pipeline import Screening
from ..readers.fhir_json import Json
from ..report import Advice, Report, ReportMeta

__all__ = ["ACTIVE", "ORDERS", "OrderFindings", "Screener", "screen_orders"]

ORDERS = "<draft orders>"
ACTIVE = "<active medications>"
T = TypeVar("T")


class OrderFindings(NamedTuple):
    """What the screening of a CDS Hooks call found."""

    orders: tuple[Finding, ...]  # flagged drugs among the draft orders
    active: tuple[Finding, ...]  # flagged drugs on the active medication list
    meta: ReportMeta
    advice: tuple[Advice, ...]


def screen_orders(orders: Json | None, active: Json | None, kb_files: tuple[str, ...] = ()) -> OrderFindings:
    """Screen draft orders and active medications (FHIR Bundles or resources; None: not given)."""
    inputs = [Input.from_text(json.dumps(v), name) for v, name in ((orders, ORDERS), (active, ACTIVE)) if v]
    options = CheckOptions(input_format=InputFormat.FHIR, kb_files=kb_files)
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


def check_inputs(inputs: Sequence[Input], options: CheckOptions) -> Report:
    """A complete report of inputs, as `rlsmed.check` makes one."""
    screening = Screening(inputs, options)
    with screening:
        results = tuple(screening)
    return Report(results, screening.finish(), screening.advice(), screening.meta)


class Screener:
    """Runs screenings one at a time on one thread, for the server's event loop to await."""

    def __init__(self, kb_files: tuple[str, ...] = ()) -> None:
        self.kb_files = kb_files
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="rlsmed-screening")

    async def run(self, work: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)

    def warm(self) -> ReportMeta:
        """Build the knowledge base and matcher before the first call (it would otherwise wait for them)."""

        def build() -> ReportMeta:
            engine(self.kb_files)
            return screen_orders(_SAMPLE, None, self.kb_files).meta

        return self._pool.submit(build).result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


_SAMPLE: Json = {
    "resourceType": "MedicationRequest",
    "status": "draft",
    "medicationCodeableConcept": {"text": "sertraline 50 mg tablet"},
}
