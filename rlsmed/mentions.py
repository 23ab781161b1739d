"""Which drugs named in a screening's results the patient takes now: each mention's status and reason.

The screener finds names; this step reads them as the writer of the list meant them. A text list is
read line by line with rlsmed.context (its headings, the phrases on each line, Parkinson's disease named
anywhere in it). A record (a CSV row, a FHIR resource, a C-CDA entry) takes the status its own fields
give ("stopped", "on-hold", a comment "patient stopped"), and the phrases of its text. Mentions that are
not current leave the findings and the recognitions for their own part of every report (unless
`all_statuses` keeps them all as findings, with their status); a heading becomes a record of its own kind.
Most records are untouched: only those the matcher marked (a cue word or a colon), those naming no drug,
those under a heading, and those with a status field are looked at.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain, compress, repeat
from operator import contains
from typing import TypeVar, overload

from .context import CURRENT, STATUS_REASON, Decision, Document, Reading, record_status, shipped_rules
from .context.parkinson import names_parkinson
from .context.phrases import decide
from .context.text import split
from .matcher import Hit
from .models import (
    HEADING_STATE,
    NOT_CURRENT_STATE,
    OUTCOME_STATE,
    RECORD_CONTEXT,
    RECORD_LINE,
    RECORD_STATUS,
    RECORD_TEXT,
    UNRECOGNIZED_STATE,
    Finding,
    Heading,
    InputRecord,
    LineStatus,
    Mention,
    Outcome,
    Recognition,
    ResultBatch,
    Status,
)
from .normalize import name_key
from .screen import Screener, written

__all__ = ["HOLD", "MentionReader"]

HOLD = 2048  # lines of a text list held until its end: Parkinson's disease named in them reaches them all

_PLAIN_SEGMENTS = ((0, CURRENT),)
_T = TypeVar("_T")
_HEADING = Outcome(LineStatus.HEADING, (), (), HEADING_STATE)
_NOT_CURRENT = Outcome(LineStatus.NOT_CURRENT, (), (), NOT_CURRENT_STATE)
# Context columns whose text is read for a status ("Comment: patient stopped taking").
_NOTE_WORDS = ("note", "comment", "remark", "annotation", "status", "reason")


class MentionReader:
    """Gives the mentions of one run's results their status, batch by batch, input by input."""

    def __init__(self, screener: Screener, *, all_statuses: bool = False) -> None:
        self.screener = screener
        self.matcher = screener.matcher
        self.rules = shipped_rules()
        self.matcher.watch(self.rules.marks)
        self.all_statuses = all_statuses
        self._documents: dict[str, Document] = {}
        # Products licensed for Parkinson's disease only (Rytary, Duodopa): its wording by default.
        self._parkinson_products = frozenset(
            name_key(p.name) for p in screener.kb.products if p.indication == "parkinson"
        )
        self._held: list[tuple[_Edit, dict[int, Reading]]] = []  # a text list's batches, until it ends
        self._held_source = ""
        self._held_records = 0
        self._plain_notes: set[str] = set()  # note texts that record_status found nothing in (bounded)

    def apply(self, batch: ResultBatch, *, sections: bool) -> list[ResultBatch]:
        """The batches ready to report, with each mention's status, once `batch` is added (`sections`: a
        text list, whose lines are read together). A list's batches are held until the list ends (or
        HOLD lines are held), so that Parkinson's disease named anywhere in it, after a drug too, gives
        the drug its wording; `flush` gives those still held at the end."""
        if not batch.records:
            return [batch]
        if not sections:
            return [*self.flush(), self._records(batch)]
        source = batch.records[0].source
        ready = self.flush() if self._held and self._held_source != source else []
        self._held_source = source
        self._held.append(self._text(batch))
        self._held_records += len(batch.records)
        if self._held_records >= HOLD:
            ready += self.flush()
        return ready

    def flush(self) -> list[ResultBatch]:
        """The held batches of a list, with the Parkinson's wording its whole text gives."""
        held, self._held, self._held_records = self._held, [], 0
        if not held:
            return []
        document = self._documents[self._held_source]
        out = []
        for edit, readings in held:
            self._parkinson(edit, readings, document.parkinson, text=True)
            out.append(edit.batch())
        return out

    # -- text lists -------------------------------------------------------------------------------

    def _text(self, batch: ResultBatch) -> tuple[_Edit, dict[int, Reading]]:
        records = batch.records
        document = self._documents.get(records[0].source)
        if document is None:
            document = self._documents[records[0].source] = Document(self.rules)
        # Per record whether it names a drug (its outcome's state is not "unrecognised", which is 0).
        named = list(map(bool, map(OUTCOME_STATE, batch.outcomes)))
        hits: dict[int, tuple[Hit, ...]] = {}

        def spans_of(i: int) -> list[tuple[int, int]]:
            found = hits[i] = self.matcher.match(records[i].text) if named[i] else ()
            return [(h.start, h.end) for h in found]

        texts, numbers = _Field(records, RECORD_TEXT), _Field(records, RECORD_LINE)
        readings = document.read_batch(texts, numbers, named, spans_of, batch.marks)
        edit = _Edit(batch)
        for i, reading in readings.items():
            h = reading.heading
            if h is not None:
                # "MEDS: unknown anxiolytic" opens with a heading, but what follows it is still to review.
                if h.kind != "inline":
                    edit.heading(i, Heading(h.text, h.status, h.kind, records[i].line))
            elif any(d.status is not Status.CURRENT or d.reason for d in reading.decisions):
                self._decide(edit, i, list(reading.decisions), hits.get(i, ()), CURRENT)
        return edit, readings

    # -- records (CSV rows, FHIR resources, C-CDA entries) ---------------------------------------

    def _records(self, batch: ResultBatch) -> ResultBatch:
        records, outcomes = batch.records, batch.outcomes
        # The columns whose text is read for a status (a CSV row keeps only its non-empty cells).
        keys = set(chain.from_iterable(map(RECORD_CONTEXT, records)))
        notes = [k for k in keys if any(w in k.lower() for w in _NOTE_WORDS)]
        todo = set(batch.marks) | set(compress(range(len(records)), map(_has, map(RECORD_STATUS, records))))
        contexts = list(map(RECORD_CONTEXT, records))
        for k in notes:  # a record keeps only its non-empty cells: having the key is having a note
            todo.update(compress(range(len(records)), map(contains, contexts, repeat(k))))
        edit = _Edit(batch)
        marked = set(batch.marks)
        plain = self._plain_notes
        for i in sorted(todo):
            record = records[i]
            if outcomes[i].state == UNRECOGNIZED_STATE:
                continue
            texts = [record.context.get(k, "") for k in notes if k != STATUS_REASON]
            if i not in marked and not _has(record.status) and plain.issuperset(texts):
                continue  # notes seen before to say nothing against the drugs (an export repeats them)
            given = record_status(record.status, texts, self.rules, reason=record.context.get(STATUS_REASON, ""))
            if given is None:
                continue  # in error: the pipeline leaves such records out
            if given is CURRENT and i not in marked:
                if len(plain) >= HOLD * 8:
                    plain.clear()
                plain.update(texts)
                continue  # nothing to change: every drug is current, for no particular reason
            found = self.matcher.match(record.text)
            decisions = [given] * len(found)
            if i in marked and given.status is Status.CURRENT:
                decisions = _phrases(record.text, found)
            self._decide(edit, i, decisions, found, given)
        self._parkinson(edit, {}, False, text=False)
        return edit.batch()

    # -- shared ----------------------------------------------------------------------------------

    def _decide(self, edit: _Edit, i: int, decisions: list[Decision], hits: Sequence[Hit], other: Decision) -> None:
        """Record i with these decisions for its hits (`other` for hits beyond them: RxNorm codes)."""
        record, outcome = edit.records[i], edit.outcomes[i]

        def decision(index: int | None) -> Decision:
            return decisions[index] if index is not None and index < len(decisions) else other

        findings = edit.findings.get(i, ())
        kept: list[Finding] = []
        flagged = []
        mentions: list[Mention] = []
        for f, pair in zip(findings, outcome.flagged, strict=True):
            d = decision(pair[1])
            if d.status is Status.CURRENT or self.all_statuses:
                kept.append(f._replace(status=d.status, status_reason=d.reason))
                flagged.append(pair)
            else:
                mentions.append(
                    Mention(
                        record,
                        f.drug.name,
                        f.matched_text,
                        f.matched_as,
                        d.status,
                        d.reason,
                        f.drug,
                        f.match,
                        f.score,
                        f.product,
                    )
                )
        recognized: list[Recognition] = []
        for r in outcome.recognized:
            index = _hit_of(hits, r.ingredient)
            d = decision(index)
            if d.status is Status.CURRENT or self.all_statuses:
                recognized.append(r)
            else:
                text = written(record.text, hits[index]) if index is not None else r.matched_as
                mentions.append(
                    Mention(
                        record,
                        r.ingredient,
                        text,
                        r.matched_as,
                        d.status,
                        d.reason,
                        self.screener.drug(r.ingredient),
                        r.match,
                        r.score,
                    )
                )
        if not mentions:
            if kept != list(findings):
                edit.findings[i] = tuple(kept)  # current, with a reason ("a dose, after the list ...")
            return
        if kept:
            new = Outcome(LineStatus.FLAGGED, tuple(recognized), tuple(flagged), outcome.state)
        elif recognized:
            new = self.screener.recognition_outcome(tuple(recognized))
        else:
            new = _NOT_CURRENT
        edit.set(i, new, tuple(kept), tuple(mentions))

    def _parkinson(self, edit: _Edit, readings: dict[int, Reading], document: bool, *, text: bool) -> None:
        """The Parkinson's wording for dopaminergic findings: when the line (its text, sig or reason)
        names Parkinson's disease as the patient's, when the list does anywhere, or when the product is
        used only in it; a line that names RLS as the indication keeps the RLS wording."""
        for i, findings in list(edit.findings.items()):
            if not any(f.drug.parkinson for f in findings):
                continue
            record = edit.records[i]
            reading = readings.get(i)
            line = (reading is not None and reading.parkinson) if text else self._names_parkinson(record)
            changed = tuple(f._replace(indication=self._indication(f, line, document, text)) for f in findings)
            if changed != findings:
                edit.findings[i] = changed

    def _indication(self, f: Finding, line: bool, document: bool, text: bool) -> str:
        if not f.drug.parkinson:
            return f.indication
        if line:
            return "parkinson"
        if f.indication == "rls":
            return "rls"
        if name_key(f.product) in self._parkinson_products or document:
            return "parkinson"
        # A text line's own words were read in context: "father - Parkinson's" is not the patient's.
        return "" if text and f.indication == "parkinson" else f.indication

    def _names_parkinson(self, record: InputRecord) -> bool:
        """Whether a record's text, details or reason name Parkinson's disease (a record read on its own)."""
        r = self.rules
        if record.reason and "pd" in split(record.reason).words:
            return True
        for value in (record.text, record.reason, *record.context.values()):
            line = split(value, r.abbreviations) if value else None
            cued = line is not None and not r.marks.isdisjoint(line.words)
            if cued and names_parkinson(line, r, _PLAIN_SEGMENTS, [], has_drug=True):  # type: ignore[arg-type]
                return True
        return False


