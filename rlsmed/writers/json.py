"""JSON: the contract for scripts (documented in the README), streamed in constant memory.

Findings are written as they are found. Recognised and unrecognised lines follow in their own lists;
to keep memory flat the input is read a second time for them (a few bytes a line are kept in between),
except for stdin, whose lines are kept until the end.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator
from typing import TextIO

from ..models import Drug, Finding, InputRecord, LineStatus, Recognition
from ..report import Advice, Summary
from .base import ResultSource

__all__ = ["JsonWriter", "drug_fields", "summary_fields"]

_dumps = json.dumps


def drug_fields(drug: Drug) -> dict[str, object]:
    """The knowledge-base facts a finding carries (also used by `rlsmed kb list --format json`)."""
    return {
        "drug_class": drug.drug_class,
        "effect": drug.effect.value,
        "evidence": drug.evidence.value,
        "evidence_basis": drug.evidence_basis,
        "mechanism": drug.mechanism,
        "rationale": drug.rationale,
        "atc": list(drug.atc),
        "rxcui": drug.rxcui or None,
        "sources": [
            {"citation": s.citation, "doi": s.doi or None, "pmid": s.pmid or None, "url": s.url or None}
            for s in drug.sources
        ],
    }


def _where(record: InputRecord) -> str:
    return (
        f'"source": {_dumps(record.source)}, "line": {record.line}, "input": {_dumps(record.text)}, '
        f'"patient": {_dumps(record.patient)}, "record": {_dumps(record.record)}, '
        f'"status": {_dumps(record.status)}'
    )


def summary_fields(summary: Summary) -> dict[str, object]:
    return {
        "records": summary.records,
        "flagged": summary.flagged,
        "recognized": summary.recognized,
        "unrecognized": summary.unrecognized,
        "findings": summary.findings,
        "ignored": summary.ignored,
        "needs_verification": summary.needs_verification,
        "patients": summary.patients,
        "patients_flagged": summary.patients_flagged,
        "skipped_not_current": summary.skipped,
        "by_ingredient": dict(summary.by_ingredient.most_common()),
        "by_class": dict(summary.by_class.most_common()),
        "exit_code": int(summary.exit_code),
    }


def _advice(advice: tuple[Advice, ...]) -> str:
    return _dumps([{"topic": a.topic, "text": a.text, "sources": list(a.sources)} for a in advice])


class JsonWriter:
    """`--format json`."""

    name = "json"

    def __init__(self) -> None:
        self._drug_json: dict[tuple[str, str], str] = {}

    def _finding(self, f: Finding) -> str:
        key = (f.drug.name, f.indication)
        tail = self._drug_json.get(key)
        if tail is None:
            fields = drug_fields(f.drug)
            fields["considerations"] = f.considerations
            tail = self._drug_json[key] = _dumps(fields)[1:]
        return (
            f"{{{_where(f.record)}, "
            f'"ingredient": {_dumps(f.drug.name)}, "matched_text": {_dumps(f.matched_text)}, '
            f'"matched_as": {_dumps(f.matched_as)}, "match": "{f.match.value}", "score": {f.score}, '
            f'"needs_verification": {"true" if f.needs_verification else "false"}, '
            f'"product": {_dumps(f.product or None)}, "ignored": {"true" if f.ignored else "false"}, '
            f'"indication": {_dumps(f.indication or None)}, {tail}'
        )

    @staticmethod
    def _recognized(record: InputRecord, recognized: tuple[Recognition, ...]) -> str:
        ingredients = _dumps([r.ingredient for r in recognized])
        notes = {r.ingredient: r.note for r in recognized if r.note}
        return f'{{{_where(record)}, "ingredients": {ingredients}, "notes": {_dumps(notes)}}}'

    def write(self, source: ResultSource, out: TextIO) -> Summary:
        meta = source.meta
        w = out.write
        w(f'{{\n"kb_version": {_dumps(meta.kb_version)},\n"kb_updated": {_dumps(meta.kb_updated)},\n')
        w('"findings": [')
        keep = not source.replayable
        kept_recognized: list[tuple[InputRecord, tuple[Recognition, ...]]] = []
        kept_unrecognized: list[InputRecord] = []
        # Per record: 0 unrecognised, 1 flagged, 2 + k for the k-th distinct set of recognised ingredients.
        states = array("I")
        variants: dict[tuple[Recognition, ...], int] = {}
        sep = "\n"
        for result in source:
            for f in result.findings:
                w(sep + self._finding(f))
                sep = ",\n"
            status = result.status
            if keep:
                if status is LineStatus.RECOGNIZED:
                    kept_recognized.append((result.record, result.recognized))
                elif status is LineStatus.UNRECOGNIZED:
                    kept_unrecognized.append(result.record)
            elif status is LineStatus.FLAGGED:
                states.append(1)
            elif status is LineStatus.UNRECOGNIZED:
                states.append(0)
            else:
                states.append(2 + variants.setdefault(result.recognized, len(variants)))
        w("\n],\n")
        by_id = list(variants)
        if keep:
            recognized: Iterator[str] = (self._recognized(r, rec) for r, rec in kept_recognized)
        else:
            recognized = (
                self._recognized(r, by_id[s - 2]) for r, s in zip(source.reread(), states, strict=True) if s >= 2
            )
        _write_list(out, "recognized", recognized)
        if keep:
            unrecognized: Iterator[str] = (f"{{{_where(r)}}}" for r in kept_unrecognized)
        else:
            unrecognized = (f"{{{_where(r)}}}" for r, s in zip(source.reread(), states, strict=True) if s == 0)
        _write_list(out, "unrecognized", unrecognized)
        summary = source.finish()
        w(f'"summary": {_dumps(summary_fields(summary))},\n')
        w(f'"advice": {_advice(source.advice())}\n}}\n')
        return summary


def _write_list(out: TextIO, name: str, items: Iterator[str]) -> None:
    out.write(f'"{name}": [')
    sep = "\n"
    for item in items:
        out.write(sep + item)
        sep = ",\n"
    out.write("\n],\n")
