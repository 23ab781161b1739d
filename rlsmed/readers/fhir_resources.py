"""FHIR medication resources (MedicationRequest, -Statement, -Dispense, -Administration) as records, with
their references to Medication resources resolved."""

from __future__ import annotations

from collections import ChainMap, Counter
from collections.abc import Iterator, Mapping, MutableMapping
from types import MappingProxyType
from typing import cast

from ..models import InputRecord
from .fhir_json import (
    Json,
    code_label,
    concept_of,
    display_of,
    entries_of,
    joined,
    kind_of,
    medication_entry,
    obj,
    objs,
    reference_key,
    reference_of,
    string_of,
)
from .references import MAX_MEDICATION_KEYS, MedicationEntry

__all__ = [
    "MEDICATION_TYPES",
    "NOT_FOUND",
    "NOT_RESOLVED",
    "TOO_MANY",
    "Lookup",
    "Seen",
    "add_medication",
    "collect_medications",
    "medication_records",
]

# The resources that say a patient takes (or was given, or was prescribed) a drug: R4 and R5, with the
# MedicationOrder of DSTU2 (STU3 renamed it MedicationRequest) and R5's ballot name MedicationUsage.
MEDICATION_TYPES = frozenset(
    {
        "MedicationRequest",
        "MedicationStatement",
        "MedicationDispense",
        "MedicationAdministration",
        "MedicationOrder",
        "MedicationUsage",
    }
)
_PRODUCTS = frozenset({"Medication", "MedicationKnowledge"})  # a drug product, not a patient's use of it
_SPELLINGS = {k.casefold(): k for k in (*MEDICATION_TYPES, *_PRODUCTS, "Bundle")}


class Seen:
    """What a FHIR input holds besides the records read, for the reader to report: resourceTypes written
    otherwise than FHIR spells them (read all the same), Medication-like types it does not read, Bundle
    entries whose `resource` is a list (its objects read), and bare Medication resources (products)."""

    __slots__ = ("lists", "medications", "respelt", "unread")

    def __init__(self) -> None:
        self.respelt: Counter[tuple[str, str]] = Counter()
        self.unread: Counter[str] = Counter()
        self.lists = 0
        self.medications = 0

    def kind(self, kind: str) -> str:
        """The resourceType a reader goes by: as written, or as FHIR spells it ("medicationrequest ")."""
        if kind in MEDICATION_TYPES or kind == "Bundle":
            return kind
        spelt = _SPELLINGS.get(kind.strip().casefold())
        if spelt is not None:
            if spelt != kind:
                self.respelt[kind, spelt] += 1
            if spelt in _PRODUCTS:
                self.medications += 1
            return spelt
        if kind.strip().casefold().startswith("medication"):
            self.unread[kind] += 1
        return kind

    def notes(self) -> list[str]:
        notes = [f"{plural(n, 'resource')} with resourceType {w!r} read as {s}" for (w, s), n in self.respelt.items()]
        if self.lists:
            notes.append(f"{plural(self.lists, 'Bundle entry', 'Bundle entries')} whose resource is a list: read")
        notes += [
            f"{plural(n, kind + ' resource')} not read (not a medication use rlsmed reads)"
            for kind, n in self.unread.items()
        ]
        return notes


def plural(n: int, word: str, many: str = "") -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


_NO_CONTEXT: MappingProxyType[str, str] = MappingProxyType({})


class Lookup:
    """Where references are resolved (a bundle's Medications, the file's, the run's) and what to say about
    one that is not; `missed` (when a list) collects the references not found."""

    __slots__ = ("index", "missed", "note")

    def __init__(self, index: Mapping[str, MedicationEntry], note: str = "", missed: list[str] | None = None) -> None:
        self.index = index
        self.note = note or NOT_FOUND
        self.missed = missed

    def within(self, own: dict[str, MedicationEntry]) -> Lookup:
        """The lookup of a Bundle with these Medications of its own, which come first."""
        if not own:
            return self
        parent = cast(MutableMapping[str, MedicationEntry], self.index)
        return Lookup(ChainMap(own, parent) if self.index else own, self.note, self.missed)


NOT_FOUND = "not found in the input"
NOT_RESOLVED = "not found in the lines before it or shortly after"  # NDJSON read once (stdin)
NO_NAME = "a Medication with no name or code"
TOO_MANY = "not resolved: more Medication resources than rlsmed keeps"


