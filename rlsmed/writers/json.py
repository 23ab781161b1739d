"""JSON: the contract for scripts (documented in the README), streamed in constant memory.

Findings are written as they are found. Recognised and unrecognised lines follow in their own lists;
to keep memory flat the input is read a second time for them (a few bytes a line are kept in between),
stdin included: its bytes are kept in memory for the second reading.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress
from json.encoder import encode_basestring_ascii
from typing import TextIO

from ..errors import InputError
from ..models import (
    FIRST_RECOGNITION_STATE,
    OUTCOME_STATE,
    RECORD_PATIENT,
    RECORD_RECORD,
    RECORD_STATUS,
    UNRECOGNIZED_STATE,
    Drug,
    Finding,
    Heading,
    InputRecord,
    MatchKind,
    Mention,
    Recognition,
    ResultBatch,
    Source,
)
from ..readers.statuses import reason
from ..report import Advice, ReportMeta, Summary
from .base import RunEnd

__all__ = ["KEEP_UNRECOGNIZED", "JsonWriter", "drug_fields", "summary_fields", "where"]

_dumps = json.dumps
_encode = encode_basestring_ascii
_NULLS = '"patient": null, "record": null, "record_status": null'
_EXACT = MatchKind.EXACT
_CHANGED = "the input changed while it was read"  # read again and found longer or shorter
KEEP_UNRECOGNIZED = 10_000  # unrecognised lines held for the last list before reading the input again


def drug_fields(drug: Drug) -> dict[str, object]:
    """The knowledge-base facts a finding carries (also used by `rlsmed kb list --format json`)."""
    return {
        "drug_class": drug.drug_class,
        "effect": drug.effect.value,
        "evidence": drug.evidence.value,
        "evidence_kinds": [k.value for k in drug.evidence_kinds],
        "evidence_basis": drug.evidence_basis,
        "mechanism": drug.mechanism,
        "rationale": drug.rationale,
        "atc": list(drug.atc),
        "rxcui": drug.rxcui or None,
        "sources": [_source(s) for s in drug.sources],
        "class_sources": [_source(s) for s in drug.class_sources],
    }


def _source(s: Source) -> dict[str, str | None]:
    return {"citation": s.citation, "doi": s.doi or None, "pmid": s.pmid or None, "url": s.url or None}


def _str(value: str | None) -> str:
    # The C string encoder: this runs for every line of an export.
    return "null" if value is None else encode_basestring_ascii(value)


_sources: dict[str, str] = {}


def where(record: InputRecord) -> str:
    """The JSON fields that say where a record came from (without braces)."""
    source = _sources.get(record.source)
    if source is None:
        source = _sources[record.source] = _str(record.source)
    if record.patient is None and record.record is None and record.status is None:
        tail = _NULLS
    else:
        tail = (
            f'"patient": {_str(record.patient)}, "record": {_str(record.record)}, '
            f'"record_status": {_str(record.status)}'
        )
    return f'"source": {source}, "line": {record.line}, "input": {encode_basestring_ascii(record.text)}, {tail}'


def summary_fields(summary: Summary) -> dict[str, object]:
    return {
        "records": summary.records,
        "flagged": summary.flagged,
        "recognized": summary.recognized,
        "not_current": summary.not_current,
        "headings": summary.headings,
        "unrecognized": summary.unrecognized,
        "findings": summary.findings,
        "ignored": summary.ignored,
        "needs_verification": summary.needs_verification,
        "patients": summary.patients,
        "patients_flagged": summary.patients_flagged,
        "rls_on_record": summary.rls_on_record,
        "patients_with_rls": summary.patients_with_rls,
        "patients_with_rls_flagged": summary.patients_with_rls_flagged,
        "skipped_no_rls": summary.skipped_no_rls,
        "mentions_not_current": summary.mentions_not_current,
        "mentions_flagged": summary.mentions_flagged,
        "skipped_never_screened": summary.skipped_never,
        "by_ingredient": dict(summary.by_ingredient.most_common()),
        "by_class": dict(summary.by_class.most_common()),
        "patients_by_ingredient": dict(summary.patients_by_ingredient.most_common()),
        "patients_by_class": dict(summary.patients_by_class.most_common()),
        "exit_code": int(summary.exit_code),
    }


def _advice(advice: tuple[Advice, ...]) -> str:
    return _dumps([{"topic": a.topic, "text": a.text, "sources": list(a.sources)} for a in advice])


class JsonWriter:
    """`--format json`."""

    name = "json"
    rereads = True

    def __init__(self, *, keep_unrecognized: int = KEEP_UNRECOGNIZED) -> None:
        self.keep_unrecognized = keep_unrecognized
        self._drug_json: dict[tuple[str, str], str] = {}
        self._tails: dict[int, tuple[tuple[Recognition, ...], str]] = {}

    def finding(self, f: Finding) -> str:
        key = (f.drug.name, f.indication)
        tail = self._drug_json.get(key)
        if tail is None:
            fields = drug_fields(f.drug)
            fields["considerations"] = f.considerations
            tail = self._drug_json[key] = _dumps(fields)[1:]
        context = f', "context": {_dumps(dict(f.record.context))}' if f.record.context else ""
        exact = f.match is _EXACT
        return (
            f"{{{where(f.record)}{context}, "
            f'"ingredient": {_encode(f.drug.name)}, "matched_text": {_encode(f.matched_text)}, '
            f'"matched_as": {_encode(f.matched_as)}, "match": "{"exact" if exact else "fuzzy"}", "score": {f.score}, '
            f'"needs_verification": {"false" if exact and not f.verify else "true"}, '
            f'"verify": {_str(f.verify or None)}, '
            f'"product": {_str(f.product or None)}, "ignored": {"true" if f.ignored else "false"}, '
            f'"ignore_reason": {_str(f.ignore_reason or None)}, '
            f'"indication": {_str(f.indication or None)}, "status": "{f.status.value}", '
            f'"status_reason": {_str(f.status_reason or None)}, {tail}'
        )

    @staticmethod
    def mention(m: Mention) -> str:
        """A drug named that is not current: what it is, its status and why (no advice: it is not taken)."""
        d = m.drug
        context = f', "context": {_dumps(dict(m.record.context))}' if m.record.context else ""
        return (
            f"{{{where(m.record)}{context}, "
            f'"ingredient": {_encode(m.ingredient)}, "matched_text": {_encode(m.matched_text)}, '
            f'"matched_as": {_encode(m.matched_as)}, "match": "{m.match.value}", "score": {m.score}, '
            f'"product": {_str(m.product or None)}, "flagged": {"true" if m.flagged else "false"}, '
            f'"status": "{m.status.value}", "status_reason": {_str(m.reason or None)}, '
            f'"drug_class": {_str(d.drug_class if d else None)}, "effect": {_str(d.effect.value if d else None)}, '
            f'"evidence": {_str(d.evidence.value if d else None)}}}'
        )

    @staticmethod
    def heading(record: InputRecord, h: Heading) -> str:
        return f'{{{where(record)}, "kind": "{h.kind}", "status": "{h.status.value}"}}'

    def _recognized_tail(self, recognized: tuple[Recognition, ...]) -> str:
        # Sets of recognitions are shared between lines: encode each once, keyed by identity (the
        # set is kept alive in the cache, so that its identity cannot pass to another set).
        cached = self._tails.get(id(recognized))
        if cached is None:
            ingredients = _dumps([r.ingredient for r in recognized])
            notes = _dumps({r.ingredient: r.note for r in recognized if r.note})
            cached = self._tails[id(recognized)] = (recognized, f'"ingredients": {ingredients}, "notes": {notes}}}')
        return cached[1]

    def recognized(self, record: InputRecord, recognized: tuple[Recognition, ...]) -> str:
        return f"{{{where(record)}, {self._recognized_tail(recognized)}"

    def start(self, meta: ReportMeta, out: TextIO, *, reread: bool = False) -> None:
        self._out = out
        out.write(f'{{\n"kb_version": {_dumps(meta.kb_version)},\n"kb_updated": {_dumps(meta.kb_updated)},\n')
        if meta.site_files:
            files = [{"path": path, "sha256": digest} for path, digest in meta.site_files]
            out.write(f'"kb_site_files": {_dumps(files)},\n')
        if meta.country:
            out.write(f'"country": {_dumps(meta.country)},\n')
        out.write('"findings": [')
        self._keep = not reread  # an input that cannot be read again: keep what the later lists need
        self._kept_recognized: list[tuple[InputRecord, tuple[Recognition, ...]]] = []
        self._unrecognized: list[InputRecord] | None = []  # kept up to a limit, or read again
        # Per record its Outcome.state (two bytes a record, four once there are more than 65,533 sets of
        # recognitions).
        self._states = array("H")
        self._top = 0  # the highest state so far
        # Mentions that are not current, and headings: held until their lists are written (a few per list;
        # an export with many stopped medicines holds one short JSON text for each).
        self._mentions: list[str] = []
        self._headings: list[str] = []
        self._sep = "\n"

    def add(self, batch: ResultBatch) -> None:
        records, outcomes = batch.records, batch.outcomes
        if self._keep:
            for record, outcome in zip(records, outcomes, strict=True):
                if outcome.state >= FIRST_RECOGNITION_STATE:
                    self._kept_recognized.append((record, outcome.recognized))
                elif outcome.state == UNRECOGNIZED_STATE and self._unrecognized is not None:
                    self._unrecognized.append(record)
        else:
            batch_states = list(map(OUTCOME_STATE, outcomes))
            if batch_states:
                self._top = max(self._top, max(batch_states))
            if self._states.typecode == "H" and self._top > 0xFFFF:
                self._states = array("I", self._states)
            self._states.extend(batch_states)
            if self._unrecognized is not None:
                self._unrecognized.extend(compress(records, map(UNRECOGNIZED_STATE.__eq__, batch_states)))
                if len(self._unrecognized) > self.keep_unrecognized:
                    self._unrecognized = None
        for mentions in batch.mentions.values():
            self._mentions.extend(map(self.mention, mentions))
        for i, h in batch.headings.items():
            self._headings.append(self.heading(records[i], h))
        w, sep = self._out.write, self._sep
        for findings in batch.findings.values():
            for f in findings:
                w(sep + self.finding(f))
                sep = ",\n"
        self._sep = sep

    def finish(self, end: RunEnd) -> list[str]:
        out, states, unrecognized = self._out, self._states, self._unrecognized
        out.write("\n],\n")
        _write_list(out, "not_current", [self._mentions])
        _write_list(out, "headings", [self._headings])
        if self._keep or end.reread is None:
            _write_list(out, "recognized", [[self.recognized(r, rec) for r, rec in self._kept_recognized]])
        else:
            tails = _Tails(lambda state: self._recognized_tail(end.recognitions(state)))
            _write_list(
                out,
                "recognized",
                (_recognized_items(records, batch, tails) for records, batch in _aligned(end.reread, states)),
            )
        if unrecognized is None and end.reread is not None:  # too many to keep: read the input once more
            _write_list(
                out,
                "unrecognized",
                (_unrecognized_items(records, batch) for records, batch in _aligned(end.reread, states)),
            )
        else:
            _write_list(out, "unrecognized", [[f"{{{where(r)}}}" for r in unrecognized or ()]])
        # Records left out by their status, by line, with the reason (read again: nothing is kept for them).
        left_out = end.left_out() if end.left_out is not None else iter(())
        _write_list(out, "left_out", ([_left_out_item(r) for r in records] for records in left_out))
        out.write(f'"summary": {_dumps(summary_fields(end.summary))},\n')
        out.write(f'"advice": {_advice(end.advice)}\n}}\n')
        if end.left_out is None and (end.summary.skipped or end.summary.skipped_never):
            return ["records left out by their status are not listed: the input cannot be read twice"]
        return []


def _left_out_item(record: InputRecord) -> str:
    return f'{{{where(record)}, "reason": {_encode(reason(record))}}}'


class _Tails(dict[int, str]):
    """The JSON tail of each state's recognitions, made the first time a state is asked for."""

    def __init__(self, make: Callable[[int], str]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, state: int) -> str:
        tail = self[state] = self._make(state)
        return tail


