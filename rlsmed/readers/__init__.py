"""Input formats: one reader per module, chosen by --input-format or detected from extension and content."""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Sequence
from typing import BinaryIO, Protocol

from ..errors import RlsmedError
from ..formats import InputFormat
from .base import MedicationIndex, Reader, ReadOptions
from .decode import looks_like_json, sniff_encoding

__all__ = ["HEAD", "InputFormat", "ReadOptions", "Reader", "detect_format", "prepare", "reader_for"]

HEAD = 1 << 16  # the bytes of an input that detect_format is given

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
_PEEK = 8192  # bytes of the head decoded to look at: enough for a header and a few rows
_RESOURCE_TYPE = re.compile(r'"resourceType"\s*:')
_TABLE_TEXT = (".txt", ".text")  # text by name, but read as CSV/TSV when the content is a medication table


def detect_format(name: str, head: bytes) -> InputFormat:
    """The format of an input from its file name and first bytes (the rules of README "Input formats").

    `.json`, `.ndjson`, `.jsonl` and `.fhir` are FHIR. Content that is clearly FHIR JSON (it starts as
    JSON does and names a resourceType) is FHIR whatever the name. Otherwise `.csv`, `.tsv`, `.tab`,
    `.psv` are CSV; `.txt` and `.text` are CSV when the content is a table with a medication column,
    else text; `.md` is text; other names and stdin are FHIR when the content starts as JSON does, CSV
    when it is a table (csv.looks_like_table), else text.
    """
    ext = os.path.splitext(name)[1].lower()
    by_name = _EXTENSIONS.get(ext)
    if by_name == "fhir":
        return InputFormat.FHIR
    sample, complete = _sample(head)
    # Clearly FHIR JSON wins over any name; other JSON is FHIR only for names that tell nothing.
    if sample is not None and looks_like_json(sample) and (by_name is None or _RESOURCE_TYPE.search(sample)):
        return InputFormat.FHIR
    if by_name == "csv" or (by_name == "text" and ext not in _TABLE_TEXT) or sample is None:
        return InputFormat(by_name or "text")  # binary: the text reader says so
    header = next((line for line in sample.splitlines() if line.strip()), "")
    if not any(sep in header for sep in "\t,;|"):
        return InputFormat.TEXT  # no header of a table (and no need to load the CSV reader to say so)
    from .csv import looks_like_table

    table = looks_like_table(sample, complete=complete, need_medication=by_name == "text")
    return InputFormat.CSV if table else InputFormat.TEXT


def _sample(head: bytes) -> tuple[str | None, bool]:
    """The decoded start of the input (None when it is not text), and whether that is all of the head."""
    try:
        encoding, skip = sniff_encoding(head, final=False)
    except ValueError:
        return None, False
    return head[skip : skip + _PEEK].decode(encoding or "utf-8", "replace"), len(head) <= skip + _PEEK


class Source(Protocol):
    """An input as rlsmed.api.Input describes it."""

    @property
    def name(self) -> str: ...
    @property
    def opener(self) -> Callable[[], BinaryIO]: ...
    @property
    def replayable(self) -> bool: ...


def prepare(inputs: Sequence[Source], input_format: InputFormat, options: ReadOptions) -> ReadOptions:
    """The read options of one run over these inputs, to pass to every reader instead of `options`.

    For FHIR, a medicationReference must resolve whatever the order of lines and files (a Bulk Data export
    has MedicationRequest.ndjson and Medication.ndjson): this reads the run's FHIR inputs once before the
    screening, cheaply (only lines that name a Medication are parsed), and keeps their Medication
    resources in `medications` (an index bounded by the number of distinct medications). NDJSON inputs
    are always scanned; Bundles and other documents only when there are several FHIR inputs (a
    document's references to itself resolve anyway). Inputs that cannot be read twice (stdin, pipes) are
    not scanned, and errors are left for the reading to report. Without FHIR inputs, or when `options`
    already come from prepare: `options` unchanged.
    """
    if input_format not in (InputFormat.AUTO, InputFormat.FHIR) or options.medications is not None:
        return options
    chosen = []
    for item in inputs:
        if not item.replayable or (os.path.exists(item.name) and not os.path.isfile(item.name)):
            continue  # stdin, a pipe (`<(…)`), a directory
        if input_format is InputFormat.AUTO:
            try:
                stream = item.opener()
                try:
                    head = stream.read(HEAD)
                finally:
                    stream.close()
            except (RlsmedError, OSError, ValueError):
                continue
            if detect_format(item.name, head) is not InputFormat.FHIR:
                continue
        chosen.append(item)
    if not chosen:
        return options
    from .fhir import scan_medications

    run = MedicationIndex()
    for item in chosen:
        try:
            stream = item.opener()
            try:
                scan_medications(stream, item.name, run, documents=len(chosen) > 1)
            finally:
                stream.close()
        except (RlsmedError, OSError, ValueError):
            continue  # reported when the input is read
    return options._replace(medications=run) if run.entries or run.sources else options
