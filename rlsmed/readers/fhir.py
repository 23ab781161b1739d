"""FHIR R4 (and R5) JSON: medication resources from Bundles, single resources, arrays and NDJSON."""

from __future__ import annotations

import json
import re
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from types import MappingProxyType
from typing import Any, BinaryIO, cast

from ..errors import InputError
from ..models import InputRecord
from .base import MAX_MEDICATION_KEYS, MedicationEntry, MedicationIndex, ReadOptions, Rewound
from .decode import CHUNK, iter_chunks, iter_lines, sniff_encoding

__all__ = ["MAX_DOCUMENT", "MEDICATION_TYPES", "FhirReader", "collect_medications", "scan_medications"]

MAX_DOCUMENT = 1 << 30  # a Bundle is loaded whole; larger exports come as NDJSON
MAX_LOOKAHEAD = 4096  # NDJSON lines held while a reference waits for a Medication on a later line
MAX_LOOKAHEAD_CHARS = 32 << 20  # ... and at most this much of them
MEDICATION_TYPES = frozenset(
    {"MedicationRequest", "MedicationStatement", "MedicationDispense", "MedicationAdministration"}
)
RXNORM_SYSTEMS = frozenset(
    {
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "https://www.nlm.nih.gov/research/umls/rxnorm",
        "urn:oid:2.16.840.1.113883.6.88",
    }
)
# Labels of code systems other than RxNorm, for the text of a record known only by its code.
SYSTEM_LABELS = {
    "http://snomed.info/sct": "SNOMED CT",
    "http://hl7.org/fhir/sid/ndc": "NDC",
    "http://www.whocc.no/atc": "ATC",
    "urn:oid:2.16.840.1.113883.6.69": "NDC",
    "urn:oid:2.16.840.1.113883.6.96": "SNOMED CT",
}
_NDJSON_EXTENSIONS = (".ndjson", ".jsonl")
_NOT_FHIR = "JSON, but not a FHIR resource, Bundle or NDJSON"
_NO_CONTEXT: MappingProxyType[str, str] = MappingProxyType({})

Json = dict[str, Any]


# Shape-tolerant accessors: exports and hand-written files put strings, lists or numbers where FHIR
# has objects, and none of that may crash a screening.


def _obj(value: object) -> Json | None:
    """An object, or the first object of a list where one object was expected."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, dict)), None)
    return None


def _objs(value: object) -> list[Json]:
    """The objects of a list (or a lone object where a list was expected)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _entries(bundle: Json) -> Iterator[tuple[int, Json]]:
    """(position, entry) for a Bundle's entries, numbered 1..n as written, odd entries included."""
    entries = bundle.get("entry")
    if isinstance(entries, dict):
        entries = [entries]
    if isinstance(entries, list):
        for position, entry in enumerate(entries, 1):
            if isinstance(entry, dict):
                yield position, entry


_SURROGATE = re.compile("[\ud800-\udfff]")


def _str(value: object) -> str:
    if isinstance(value, str):
        if not value.isascii():
            # JSON may escape half of a UTF-16 pair ("\ud800"): no character, and no output can hold it.
            value = _SURROGATE.sub("\ufffd", value)
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _join(texts: Iterable[str], sep: str = "; ") -> str:
    return sep.join(dict.fromkeys(t for t in texts if t))


def _concept(value: object) -> tuple[str, tuple[str, ...]]:
    """(text, RxNorm codes) of a CodeableConcept: its text, else the RxNorm display, else any display."""
    concept = _obj(value)
    if concept is None:
        return _str(value), ()  # a bare string where a concept belongs is the drug's name
    codings = _objs(concept.get("coding"))
    rxnorm = [c for c in codings if _str(c.get("system")).rstrip("/").lower() in RXNORM_SYSTEMS]
    codes = tuple(dict.fromkeys(code for c in rxnorm if (code := _str(c.get("code")))))
    text = _str(concept.get("text"))
    if not text:
        text = next((d for c in (*rxnorm, *codings) if (d := _str(c.get("display")))), "")
    return text, codes


def _display(reference: object) -> str:
    ref = _obj(reference)
    return _str(ref.get("display")) if ref is not None else ""


