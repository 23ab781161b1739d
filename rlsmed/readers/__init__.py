"""Input formats: one reader per module, chosen by --input-format or detected from extension and content."""

from __future__ import annotations

import os

from ..formats import InputFormat
from .base import Reader, ReadOptions
from .csv import CsvReader, looks_like_header
from .decode import sniff_encoding
from .fhir import FhirReader
from .text import TextReader

__all__ = ["READERS", "InputFormat", "ReadOptions", "Reader", "detect_format"]

_ALL: tuple[Reader, ...] = (TextReader(), CsvReader(), FhirReader())

# Each format the command line offers, with the reader of the same name.
READERS: dict[InputFormat, Reader] = {fmt: r for r in _ALL for fmt in InputFormat if fmt.value == r.name}

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".psv": "csv",
    ".json": "fhir",
    ".ndjson": "fhir",
    ".jsonl": "fhir",
    ".fhir": "fhir",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
_PEEK = 8192  # enough for a header line: the rest of the head is not decoded


def detect_format(name: str, head: bytes) -> InputFormat:
    """The format of an input from its file name and first bytes: extension first, then content."""
    return InputFormat(_EXTENSIONS.get(os.path.splitext(name)[1].lower()) or _by_content(head))


def _by_content(head: bytes) -> str:
    try:
        encoding, skip = sniff_encoding(head, final=False)
    except ValueError:
        return "text"  # binary: the text reader says so
    text = head[skip : skip + _PEEK].decode(encoding or "utf-8", "replace").lstrip()
    if text[:1] in ("{", "["):
        return "fhir"
    first = text.replace("\r", "\n").split("\n", 1)[0]
    return "csv" if first and looks_like_header(first.removeprefix("\ufeff")) else "text"
