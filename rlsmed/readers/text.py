"""Plain text: one medication (or several) per line, as pasted or exported."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import compress, repeat
from typing import BinaryIO

from ..formats import InputFormat
from ..models import InputRecord
from .base import Reader, ReadOptions
from .decode import iter_chunks

__all__ = ["TextReader"]

_FIELDS = InputRecord._fields
_DEFAULTS = InputRecord._field_defaults


class TextReader(Reader):
    """Every non-blank line is one record, numbered as an editor numbers it."""

    format = InputFormat.TEXT
    sections = True

    def read_batches(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
        """The records of each decoded chunk (a few hundred lines) as a list."""
        # Built by C-level iteration (map, zip, compress), not a Python loop: this runs once per line of
        # an export. tuple.__new__ makes a record without the Python-level NamedTuple constructor; the
        # columns are matched to the record's fields by name, the rest take their defaults.
        new, record = tuple.__new__, repeat(InputRecord)
        for first, lines in iter_chunks(stream, source):
            texts = list(map(str.strip, lines))
            given = {
                "source": repeat(source),
                "line": compress(range(first, first + len(texts)), texts),  # blank lines are skipped
                "text": filter(None, texts),
            }
            columns = [given[f] if f in given else repeat(_DEFAULTS[f]) for f in _FIELDS]
            yield list(map(new, record, zip(*columns, strict=False)))  # repeat() columns are endless