def _reference(reference: object) -> str:
    """The `reference` of a Reference (or a bare string where a Reference belongs)."""
    ref = _obj(reference)
    return _str(ref.get("reference")) if ref is not None else _str(reference)


def _code_label(value: object) -> str:
    """A concept's code for a person to read when it has no text: "RxNorm 1049630", "SNOMED CT 372720008"."""
    concept = _obj(value)
    if concept is None:
        return ""
    codes = _concept(concept)[1]
    if codes:
        return "RxNorm " + ", ".join(codes)
    for coding in _objs(concept.get("coding")):
        if code := _str(coding.get("code")):
            system = _str(coding.get("system"))
            return f"{SYSTEM_LABELS.get(system.rstrip('/').lower()) or system or 'code'} {code}"
    return ""


def _medication(medication: Json) -> MedicationEntry:
    """(text, codes, code label) of a Medication resource, from its code or else its ingredients."""
    text, codes = _concept(medication.get("code"))
    if text and codes:
        return text, codes, ""
    names: list[str] = []
    ingredient_codes: list[str] = []
    for ingredient in _objs(medication.get("ingredient")):
        item = _obj(ingredient.get("item"))  # R5: a CodeableReference
        concept = ingredient.get("itemCodeableConcept") or (item.get("concept") if item else None)
        name, item_codes = _concept(concept) if concept else ("", ())
        names.append(
            name or _display(ingredient.get("itemReference")) or (_display(item.get("reference")) if item else "")
        )
        ingredient_codes.extend(item_codes)
    text = text or _join(names, " / ")
    codes = codes or tuple(dict.fromkeys(ingredient_codes))
    if text:
        return text, codes, ""
    return text, codes, ("RxNorm " + ", ".join(codes) if codes else _code_label(medication.get("code")))


def _key(ref: str) -> str:
    """The index key a reference is also found under: "urn:uuid:X" and ".../Medication/X/_history/2" are
    "Medication/X"."""
    if ref.startswith("urn:uuid:"):
        return "Medication/" + ref[len("urn:uuid:") :]
    if "/" in ref:
        return "/".join(ref.split("/_history/")[0].rstrip("/").split("/")[-2:])
    return ref


class _Lookup:
    """Where references are resolved (a bundle's Medications, the file's, the run's) and what to say about
    one that is not; `missed` (when a list) collects the references not found."""

    __slots__ = ("index", "missed", "note")

    def __init__(self, index: Mapping[str, MedicationEntry], note: str = "", missed: list[str] | None = None) -> None:
        self.index = index
        self.note = note or NOT_FOUND
        self.missed = missed

    def within(self, own: dict[str, MedicationEntry]) -> _Lookup:
        """The lookup of a Bundle with these Medications of its own, which come first."""
        if not own:
            return self
        parent = cast(MutableMapping[str, MedicationEntry], self.index)
        return _Lookup(ChainMap(own, parent) if self.index else own, self.note, self.missed)


NOT_FOUND = "not found in the input"
_NOT_RESOLVED = "not found in the lines before it or shortly after"  # NDJSON read once (stdin)
_NO_NAME = "a Medication with no name or code"
_TOO_MANY = "not resolved: more Medication resources than rlsmed keeps"


def _resolve(ref: str, resource: Json, lookup: _Lookup) -> MedicationEntry | None:
    """What the Medication a reference points to says: contained in the resource, or found by the lookup."""
    if ref.startswith("#"):
        for contained in _objs(resource.get("contained")):
            if _str(contained.get("id")) in (ref[1:], ref):
                return _medication(contained)
        return None
    found = lookup.index.get(ref)
    if found is None:
        found = lookup.index.get(_key(ref))
    return found


def _add_medication(
    index: dict[str, MedicationEntry], resource: Json, full_url: object = None, limit: int = MAX_MEDICATION_KEYS
) -> bool:
    """Index a Medication by "Medication/<id>" (and by its fullUrl when that differs); False when full."""
    url = _str(full_url)
    rid = _str(resource.get("id"))
    keys = [f"Medication/{rid}"] if rid else []
    if url and (not keys or _key(url) != keys[0]):
        keys.append(url if rid else _key(url))
    if not keys:
        return True
    if len(index) + len(keys) > limit:
        return False
    entry = _medication(resource)
    for key in keys:
        index.setdefault(key, entry)
    return True


