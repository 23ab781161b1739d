"""What the human-readable reports (table, Markdown, HTML) take from a screening, in bounded memory.

Flagged records are handed to the writer a section at a time: one per input file, and per patient when the
input names patients. Sections are held until the end, or until too many flagged records are held, when
the sections held longest go first. Unrecognised and recognised records and misspellings to verify are
kept only up to the number a person can review in a report; the rest are counted (JSON and CSV list them
all).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress

from ..models import (
    OUTCOME_STATE,
    RECORD_PATIENT,
    UNRECOGNIZED_STATE,
    Drug,
    Finding,
    InputRecord,
    LineResult,
    LineStatus,
    MatchKind,
    Mention,
    ResultBatch,
)
from .grouping import Holding

__all__ = [
    "HOLD",
    "LIST_MENTIONS_UP_TO",
    "LIST_RECOGNIZED_UP_TO",
    "LIST_TO_VERIFY_UP_TO",
    "LIST_UNRECOGNIZED_UP_TO",
    "Gathered",
    "Gatherer",
    "Section",
]

HOLD = 5_000  # flagged records held for grouping by patient before the oldest are written out
LIST_UNRECOGNIZED_UP_TO = 1_000  # unrecognised records listed in a report; past this they are counted
LIST_RECOGNIZED_UP_TO = 200  # recognised records are listed only for lists this short
LIST_MENTIONS_UP_TO = 1_000  # drugs named but not current, listed in a report; past this they are counted
LIST_TO_VERIFY_UP_TO = 1_000  # misspellings and brands to check, listed apart (the HTML report's "to verify")


class Section(tuple[str, str | None]):
    """Which flagged records go together: their input file, and their patient when the input names one."""

    __slots__ = ()

    def __new__(cls, source: str, patient: str | None) -> Section:
        return tuple.__new__(cls, (source, patient))

    @property
    def source(self) -> str:
        return self[0]

    @property
    def patient(self) -> str | None:
        return self[1]


# A section of flagged records, given to the writer with its results in input order.
Emit = Callable[[Section, list[LineResult]], None]


class Gathered:
    """Everything but the flagged records, which went to the writer as sections."""

    def __init__(self) -> None:
        self.flagged = 0
        self.unrecognized: list[InputRecord] = []
        self.more_unrecognized = 0
        self.recognized: list[LineResult] = []  # only while the input is short enough to list them
        self.mentions: list[Mention] = []  # drugs named but not current (up to LIST_MENTIONS_UP_TO)
        self.more_mentions = 0
        self.headings = 0  # lines read as headings, fields or column names (counted, not listed)
        self.records = 0
        self.with_patients = False
        self.fuzzy = False
        self.to_verify: list[Finding] = []  # misspellings (fuzzy matches), up to LIST_TO_VERIFY_UP_TO
        self.split_patients: set[str] = set()  # patients whose rows came apart in the input
        # One finding per drug and wording, for notes and sources (bounded by the knowledge base): a finding
        # that is not ignored when there is one, so that `ignored` says every finding of it was.
        self.drugs: dict[tuple[str, str], Finding] = {}

    @property
    def list_recognized(self) -> bool:
        return not self.with_patients and self.records <= LIST_RECOGNIZED_UP_TO

    def drug_list(self) -> list[Drug]:
        return sorted({f.drug.name: f.drug for f in self.drugs.values()}.values(), key=lambda d: d.name)


class Gatherer:
    """Takes a screening's batches as they come: flagged records go to `emit` a section at a time, the
    rest is kept (up to the limits above) in `gathered`."""

    def __init__(self, emit: Emit, *, hold: int = HOLD, list_unrecognized: int = LIST_UNRECOGNIZED_UP_TO) -> None:
        self.gathered = Gathered()
        self._list_unrecognized = list_unrecognized
        # A split is remembered for sections of a patient only (a list without patients comes in parts).
        self._holding: Holding[Section, LineResult] = Holding(
            hold, emit, remember=lambda s: s if s.patient is not None else None
        )

    def add(self, batch: ResultBatch) -> None:
        g = self.gathered
        records, outcomes = batch.records, batch.outcomes
        g.records += len(records)
        if not g.with_patients and any(map(RECORD_PATIENT, records)):
            g.with_patients = True
        flagged_status = LineStatus.FLAGGED
        drugs = g.drugs
        for i, findings in batch.findings.items():
            record = records[i]
            self._holding.add(
                Section(record.source, record.patient),
                LineResult(record, flagged_status, findings, outcomes[i].recognized),
            )
            for f in findings:
                key = (f.drug.name, f.considerations)
                known = drugs.get(key)
                if known is None or (known.ignored and not f.ignored):
                    drugs[key] = f
                if f.needs_verification:  # a misspelling, or a brand to check on the pack
                    g.fuzzy = g.fuzzy or f.match is MatchKind.FUZZY
                    if len(g.to_verify) < LIST_TO_VERIFY_UP_TO:
                        g.to_verify.append(f)
        g.flagged += len(batch.findings)
        states = list(map(OUTCOME_STATE, outcomes))
        room = max(0, self._list_unrecognized - len(g.unrecognized))
        unrecognized = list(compress(records, map(UNRECOGNIZED_STATE.__eq__, states)))
        g.unrecognized.extend(unrecognized[:room])
        g.more_unrecognized += max(0, len(unrecognized) - room)
        if g.records <= LIST_RECOGNIZED_UP_TO:
            g.recognized.extend(
                LineResult(r, o.status, (), o.recognized)
                for r, o in zip(records, outcomes, strict=True)
                if o.status is LineStatus.RECOGNIZED
            )
        else:
            g.recognized.clear()
        for mentions in batch.mentions.values():
            room = max(0, LIST_MENTIONS_UP_TO - len(g.mentions))
            g.mentions.extend(mentions[:room])
            g.more_mentions += max(0, len(mentions) - room)
        g.headings += len(batch.headings)
        self._holding.make_room()

    @property
    def streaming(self) -> bool:
        """True once a section had to go out before the end (too many flagged records to hold)."""
        return self._holding.emitted

    def close(self) -> Gathered:
        """Send out the sections still held; the rest of what was gathered."""
        self._holding.close()
        self.gathered.split_patients = {s.patient for s in self._holding.split if s.patient is not None}
        return self.gathered
