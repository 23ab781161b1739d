"""What every writer (output format) is given, and what it returns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TextIO

from ..models import InputRecord, LineResult, Recognition, ResultBatch
from ..report import Advice, ReportMeta, Summary

__all__ = ["ResultSource", "Writer"]


class ResultSource(Protocol):
    """A screening run as writers see it: results to iterate once, then the summary and advice.

    After `replay()` returns True, `reread_batches()` gives the records again, in the same order, for
    writers that need a second pass to keep memory flat (stdin's bytes are then kept in memory).
    """

    meta: ReportMeta

    @property
    def input_names(self) -> list[str]:
        """The names of the inputs, in order (file paths, or <stdin>)."""
        ...

    def replay(self) -> bool:
        """Arrange, before iterating, for `reread_batches` to work; False when the input cannot be read
        twice."""
        ...

    def __iter__(self) -> Iterator[LineResult]: ...

    def batches(self) -> Iterator[ResultBatch]:
        """The same results as iterating, a batch at a time, by column (iterate one way or the other, once)."""
        ...

    def recognition_set(self, state: int) -> tuple[Recognition, ...]:
        """The recognitions of records whose Outcome.state is `state` (2 or more)."""
        ...

    def reread_batches(self) -> Iterator[list[InputRecord]]:
        """The records again, in the same batches as `batches` gave their results."""
        ...

    def finish(self) -> Summary: ...

    def advice(self) -> tuple[Advice, ...]: ...


class Writer(Protocol):
    """Writes a whole report to `out` and returns the run's summary."""

    name: str

    def write(self, source: ResultSource, out: TextIO) -> Summary: ...
