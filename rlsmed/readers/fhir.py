"""FHIR R4 (and R5) JSON: medication resources from Bundles, single resources, arrays and NDJSON."""

from __future__ import annotations

import json
import re
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import BinaryIO, cast

from ..conditions import PatientConditions, rls_patients_in
from ..errors import InputError, RlsmedError
from ..formats import InputFormat
from ..models import InputRecord
from . import jsonstrict
from .base import Claim, Head, Opener, Reader, ReadOptions, Rewound, in_batches
from .decode import CHUNK, iter_chunks, iter_lines, looks_like_json, sniff_encoding
from .fhir_json import is_resource
from .fhir_resources import (
    NOT_FOUND,
    NOT_RESOLVED,
    TOO_MANY,
    Lookup,
    Seen,
    add_medication,
    collect_medications,
    medication_records,
)
from .jsonstrict import StrictJsonError
from .references import MAX_MEDICATION_KEYS, MedicationEntry, MedicationIndex

__all__ = ["MAX_DOCUMENT", "FhirReader", "scan_medications"]

MAX_DOCUMENT = 1 << 30  # a Bundle is loaded whole; larger exports come as NDJSON
MAX_LOOKAHEAD = 4096  # NDJSON lines held while a reference waits for a Medication on a later line
MAX_LOOKAHEAD_CHARS = 32 << 20  # ... and at most this much of them
_NDJSON_EXTENSIONS = (".ndjson", ".jsonl")
_NOT_FHIR = "JSON, but not a FHIR resource, Bundle or NDJSON"
_RESOURCE_TYPE = re.compile(r'"resourceType"\s*:')


def _document(value: object, source: str, lookup: Lookup, seen: Seen) -> Iterator[InputRecord]:
    """The records of a whole JSON document: a Bundle, a resource, or an array of them."""
    if isinstance(value, dict):
        if "resourceType" not in value:
            raise InputError(source, _NOT_FHIR)
        yield from medication_records(value, source, None, lookup, seen)
        return
    if not isinstance(value, list) or (value and not any(is_resource(v) for v in value)):
        raise InputError(source, _NOT_FHIR)
    own: dict[str, MedicationEntry] = {}
    for item in value:
        if isinstance(item, dict) and item.get("resourceType") == "Medication":
            add_medication(own, item)
    lookup = lookup.within(own)
    for position, item in enumerate(value, 1):
        if isinstance(item, dict):
            yield from medication_records(item, source, position, lookup, seen)


def _parse(text: str, source: str, line: int | None = None) -> object:
    """The JSON value of a document (line None) or of one NDJSON line; InputError naming the line."""
    try:
        return jsonstrict.loads(text)
    except StrictJsonError as e:  # a key given twice, NaN or Infinity
        raise InputError(f"{source}:{line}" if line else source, f"not valid JSON ({e})") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{source}:{line or e.lineno}", f"not valid JSON ({e.msg})") from None
    except RecursionError:
        raise InputError(f"{source}:{line}" if line else source, "not valid JSON (nested too deeply)") from None
    except ValueError:  # e.g. an integer with more digits than Python converts
        raise InputError(f"{source}:{line}" if line else source, "not valid JSON (a value out of range)") from None


