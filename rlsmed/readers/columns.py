"""Column recognition for tabular inputs (CSV, TSV, spreadsheets): which column holds the medication, the
patient, the RxNorm code, the indication and the status, and whether some text is a table at all."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from itertools import chain, islice, repeat
from operator import add
from typing import NamedTuple

from ..errors import InputError
from .base import ReadOptions
from .decode import looks_like_json

__all__ = [
    "DELIMITERS",
    "MEDICATION_HEADERS",
    "SENTINEL",
    "Columns",
    "find_columns",
    "looks_like_table",
    "normalize_header",
    "row_width",
    "sep_line",
    "sniff_delimiter",
]

DELIMITERS = "\t,;|"  # in order of preference when a header has as many of two
SENTINEL = "\x00"  # fed after the last line: decoding rejects NUL, so only a runaway quote can swallow it
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
    count = f"{len(headers)} column{'s' if len(headers) != 1 else ''}"
    if not _reads_as_header(stripped, keys):
        # A file without a header line: its first row is a patient's data, never to be echoed.
        raise InputError(source, f"no column {name!r}; the first row ({count}) does not read as a header line")
    shown = ", ".join(h for h in stripped if h)
    if len(shown) > 200:
        shown = shown[:200] + "…"
    raise InputError(source, f"no column {name!r}; the {count} are: {shown or '(none named)'}")


def _reads_as_header(cells: Sequence[str], keys: Sequence[str]) -> bool:
    """True when every cell reads as a column name and one names a column known from exports."""
    known = any(k in _KNOWN_HEADERS or k in _MEDICATION_SET for k in keys) or _medication_fallback(keys) is not None
    return known and all(_column_name(c) for c in cells)


class Columns(NamedTuple):
    """Positions of the columns a reader uses in a header row."""

    medication: int
    patient: int | None = None
    code: int | None = None
    reason: int | None = None
    status: int | None = None
    context: tuple[tuple[int, str], ...] = ()
    # The other medication columns of a wide export ("Medication 1", "Medication 2" …, or one header
    # repeated), each cell of which is a record of its own, with the name of each medication column.
    more: tuple[int, ...] = ()
    names: tuple[str, ...] = ()


def _same_medication(keys: Sequence[str], medication: int) -> list[int]:
    """The columns named as the medication column is, but for a number ("Medication 2" beside
    "Medication 1", or "Medication" twice)."""
    base = keys[medication].rstrip("0123456789")
    if base not in _MEDICATION_SET:
        return [medication]
    return [i for i, key in enumerate(keys) if key.rstrip("0123456789") == base]


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
    wide = [medication] if options.column is not None else _same_medication(keys, medication)
    taken = set(wide)
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
    if len(wide) == 1:
        return Columns(medication, patient, code, reason, status, context)
    names = tuple(headers[i].strip() or f"column {i + 1}" for i in wide)
    return Columns(wide[0], patient, code, reason, status, context, tuple(wide[1:]), names)


_SEP_LINE = re.compile(r"\A\s*sep=(.)\s*\Z")


def sep_line(line: str) -> str | None:
    """The delimiter an Excel "sep=;" first line names, or None when the line is not one."""
    found = _SEP_LINE.match(line.removeprefix("\ufeff"))
    return found.group(1) if found else None


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


def row_width(row: Sequence[str], width: int) -> int:
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
    named = sep_line(lines[start])
    if named is not None:  # Excel's "sep=;": the header is the next line
        start = next((i for i, line in enumerate(lines) if i > start and line.strip()), None)
        if start is None:
            return False
    header_line = lines[start].removeprefix("\ufeff")
    delimiter = named or sniff_delimiter(header_line)
    if delimiter is None or looks_like_json(header_line):
        return False
    feed = map(add, chain((header_line,), islice(lines, start + 1, None), (SENTINEL,)), repeat("\n"))
    reader = csv.reader(feed, delimiter=delimiter, skipinitialspace=True)
    try:
        header = next(reader)
        rows = []
        for row in islice(reader, SAMPLE_ROWS + 1):
            if row and SENTINEL in row[-1]:
                break  # the end, or a quote left open (which the CSV reader reports)
            if row:
                rows.append(row)
    except csv.Error:
        return False
    if not header or SENTINEL in header[-1] or not all(_column_name(c) for c in header):
        return False
    width = len(header)
    rows = rows[:SAMPLE_ROWS]
    if any(row_width(row, width) != width for row in rows):
        return False
    keys = [normalize_header(c) for c in header]
    known = sum(k in _KNOWN_HEADERS or k in _MEDICATION_SET for k in keys)
    if any(k in _MEDICATION_SET for k in keys):
        return known >= 2 or len(rows) >= MIN_ROWS
    return not need_medication and known >= 2 and len(rows) >= MIN_ROWS
