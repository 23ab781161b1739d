"""Findings already reviewed: an ignore names a drug, says why, and may end on a date or hold for one patient.

An ignored finding is still reported, marked ignored with its reason; it does not count towards the exit
code. An ignore past its `expires` date is not applied, and the run says so (rlsmed.pipeline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["Ignore", "as_ignores", "in_force"]


class Ignore(NamedTuple):
    """One reviewed drug. `ingredient` is what a user wrote (a generic, a brand or a synonym); it is resolved
    to the knowledge base's ingredients when a screening starts."""

    ingredient: str
    reason: str = ""
    expires: dt.date | None = None  # the last day it applies; None: no end
    patient: str | None = None  # only this patient's findings; None: everyone's
    origin: str = ""  # where it was given, for messages: "--ignore", a configuration file

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires

    def describe(self) -> str:
        """How messages name it: "the ignore of sertraline for patient P1 (rlsmed.toml)"."""
        who = f" for patient {self.patient}" if self.patient is not None else ""
        where = f" ({self.origin})" if self.origin else ""
        return f"the ignore of {self.ingredient}{who}{where}"


def as_ignores(items: Iterable[str | Ignore]) -> tuple[Ignore, ...]:
    """Ignores from what a caller gives: names (as --ignore takes them) or Ignore records."""
    return tuple(i if isinstance(i, Ignore) else Ignore(i, origin="--ignore") for i in items)


def in_force(ignores: Iterable[Ignore], today: dt.date) -> tuple[tuple[Ignore, ...], tuple[Ignore, ...]]:
    """The ignores that apply today, and those that have expired."""
    active: list[Ignore] = []
    expired: list[Ignore] = []
    for ignore in ignores:
        (expired if ignore.expired(today) else active).append(ignore)
    return tuple(active), tuple(expired)