class _Field(Sequence[_T]):
    """One field of a batch's records, read only for the records that are read (not copied for all)."""

    def __init__(self, records: Sequence[InputRecord], get: Callable[[InputRecord], _T]) -> None:
        self._records = records
        self._get = get

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, i: int) -> _T: ...
    @overload
    def __getitem__(self, i: slice) -> list[_T]: ...
    def __getitem__(self, i: int | slice) -> _T | list[_T]:
        if isinstance(i, slice):
            return list(map(self._get, self._records[i]))
        return self._get(self._records[i])


class _Edit:
    """A batch being changed: outcomes, findings, mentions and headings, copied on first change."""

    def __init__(self, batch: ResultBatch) -> None:
        self.records = batch.records
        self.outcomes: list[Outcome] | Sequence[Outcome] = batch.outcomes
        self.findings = dict(batch.findings)
        self.mentions: dict[int, tuple[Mention, ...]] = {}
        self.headings: dict[int, Heading] = {}
        self._batch = batch
        self._copied = False

    def _outcomes(self) -> list[Outcome]:
        if not self._copied:
            self.outcomes = list(self.outcomes)
            self._copied = True
        return self.outcomes  # type: ignore[return-value]

    def heading(self, i: int, heading: Heading) -> None:
        self._outcomes()[i] = _HEADING
        self.headings[i] = heading

    def set(self, i: int, outcome: Outcome, findings: tuple[Finding, ...], mentions: tuple[Mention, ...]) -> None:
        self._outcomes()[i] = outcome
        if findings:
            self.findings[i] = findings
        else:
            self.findings.pop(i, None)
        if mentions:
            self.mentions[i] = mentions

    def batch(self) -> ResultBatch:
        b = self._batch
        return ResultBatch(b.records, self.outcomes, self.findings, self.mentions, self.headings, b.marks)


def _has(value: str | None) -> bool:
    return bool(value)


def _hit_of(hits: Sequence[Hit], ingredient: str) -> int | None:
    """The first hit naming this ingredient."""
    key = name_key(ingredient)
    for index, hit in enumerate(hits):
        if key in hit.target.ingredients:
            return index
    return None


def _phrases(text: str, hits: Sequence[Hit]) -> list[Decision]:
    """The status the phrases of a record's text give each of its names (no sections: one record)."""
    r = shipped_rules()
    line = split(text, r.abbreviations)
    spans = [(h.start, h.end) for h in hits]
    return decide(line, spans, [CURRENT] * len(spans), r)