def _own_medications(bundle: Json) -> dict[str, MedicationEntry]:
    own: dict[str, MedicationEntry] = {}
    for _, entry in _entries(bundle):
        resource = entry.get("resource")
        if isinstance(resource, dict) and resource.get("resourceType") == "Medication":
            _add_medication(own, resource, entry.get("fullUrl"))
    return own


def collect_medications(value: object, index: dict[str, MedicationEntry], limit: int) -> bool:
    """Add the Medication resources of a JSON value (a resource, a Bundle at any depth, an array of them)
    to an index; contained ones are not (only their own resource refers to them). False when it is full."""
    stack = [v for v in reversed(value) if isinstance(v, dict)] if isinstance(value, list) else [value]
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        kind = _kind(item)
        if kind == "Medication":
            if not _add_medication(index, item, None, limit):
                return False
        elif kind == "Bundle":
            for _, entry in _entries(item):
                resource = entry.get("resource")
                if isinstance(resource, dict) and resource.get("resourceType") == "Medication":
                    if not _add_medication(index, resource, entry.get("fullUrl"), limit):
                        return False
                elif isinstance(resource, dict) and resource.get("resourceType") == "Bundle":
                    stack.append(resource)
    return True


def _patient(resource: Json) -> str | None:
    """The patient id from `subject` (or `patient` in older shapes), as the input writes it."""
    value = resource.get("subject") or resource.get("patient")
    subject = _obj(value)
    ref = _str(subject.get("reference")) if subject is not None else _str(value)
    if not ref:
        identifier = _obj(subject.get("identifier")) if subject is not None else None
        return (_str(identifier.get("value")) if identifier is not None else "") or None
    if "Patient/" in ref:  # also "https://server/fhir/Patient/123/_history/2"
        ref = ref[ref.rindex("Patient/") + len("Patient/") :].split("/_history/")[0]
    return ref.removeprefix("urn:uuid:") or None


def _reason(resource: Json) -> str:
    """The indication: reasonCode and reasonReference (R4), or reason (R5)."""
    texts: list[str] = []
    if "reasonCode" in resource:
        texts += [_concept(c)[0] for c in _objs(resource["reasonCode"])]
    if "reasonReference" in resource:
        texts += [_display(r) for r in _objs(resource["reasonReference"])]
    if "reason" in resource:  # R5: CodeableReference
        for reason in _objs(resource["reason"]):
            concept = reason.get("concept")
            texts.append(_concept(concept)[0] if concept else _display(reason.get("reference")))
    return _join(texts) if texts else ""


_CONTEXT_KEYS = ("authoredOn", "effectiveDateTime", "occurrenceDateTime", "whenHandedOver", "intent")


def _context(resource: Json) -> Mapping[str, str]:
    """Dosage text, dates and intent: what a report shows beside a finding."""
    context: dict[str, str] = {}
    dosages = [*_objs(resource.get("dosageInstruction")), *_objs(resource.get("dosage"))]
    if dosages and (dosage := _join(_str(d.get("text")) for d in dosages)):
        context["dosage"] = dosage
    for key in _CONTEXT_KEYS:
        if key in resource and (value := _str(resource[key])):
            context[key] = value
    for key in ("effectivePeriod", "occurrencePeriod"):
        period = _obj(resource.get(key))
        if period is not None and (start := _str(period.get("start"))):
            context[f"{key}.start"] = start
    return context or _NO_CONTEXT


def _name(kind: str, resource: Json, full_url: object, line: int) -> str:
    """How a report names a resource: "Type/id", else by the entry's fullUrl, else "Type#line"."""
    rid = _str(resource.get("id"))
    if rid:
        return f"{kind}/{rid}"
    url = _str(full_url)
    if url:
        # "https://server/fhir/MedicationRequest/7/_history/1" -> "MedicationRequest/7"; "urn:uuid:…" as is.
        parts = url.split("/_history/")[0].rstrip("/").split("/")
        return f"{kind}/{parts[-1]}" if len(parts) > 2 and parts[-2] == kind and parts[-1] else url
    return f"{kind}#{line}"


