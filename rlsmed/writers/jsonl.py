"""JSON Lines: one object per patient (or per input file when the input names no patients).

Results are held per patient until the end, so each patient gets one object however their rows are
ordered; past a limit, the patients seen longest ago are written out first (a patient whose rows
come back after that gets a second object), which keeps memory flat on exports of any size.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import TextIO

from ..models import LineResult, LineStatus
from ..report import Summary
from .base import ResultSource
from .json import JsonWriter, where

__all__ = ["JsonlWriter"]

_HELD_RESULTS = 20_000  # results held before the oldest patients are written out (about 20 MB)


class JsonlWriter:
    """`--format jsonl`."""

    name = "jsonl"

    def __init__(self, *, held: int = _HELD_RESULTS) -> None:
        self._json = JsonWriter()
        self._held_limit = held

    def write(self, source: ResultSource, out: TextIO) -> Summary:
        version = encode_basestring_ascii(source.meta.kb_version)
        groups: dict[tuple[str, str | None], list[LineResult]] = {}
        held = 0
        for batch in source.batches():
            results = batch.results
            for result in results:
                record = result.record
                key = (record.source, record.patient)
                group = groups.get(key)
                if group is None:
                    group = groups[key] = []
                group.append(result)
            held += len(results)
            while held > self._held_limit and len(groups) > 1:
                oldest = next(iter(groups))
                held -= len(groups[oldest])
                out.write(self._patient(oldest, groups.pop(oldest), version))
        for key, results in groups.items():
            out.write(self._patient(key, results, version))
        return source.finish()

    def _patient(self, key: tuple[str, str | None], results: list[LineResult], version: str) -> str:
        source, patient = key
        findings: list[str] = []
        recognized: list[str] = []
        unrecognized: list[str] = []
        flagged = count = 0
        recognized_status, unrecognized_status = LineStatus.RECOGNIZED, LineStatus.UNRECOGNIZED
        for r in results:  # one pass: this runs once per row of an export
            if r.status is recognized_status:
                recognized.append(self._json.recognized(r.record, r.recognized))
            elif r.status is unrecognized_status:
                unrecognized.append(f"{{{where(r.record)}}}")
            else:
                flagged += 1
                for f in r.findings:
                    findings.append(self._json.finding(f))
                    count += not f.ignored
        counts = (
            f'{{"records": {len(results)}, "flagged": {flagged}, "recognized": {len(recognized)}, '
            f'"unrecognized": {len(unrecognized)}, "findings": {count}}}'
        )
        return (
            f'{{"patient": {json.dumps(patient)}, "source": {encode_basestring_ascii(source)}, '
            f'"kb_version": {version}, "counts": {counts}, "findings": [{", ".join(findings)}], '
            f'"recognized": [{", ".join(recognized)}], "unrecognized": [{", ".join(unrecognized)}]}}\n'
        )
