"""What the human-readable reports (table, Markdown) take from a screening, in bounded memory.

Flagged records are handed to the writer a section at a time: per patient when the input names
patients (held until the end, or until too many are held, when the patients seen longest ago go
first), else in chunks. Unrecognised and recognised records are kept only up to the number a person
can review in a report; the rest are counted (JSON and CSV list them all).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress
from operator import itemgetter, not_

from ..models import Drug, Finding, InputRecord, LineResult, LineStatus
from .base import ResultSource

__all__ = ["HOLD", "LIST_UNRECOGNIZED_UP_TO", "Gathered", "gather"]

HOLD = 5_000  # flagged records held for grouping by patient before the oldest are written out
LIST_UNRECOGNIZED_UP_TO = 1_000  # unrecognised records listed in a report; past this they are counted
LIST_RECOGNIZED_UP_TO = 200  # recognised records are listed only for lists this short
_STATE = itemgetter(3)  # Outcome.state
_PATIENT = itemgetter(3)  # InputRecord.patient

# A section of flagged records: the patient (None when the input names none) and their results.
Emit = Callable[[str | None, list[LineResult]], None]


class Gathered:
    """Everything but the flagged records, which went to the writer as sections."""

    def __init__(self) -> None:
        self.flagged = 0
        self.unrecognized: list[InputRecord] = []
        self.more_unrecognized = 0
        self.recognized: list[LineResult] = []  # only while the input is short enough to list them
        self.records = 0
        self.with_patients = False
        self.fuzzy = False
        self.split_patients: set[str] = set()  # patients whose rows came apart in the input
        # One finding per drug and wording, for notes and sources (bounded by the knowledge base).
        self.drugs: dict[tuple[str, str], Finding] = {}

    @property
    def list_recognized(self) -> bool:
        return not self.with_patients and self.records <= LIST_RECOGNIZED_UP_TO

    def drug_list(self) -> list[Drug]:
        return sorted({f.drug.name: f.drug for f in self.drugs.values()}.values(), key=lambda d: d.name)


def gather(source: ResultSource, emit: Emit, *, hold: int | None = None) -> Gathered:
    """Screen `source`, giving flagged records to `emit` a section at a time; return the rest."""
    hold = hold or HOLD
    g = Gathered()
    groups: dict[str | None, list[LineResult]] = {}
    written: set[str] = set()  # patients already written out (bounded by the number of patients)
    held = 0
    flagged_status = LineStatus.FLAGGED
    for batch in source.batches():
        records, outcomes = batch.records, batch.outcomes
        g.records += len(records)
        if not g.with_patients and any(map(_PATIENT, records)):
            g.with_patients = True
        for i, findings in batch.findings.items():
            record = records[i]
            result = LineResult(record, flagged_status, findings, outcomes[i].recognized)
            if record.patient in written:
                g.split_patients.add(record.patient)
            groups.setdefault(record.patient, []).append(result)
            held += 1
            for f in findings:
                g.drugs.setdefault((f.drug.name, f.considerations), f)
                g.fuzzy = g.fuzzy or f.needs_verification
        g.flagged += len(batch.findings)
        states = list(map(_STATE, outcomes))
        room = LIST_UNRECOGNIZED_UP_TO - len(g.unrecognized)
        unrecognized = list(compress(records, map(not_, states)))
        g.unrecognized.extend(unrecognized[: max(0, room)])
        g.more_unrecognized += max(0, len(unrecognized) - max(0, room))
        if g.records <= LIST_RECOGNIZED_UP_TO:
            g.recognized.extend(
                LineResult(r, o.status, (), o.recognized)
                for r, o in zip(records, outcomes, strict=True)
                if o.status is LineStatus.RECOGNIZED
            )
        else:
            g.recognized.clear()
        while held > hold and groups:
            patient, rows = next(iter(groups.items()))
            if patient is None and len(groups) == 1 and len(rows) <= hold:
                break
            del groups[patient]
            held -= len(rows)
            if patient is not None:
                written.add(patient)
            emit(patient, rows)
    for patient, rows in groups.items():
        emit(patient, rows)
    return g