def _record(resource: Json, source: str, line: int, lookup: _Lookup, full_url: object = None) -> InputRecord:
    """The record of one medication resource (MedicationRequest, -Statement, -Dispense, -Administration).

    Its text is, in this order: the concept's text, the referenced Medication's, the reference's display,
    the code ("RxNorm 1049630"), the reference itself with what became of it ("Medication/abc (not found
    in the input)"); "" only when the resource names no drug at all.
    """
    kind = _kind(resource)
    medication = _obj(resource.get("medication"))  # R5: a CodeableReference
    concept = resource.get("medicationCodeableConcept") or (medication.get("concept") if medication else None)
    reference = resource.get("medicationReference") or (medication.get("reference") if medication else None)
    if concept is None and reference is None and isinstance(resource.get("medication"), str):
        concept = resource["medication"]
    text, codes = _concept(concept) if concept is not None else ("", ())
    label = ""
    ref = ""
    found: MedicationEntry | None = None
    if reference is not None and (not text or not codes):
        ref = _reference(reference)
        found = _resolve(ref, resource, lookup) if ref else None
        if found is not None:
            text, codes, label = text or found[0], codes or found[1], found[2]
        elif ref and not ref.startswith("#") and lookup.missed is not None:
            lookup.missed.append(ref)
        text = text or _display(reference)
    if not text:
        text = _code_label(concept) or label
    if not text and ref:
        text = f"{ref} ({_NO_NAME if found is not None else lookup.note})"
    return InputRecord(
        source=source,
        line=line,
        text=text,
        patient=_patient(resource),
        record=_name(kind, resource, full_url, line),
        status=_str(resource.get("status")) or None,
        reason=_reason(resource),
        codes=codes,
        context=_context(resource),
    )


def _records(root: Json, source: str, line: int | None, lookup: _Lookup) -> Iterator[InputRecord]:
    """The medication records of a resource or Bundle; `line` None numbers a Bundle's entries 1..n."""
    kind = _kind(root)
    if kind != "Bundle":
        if kind in MEDICATION_TYPES:
            yield _record(root, source, line or 1, lookup)
        return
    # A stack of entry iterators, not recursion: how deep bundles nest is up to the input.
    stack = [(_entries(root), lookup.within(_own_medications(root)), line)]
    while stack:
        entries, inner, fixed = stack[-1]
        item = next(entries, None)
        if item is None:
            stack.pop()
            continue
        position, entry = item
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue  # a batch-response entry holds only `response`
        kind = _kind(resource)
        at = fixed or position
        if kind == "Bundle":
            stack.append((_entries(resource), inner.within(_own_medications(resource)), at))
        elif kind in MEDICATION_TYPES:
            yield _record(resource, source, at, inner, entry.get("fullUrl"))


def _kind(resource: Json) -> str:
    kind = resource.get("resourceType")
    return kind if isinstance(kind, str) else ""


def _is_resource(value: object) -> bool:
    return isinstance(value, dict) and "resourceType" in value


def _document(value: object, source: str, lookup: _Lookup) -> Iterator[InputRecord]:
    """The records of a whole JSON document: a Bundle, a resource, or an array of them."""
    if isinstance(value, dict):
        if "resourceType" not in value:
            raise InputError(source, _NOT_FHIR)
        yield from _records(value, source, None, lookup)
        return
    if not isinstance(value, list) or (value and not any(_is_resource(v) for v in value)):
        raise InputError(source, _NOT_FHIR)
    own: dict[str, MedicationEntry] = {}
    for item in value:
        if isinstance(item, dict) and item.get("resourceType") == "Medication":
            _add_medication(own, item)
    lookup = lookup.within(own)
    for position, item in enumerate(value, 1):
        if isinstance(item, dict):
            yield from _records(item, source, position, lookup)


def _parse(text: str, source: str, line: int | None = None) -> object:
    """The JSON value of a document (line None) or of one NDJSON line; InputError naming the line."""
    try:
        return json.loads(text)
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