def _first_line_is_an_object(text: str) -> bool:
    """True when the first non-blank line is a whole JSON object (as each line of NDJSON is)."""
    first = text.lstrip().replace("\r", "\n").split("\n", 1)[0].rstrip()
    if not first.endswith("}"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return False


def _decode(data: bytes, source: str) -> str:
    """The text of a whole document, decoded by the rules every reader follows."""
    try:
        encoding, skip = sniff_encoding(data[:CHUNK], final=len(data) <= CHUNK)
    except ValueError as e:
        raise InputError(source, f"{e}; is this a FHIR file?") from None
    # ASCII at the start: UTF-8 if the rest is UTF-8, else Windows-1252 (as the line decoder decides).
    candidates = ("utf-8", "cp1252") if encoding is None else (encoding,)
    for name in candidates:
        try:
            return data[skip:].decode(name)
        except UnicodeDecodeError as e:
            if name != candidates[-1]:
                continue
            line = e.object[: e.start].decode(name, "replace").count("\n") + 1
            label = "UTF-8" if name == "utf-8" else "Windows-1252"
            raise InputError(f"{source}:{line}", f"bytes that are not valid {label} text") from None
    return ""  # unreachable: the last candidate returns or raises


def _looks_like_ndjson(head: bytes) -> bool:
    """True when the first bytes hold a whole JSON object on the first line and more after it."""
    try:
        encoding, skip = sniff_encoding(head, final=False)
    except ValueError:
        return False
    text = head[skip:].decode(encoding or "utf-8", "replace").lstrip()
    rest = text.replace("\r", "\n").partition("\n")[2]
    return bool(rest.strip()) and _first_line_is_an_object(text)


class FhirReader(Reader):
    """Every medication resource is one record; its status is reported, not filtered (screening does that)."""

    format = InputFormat.FHIR
    statuses = True

    @staticmethod
    def detect(head: Head) -> Claim:
        """JSON naming a resourceType is FHIR whatever its name; other JSON, when its name tells nothing."""
        if head.sample is None or not looks_like_json(head.sample):
            return Claim.NONE
        if _RESOURCE_TYPE.search(head.sample):
            return Claim.CERTAIN
        return Claim.LIKELY if head.named is None else Claim.NONE

    def __init__(self) -> None:
        self._seen = Seen()
        self._records = 0

    def notes(self) -> list[str]:
        notes = self._seen.notes()
        if self._seen.medications and not self._records:
            n = self._seen.medications
            notes.append(
                f"{n:,} Medication resource{'s' if n != 1 else ''} (a product, not a patient's use of it) and no "
                "MedicationRequest, -Statement, -Dispense or -Administration: nothing to screen on its own"
            )
        return notes

    def read_batches(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
        return in_batches(self.read(stream, source, options))

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]:
        """The records of one input; InputError when it gave none but holds medication resources of types
        rlsmed does not read (so that a file with nothing read never looks like a clean list)."""
        self._seen = seen = Seen()
        self._records = 0
        for record in self._read(stream, source, options, seen):
            self._records += 1
            yield record
        if not self._records and seen.unread:
            kinds = ", ".join(f"{n:,} {kind}" for kind, n in seen.unread.items())
            raise InputError(source, f"no medication resource rlsmed reads, but {kinds}: nothing was screened")

    def _read(self, stream: BinaryIO, source: str, options: ReadOptions, seen: Seen) -> Iterator[InputRecord]:
        run = options.medications
        known = run.entries if run is not None else None
        covered = run is not None and source in run.sources
        head = stream.read(CHUNK)
        if source.lower().endswith(_NDJSON_EXTENSIONS) or _looks_like_ndjson(head):
            lines = iter_lines(cast(BinaryIO, Rewound(head, stream)), source)
            yield from _ndjson(lines, source, seen, known, covered, run is not None and run.full, options.conditions)
            return
        text = _read_document(head, stream, source)
        if not text.strip():
            return
        try:
            value = _parse(text, source)
        except InputError:
            # NDJSON whose first line is longer than the bytes looked at: read it from memory, where its
            # Medications can be collected first.
            if not _first_line_is_an_object(text):
                raise
            mine: dict[str, MedicationEntry] = {}
            full = not _scan_lines(text.split("\n"), mine, MAX_MEDICATION_KEYS)
            both = ChainMap(mine, cast(MutableMapping[str, MedicationEntry], known)) if known else mine
            yield from _ndjson(enumerate(text.split("\n"), 1), source, seen, both, True, full, options.conditions)
            return
        if options.conditions is not None:  # RLS on record: known before the document's records are screened
            options.conditions.rls.update(rls_patients_in(value))
        note = TOO_MANY if run is not None and run.full else NOT_FOUND
        yield from _document(value, source, Lookup(known or {}, note), seen)

    def prepare(self, inputs: Sequence[Opener], options: ReadOptions) -> ReadOptions:
        """A medicationReference must resolve whatever the order of lines and files (a Bulk Data export has
        MedicationRequest.ndjson and Medication.ndjson): the run's FHIR inputs are read once before the
        screening, cheaply (only lines that name a Medication are parsed), and their Medication resources
        kept in `medications` (an index bounded by the number of distinct medications). NDJSON inputs are
        always scanned; Bundles and other documents only when there are several FHIR inputs (a document's
        references to itself resolve anyway). Errors are left for the reading to report."""
        if options.medications is not None or not inputs:
            return options
        run = MedicationIndex()
        for item in inputs:
            try:
                stream = item.opener()
                try:
                    scan_medications(stream, item.name, run, len(inputs) > 1, options.conditions)
                finally:
                    stream.close()
            except (RlsmedError, OSError, ValueError):
                continue  # reported when the input is read
        return options._replace(medications=run) if run.entries or run.sources else options


def _read_document(head: bytes, stream: BinaryIO, source: str) -> str:
    """The whole decoded text of a JSON document (at most MAX_DOCUMENT bytes)."""
    try:
        sniff_encoding(head, final=False)  # binary data is refused before the rest is read
    except ValueError as e:
        raise InputError(source, f"{e}; is this a FHIR file?") from None
    parts = [head]
    size = len(head)
    while chunk := stream.read(CHUNK * 16):
        size += len(chunk)
        if size > MAX_DOCUMENT:
            raise InputError(source, f"larger than {MAX_DOCUMENT >> 20:,} MiB; export it as NDJSON instead")
        parts.append(chunk)
    data = b"".join(parts)
    del parts
    return _decode(data, source)


def _line_records(value: object, source: str, number: int, lookup: Lookup, seen: Seen) -> Iterator[InputRecord]:
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield from medication_records(item, source, number, lookup, seen)
    elif isinstance(value, dict):
        yield from medication_records(value, source, number, lookup, seen)


def _ndjson(
    lines: Iterable[tuple[int, str]],
    source: str,
    seen: Seen,
    known: Mapping[str, MedicationEntry] | None = None,
    covered: bool = False,
    full: bool = False,
    conditions: PatientConditions | None = None,
) -> Iterator[InputRecord]:
    """One resource (or Bundle, or array) a line, streamed; RLS on record in Condition lines is added to
    `conditions`.

    `known` holds Medications collected before reading (FhirReader.prepare); `covered` says it has all of this
    input's. Otherwise references resolve to Medications of earlier lines and of up to MAX_LOOKAHEAD later
    ones: from a line with a reference not found yet, lines are held, in order, until the Medication may
    have come (the end of the input, or the look-ahead limit).
    """
    local: dict[str, MedicationEntry] = {}
    index: Mapping[str, MedicationEntry]
    if known is None:
        index = local
    elif covered:
        index = known
    else:
        index = ChainMap(local, cast(MutableMapping[str, MedicationEntry], known))
    pending: list[tuple[int, object]] = []
    held = 0  # characters of the pending lines
    lookup = Lookup(index, TOO_MANY if full else NOT_FOUND, None if covered else [])
    for number, line in lines:
        if not line.strip():
            continue
        value = _parse(line, source, number)
        if isinstance(value, dict) and "resourceType" in value:
            collect = value["resourceType"] in ("Medication", "Bundle")
            if conditions is not None and value["resourceType"] in ("Condition", "Bundle"):
                conditions.rls.update(rls_patients_in(value))
        elif isinstance(value, list):
            collect = True
            if conditions is not None:
                conditions.rls.update(rls_patients_in(value))
        else:
            raise InputError(f"{source}:{number}", _NOT_FHIR)
        if collect and not covered and not full and not collect_medications(value, local, MAX_MEDICATION_KEYS):
            full = True
            lookup = Lookup(index, TOO_MANY, lookup.missed)
        if pending and (len(pending) >= MAX_LOOKAHEAD or held > MAX_LOOKAHEAD_CHARS):
            yield from _flush(pending, source, Lookup(index, NOT_RESOLVED), seen)  # waited long enough
            pending, held = [], 0
        if pending:
            pending.append((number, value))
            held += len(line)
            continue
        records = list(_line_records(value, source, number, lookup, seen))
        if lookup.missed:
            pending.append((number, value))  # a Medication on a later line may resolve it
            held = len(line)
            lookup.missed = []
        else:
            yield from records
    if pending:
        yield from _flush(pending, source, Lookup(index, TOO_MANY if full else NOT_FOUND), seen)


def _flush(pending: list[tuple[int, object]], source: str, lookup: Lookup, seen: Seen) -> Iterator[InputRecord]:
    for number, value in pending:
        yield from _line_records(value, source, number, lookup, seen)


# The pre-pass (FhirReader.prepare): only the Medication resources, cheaply.

_CONDITION_RESOURCE = re.compile(r'"resourceType"\s*:\s*"Condition"')
_MEDICATION_RESOURCE = re.compile(r'"resourceType"\s*:\s*"Medication"')


def _scan_lines(
    lines: Iterable[str], index: dict[str, MedicationEntry], limit: int, conditions: PatientConditions | None = None
) -> bool:
    """Collect the Medications of NDJSON lines (only lines that may hold one are parsed), and RLS on record
    in its Condition lines; False when the index is full."""
    for line in lines:
        if conditions is not None and '"Condition"' in line and _CONDITION_RESOURCE.search(line):
            try:
                conditions.rls.update(rls_patients_in(json.loads(line)))
            except (ValueError, RecursionError):
                continue  # the reader reports it
        if '"Medication"' in line and _MEDICATION_RESOURCE.search(line):
            try:
                value = json.loads(line)
            except (ValueError, RecursionError):
                continue  # the reader reports it
            if not collect_medications(value, index, limit):
                return False
    return True


def scan_medications(
    stream: BinaryIO,
    source: str,
    run: MedicationIndex,
    documents: bool = True,
    conditions: PatientConditions | None = None,
) -> None:
    """Add the Medication resources of one FHIR input to a run's index, and name the input in
    `run.sources` when all of them are in. `documents` False skips inputs that are not NDJSON (a
    document's own references resolve within it). Raises InputError as reading would."""
    head = stream.read(CHUNK)
    if source.lower().endswith(_NDJSON_EXTENSIONS) or _looks_like_ndjson(head):
        chunks = iter_chunks(cast(BinaryIO, Rewound(head, stream)), source)
        complete = all(_scan_lines(lines, run.entries, run.limit, conditions) for _, lines in chunks)
    elif not documents:
        return
    else:
        text = _read_document(head, stream, source)
        if not _MEDICATION_RESOURCE.search(text):
            complete = True
        else:
            try:
                value: object = json.loads(text)
            except (ValueError, RecursionError):
                value = None
            if value is not None:
                complete = collect_medications(value, run.entries, run.limit)
            else:
                complete = _scan_lines(text.split("\n"), run.entries, run.limit)
    if complete:
        run.sources.add(source)
    else:
        run.full = True
