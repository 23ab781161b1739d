"""FHIR R4 (and R5) JSON: medication resources from Bundles, single resources, arrays and NDJSON."""

from __future__ import annotations

import json
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from types import MappingProxyType
from typing import Any, BinaryIO, cast

from ..errors import InputError
from ..models import InputRecord
from .base import ReadOptions, Rewound
from .decode import CHUNK, iter_lines, sniff_encoding

__all__ = ["MAX_DOCUMENT", "MEDICATION_TYPES", "FhirReader"]

MAX_DOCUMENT = 1 << 30  # a Bundle is loaded whole; larger exports come as NDJSON
MAX_NDJSON_MEDICATIONS = 10_000  # Medication resources remembered from earlier NDJSON lines
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


def _str(value: object) -> str:
    if isinstance(value, str):
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


def _medication(medication: Json) -> tuple[str, tuple[str, ...]]:
    """(text, codes) of a Medication resource, from its code or else its ingredients."""
    text, codes = _concept(medication.get("code"))
    if text and codes:
        return text, codes
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
    return text or _join(names, " / "), codes or tuple(dict.fromkeys(ingredient_codes))


def _resolve(reference: object, resource: Json, index: Mapping[str, Json]) -> Json | None:
    """The Medication a reference points to: contained in the resource, or elsewhere in the bundle."""
    ref_obj = _obj(reference)
    ref = _str(ref_obj.get("reference")) if ref_obj is not None else ""
    if not ref:
        return None
    if ref.startswith("#"):
        for contained in _objs(resource.get("contained")):
            if _str(contained.get("id")) in (ref[1:], ref):
                return contained
        return None
    found = index.get(ref)
    if found is None and "/" in ref:
        # An absolute or versioned reference: ".../Medication/123/_history/2" -> "Medication/123".
        parts = ref.split("/_history/")[0].rstrip("/").split("/")
        found = index.get("/".join(parts[-2:]))
    return found


def _add_medication(index: MutableMapping[str, Json], resource: Json, full_url: object = None) -> None:
    url = _str(full_url)
    if url:
        index.setdefault(url, resource)
    rid = _str(resource.get("id"))
    if rid:
        index.setdefault(f"Medication/{rid}", resource)
        index.setdefault(f"urn:uuid:{rid}", resource)


def _bundle_index(bundle: Json, parent: Mapping[str, Json] | None) -> Mapping[str, Json]:
    own: dict[str, Json] = {}
    for _, entry in _entries(bundle):
        resource = entry.get("resource")
        if isinstance(resource, dict) and resource.get("resourceType") == "Medication":
            _add_medication(own, resource, entry.get("fullUrl"))
    if parent:
        return ChainMap(own, cast(MutableMapping[str, Json], parent))
    return own


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


def _record(resource: Json, source: str, line: int, index: Mapping[str, Json]) -> InputRecord:
    """The record of one medication resource (MedicationRequest, -Statement, -Dispense, -Administration)."""
    kind = _kind(resource)
    medication = _obj(resource.get("medication"))  # R5: a CodeableReference
    concept = resource.get("medicationCodeableConcept") or (medication.get("concept") if medication else None)
    reference = resource.get("medicationReference") or (medication.get("reference") if medication else None)
    if concept is None and reference is None and isinstance(resource.get("medication"), str):
        concept = resource["medication"]
    text, codes = _concept(concept) if concept is not None else ("", ())
    if reference is not None and (not text or not codes):
        target = _resolve(reference, resource, index)
        if target is not None:
            found_text, found_codes = _medication(target)
            text, codes = text or found_text, codes or found_codes
        text = text or _display(reference)
    rid = _str(resource.get("id"))
    return InputRecord(
        source=source,
        line=line,
        text=text,
        patient=_patient(resource),
        record=f"{kind}/{rid}" if rid else f"{kind}#{line}",
        status=_str(resource.get("status")) or None,
        reason=_reason(resource),
        codes=codes,
        context=_context(resource),
    )


def _records(root: Json, source: str, line: int | None, parent: Mapping[str, Json] | None) -> Iterator[InputRecord]:
    """The medication records of a resource or Bundle; `line` None numbers a Bundle's entries 1..n."""
    if _kind(root) != "Bundle":
        if _kind(root) in MEDICATION_TYPES:
            yield _record(root, source, line or 1, parent or {})
        return
    # A stack of entry iterators, not recursion: how deep bundles nest is up to the input.
    stack = [(_entries(root), _bundle_index(root, parent), line)]
    while stack:
        entries, index, fixed = stack[-1]
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
            stack.append((_entries(resource), _bundle_index(resource, index), at))
        elif kind in MEDICATION_TYPES:
            yield _record(resource, source, at, index)


def _kind(resource: Json) -> str:
    kind = resource.get("resourceType")
    return kind if isinstance(kind, str) else ""


def _is_resource(value: object) -> bool:
    return isinstance(value, dict) and "resourceType" in value


def _document(value: object, source: str) -> Iterator[InputRecord]:
    """The records of a whole JSON document: a Bundle, a resource, or an array of them."""
    if isinstance(value, dict):
        if "resourceType" not in value:
            raise InputError(source, _NOT_FHIR)
        yield from _records(value, source, None, None)
        return
    if not isinstance(value, list) or (value and not any(_is_resource(v) for v in value)):
        raise InputError(source, _NOT_FHIR)
    index: dict[str, Json] = {}
    for item in value:
        if isinstance(item, dict) and item.get("resourceType") == "Medication":
            _add_medication(index, item)
    for position, item in enumerate(value, 1):
        if isinstance(item, dict):
            yield from _records(item, source, position, index)


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
            label = "UTF-8" if name == "utf-8" else name
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
        head = stream.read(CHUNK)
        if source.lower().endswith(_NDJSON_EXTENSIONS) or _looks_like_ndjson(head):
            yield from _ndjson(iter_lines(cast(BinaryIO, Rewound(head, stream)), source), source)
            return
        parts = [head]
        size = len(head)
        while chunk := stream.read(CHUNK * 16):
            size += len(chunk)
            if size > MAX_DOCUMENT:
                raise InputError(source, f"larger than {MAX_DOCUMENT >> 20:,} MiB; export it as NDJSON instead")
            parts.append(chunk)
        text = _decode(b"".join(parts), source)
        del parts
        if not text.strip():
            return
        try:
            value = _parse(text, source)
        except InputError:
            # NDJSON whose first line is longer than the bytes looked at: read it from memory.
            if not _first_line_is_an_object(text):
                raise
            yield from _ndjson(enumerate(text.split("\n"), 1), source)
            return
        yield from _document(value, source)


def _ndjson(lines: Iterable[tuple[int, str]], source: str) -> Iterator[InputRecord]:
    """One resource (or Bundle, or array) a line, streamed; Medications are remembered for references."""
    index: dict[str, Json] = {}
    for number, line in lines:
        if not line.strip():
            continue
        value = _parse(line, source, number)
        if isinstance(value, dict) and "resourceType" in value:
            if value.get("resourceType") == "Medication" and len(index) < 3 * MAX_NDJSON_MEDICATIONS:
                _add_medication(index, value)
            yield from _records(value, source, number, index)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield from _records(item, source, number, index)
        else:
            raise InputError(f"{source}:{number}", _NOT_FHIR)
