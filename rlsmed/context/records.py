"""The status a record gives all of its drugs: a CSV row, a FHIR resource, a C-CDA entry.

A record's own status field ("stopped", "on-hold", "not-taken", a C-CDA statusCode a reader has made
sense of) decides first; else its notes and comments are read for a phrase that is not current
("patient stopped taking", "allergic", "never started"). The status words are data (data/context.json,
"record_statuses"), so that every reader, and any reader yet to come, means the same by them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Status
from ..normalize import tokens
from .phrases import CURRENT, Decision, find_cues
from .rules import Rules, shipped_rules
from .text import split

__all__ = ["STATUS_REASON", "record_status"]

# The context key under which a reader may give the reason for the status it set ("ended 2012-12-31",
# "Status column: Discontinued"); the reports show it as the reason.
STATUS_REASON = "status reason"


def record_status(
    status: str | None, notes: Iterable[str] = (), context_rules: Rules | None = None, *, reason: str = ""
) -> Decision | None:
    """The status a record's fields give all its drugs, with the reason; CURRENT when they say nothing
    against it; None when the record is no medicine at all (entered in error) and is left out. A reader
    that worked the status out (C-CDA) gives its `reason`, shown instead of the status word.

    >>> record_status("stopped")
    Decision(status=<Status.NOT_CURRENT: 'not_current'>, reason="status 'stopped' in the input")
    """
    r = context_rules or shipped_rules()
    if status:
        key = " ".join(status.lower().replace("_", " ").split())
        dashed = key.replace(" ", "-")
        found = r.record_statuses.get(key) or r.record_statuses.get(dashed)
        if found is not None:
            if found == "left_out":
                return None
            return Decision(Status(found), reason or f"status '{status}' in the input")
    for note in notes:
        if not note or r.marks.isdisjoint(tokens(note)):
            continue
        line = split(note, r.abbreviations)
        for cue in find_cues(line, r):
            trigger = cue.trigger
            if trigger is not None and trigger.status is not Status.CURRENT and trigger.status is not Status.FAMILY:
                return Decision(trigger.status, f"'{line.written(cue.start, cue.end)}' in '{_short(note)}'")
    return CURRENT


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57].rstrip() + "..."
