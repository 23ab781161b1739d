"""CSV, TSV and similar exports: one medication a row, found by its column header."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator, Sequence
from itertools import chain, islice, repeat
from operator import add
from types import MappingProxyType
from typing import BinaryIO, NamedTuple

from ..errors import InputError
from ..models import InputRecord
from .base import BATCH, ReadOptions
from .decode import MAX_LINE, iter_chunks, looks_like_json

__all__ = ["Columns", "CsvReader", "find_columns", "looks_like_table", "sniff_delimiter"]

DELIMITERS = "\t,;|"  # in order of preference when a header has as many of two
ONE_COLUMN = "\x1f"  # a header without delimiters is one column: rows are then split nowhere
_SENTINEL = "\x00"  # fed after the last line: decoding rejects NUL, so only a runaway quote can swallow it
_EXTENSION_DELIMITERS = {".tsv": "\t", ".tab": "\t", ".psv": "|"}

# Header names after normalize_header, most specific first: the first one present wins.
MEDICATION_HEADERS = (
    "medicationname medication medications medicationtext medicationdescription medicationdisplay "
    "drugname drug drugs drugdescription medname med meds medicine medicinename medicines "
    "genericname nameofdrug productname product productdescription brandname "
    "activeingredient ingredient description display "
    "medicament medicamento medikament farmaco geneesmiddel lakemedel"
).split()
_MEDICATION_SET = frozenset(MEDICATION_HEADERS)
PATIENT_HEADERS = (
    "patientid patient mrn patientmrn medicalrecordnumber personid person subjectid subject memberid member "
    "patientnumber ptid clientid residentid patientname"
).split()
CODE_HEADERS = "rxnormcode rxnorm rxcui rxnormcui rxnormid code medicationcode drugcode".split()
REASON_HEADERS = "indication indications reasondescription reason reasonforuse reasontext diagnosis".split()
STATUS_HEADERS = "status medicationstatus orderstatus prescriptionstatus".split()
# A header that names a drug but not one of the above ("Medication (generic)") unless it names a detail.
_MEDICATION_WORDS = ("medication", "drug", "medicine")
_DETAIL_WORDS = (
    "class type status reason dose dosage route frequency quantity strength count cost date start stop unit "
    "category allerg interaction instruction"
).split()
_DETAIL_ENDINGS = ("id", "code", "codes", "cui", "ndc", "no", "number", "num")
# Other names a column of a medication export has (after normalize_header): with a medication column,
# one of these makes a header line a header even before any data row confirms it.
OTHER_HEADERS = (
    "dose dosage doses strength sig directions instructions frequency route form quantity qty unit units "
    "refills start stop startdate stopdate enddate begindate orderdate ordered prescriber provider pharmacy "
    "note notes comment comments posologie dosis"
).split()
_KNOWN_HEADERS = frozenset(PATIENT_HEADERS + CODE_HEADERS + REASON_HEADERS + STATUS_HEADERS + OTHER_HEADERS)

_NO_CONTEXT: MappingProxyType[str, str] = MappingProxyType({})


def normalize_header(header: str) -> str:
    """A header name compared case-, accent- and punctuation-insensitively: "Médication_Name" -> "medicationname"."""
    if not header.isascii():
        header = unicodedata.normalize("NFKD", header)
    return "".join(c for c in header.casefold() if c.isalnum() and not unicodedata.combining(c))


def sniff_delimiter(header: str, preferred: str | None = None) -> str | None:
    """The delimiter of a header line (counted outside quotes), or None when it has none."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for c in header:
        if c == '"':
            quoted = not quoted
        elif not quoted and c in counts:
            counts[c] += 1
    if preferred is not None and counts.get(preferred):
        return preferred
    best = max(DELIMITERS, key=counts.__getitem__)
    return best if counts[best] else None


def _first(keys: Sequence[str], ranked: Sequence[str], taken: set[int]) -> int | None:
    for name in ranked:
        for i, key in enumerate(keys):
            if key == name and i not in taken:
                return i
    return None


def _medication_fallback(keys: Sequence[str]) -> int | None:
    for i, key in enumerate(keys):
        if (
            any(w in key for w in _MEDICATION_WORDS)
            and not any(w in key for w in _DETAIL_WORDS)
            and not key.endswith(_DETAIL_ENDINGS)
        ):
            return i
    return None