def resolve(ref: str, resource: Json, lookup: Lookup) -> MedicationEntry | None:
    """What the Medication a reference points to says: contained in the resource, or found by the lookup."""
    if ref.startswith("#"):
        for contained in objs(resource.get("contained")):
            if string_of(contained.get("id")) in (ref[1:], ref):
                return medication_entry(contained)
        return None
    found = lookup.index.get(ref)
    if found is None:
        found = lookup.index.get(reference_key(ref))
    return found


def add_medication(
    index: dict[str, MedicationEntry], resource: Json, full_url: object = None, limit: int = MAX_MEDICATION_KEYS
) -> bool:
    """Index a Medication by "Medication/<id>" (and by its fullUrl when that differs); False when full."""
    url = string_of(full_url)
    rid = string_of(resource.get("id"))
    keys = [f"Medication/{rid}"] if rid else []
    if url and (not keys or reference_key(url) != keys[0]):
        keys.append(url if rid else reference_key(url))
    if not keys:
        return True
    if len(index) + len(keys) > limit:
        return False
    entry = medication_entry(resource)
    for key in keys:
        index.setdefault(key, entry)
    return True


def own_medications(bundle: Json) -> dict[str, MedicationEntry]:
    own: dict[str, MedicationEntry] = {}
    for _, entry in entries_of(bundle):
        resource = entry.get("resource")
        if isinstance(resource, dict) and resource.get("resourceType") == "Medication":
            add_medication(own, resource, entry.get("fullUrl"))
    return own


def collect_medications(value: object, index: dict[str, MedicationEntry], limit: int) -> bool:
    """Add the Medication resources of a JSON value (a resource, a Bundle at any depth, an array of them)
    to an index; contained ones are not (only their own resource refers to them). False when it is full."""
    stack = [v for v in reversed(value) if isinstance(v, dict)] if isinstance(value, list) else [value]
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        kind = kind_of(item)
        if kind == "Medication":
            if not add_medication(index, item, None, limit):
                return False
        elif kind == "Bundle":
            for _, entry in entries_of(item):
                resource = entry.get("resource")
                if isinstance(resource, dict) and resource.get("resourceType") == "Medication":
                    if not add_medication(index, resource, entry.get("fullUrl"), limit):
                        return False
                elif isinstance(resource, dict) and resource.get("resourceType") == "Bundle":
                    stack.append(resource)
    return True


def patient_of(resource: Json) -> str | None:
    """The patient id from `subject` (or `patient` in older shapes), as the input writes it."""
    value = resource.get("subject") or resource.get("patient")
    subject = obj(value)
    ref = string_of(subject.get("reference")) if subject is not None else string_of(value)
    if not ref:
        identifier = obj(subject.get("identifier")) if subject is not None else None
        return (string_of(identifier.get("value")) if identifier is not None else "") or None
    if "Patient/" in ref:  # also "https://server/fhir/Patient/123/_history/2"
        ref = ref[ref.rindex("Patient/") + len("Patient/") :].split("/_history/")[0]
    return ref.removeprefix("urn:uuid:") or None


def reason_of(resource: Json) -> str:
    """The indication: reasonCode and reasonReference (R4), or reason (R5)."""
    texts: list[str] = []
    if "reasonCode" in resource:
        texts += [concept_of(c)[0] for c in objs(resource["reasonCode"])]
    if "reasonReference" in resource:
        texts += [display_of(r) for r in objs(resource["reasonReference"])]
    for key in ("reasonCodeableConcept", "reasonForUseCodeableConcept"):  # DSTU2
        if key in resource:
            texts.append(concept_of(resource[key])[0])
    if "reason" in resource:  # R5: CodeableReference
        for reason in objs(resource["reason"]):
            concept = reason.get("concept")
            texts.append(concept_of(concept)[0] if concept else display_of(reason.get("reference")))
    return joined(texts) if texts else ""


_CONTEXT_KEYS = (
    "authoredOn",
    "dateWritten",  # DSTU2 MedicationOrder
    "effectiveDateTime",
    "occurrenceDateTime",
    "whenHandedOver",
    "intent",
)


def context_of(resource: Json) -> Mapping[str, str]:
    """Dosage text, dates and intent: what a report shows beside a finding."""
    context: dict[str, str] = {}
    dosages = [*objs(resource.get("dosageInstruction")), *objs(resource.get("dosage"))]
    if dosages and (dosage := joined(string_of(d.get("text")) for d in dosages)):
        context["dosage"] = dosage
    for key in _CONTEXT_KEYS:
        if key in resource and (value := string_of(resource[key])):
            context[key] = value
    for key in ("effectivePeriod", "occurrencePeriod"):
        period = obj(resource.get(key))
        if period is not None and (start := string_of(period.get("start"))):
            context[f"{key}.start"] = start
    return context or _NO_CONTEXT


