"""Restless legs syndrome on a patient's record: from FHIR Condition resources and Synthea-style condition
tables, so that a population screening can count the patients with RLS who take a flagged drug.

RLS is recognised by its codes (SNOMED CT 32914008, ICD-10-CM G25.81, ICD-10 G25.8 with the words) or by
the words clinicians write ("restless legs syndrome", "RLS", "Willis-Ekbom disease"). A Condition that
is refuted, entered in error, resolved or inactive is not RLS on record.
"""

from __future__ import annotations

import codecs
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .errors import InputError
from .inputs import open_file
from .normalize import tokens

__all__ = [
    "RLS_CODES",
    "PatientConditions",
    "condition_is_current",
    "conditions_in",
    "is_rls",
    "names_rls",
    "read_conditions",
    "rls_patients_in",
]

# Restless legs syndrome's codes, written without dots: SNOMED CT 32914008, ICD-10-CM G25.81, ICD-9-CM
# 333.94, ICD-11 7A80 (none of them a code of another of these systems).
RLS_CODES = frozenset({"32914008", "G2581", "33394", "7A80"})
_NOT_CURRENT = frozenset({"inactive", "remission", "resolved"})
_NOT_TRUE = frozenset({"refuted", "entered-in-error"})
_CHUNK = 1 << 16  # bytes read at a time
_CONDITION = re.compile(r'"resourceType"\s*:\s*"Condition"')


def names_rls(words: set[str] | frozenset[str]) -> bool:
    """Restless legs syndrome as clinicians write it: "restless legs", "RLS", "Willis-Ekbom disease"
    (not "Ekbom syndrome" alone, which also names delusional parasitosis), but not a family history."""
    if {"family", "history"} <= words or "fh" in words:
        return False
    return bool(("restless" in words and words & {"leg", "legs"}) or "rls" in words or {"willis", "ekbom"} <= words)


def is_rls(codes: Iterable[str] = (), text: str = "") -> bool:
    """True when a condition's codes or its words name restless legs syndrome."""
    if any(code.strip().replace(".", "").upper() in RLS_CODES for code in codes):
        return True
    return names_rls(set(tokens(text)))


class PatientConditions:
    """The patients of a run with RLS on record, gathered from every source that says so (a holder the
    readers and the pipeline share: FHIR inputs add to it as they are read)."""

    __slots__ = ("given", "rls")

    def __init__(self, patients: Iterable[str] = (), *, given: bool = False) -> None:
        self.rls: set[str] = set(patients)
        self.given = given  # a conditions file was given (so that "none with RLS" is a finding too)


def _patient(resource: dict[str, Any]) -> str | None:
    subject = resource.get("subject") or resource.get("patient")
    ref = subject.get("reference") if isinstance(subject, dict) else subject
    if not isinstance(ref, str) or not ref:
        return None
    if "Patient/" in ref:
        ref = ref[ref.rindex("Patient/") + len("Patient/") :].split("/_history/")[0]
    return ref.removeprefix("urn:uuid:") or None


def _status(value: object) -> str:
    """A status as a code: R4's CodeableConcept, or STU3's plain string."""
    if isinstance(value, str):
        return value.strip().lower()
    codings = value.get("coding") if isinstance(value, dict) else None
    if not isinstance(codings, list):
        return ""
    return next((str(c["code"]).lower() for c in codings if isinstance(c, dict) and c.get("code")), "")


def condition_is_current(condition: dict[str, Any]) -> bool:
    """A Condition that is the patient's now: not refuted or entered in error, not resolved, inactive or
    in remission, and (without a clinical status) not abated."""
    if _status(condition.get("verificationStatus")) in _NOT_TRUE:
        return False
    clinical = _status(condition.get("clinicalStatus"))
    if clinical:
        return clinical not in _NOT_CURRENT
    return not any(key.startswith("abatement") for key in condition)


