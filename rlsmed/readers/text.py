"""Plain text: one medication (or several) per line, as pasted or exported."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from ..models import InputRecord
from .base import ReadOptions
from .decode import iter_lines

__all__ = ["TextReader"]


class TextReader:
    """Every non-blank line is one record, numbered as an editor numbers it."""

    name = "text"

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]:
        for lineno, line in iter_lines(stream, source):
            text = line.strip()
            if text:
                yield InputRecord(source, lineno, text)