def _plain(records: Sequence[InputRecord]) -> bool:
    """True when no record of the batch names a patient, a record or a status (plain text input)."""
    return not (
        any(map(RECORD_PATIENT, records)) or any(map(RECORD_RECORD, records)) or any(map(RECORD_STATUS, records))
    )


def _recognized_items(records: Sequence[InputRecord], states: Sequence[int], tails: dict[int, str]) -> list[str]:
    if records and _plain(records):
        # A batch comes from one input; written in one comprehension, as this runs for most lines.
        head = f'{{"source": {_str(records[0].source)}, "line": '
        return [
            f'{head}{r.line}, "input": {_encode(r.text)}, "patient": null, "record": null, "record_status": null, '
            f"{tails[s]}"
            for r, s in zip(records, states, strict=True)
            if s >= FIRST_RECOGNITION_STATE
        ]
    return [f"{{{where(r)}, {tails[s]}" for r, s in zip(records, states, strict=True) if s >= FIRST_RECOGNITION_STATE]


def _unrecognized_items(records: Sequence[InputRecord], states: Sequence[int]) -> list[str]:
    return [f"{{{where(r)}}}" for r in compress(records, map(UNRECOGNIZED_STATE.__eq__, states))]


def _aligned(
    reread: Callable[[], Iterator[list[InputRecord]]], states: array[int]
) -> Iterator[tuple[list[InputRecord], array[int]]]:
    """The records read again, batch by batch, each batch with its states from the first reading."""
    done = 0
    for records in reread():
        batch = states[done : done + len(records)]
        if len(batch) != len(records):
            raise InputError("", _CHANGED)
        yield records, batch
        done += len(records)
    if done != len(states):
        raise InputError("", _CHANGED)


def _write_list(out: TextIO, name: str, batches: Iterable[list[str]]) -> None:
    """A JSON list from batches of items, written a batch at a time (not an item at a time)."""
    out.write(f'"{name}": [')
    sep = "\n"
    for items in batches:
        if items:
            out.write(sep + ",\n".join(items))
            sep = ",\n"
    out.write("\n],\n")