def _named(headers: Sequence[str], keys: Sequence[str], name: str, source: str) -> int:
    """The column the user named: exactly as written, else compared like other headers."""
    stripped = [h.strip() for h in headers]
    if name.strip() in stripped:
        return stripped.index(name.strip())
    key = normalize_header(name)
    if key and key in keys:
        return list(keys).index(key)
    shown = ", ".join(h for h in stripped if h)
    if len(shown) > 200:
        shown = shown[:200] + "…"
    raise InputError(source, f"no column {name!r}; the columns are: {shown or '(none)'}")


class Columns(NamedTuple):
    """Positions of the columns a reader uses in a header row."""

    medication: int
    patient: int | None = None
    code: int | None = None
    reason: int | None = None
    status: int | None = None
    context: tuple[tuple[int, str], ...] = ()


def find_columns(headers: Sequence[str], source: str, options: ReadOptions) -> Columns:
    """Which column holds what; InputError when no medication column is found (or a named one is missing)."""
    keys = [normalize_header(h) for h in headers]
    if options.column is not None:
        medication: int | None = _named(headers, keys, options.column, source)
    else:
        medication = _first(keys, MEDICATION_HEADERS, set())
        if medication is None:
            medication = _medication_fallback(keys)
    if medication is None:
        raise InputError(
            source, "no medication column (looked for medication, drug, description …); name it with --column"
        )
    taken = {medication}
    if options.patient_column is not None:
        patient: int | None = _named(headers, keys, options.patient_column, source)
    else:
        patient = _first(keys, PATIENT_HEADERS, taken)
    if patient is not None:
        taken.add(patient)
    code = _first(keys, CODE_HEADERS, taken)
    if code is not None:
        taken.add(code)
    reason = _first(keys, REASON_HEADERS, taken)
    if reason is not None:
        taken.add(reason)
    status = _first(keys, STATUS_HEADERS, taken)
    # Every other column is kept as context (so a finding can be joined back to its row); the status
    # stays there too, where a report shows it beside the finding. Dose and directions are shown
    # with each finding (rlsmed.writers.labels.dose).
    context = tuple((i, headers[i].strip() or f"column {i + 1}") for i in range(len(keys)) if i not in taken)
    return Columns(medication, patient, code, reason, status, context)


# Content detection (stdin and names without a telling extension): a table must show that it is one.
SAMPLE_ROWS = 20  # data rows looked at after the header
MIN_ROWS = 3  # consistent data rows that confirm a header without a second known column name
_MAX_NAME = 40  # characters of a column name; longer cells are free text
_MAX_NAME_WORDS = 5
_NUMBER_WORD = re.compile(r"(?:^|[\s(\[#])\d")  # "50 mg", "as of 3/1", "(2024)": not a column name


def _column_name(cell: str) -> bool:
    """True when a header cell reads as a column name: short, a letter, no number or date standing alone,
    no "label: text". Digits inside a word ("ICD10", "Dose_2") are fine; an empty cell is fine."""
    cell = cell.strip()
    if not cell:
        return True
    return (
        len(cell) <= _MAX_NAME
        and len(cell.split()) <= _MAX_NAME_WORDS
        and any(c.isalpha() for c in cell)
        and not _NUMBER_WORD.search(cell)
        and ":" not in cell.rstrip(":")
    )


def _width(row: Sequence[str], width: int) -> int:
    """The number of cells of a row, not counting empty cells beyond `width` (a trailing delimiter)."""
    n = len(row)
    while n > width and not row[n - 1].strip():
        n -= 1
    return n


def looks_like_table(sample: str, *, complete: bool, need_medication: bool = False) -> bool:
    """True when the first lines of an input are a delimited table (for format detection by content).

    `sample` is the decoded start of the input and `complete` says whether it is the whole input (else its
    last line, perhaps cut short, is not looked at). A table has a header line with a delimiter whose
    cells all read as column names, and every data row of the sample (up to SAMPLE_ROWS) has as many
    cells as the header. Then it is a table when the header names a medication column (MEDICATION_HEADERS)
    and either another column known from exports (patient, dose, sig, code, status …) or at least
    MIN_ROWS data rows; or, unless `need_medication`, without a medication column when it names two
    known columns and has MIN_ROWS data rows (the CSV reader then asks for --column).
    A list whose lines hold several drugs separated by commas has no such header: it stays text.
    """
    lines = sample.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not complete:
        lines.pop()  # perhaps cut short
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return False
    header_line = lines[start].removeprefix("\ufeff")
    delimiter = sniff_delimiter(header_line)
    if delimiter is None or looks_like_json(header_line):
        return False
    feed = map(add, chain((header_line,), islice(lines, start + 1, None), (_SENTINEL,)), repeat("\n"))
    reader = csv.reader(feed, delimiter=delimiter, skipinitialspace=True)
    try:
        header = next(reader)
        rows = []
        for row in islice(reader, SAMPLE_ROWS + 1):
            if row and _SENTINEL in row[-1]:
                break  # the end, or a quote left open (which the CSV reader reports)
            if row:
                rows.append(row)
    except csv.Error:
        return False
    if not header or _SENTINEL in header[-1] or not all(_column_name(c) for c in header):
        return False
    width = len(header)
    rows = rows[:SAMPLE_ROWS]
    if any(_width(row, width) != width for row in rows):
        return False
    keys = [normalize_header(c) for c in header]
    known = sum(k in _KNOWN_HEADERS or k in _MEDICATION_SET for k in keys)
    if any(k in _MEDICATION_SET for k in keys):
        return known >= 2 or len(rows) >= MIN_ROWS
    return not need_medication and known >= 2 and len(rows) >= MIN_ROWS


