"""Input formats: one reader per module, chosen by --input-format or detected from extension and content."""

from __future__ import annotations

import importlib
import os

from ..formats import InputFormat
from .base import Reader, ReadOptions
from .decode import sniff_encoding

__all__ = ["InputFormat", "ReadOptions", "Reader", "detect_format", "reader_for"]

# Each format with the module and class of its reader, imported only when a run needs it.
_READERS = {
    InputFormat.TEXT: ("text", "TextReader"),
    InputFormat.CSV: ("csv", "CsvReader"),
    InputFormat.FHIR: ("fhir", "FhirReader"),
}


def reader_for(fmt: InputFormat) -> Reader:
    """The reader of an input format."""
    module, cls = _READERS[fmt]
    reader: Reader = getattr(importlib.import_module(f"{__name__}.{module}"), cls)()
    return reader


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
    if not first:
        return "text"
    from .csv import looks_like_header

    return "csv" if looks_like_header(first.removeprefix("\ufeff")) else "text"