def resource_name(kind: str, resource: Json, full_url: object, line: int) -> str:
    """How a report names a resource: "Type/id", else by the entry's fullUrl, else "Type#line"."""
    rid = string_of(resource.get("id"))
    if rid:
        return f"{kind}/{rid}"
    url = string_of(full_url)
    if url:
        # "https://server/fhir/MedicationRequest/7/_history/1" -> "MedicationRequest/7"; "urn:uuid:…" as is.
        parts = url.split("/_history/")[0].rstrip("/").split("/")
        return f"{kind}/{parts[-1]}" if len(parts) > 2 and parts[-2] == kind and parts[-1] else url
    return f"{kind}#{line}"


def medication_record(
    resource: Json, source: str, line: int, lookup: Lookup, full_url: object = None, kind: str = ""
) -> InputRecord:
    """The record of one medication resource (MedicationRequest, -Statement, -Dispense, -Administration).

    Its text is, in this order: the concept's text, the referenced Medication's, the reference's display,
    the code ("RxNorm 1049630"), the reference itself with what became of it ("Medication/abc (not found
    in the input)"); "" only when the resource names no drug at all.
    """
    kind = kind or kind_of(resource)
    medication = obj(resource.get("medication"))  # R5: a CodeableReference
    concept = resource.get("medicationCodeableConcept") or (medication.get("concept") if medication else None)
    reference = resource.get("medicationReference") or (medication.get("reference") if medication else None)
    if concept is None and reference is None and isinstance(resource.get("medication"), str):
        concept = resource["medication"]
    text, codes = concept_of(concept) if concept is not None else ("", ())
    label = ""
    ref = ""
    found: MedicationEntry | None = None
    if reference is not None and (not text or not codes):
        ref = reference_of(reference)
        found = resolve(ref, resource, lookup) if ref else None
        if found is not None:
            text, codes, label = text or found[0], codes or found[1], found[2]
        elif ref and not ref.startswith("#") and lookup.missed is not None:
            lookup.missed.append(ref)
        text = text or display_of(reference)
    if not text:
        text = code_label(concept) or label
    if not text and ref:
        text = f"{ref} ({NO_NAME if found is not None else lookup.note})"
    return InputRecord(
        source=source,
        line=line,
        text=text,
        patient=patient_of(resource),
        record=resource_name(kind, resource, full_url, line),
        status=_status(resource),
        reason=reason_of(resource),
        codes=codes,
        context=context_of(resource),
    )


def _status(resource: Json) -> str | None:
    """The status, or "not-taken" for a statement that says the drug was not taken (DSTU2 `wasNotTaken`,
    STU3 `taken: n`) and "not-done" for an administration that was not given (DSTU2 `wasNotGiven`)."""
    if resource.get("wasNotTaken") is True or string_of(resource.get("taken")).lower() == "n":
        return "not-taken"
    if resource.get("wasNotGiven") is True:
        return "not-done"
    return string_of(resource.get("status")) or None


def medication_records(
    root: Json, source: str, line: int | None, lookup: Lookup, seen: Seen | None = None
) -> Iterator[InputRecord]:
    """The medication records of a resource or Bundle; `line` None numbers a Bundle's entries 1..n.
    `seen` counts what is not read, or not read as written."""
    seen = seen if seen is not None else Seen()
    kind = seen.kind(kind_of(root))
    if kind != "Bundle":
        if kind in MEDICATION_TYPES:
            yield medication_record(root, source, line or 1, lookup, kind=kind)
        return
    # A stack of entry iterators, not recursion: how deep bundles nest is up to the input.
    stack = [(entries_of(root), lookup.within(own_medications(root)), line)]
    while stack:
        entries, inner, fixed = stack[-1]
        item = next(entries, None)
        if item is None:
            stack.pop()
            continue
        position, entry = item
        resource = entry.get("resource")
        if isinstance(resource, list):
            seen.lists += 1
            resources = [r for r in resource if isinstance(r, dict)]
        else:
            resources = [resource] if isinstance(resource, dict) else []  # a batch response: `response` only
        at = fixed or position
        for resource in resources:
            kind = seen.kind(kind_of(resource))
            if kind == "Bundle":
                stack.append((entries_of(resource), inner.within(own_medications(resource)), at))
            elif kind in MEDICATION_TYPES:
                yield medication_record(resource, source, at, inner, entry.get("fullUrl"), kind)