class FhirReader:
    """Every medication resource is one record; its status is reported, not filtered (screening does that)."""

    name = "fhir"
    statuses = True

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]:
        run = options.medications
        known = run.entries if run is not None else None
        covered = run is not None and source in run.sources
        head = stream.read(CHUNK)
        if source.lower().endswith(_NDJSON_EXTENSIONS) or _looks_like_ndjson(head):
            lines = iter_lines(cast(BinaryIO, Rewound(head, stream)), source)
            yield from _ndjson(lines, source, known, covered, run is not None and run.full)
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
            yield from _ndjson(enumerate(text.split("\n"), 1), source, both, True, full)
            return
        note = _TOO_MANY if run is not None and run.full else NOT_FOUND
        yield from _document(value, source, _Lookup(known or {}, note))


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


def _line_records(value: object, source: str, number: int, lookup: _Lookup) -> Iterator[InputRecord]:
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield from _records(item, source, number, lookup)
    elif isinstance(value, dict):
        yield from _records(value, source, number, lookup)


def _ndjson(
    lines: Iterable[tuple[int, str]],
    source: str,
    known: Mapping[str, MedicationEntry] | None = None,
    covered: bool = False,
    full: bool = False,
) -> Iterator[InputRecord]:
    """One resource (or Bundle, or array) a line, streamed.

    `known` holds Medications collected before reading (readers.prepare); `covered` says it has all of this
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
    lookup = _Lookup(index, _TOO_MANY if full else NOT_FOUND, None if covered else [])
    for number, line in lines:
        if not line.strip():
            continue
        value = _parse(line, source, number)
        if isinstance(value, dict) and "resourceType" in value:
            collect = value["resourceType"] in ("Medication", "Bundle")
        elif isinstance(value, list):
            collect = True
        else:
            raise InputError(f"{source}:{number}", _NOT_FHIR)
        if collect and not covered and not full and not collect_medications(value, local, MAX_MEDICATION_KEYS):
            full = True
            lookup = _Lookup(index, _TOO_MANY, lookup.missed)
        if pending and (len(pending) >= MAX_LOOKAHEAD or held > MAX_LOOKAHEAD_CHARS):
            yield from _flush(pending, source, _Lookup(index, _NOT_RESOLVED))  # waited long enough
            pending, held = [], 0
        if pending:
            pending.append((number, value))
            held += len(line)
            continue
        records = list(_line_records(value, source, number, lookup))
        if lookup.missed:
            pending.append((number, value))  # a Medication on a later line may resolve it
            held = len(line)
            lookup.missed = []
        else:
            yield from records
    if pending:
        yield from _flush(pending, source, _Lookup(index, _TOO_MANY if full else NOT_FOUND))


def _flush(pending: list[tuple[int, object]], source: str, lookup: _Lookup) -> Iterator[InputRecord]:
    for number, value in pending:
        yield from _line_records(value, source, number, lookup)


# The pre-pass (readers.prepare): only the Medication resources, cheaply.

_MEDICATION_RESOURCE = re.compile(r'"resourceType"\s*:\s*"Medication"')


def _scan_lines(lines: Iterable[str], index: dict[str, MedicationEntry], limit: int) -> bool:
    """Collect the Medications of NDJSON lines (only lines that may hold one are parsed); False when full."""
    for line in lines:
        if '"Medication"' in line and _MEDICATION_RESOURCE.search(line):
            try:
                value = json.loads(line)
            except (ValueError, RecursionError):
                continue  # the reader reports it
            if not collect_medications(value, index, limit):
                return False
    return True


def scan_medications(stream: BinaryIO, source: str, run: MedicationIndex, documents: bool = True) -> None:
    """Add the Medication resources of one FHIR input to a run's index, and name the input in
    `run.sources` when all of them are in. `documents` False skips inputs that are not NDJSON (a
    document's own references resolve within it). Raises InputError as reading would."""
    head = stream.read(CHUNK)
    if source.lower().endswith(_NDJSON_EXTENSIONS) or _looks_like_ndjson(head):
        chunks = iter_chunks(cast(BinaryIO, Rewound(head, stream)), source)
        complete = all(_scan_lines(lines, run.entries, run.limit) for _, lines in chunks)
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