def _codes(cell: str) -> tuple[str, ...]:
    # RxCUIs are digits, at most 8 of them so far; NDCs (10-11 digits) and SNOMED codes are not RxNorm.
    cell = cell.strip()
    if cell.isdigit() and cell.isascii() and len(cell) <= 8:
        return (cell,)
    if not cell:
        return ()
    parts = cell.replace(";", " ").replace(",", " ").replace("|", " ").split()
    return tuple(p for p in parts if p.isascii() and p.isdigit() and len(p) <= 8)


_UNBALANCED = "unbalanced quote: a quoted field starts on this line and is never closed"
_TOO_LONG = f"a field longer than {MAX_LINE:,} characters starts on this row (a quote left open?)"
_JSON = "JSON, not CSV or TSV; FHIR JSON is read with --input-format fhir"


def _is_json(header_line: str) -> bool:
    """True when the line a header should be on starts a JSON document (`{`, `[`, `{"…`, `[{…`)."""
    return header_line.strip() in ("{", "[") or looks_like_json(header_line)


class CsvReader:
    """A header row names the columns; every other non-blank row is one record.

    `line` is the physical line a row starts on; `record` is "row N", N counting data rows from 1 and
    skipping blank lines (and rows of empty cells).
    """

    name = "csv"
    statuses = True  # a status column, when there is one, is screened like FHIR statuses

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]:
        for batch in self.read_batches(stream, source, options):
            yield from batch

    def read_batches(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
        """The records in lists of up to BATCH rows."""
        lines = chain.from_iterable(chunk for _, chunk in iter_chunks(stream, source))
        before = 0  # blank lines before the header
        for header_line in lines:
            if header_line.strip():
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
        delimiter = sniff_delimiter(header_line, preferred) or ONE_COLUMN
        feed = map(add, chain((header_line,), lines, (_SENTINEL,)), repeat("\n"))
        reader = csv.reader(feed, delimiter=delimiter, skipinitialspace=True)
        done = before  # physical lines read so far
        new = tuple.__new__
        try:
            header = next(reader)
            if header and _SENTINEL in header[-1]:
                if header == [_SENTINEL]:
                    return  # an empty file after all
                raise InputError(f"{source}:{done + 1}", _UNBALANCED)
            done = before + reader.line_num
            med, patient_at, code_at, reason_at, status_at, context_at = find_columns(header, source, options)
            row_number = 0
            batch: list[InputRecord] = []
            for row in reader:
                start = done + 1
                done = before + reader.line_num
                if not row:
                    continue
                if _SENTINEL in row[-1]:
                    if row == [_SENTINEL]:
                        break
                    raise InputError(f"{source}:{start}", _UNBALANCED)
                n = len(row)
                text = row[med].strip() if med < n else ""
                if not text and not any(c.strip() for c in row):
                    continue  # a row of empty cells (",,,") is a blank line, not a data row
                row_number += 1
                patient = (row[patient_at].strip() or None) if patient_at is not None and patient_at < n else None
                codes = _codes(row[code_at]) if code_at is not None and code_at < n else ()
                reason = row[reason_at].strip() if reason_at is not None and reason_at < n else ""
                status = (row[status_at].strip() or None) if status_at is not None and status_at < n else None
                context = {h: v for i, h in context_at if i < n and (v := row[i].strip())} or _NO_CONTEXT
                record = (source, start, text, patient, f"row {row_number}", status, reason, codes, context)
                batch.append(new(InputRecord, record))
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
