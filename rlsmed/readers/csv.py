"""CSV, TSV and similar exports: one medication a row, found by its column header."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import chain, repeat
from operator import add
from types import MappingProxyType
from typing import BinaryIO

from ..errors import InputError
from ..formats import InputFormat
from ..models import InputRecord, record_maker
from .base import BATCH, Claim, Head, Reader, ReadOptions
from .codes import rxnorm_codes
from .columns import SENTINEL, find_columns, looks_like_table, row_width, sep_line, sniff_delimiter
from .decode import MAX_LINE, iter_chunks, looks_like_json
from .rows import LongRows, shaped_records

__all__ = ["CsvReader"]

ONE_COLUMN = "\x1f"  # a header without delimiters is one column: rows are then split nowhere
_EXTENSION_DELIMITERS = {".tsv": "\t", ".tab": "\t", ".psv": "|"}
_NO_CONTEXT: MappingProxyType[str, str] = MappingProxyType({})
_NEW_RECORD = record_maker("source", "line", "text", "patient", "record", "status", "reason", "codes", "context")

_UNBALANCED = "unbalanced quote: a quoted field starts on this line and is never closed"
_TOO_LONG = f"a field longer than {MAX_LINE:,} characters starts on this row (a quote left open?)"
_JSON = "JSON, not CSV or TSV; FHIR JSON is read with --input-format fhir"


def _is_json(header_line: str) -> bool:
    """True when the line a header should be on starts a JSON document (`{`, `[`, `{"…`, `[{…`)."""
    return header_line.strip() in ("{", "[") or looks_like_json(header_line)


class CsvReader(Reader):
    """A header row names the columns; every other non-blank row is one record.

    `line` is the physical line a row starts on; `record` is "row N", N counting data rows from 1 and
    skipping blank lines (and rows of empty cells).
    """

    format = InputFormat.CSV
    statuses = True  # a status column, when there is one, is screened like FHIR statuses

    @staticmethod
    def detect(head: Head) -> Claim:
        """A table with a medication column (or, for a name that says nothing, two known columns)."""
        if head.sample is None or head.named not in (None, InputFormat.TEXT):
            return Claim.NONE
        table = looks_like_table(head.sample, complete=head.complete, need_medication=head.named is not None)
        return Claim.LIKELY if table else Claim.NONE

    def __init__(self) -> None:
        self._rows = LongRows()

    def notes(self) -> list[str]:
        return self._rows.notes()

    def read_batches(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
        """The records in lists of up to BATCH rows."""
        self._rows = long_rows = LongRows()
        lines = chain.from_iterable(chunk for _, chunk in iter_chunks(stream, source))
        before = 0  # blank lines before the header
        named: str | None = None  # the delimiter of Excel's "sep=;" first line
        for header_line in lines:
            if header_line.strip():
                if named is None and (named := sep_line(header_line)) is not None:
                    before += 1
                    continue
                break
            before += 1
        else:
            return
        header_line = header_line.removeprefix("\ufeff")
        if _is_json(header_line):
            raise InputError(f"{source}:{before + 1}", _JSON)
        # Any field up to the longest line: the csv module's own limit (128 KiB) would cut a long cell.
        if csv.field_size_limit() < MAX_LINE:
            csv.field_size_limit(MAX_LINE)
        dot = source.rfind(".")
        preferred = _EXTENSION_DELIMITERS.get(source[dot:].lower()) if dot > 0 else None
        delimiter = named or sniff_delimiter(header_line, preferred) or ONE_COLUMN
        feed = map(add, chain((header_line,), lines, (SENTINEL,)), repeat("\n"))
        reader = csv.reader(feed, delimiter=delimiter, skipinitialspace=True)
        done = before  # physical lines read so far
        new = _NEW_RECORD
        try:
            header = next(reader)
            if header and SENTINEL in header[-1]:
                if header == [SENTINEL]:
                    return  # an empty file after all
                raise InputError(f"{source}:{done + 1}", _UNBALANCED)
            done = before + reader.line_num
            columns = find_columns(header, source, options)
            med, patient_at, code_at, reason_at, status_at, context_at, more, _ = columns
            long_rows.wide = bool(more)
            width = len(header)
            row_number = 0
            batch: list[InputRecord] = []
            for row in reader:
                start = done + 1
                done = before + reader.line_num
                if not row:
                    continue
                if SENTINEL in row[-1]:
                    if row == [SENTINEL]:
                        break
                    raise InputError(f"{source}:{start}", _UNBALANCED)
                n = len(row)
                text = row[med].strip() if med < n else ""
                if not text and not any(c.strip() for c in row):
                    continue  # a row of empty cells (",,,") is a blank line, not a data row
                row_number += 1
                patient = (row[patient_at].strip() or None) if patient_at is not None and patient_at < n else None
                codes = rxnorm_codes(row[code_at]) if code_at is not None and code_at < n else ()
                reason = row[reason_at].strip() if reason_at is not None and reason_at < n else ""
                status = (row[status_at].strip() or None) if status_at is not None and status_at < n else None
                context = {h: v for i, h in context_at if i < n and (v := row[i].strip())} or _NO_CONTEXT
                long = n > width and row_width(row, width) > width
                if long:
                    long_rows.add(start)
                if more or long:
                    fields = (patient, status, reason, codes, context)
                    batch.extend(shaped_records(row, columns, width, source, start, row_number, fields))
                else:
                    batch.append(new(source, start, text, patient, f"row {row_number}", status, reason, codes, context))
                if len(batch) >= BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch
        except csv.Error as e:
            if "field larger" in str(e):
                problem = _TOO_LONG
            elif before + reader.line_num - done > 1:
                problem = _UNBALANCED
            else:
                problem = f"cannot read this row ({e})"
            raise InputError(f"{source}:{done + 1}", problem) from None
