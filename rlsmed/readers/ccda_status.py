"""Whether a C-CDA medicine is current, and why: the rules and their words, kept in one place.

Real documents give `statusCode completed` to almost every medicine, current or not (484 of the 524
entries of the benchmark documents), so statusCode decides only when it says more than that (aborted,
cancelled, held, suspended, nullified). The rest comes from what a person reading the document sees: the
medication status observation, the Status column and heading of the narrative table, and the end date.
"""

from __future__ import annotations

import calendar
import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import NamedTuple

from .ccda_narrative import Narrative, V

__all__ = ["ALLERGY", "CURRENT", "NOT_CURRENT", "PAST", "Status", "allergy_status", "hl7_date", "medication_status"]

# The statuses of the context rules, in their plain words (the pipeline screens CURRENT ones).
CURRENT = "current"
NOT_CURRENT = "not_current"
ALLERGY = "allergy"
PAST = "past"


class Status(NamedTuple):
    word: str
    reason: str = ""


# Words of status cells, headings and status observations; the first group that matches decides.
_WORDS = (
    (
        NOT_CURRENT,
        re.compile(
            r"\b(no longer active|inactive|discontinued|stopped|expired|completed|cancell?ed|on hold|held|"
            r"suspended|ended|not taking|aborted|entered in error)\b",
            re.IGNORECASE,
        ),
    ),
    (PAST, re.compile(r"\b(past|previous|prior|historical|history)\b", re.IGNORECASE)),
    (CURRENT, re.compile(r"\b(active|current|ordered|taking|continued?|new|refill)\b", re.IGNORECASE)),
)
# statusCode values that say a medicine is not being taken; `completed` and `active` decide nothing.
_STATUS_CODES = {
    "nullified": "entered in error (statusCode nullified)",
    "aborted": "stopped before its end (statusCode aborted)",
    "cancelled": "cancelled before it started (statusCode cancelled)",
    "held": "on hold (statusCode held)",
    "suspended": "on hold (statusCode suspended)",
    "obsolete": "replaced by another entry (statusCode obsolete)",
}
# SNOMED CT values of the medication status observation, for one without a displayName.
_STATUS_VALUES = {"55561003": "Active", "73425007": "Inactive", "421139008": "On hold", "392521001": "Prior history"}
_STATUS_OBSERVATION = "33999-4"  # LOINC "Status"


def _word(phrase: str) -> str | None:
    for word, pattern in _WORDS:
        if pattern.search(phrase):
            return word
    return None


def hl7_date(value: str, *, end: bool = False) -> date | None:
    """The date of an HL7 timestamp ("20121231", "20090109215300.000-0600", "201212"); a year or month
    alone is its last day when `end`, else its first. None when it is no date."""
    digits = value.strip()[:8]
    if len(digits) < 4 or not digits.isdigit() or len(digits) % 2:
        return None
    year = int(digits[:4])
    month = int(digits[4:6]) if len(digits) >= 6 else (12 if end else 1)
    if not 1 <= year <= 9999 or not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    day = int(digits[6:8]) if len(digits) == 8 else (last if end else 1)
    if not 1 <= day <= last:
        return None
    return date(year, month, day)


def _observation_status(item: ET.Element) -> str:
    """The value of the administration's medication status observation ("No Longer Active"), or ""."""
    for link in item.findall(V + "entryRelationship"):
        observation = link.find(V + "observation")
        code = observation.find(V + "code") if observation is not None else None
        if observation is None or code is None or code.get("code") != _STATUS_OBSERVATION:
            continue
        value = observation.find(V + "value")
        if value is not None:
            return value.get("displayName", "").strip() or _STATUS_VALUES.get(value.get("code", "").strip(), "")
    return ""


def _ended(item: ET.Element, today: date) -> Status | None:
    """NOT_CURRENT when the administration's end date (or its one time, for a dose given once) is past."""
    for element in item.findall(V + "effectiveTime"):
        high = element.find(V + "high")
        if high is not None:
            end = hl7_date(high.get("value", ""), end=True)
            if end is not None and end < today:
                return Status(NOT_CURRENT, f"ended {end.isoformat()} (effectiveTime)")
            continue
        point = element.get("value")
        if point and element.find(V + "low") is None and item.get("moodCode", "EVN") == "EVN":
            when = hl7_date(point, end=True)
            if when is not None and when < today:
                return Status(NOT_CURRENT, f"a single dose given {when.isoformat()} (effectiveTime)")
    return None


def medication_status(item: ET.Element, kind: str, narrative: Narrative, today: date) -> Status:
    """Whether a substanceAdministration is current, and why. `kind` is "list" for the medication lists
    (Medications, Discharge, Admission), "given" for medicines given during the encounter."""
    if item.get("negationInd", "").strip().lower() == "true":
        return Status(NOT_CURRENT, "the document says it was not taken (negationInd)")
    if kind == "given":
        return Status(PAST, "given during the encounter (Medications Administered section)")
    code = item.find(V + "statusCode")
    status_code = code.get("code", "").strip().lower() if code is not None else ""
    if status_code in _STATUS_CODES:
        return Status(NOT_CURRENT, _STATUS_CODES[status_code])
    observed = _observation_status(item)
    if (word := _word(observed)) in (NOT_CURRENT, PAST):
        return Status(word, f"status {observed!r} (medication status observation)")
    row = narrative.row(item)
    if (word := _word(row.status)) in (NOT_CURRENT, PAST):
        return Status(word, f"{row.status!r} in the narrative's Status column")
    if (word := _word(row.heading)) in (NOT_CURRENT, PAST):
        return Status(word, f"listed under {row.heading!r} in the narrative")
    ended = _ended(item, today)
    if ended is not None:
        return ended
    if _word(row.status) == CURRENT:
        return Status(CURRENT, f"{row.status!r} in the narrative's Status column")
    if _word(observed) == CURRENT:
        return Status(CURRENT, f"status {observed!r} (medication status observation)")
    return Status(CURRENT, "no end date in the past")


def allergy_status() -> Status:
    """Every substance of the Allergies section is an allergy (or intolerance): never screened as taken."""
    return Status(ALLERGY, "in the Allergies section")
