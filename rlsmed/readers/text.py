"""Plain text: one medication (or several) per line, as pasted or exported."""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType
from typing import BinaryIO

from ..models import InputRecord
from .base import ReadOptions
from .decode import iter_chunks

_NO_CONTEXT: MappingProxyType[str, str] = MappingProxyType({})

__all__ = ["TextReader"]


class TextReader:
    """Every non-blank line is one record, numbered as an editor numbers it."""

    name = "text"

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]:
        for batch in self.read_batches(stream, source, options):
            yield from batch

    def read_batches(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
        """The records of each decoded chunk (a few hundred lines) as a list."""
        # tuple.__new__ builds a record without the Python-level NamedTuple constructor: this runs
        # once per line of an export.
        new = tuple.__new__
        for first, lines in iter_chunks(stream, source):
            numbered = zip(range(first, first + len(lines)), map(str.strip, lines), strict=True)
            yield [
                new(InputRecord, (source, n, text, None, None, None, "", (), _NO_CONTEXT))
                for n, text in numbered
                if text
            ]