def rls_patients_in(value: Any) -> Iterator[str]:
    """The patients whose RLS a FHIR value records: a Condition, a Bundle (at any depth), or a list."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict) and item.get("resourceType") == "Bundle":
            entries = item.get("entry")
            if isinstance(entries, list):
                stack.extend(e.get("resource") for e in entries if isinstance(e, dict))
        elif isinstance(item, dict) and item.get("resourceType") == "Condition":
            patient = _patient(item)
            if patient and _records_rls(item):
                yield patient


def _records_rls(condition: dict[str, Any]) -> bool:
    if not condition_is_current(condition):
        return False
    code = condition.get("code")
    if not isinstance(code, dict):
        return False
    codings = [c for c in code.get("coding") or () if isinstance(c, dict)]
    words = " ".join(str(x) for x in (code.get("text") or "", *(c.get("display") or "" for c in codings)))
    return is_rls([str(c.get("code") or "") for c in codings], words)


def read_conditions(path: str | Path) -> set[str]:
    """The patients with RLS on record in a conditions file: a Synthea-style CSV (PATIENT, CODE,
    DESCRIPTION and, when given, STOP: a condition that stopped is not on record), FHIR JSON (a Bundle,
    a Condition, an array) or FHIR NDJSON. InputError for a file that is none of these."""
    name = str(path)
    with open_file(name) as stream:
        return conditions_in(stream, name)


def conditions_in(stream: BinaryIO, name: str) -> set[str]:
    """As read_conditions, from an open input, read as a stream: a table or an NDJSON export is never held
    whole in memory (only a JSON document is, as it must be parsed whole)."""
    lines = _lines(stream, name)
    first = next(lines, "")
    while first and not first.strip():
        first = next(lines, "")
    if not first.lstrip().startswith(("{", "[")):
        return _csv(itertools.chain((first,), lines), name)
    second = next(lines, "")
    while second and not second.strip():
        second = next(lines, "")
    found: set[str] = set()
    try:
        head = json.loads(first) if second.lstrip().startswith("{") else None
    except ValueError:
        head = None
    if head is None:  # one JSON document (a Bundle, an array), perhaps over many lines
        text = "".join(itertools.chain((first, second), lines))
        if _CONDITION.search(text):
            try:
                found.update(rls_patients_in(json.loads(text)))
            except ValueError as e:
                raise InputError(name, f"not valid JSON or NDJSON ({e})") from None
        return found
    for number, line in enumerate(itertools.chain((first, second), lines), 1):  # NDJSON: a resource a line
        if '"Condition"' in line and _CONDITION.search(line):
            try:
                found.update(rls_patients_in(json.loads(line)))
            except ValueError as e:
                raise InputError(f"{name}:{number}", f"not valid JSON ({e})") from None
    return found


def _lines(stream: BinaryIO, name: str) -> Iterator[str]:
    """The input's lines, decoded as they are read: UTF-8 (with or without a BOM), or UTF-16 with its BOM,
    as spreadsheets save "Unicode text"."""
    try:
        data = stream.read(max(_CHUNK, 2))  # at least a byte-order mark's two bytes
        bom16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        decoder = codecs.getincrementaldecoder("utf-16" if bom16 else "utf-8-sig")()
        rest = ""
        while data:
            text = rest + decoder.decode(data)
            cut = text.rfind("\n") + 1  # whole lines now; the rest waits for the next chunk
            rest = text[cut:]
            if cut:
                yield from (line + "\n" for line in text[: cut - 1].split("\n"))
            data = stream.read(_CHUNK)
        rest += decoder.decode(b"", final=True)
        if rest:
            yield rest
    except OSError as e:
        raise InputError(name, e.strerror or "cannot be read") from None
    except UnicodeDecodeError:
        raise InputError(name, "not UTF-8 or UTF-16 text; is this a conditions file?") from None


def _csv(f: Iterable[str], name: str) -> set[str]:
    import csv  # here: only --conditions files need it, and every start would pay for it

    reader = csv.DictReader(f)
    fields = {k.strip().upper(): k for k in reader.fieldnames or ()}
    if "PATIENT" not in fields or not ({"CODE", "DESCRIPTION"} & set(fields)):
        raise InputError(
            name, "a conditions file needs PATIENT and CODE or DESCRIPTION columns (Synthea's conditions.csv)"
        )
    patient, code, text, stop = (fields.get(k, "") for k in ("PATIENT", "CODE", "DESCRIPTION", "STOP"))
    found: set[str] = set()
    for row in reader:
        if stop and (row.get(stop) or "").strip():
            continue  # the condition ended
        if is_rls([row.get(code) or ""] if code else [], row.get(text) or "" if text else ""):
            who = (row.get(patient) or "").strip()
            if who:
                found.add(who)
    return found
