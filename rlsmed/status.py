"""Whether a drug mentioned is one the patient takes now, and the headings that say so: the records of
context reading (rlsmed.context), shared by every part of rlsmed through rlsmed.models."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

__all__ = ["Heading", "Status"]


class Status(str, Enum):
    """Whether a drug mentioned is one the patient takes now (the default), and if not, why not."""

    CURRENT = "current"
    NOT_CURRENT = "not_current"  # stopped, discontinued, held, completed, not taking, declined, never started
    ALLERGY = "allergy"  # an allergy or intolerance
    PAST = "past"  # history, previously, tried, failed trial
    FAMILY = "family"  # someone else's: a relative's medicine

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.CURRENT: "current",
    Status.NOT_CURRENT: "not current",
    Status.ALLERGY: "allergy or intolerance",
    Status.PAST: "past use",
    Status.FAMILY: "someone else's",
}


class Heading(NamedTuple):
    """A line read as a heading: a section heading (or an inline one), a statement such as "NKDA", a
    document field ("Patient: ..."), a sub-field ("Commonly known as: ...") or a table's column names."""

    text: str
    status: Status  # what it sets for the lines it covers
    kind: str  # "section", "inline", "statement", "field", "subfield" or "columns"
    line: int
