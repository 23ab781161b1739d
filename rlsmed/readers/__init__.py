"""Input formats: one reader per module, chosen by --input-format or detected from name and content.

READERS is the registry: each format with its module, the file extensions that name it, and a pattern of
content worth asking the reader's `detect` about (so that a module is imported only when its format may
be the one). Adding a format is a module with a Reader subclass and one entry here.
"""

from __future__ import annotations

import importlib
import os
import re
from typing import NamedTuple

from ..formats import InputFormat
from .base import Claim, Head, Reader, ReadOptions
from .decode import sniff_encoding

__all__ = ["HEAD", "READERS", "InputFormat", "ReadOptions", "Reader", "ReaderSpec", "detect_format", "reader_for"]

_PEEK = 8192  # bytes of the head decoded to look at: enough for a header and a few rows


class ReaderSpec(NamedTuple):
    """A format in the registry."""

    format: InputFormat
    reader: str  # "module:Class" in rlsmed.readers, imported when the format is read or may be detected
    extensions: tuple[str, ...] = ()  # file names that are this format, unless content is certainly another's
    maybe: tuple[str, ...] = ()  # file names that are this format unless content is likely another's
    hint: re.Pattern[str] | None = None  # content (decoded) that may be this format: ask the reader's detect
    magic: tuple[bytes, ...] = ()  # first bytes (of binary content) that may be this format: ask its detect


# In order of detection: the first reader whose content claim wins is chosen; text is the last resort.
READERS: tuple[ReaderSpec, ...] = (
    ReaderSpec(
        InputFormat.FHIR,
        "fhir:FhirReader",
        extensions=(".json", ".ndjson", ".jsonl", ".fhir"),
        hint=re.compile(r"\A\ufeff?\s*[{\[]"),
    ),
    ReaderSpec(
        InputFormat.EXCEL,
        "excel:ExcelReader",
        extensions=(".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"),
        magic=(b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),  # zip (.xlsx, .ods), OLE2 (.xls)
    ),
    ReaderSpec(
        InputFormat.CCDA,
        "ccda:CcdaReader",
        extensions=(".ccd", ".cda", ".ccda"),
        maybe=(".xml",),
        hint=re.compile(r"\A\ufeff?\s*<"),
    ),
    ReaderSpec(
        InputFormat.CSV,
        "csv:CsvReader",
        extensions=(".csv", ".tsv", ".tab", ".psv"),
        hint=re.compile(r"\A\s*[^\r\n]*[\t,;|]"),  # a delimiter on the first line that is not blank
    ),
    ReaderSpec(InputFormat.TEXT, "text:TextReader", extensions=(".md",), maybe=(".txt", ".text")),
)
_BY_FORMAT = {spec.format: spec for spec in READERS}


def _reader_class(spec: ReaderSpec) -> type[Reader]:
    module, cls = spec.reader.split(":")
    reader: type[Reader] = getattr(importlib.import_module(f"{__name__}.{module}"), cls)
    return reader


def reader_for(fmt: InputFormat) -> Reader:
    """The reader of an input format."""
    return _reader_class(_BY_FORMAT[fmt])()


def detect_format(name: str, head: bytes) -> InputFormat:
    """The format of an input from its file name and first bytes (the rules of README "Input formats").

    Content a reader is certain of wins over any name (FHIR JSON that names a resourceType). Otherwise an
    extension decides (`.csv` is CSV); then content a reader finds likely (a table with a medication
    column is CSV, also when named `.txt`); then a name that only suggests a format (`.txt`); else text.
    """
    ext = os.path.splitext(name)[1].lower()
    named = next((s.format for s in READERS if ext in s.extensions), None)
    maybe = next((s.format for s in READERS if ext in s.maybe), None)
    sample, complete = _sample(head)
    found = Head(name, head, sample, complete, named or maybe)
    likely: InputFormat | None = None
    for spec in READERS:
        hinted = spec.hint is not None and sample is not None and spec.hint.search(sample) is not None
        if not hinted and not (spec.magic and head.startswith(spec.magic)):
            continue
        claim = _reader_class(spec).detect(found)
        if claim is Claim.CERTAIN:
            return spec.format
        if claim is Claim.LIKELY and likely is None:
            likely = spec.format
    return named or likely or maybe or InputFormat.TEXT


def _sample(head: bytes) -> tuple[str | None, bool]:
    """The decoded start of the input (None when it is not text), and whether that is all of the head."""
    try:
        encoding, skip = sniff_encoding(head, final=False)
    except ValueError:
        return None, False
    return head[skip : skip + _PEEK].decode(encoding or "utf-8", "replace"), len(head) <= skip + _PEEK
