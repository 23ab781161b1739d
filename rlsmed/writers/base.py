"""What every writer (output format) is given: the run's facts, its results a batch at a time, and its end.

The pipeline drives a writer (rlsmed.pipeline.Screening.write): `start`, then `add` for each batch of
results as screening produces it, then `finish` with the summary. A writer only formats: it never starts
the screening, never decides the exit code, and never writes anywhere but `out`; what the user should
know about the run itself it returns from `finish`, for the caller to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ClassVar, NamedTuple, Protocol, TextIO

from ..models import InputRecord, Recognition, ResultBatch
from ..report import Advice, ReportMeta, Summary

__all__ = ["RunEnd", "Writer"]


class RunEnd(NamedTuple):
    """What a writer is told when every result has been added."""

    summary: Summary
    advice: tuple[Advice, ...]
    # The records again, in the same batches as their results came, for a writer with `rereads` (None
    # when they cannot be read again: the writer then kept what it needs).
    reread: Callable[[], Iterator[list[InputRecord]]] | None
    # The recognitions of records whose Outcome.state is this (FIRST_RECOGNITION_STATE or more).
    recognitions: Callable[[int], tuple[Recognition, ...]]
    # The records left out by their status (read again), when there are any and the input can be re-read.
    left_out: Callable[[], Iterator[list[InputRecord]]] | None = None


class Writer(Protocol):
    """One output format."""

    name: ClassVar[str]
    # True when the writer asks for the records a second time at the end (so that it need not hold them):
    # the pipeline then arranges for stdin's bytes to be kept as it is read.
    rereads: ClassVar[bool]

    def start(self, meta: ReportMeta, out: TextIO, *, reread: bool = False) -> None:
        """Begin the report; `reread` says the records will be given again at the end (RunEnd.reread)."""
        ...

    def add(self, batch: ResultBatch) -> None: ...

    def finish(self, end: RunEnd) -> list[str]:
        """Write the rest of the report; return notes about the run for the user (not part of the report)."""
        ...
