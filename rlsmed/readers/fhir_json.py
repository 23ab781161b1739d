"""FHIR JSON values read whatever their shape: exports and hand-written files put strings, lists or numbers
where FHIR has objects, and none of that may crash a screening."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from .codes import is_rxnorm, system_label
from .references import MedicationEntry

__all__ = [
    "Json",
    "code_label",
    "concept_of",
    "display_of",
    "entries_of",
    "is_resource",
    "joined",
    "kind_of",
    "medication_entry",
    "obj",
    "objs",
    "reference_key",
    "reference_of",
    "string_of",
]

Json = dict[str, Any]


def obj(value: object) -> Json | None:
    """An object, or the first object of a list where one object was expected."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, dict)), None)
    return None


def objs(value: object) -> list[Json]:
    """The objects of a list (or a lone object where a list was expected)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def entries_of(bundle: Json) -> Iterator[tuple[int, Json]]:
    """(position, entry) for a Bundle's entries, numbered 1..n as written, odd entries included."""
    entries = bundle.get("entry")
    if isinstance(entries, dict):
        entries = [entries]
    if isinstance(entries, list):
        for position, entry in enumerate(entries, 1):
            if isinstance(entry, dict):
                yield position, entry


_SURROGATE = re.compile("[\ud800-\udfff]")


def string_of(value: object) -> str:
    if isinstance(value, str):
        if not value.isascii():
            # JSON may escape half of a UTF-16 pair ("\ud800"): no character, and no output can hold it.
            value = _SURROGATE.sub("\ufffd", value)
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def joined(texts: Iterable[str], sep: str = "; ") -> str:
    return sep.join(dict.fromkeys(t for t in texts if t))


def concept_of(value: object) -> tuple[str, tuple[str, ...]]:
    """(text, RxNorm codes) of a CodeableConcept: its text, else the RxNorm display, else any display."""
    concept = obj(value)
    if concept is None:
        return string_of(value), ()  # a bare string where a concept belongs is the drug's name
    codings = objs(concept.get("coding"))
    rxnorm = [c for c in codings if is_rxnorm(string_of(c.get("system")))]
    codes = tuple(dict.fromkeys(code for c in rxnorm if (code := string_of(c.get("code")))))
    text = string_of(concept.get("text"))
    if not text:
        text = next((d for c in (*rxnorm, *codings) if (d := string_of(c.get("display")))), "")
    return text, codes


def display_of(reference: object) -> str:
    ref = obj(reference)
    return string_of(ref.get("display")) if ref is not None else ""


def reference_of(reference: object) -> str:
    """The `reference` of a Reference (or a bare string where a Reference belongs)."""
    ref = obj(reference)
    return string_of(ref.get("reference")) if ref is not None else string_of(reference)


def code_label(value: object) -> str:
    """A concept's code for a person to read when it has no text: "RxNorm 1049630", "SNOMED CT 372720008"."""
    concept = obj(value)
    if concept is None:
        return ""
    codes = concept_of(concept)[1]
    if codes:
        return "RxNorm " + ", ".join(codes)
    for coding in objs(concept.get("coding")):
        if code := string_of(coding.get("code")):
            system = string_of(coding.get("system"))
            return f"{system_label(system) if system else 'code'} {code}"
    return ""


def medication_entry(medication: Json) -> MedicationEntry:
    """(text, codes, code label) of a Medication resource, from its code or else its ingredients."""
    text, codes = concept_of(medication.get("code"))
    if text and codes:
        return text, codes, ""
    names: list[str] = []
    ingredient_codes: list[str] = []
    for ingredient in objs(medication.get("ingredient")):
        item = obj(ingredient.get("item"))  # R5: a CodeableReference
        concept = ingredient.get("itemCodeableConcept") or (item.get("concept") if item else None)
        name, item_codes = concept_of(concept) if concept else ("", ())
        names.append(
            name or display_of(ingredient.get("itemReference")) or (display_of(item.get("reference")) if item else "")
        )
        ingredient_codes.extend(item_codes)
    text = text or joined(names, " / ")
    codes = codes or tuple(dict.fromkeys(ingredient_codes))
    if text:
        return text, codes, ""
    return text, codes, ("RxNorm " + ", ".join(codes) if codes else code_label(medication.get("code")))


def reference_key(ref: str) -> str:
    """The index key a reference is also found under: "urn:uuid:X" and ".../Medication/X/_history/2" are
    "Medication/X"."""
    if ref.startswith("urn:uuid:"):
        return "Medication/" + ref[len("urn:uuid:") :]
    if "/" in ref:
        return "/".join(ref.split("/_history/")[0].rstrip("/").split("/")[-2:])
    return ref


def kind_of(resource: Json) -> str:
    kind = resource.get("resourceType")
    return kind if isinstance(kind, str) else ""


def is_resource(value: object) -> bool:
    return isinstance(value, dict) and "resourceType" in value
