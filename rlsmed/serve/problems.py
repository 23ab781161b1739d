"""What a patient's conditions say for the cards: is restless legs syndrome on the problem list (by code or
by the words clinicians write), and is Parkinson's disease (for whom a dopaminergic drug is not an RLS
treatment)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from ..conditions import condition_is_current, names_rls
from ..normalize import tokens
from ..readers.fhir_json import Json, entries_of, kind_of, obj, objs, string_of

__all__ = ["PD_CODES", "RLS_CODES", "Problems", "problems_of"]

_SNOMED = "http://snomed.info/sct"
_ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
_ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"
_ICD11 = "http://id.who.int/icd/release/11/mms"

# (system, code): restless legs syndrome. Codes are compared without their dots ("G25.81" == "G2581").
RLS_CODES = frozenset({(_SNOMED, "32914008"), (_ICD10CM, "G2581"), (_ICD9CM, "33394"), (_ICD11, "7A80")})
# Parkinson's disease; ICD-10-CM G20 and its subcodes (G20.A1 ... G20.C) are matched by prefix.
PD_CODES = frozenset({(_SNOMED, "49049000"), (_ICD9CM, "3320"), (_ICD11, "8A000")})
_PD_PREFIXES = ((_ICD10CM, "G20"),)

_PARKINSON_WORDS = frozenset({"parkinson", "parkinsons", "parkinsonism"})


class Problems(NamedTuple):
    """What the conditions given say, for the cards."""

    rls: tuple[str, ...] = ()  # how each RLS condition is named ("Restless legs syndrome (SNOMED CT 32914008)")
    parkinson: bool = False
    conditions: int = 0  # current conditions read

    @property
    def has_rls(self) -> bool:
        return bool(self.rls)


def problems_of(*values: object) -> Problems:
    """The problems in prefetched or fetched FHIR values: Bundles (searchsets), single Conditions, or None."""
    rls: list[str] = []
    parkinson = False
    count = 0
    for condition in _conditions(values):
        if not condition_is_current(condition):
            continue
        count += 1
        code = obj(condition.get("code")) or {}
        codings = [(_system(c), _code(c), string_of(c.get("display"))) for c in objs(code.get("coding"))]
        text = string_of(code.get("text")) or next((d for _, _, d in codings if d), "")
        words = set(tokens(" ".join([text, *(d for _, _, d in codings)])))
        coded = [(s, c) for s, c, _ in codings if (s, c) in RLS_CODES]
        if coded or names_rls(words):
            label = text or "restless legs syndrome"
            rls.append(f"{label} ({_system_name(coded[0][0])} {_display_code(coded[0][1])})" if coded else label)
        if words & _PARKINSON_WORDS or any(_is_pd(s, c) for s, c, _ in codings):
            parkinson = True
    return Problems(tuple(dict.fromkeys(rls)), parkinson, count)


def _conditions(values: tuple[object, ...]) -> Iterator[Json]:
    stack = [v for v in reversed(values) if isinstance(v, dict)]
    while stack:
        item = stack.pop()
        kind = kind_of(item)
        if kind == "Condition":
            yield item
        elif kind == "Bundle":
            stack.extend(reversed([r for _, e in entries_of(item) if isinstance(r := e.get("resource"), dict)]))


def _system(coding: Json) -> str:
    return string_of(coding.get("system")).rstrip("/").lower()


def _code(coding: Json) -> str:
    return string_of(coding.get("code")).replace(".", "").upper()


def _is_pd(system: str, code: str) -> bool:
    return (system, code) in PD_CODES or any(system == s and code.startswith(p) for s, p in _PD_PREFIXES)


def _system_name(system: str) -> str:
    return {_SNOMED: "SNOMED CT", _ICD10CM: "ICD-10-CM", _ICD9CM: "ICD-9-CM", _ICD11: "ICD-11"}[system]


def _display_code(code: str) -> str:
    """A code as it is usually written: ICD-10-CM "G25.81", ICD-9-CM "333.94"."""
    if code[:1].isalpha() and len(code) > 3 and code[1:3].isdigit():
        return f"{code[:3]}.{code[3:]}"
    if code.isdigit() and len(code) == 5 and code.startswith("33"):
        return f"{code[:3]}.{code[3:]}"
    return code
