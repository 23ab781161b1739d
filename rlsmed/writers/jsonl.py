"""JSON Lines: one object per patient (or per input file when the input names no patients).

A patient is the same patient in every input file of a run. Results are held per patient until the end,
so each patient gets one object however their rows are ordered; past a limit, the patients seen longest
ago are written out first (a patient whose rows come back after that gets a second object, and a note
for stderr says how many), which keeps memory flat on exports of any size.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import TextIO

from ..advice import iron_advice
from ..models import LineResult, LineStatus, ResultBatch
from ..report import ReportMeta
from .base import RunEnd
from .grouping import Holding
from .json import JsonWriter, where

__all__ = ["JsonlWriter"]

HELD_RESULTS = 10_000  # results held before the oldest patients are written out (about 15 MB)


def _remembered(key: tuple[str, str | None]) -> object:
    """A patient by their id; an input without patients by its name."""
    return key[1] if key[1] is not None else key


class JsonlWriter:
    """`--format jsonl`."""

    name = "jsonl"
    rereads = False

    def __init__(self, *, held: int = HELD_RESULTS) -> None:
        self._json = JsonWriter()
        self._held_limit = held

    def start(self, meta: ReportMeta, out: TextIO, *, reread: bool = False) -> None:
        self._out = out
        self._version = encode_basestring_ascii(meta.kb_version)
        self._updated = encode_basestring_ascii(meta.kb_updated)
        # Site files and the country stand in every object, as the knowledge-base version does.
        extra = ""
        if meta.site_files:
            files = [{"path": path, "sha256": digest} for path, digest in meta.site_files]
            extra += f', "kb_site_files": {json.dumps(files)}'
        if meta.country:
            extra += f', "country": {json.dumps(meta.country)}'
        self._updated += extra
        # The iron advice goes with each patient who has a finding (a report's advice, per patient).
        iron = iron_advice(meta.ferritin, meta.tsat)
        self._advice = json.dumps([{"topic": iron.topic, "text": iron.text, "sources": list(iron.sources)}])
        # Rows of one patient are one group whatever file they come from; without patients, a file is the
        # group. Past the limit the oldest groups go out; a group over the limit by itself goes too (a list
        # without patients, or one patient's huge record, then takes more than one object).
        self._holding: Holding[tuple[str, str | None], LineResult] = Holding(
            self._held_limit, self._write, remember=_remembered
        )

    def _write(self, key: tuple[str, str | None], results: list[LineResult]) -> None:
        self._out.write(self._patient(key, results, self._version, self._updated, self._advice))

    def add(self, batch: ResultBatch) -> None:
        add = self._holding.add
        for result in batch.results:
            patient = result.record.patient
            add(("", patient) if patient is not None else (result.record.source, None), result)
        self._holding.make_room()

    def finish(self, end: RunEnd) -> list[str]:
        self._holding.close()
        split = self._holding.reopened
        if not split:
            return []
        return [
            f"{split:,} patients (or inputs without patients) have more than one JSON Lines object: their rows "
            "were far apart, or too many to hold (sort the input by patient to keep a patient's rows together)"
        ]

    def _patient(
        self, key: tuple[str, str | None], results: list[LineResult], version: str, updated: str, advice: str
    ) -> str:
        source, patient = key
        if not source:
            source = results[0].record.source
        findings: list[str] = []
        recognized: list[str] = []
        unrecognized: list[str] = []
        mentions: list[str] = []
        headings: list[str] = []
        flagged = count = not_current = 0
        recognized_status, unrecognized_status = LineStatus.RECOGNIZED, LineStatus.UNRECOGNIZED
        flagged_status, heading_status = LineStatus.FLAGGED, LineStatus.HEADING
        for r in results:  # one pass: this runs once per row of an export
            if r.status is recognized_status:
                recognized.append(self._json.recognized(r.record, r.recognized))
            elif r.status is unrecognized_status:
                unrecognized.append(f"{{{where(r.record)}}}")
            elif r.status is flagged_status:
                flagged += 1
                for f in r.findings:
                    findings.append(self._json.finding(f))
                    count += not f.ignored
            elif r.status is heading_status and r.heading is not None:
                headings.append(self._json.heading(r.record, r.heading))
            else:
                not_current += 1
            mentions.extend(map(self._json.mention, r.mentions))
        counts = (
            f'{{"records": {len(results)}, "flagged": {flagged}, "recognized": {len(recognized)}, '
            f'"not_current": {not_current}, "headings": {len(headings)}, '
            f'"unrecognized": {len(unrecognized)}, "findings": {count}, "mentions_not_current": {len(mentions)}}}'
        )
        return (
            f'{{"patient": {json.dumps(patient)}, "source": {encode_basestring_ascii(source)}, '
            f'"kb_version": {version}, "kb_updated": {updated}, "counts": {counts}, '
            f'"findings": [{", ".join(findings)}], "not_current": [{", ".join(mentions)}], '
            f'"headings": [{", ".join(headings)}], "recognized": [{", ".join(recognized)}], '
            f'"unrecognized": [{", ".join(unrecognized)}], "advice": {advice if count else "[]"}}}\n'
        )
