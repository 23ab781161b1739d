"""JSON Lines: one object per patient (or per input file when the input names no patients).

A patient is the same patient in every input file of a run. Results are held per patient until the end,
so each patient gets one object however their rows are ordered; past a limit, the patients seen longest
ago are written out first (a patient whose rows come back after that gets a second object, and a notice
on stderr says how many), which keeps memory flat on exports of any size.
"""

from __future__ import annotations

import json
import sys
from json.encoder import encode_basestring_ascii
from typing import TextIO

from ..advice import iron_advice
from ..models import LineResult, LineStatus
from ..report import Summary
from .base import ResultSource
from .json import JsonWriter, where

__all__ = ["JsonlWriter"]

_HELD_RESULTS = 10_000  # results held before the oldest patients are written out (about 15 MB)


class JsonlWriter:
    """`--format jsonl`."""

    name = "jsonl"

    def __init__(self, *, held: int | None = None) -> None:
        self._json = JsonWriter()
        self._held_limit = held or _HELD_RESULTS

    def write(self, source: ResultSource, out: TextIO) -> Summary:
        version = encode_basestring_ascii(source.meta.kb_version)
        updated = encode_basestring_ascii(source.meta.kb_updated)
        # The iron advice goes with each patient who has a finding (a report's advice, per patient).
        iron = iron_advice(source.meta.ferritin, source.meta.tsat)
        advice = json.dumps([{"topic": iron.topic, "text": iron.text, "sources": list(iron.sources)}])
        groups: dict[tuple[str, str | None], list[LineResult]] = {}
        written: set[str] = set()  # patients already written out
        written_files: set[str] = set()  # inputs without patients already written out (in part)
        self.split_patients = 0
        held = 0
        for batch in source.batches():
            results = batch.results
            for result in results:
                record = result.record
                # Rows of one patient are one group whatever file they come from; without patients, a
                # file is the group.
                key: tuple[str, str | None] = (
                    ("", record.patient) if record.patient is not None else (record.source, None)
                )
                group = groups.get(key)
                if group is None:
                    group = groups[key] = []
                    if key[1] in written or (key[1] is None and key[0] in written_files):
                        self.split_patients += 1
                group.append(result)
            held += len(results)
            # Past the limit the oldest groups go out; a group over the limit by itself goes too (a list
            # without patients, or one patient's huge record, then takes more than one object).
            while held > self._held_limit and groups:
                oldest = next(iter(groups))
                held -= len(groups[oldest])
                if oldest[1] is not None:
                    written.add(oldest[1])
                else:
                    written_files.add(oldest[0])
                out.write(self._patient(oldest, groups.pop(oldest), version, updated, advice))
        for key, results in groups.items():
            out.write(self._patient(key, results, version, updated, advice))
        if self.split_patients:
            sys.stderr.write(
                f"rlsmed: {self.split_patients:,} patients (or inputs without patients) have more than one JSON Lines "
                "object: their rows were far apart, or too many to hold (sort the input by patient to keep "
                "a patient's rows together)\n"
            )
        return source.finish()

    def _patient(
        self, key: tuple[str, str | None], results: list[LineResult], version: str, updated: str, advice: str
    ) -> str:
        source, patient = key
        if not source:
            source = results[0].record.source
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
            f'"kb_version": {version}, "kb_updated": {updated}, "counts": {counts}, '
            f'"findings": [{", ".join(findings)}], "recognized": [{", ".join(recognized)}], '
            f'"unrecognized": [{", ".join(unrecognized)}], "advice": {advice if count else "[]"}}}\n'
        )
