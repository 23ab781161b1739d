"""Excel (.xlsx, .xlsm, .xlsb, .xls) and OpenDocument (.ods) workbooks: one sheet read as a table, with
the column rules of CSV.

The workbook is read by python-calamine (the `excel` extra), imported only when a workbook is read: it
parses a sheet in Rust, about 30 times as fast as openpyxl, whose import alone costs a quarter of a second.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from types import MappingProxyType
from typing import TYPE_CHECKING, BinaryIO

from ..errors import InputError
from ..formats import InputFormat
from ..models import InputRecord, record_maker
from .base import BATCH, Claim, Head, Reader, ReadOptions
from .columns import MEDICATION_HEADERS, Columns, find_columns, normalize_header, row_width
from .compressed import workbook_kind
from .rows import LongRows, row_fields, shaped_records

if TYPE_CHECKING:
    from python_calamine import CalamineSheet

__all__ = ["EXTRA_MESSAGE", "MAX_WORKBOOK", "ExcelReader", "cell_text", "workbook_kind"]

MAX_WORKBOOK = 256 << 20  # bytes: a sheet is held in memory while it is read
HEADER_ROWS = 10  # non-empty rows looked at for the header (title rows come first in report exports)
EXTRA_MESSAGE = "reading Excel and OpenDocument workbooks needs the excel extra: pip install 'rlsmed[excel]'"
_NO_CONTEXT: MappingProxyType[str, str] = MappingProxyType({})
_NEW_RECORD = record_maker("source", "line", "text", "patient", "record", "status", "reason", "codes", "context")


def cell_text(value: object) -> str:
    """A cell's value as the text Excel shows: 312940 not 312940.0, dates as 2024-01-31."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _texts(row: Sequence[object]) -> list[str]:
    return [v if type(v) is str else cell_text(v) for v in row]  # most cells are text: no call for them


class ExcelReader(Reader):
    """A header row names the columns, as in CSV; each later non-empty row is one record. `line` is the
    row number Excel shows; `record` is "row N", N counting data rows from 1 (as for CSV). The sheet is
    the first, or the one ReadOptions.sheet names."""

    format = InputFormat.EXCEL
    statuses = True

    @staticmethod
    def detect(head: Head) -> Claim:
        return Claim.CERTAIN if workbook_kind(head.data) is not None else Claim.NONE

    def __init__(self) -> None:
        self._rows = LongRows()

    def notes(self) -> list[str]:
        return self._rows.notes()

    def read_batches(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
        sheet = _open_sheet(_read_all(stream, source), source, options.sheet)
        self._rows = LongRows()
        yield from sheet_batches(sheet.iter_rows(), source, options, sheet.name, self._rows)


def _read_all(stream: BinaryIO, source: str) -> bytes:
    parts = []
    size = 0
    while chunk := stream.read(1 << 20):
        size += len(chunk)
        if size > MAX_WORKBOOK:
            raise InputError(source, f"workbook larger than {MAX_WORKBOOK >> 20} MiB; save the sheet as CSV instead")
        parts.append(chunk)
    return b"".join(parts)


def _open_sheet(data: bytes, source: str, name: str | None) -> CalamineSheet:
    """The sheet to read: the one named, else the first."""
    try:
        from python_calamine import CalamineError, CalamineWorkbook
    except ImportError:
        raise InputError(source, EXTRA_MESSAGE) from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
        if not names:
            raise InputError(source, "a workbook without sheets")
        if name is None:
            return workbook.get_sheet_by_index(0)
        if name in names:
            return workbook.get_sheet_by_name(name)
        folded = [n.casefold().strip() for n in names]
        if name.casefold().strip() in folded:
            return workbook.get_sheet_by_index(folded.index(name.casefold().strip()))
    except CalamineError as e:
        # The library's message names the part at fault, never a cell's content.
        problem = "password-protected" if type(e).__name__ == "PasswordError" else f"damaged? {type(e).__name__}"
        raise InputError(source, f"cannot read this workbook ({problem})") from None
    raise InputError(source, f"no sheet {name!r}; the sheets are: {', '.join(names)}")


def _header(rows: Iterator[tuple[int, list[str]]], source: str, options: ReadOptions) -> tuple[int, list[str], Columns]:
    """The header row (its number, cells and columns). Report exports put title rows above it ("Clinic
    medication report", "Printed 3/31"), so when the first non-empty row is a single cell, or names no
    medication column, a later one of the first HEADER_ROWS non-empty rows with several cells, one of them
    a usual medication header (Medication, Drug, Description …), is the header. A --column is looked for
    in those rows. Otherwise InputError as from CSV."""
    seen: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        if any(c.strip() for c in cells):
            seen.append((number, cells))
            if len(seen) >= HEADER_ROWS:
                break
    if not seen:
        raise _Empty
    number, cells = seen[0]
    try:
        first: Columns | None = find_columns(cells, source, options)
    except InputError:
        first = None
    if options.column is not None:
        for number, cells in seen:
            try:
                return number, cells, find_columns(cells, source, options)
            except InputError:
                continue
    elif first is None or _filled(cells) < 2:
        for later, row in seen[1:]:
            if _filled(row) >= 2 and any(normalize_header(c) in MEDICATION_HEADERS for c in row):
                return later, row, find_columns(row, source, options)
    if first is not None:
        return number, cells, first
    find_columns(seen[0][1], source, options)  # raises the CSV reader's error
    raise AssertionError("find_columns accepted a header it refused")  # pragma: no cover


def _filled(row: Sequence[str]) -> int:
    return sum(bool(c.strip()) for c in row)


class _Empty(Exception):
    pass


def sheet_batches(
    raw_rows: Iterable[Sequence[object]],
    source: str,
    options: ReadOptions,
    sheet: str = "",
    long_rows: LongRows | None = None,
) -> Iterator[list[InputRecord]]:
    """The records of a sheet's rows (lists of cell values) in lists of up to BATCH."""
    numbered = ((i, _texts(row)) for i, row in enumerate(raw_rows, 1))
    looked: list[tuple[int, list[str]]] = []

    def remember() -> Iterator[tuple[int, list[str]]]:
        for item in numbered:
            looked.append(item)
            yield item

    try:
        header_number, header, columns = _header(remember(), source, options)
    except _Empty:
        return
    except InputError as e:
        where = f" (sheet {sheet!r})" if sheet else ""
        raise InputError(e.where, e.message + where) from None
    after = (item for item in looked if item[0] > header_number)
    long_rows = long_rows if long_rows is not None else LongRows()
    long_rows.wide = bool(columns.more)
    width = row_width(header, 0)  # a sheet's rows are as wide as its widest: empty cells do not count
    yield from _batches(chain(after, numbered), source, columns, width, long_rows)


def _batches(
    rows: Iterable[tuple[int, list[str]]], source: str, columns: Columns, width: int, long_rows: LongRows
) -> Iterator[list[InputRecord]]:
    med, more = columns.medication, columns.more
    new = _NEW_RECORD
    batch: list[InputRecord] = []
    count = 0
    for number, row in rows:
        n = len(row)
        if not any(c.strip() for c in row):
            continue  # an empty row is a blank line, not a record
        count += 1
        fields = row_fields(row, columns)
        long = n > width and row_width(row, width) > width
        if long:
            long_rows.add(number)
        if more or long:
            batch.extend(shaped_records(row, columns, width, source, number, count, fields))
        else:
            text = row[med].strip() if med < n else ""
            batch.append(new(source, number, text, fields[0], f"row {count}", *fields[1:]))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
