"""Plain text: one medication (or several) per line, as pasted or exported."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import compress, repeat
from types import MappingProxyType
from typing import BinaryIO

from ..models import InputRecord
from .base import ReadOptions
from .decode import iter_chunks

_CONTEXT: repeat[MappingProxyType[str, str]] = repeat(MappingProxyType({}))

__all__ = ["TextReader"]


class TextReader:
    """Every non-blank line is one record, numbered as an editor numbers it."""

    name = "text"

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]:
        for batch in self.read_batches(stream, source, options):
            yield from batch

    def read_batches(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
        """The records of each decoded chunk (a few hundred lines) as a list."""
        # Built by C-level iteration (map, zip, compress), not a Python loop: this runs once per line of
        # an export. tuple.__new__ makes a record without the Python-level NamedTuple constructor.
        new, record, none, empty = tuple.__new__, repeat(InputRecord), repeat(None), repeat(())
        for first, lines in iter_chunks(stream, source):
            texts = list(map(str.strip, lines))
            numbers = compress(range(first, first + len(texts)), texts)  # blank lines are skipped
            fields = zip(repeat(source), numbers, filter(None, texts), none, none, none, repeat(""), empty, _CONTEXT)
            yield list(map(new, record, fields))
