"""The frame of the reports for people (table, Markdown, HTML): the top, with its headline, written once the
counts are known, then the flagged records a section at a time, then the rest.

A report's headline comes before its findings, so nothing is written until the end of the screening,
unless there are too many flagged records to hold (gather.HOLD): the report then starts at once, says
that its counts come at the end, and writes its sections as they must go out.
"""

from __future__ import annotations

from typing import TextIO

from ..models import LineResult, ResultBatch
from ..report import ReportMeta, Summary
from .base import RunEnd
from .digest import by_importance
from .gather import HOLD, Gathered, Gatherer, Section

__all__ = ["HeldReport"]


class HeldReport:
    """A writer whose flagged records come in sections (see gather.py); subclasses write each part."""

    name = ""
    rereads = False
    hold = HOLD  # flagged records held for the headline to come first; past this the report streams

    def start(self, meta: ReportMeta, out: TextIO, *, reread: bool = False) -> None:
        self.meta = meta
        self.out = out
        self.many = len(set(meta.inputs)) > 1  # several inputs: each source is a heading
        self.summary: Summary | None = None  # known at the end
        self._top = False
        self._source: str | None = None
        self._gatherer = Gatherer(self._emit, hold=self.hold)

    def add(self, batch: ResultBatch) -> None:
        self._gatherer.add(batch)

    def _emit(self, section: Section, rows: list[LineResult]) -> None:
        if not self._top:
            self._start_report()
            self.findings_heading()
        new_source = self.many and section.source != self._source
        self._source = section.source
        self.section(section, by_importance(rows), new_source=new_source)

    def _start_report(self) -> None:
        self._top = True
        self.top(self.summary)

    def finish(self, end: RunEnd) -> list[str]:
        self.summary = end.summary
        gathered = self._gatherer.close()
        streamed = self._gatherer.streaming
        if not self._top:
            self._start_report()
        self.rest(end, gathered, streamed=streamed)
        return []

    # What a report writes, in this order.

    def top(self, summary: Summary | None) -> None:
        """The start of the report, with the headline when the counts are known (None: the report streams,
        and the counts come at the end)."""
        raise NotImplementedError

    def findings_heading(self) -> None:
        """The heading of the flagged records, before the first section."""
        raise NotImplementedError

    def section(self, section: Section, rows: list[LineResult], *, new_source: bool) -> None:
        """A section of flagged records, most important first; `new_source`: the first of its input file
        (with several inputs)."""
        raise NotImplementedError

    def rest(self, end: RunEnd, gathered: Gathered, *, streamed: bool) -> None:
        """Everything after the flagged records, in each writer in the same order: the misspellings'
        legend, why and what to consider, what is not recognised, what is recognised, the advice, the
        knowledge base. A new part (medicines mentioned but not current) goes where it belongs in that
        order, from a bounded list in `gathered`. `streamed`: the counts were not known at the top."""
        raise NotImplementedError
