"""Rows of a table (CSV, a sheet) that are not one medication each: a wide export's several medication
columns, and rows longer than their header. Shared by the tabular readers."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..models import InputRecord, record_maker
from .codes import rxnorm_codes
from .columns import Columns

__all__ = ["Fields", "LongRows", "row_fields", "shaped_records"]

_NEW_RECORD = record_maker("source", "line", "text", "patient", "record", "status", "reason", "codes", "context")
Fields = tuple[
    str | None, str | None, str, tuple[str, ...], Mapping[str, str]
]  # patient, status, reason, codes, context


_NO_CONTEXT: MappingProxyType[str, str] = MappingProxyType({})


def row_fields(row: list[str], columns: Columns) -> Fields:
    """What a row says besides its medication: patient, status, reason, RxNorm codes, the other cells.
    (The CSV reader does the same inline: it runs once per row of an export.)"""
    n = len(row)
    patient_at, code_at, reason_at, status_at = columns.patient, columns.code, columns.reason, columns.status
    patient = (row[patient_at].strip() or None) if patient_at is not None and patient_at < n else None
    status = (row[status_at].strip() or None) if status_at is not None and status_at < n else None
    reason = row[reason_at].strip() if reason_at is not None and reason_at < n else ""
    codes = rxnorm_codes(row[code_at]) if code_at is not None and code_at < n else ()
    context = {h: v for i, h in columns.context if i < n and (v := row[i].strip())} or _NO_CONTEXT
    return patient, status, reason, codes, context


class LongRows:
    """The rows longer than their header, counted for a note: what was done with their cells."""

    SHOWN = 5  # line numbers named in the note

    def __init__(self) -> None:
        self.count = 0
        self.lines: list[int] = []
        self.wide = False

    def add(self, line: int) -> None:
        self.count += 1
        if len(self.lines) < self.SHOWN:
            self.lines.append(line)

    def notes(self) -> list[str]:
        if not self.count:
            return []
        n = self.count
        lines = ", ".join(map(str, self.lines)) + (", …" if n > len(self.lines) else "")
        what = (
            "each cell beyond the header screened as a record of its own"
            if self.wide
            else "their cells from the medication column on screened together"
        )
        rows = f"{n:,} row{'s' if n != 1 else ''}"
        return [f"{rows} longer than the header (line{'s' if n != 1 else ''} {lines}): {what}"]


def shaped_records(
    row: list[str], columns: Columns, width: int, source: str, line: int, number: int, fields: Fields
) -> list[InputRecord]:
    """The records of a row of a wide export (a record for each medication cell, named by its column, and
    for each cell beyond the header), or of a row longer than its header (the cells from the medication
    column on, screened together: an unquoted comma may have moved a drug into the next column)."""
    patient, status, reason, codes, context = fields
    n = len(row)
    if not columns.more:
        roles = {columns.patient, columns.code, columns.reason, columns.status}
        cells = [c for i, cell in enumerate(row) if i >= columns.medication and i not in roles and (c := cell.strip())]
        return [_NEW_RECORD(source, line, ", ".join(cells), patient, f"row {number}", status, reason, codes, context)]
    named = list(zip((columns.medication, *columns.more), columns.names, strict=True))
    named += [(i, f"column {i + 1}") for i in range(width, n)]
    records = [
        _NEW_RECORD(source, line, cell, patient, f"row {number}, {name}", status, reason, codes, context)
        for i, name in named
        if i < n and (cell := row[i].strip())
    ]
    if not records:  # a row with no drug in any medication column is still a record (unrecognised)
        name = f"row {number}, {columns.names[0]}"
        records.append(_NEW_RECORD(source, line, "", patient, name, status, reason, codes, context))
    return records
