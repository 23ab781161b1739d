"""Which records are screened, by the status their input gives them (FHIR status, a CSV status column,
the status a C-CDA reader worked out).

Every record is screened but those entered in error, which are no medicine the patient had: a stopped,
held, declined or allergy record names a drug that is not current, and is reported as such with its
reason (rlsmed.context.record_status says which status, and why; rlsmed.mentions applies it).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import RECORD_STATUS, InputRecord

__all__ = ["current", "left_out", "reason"]


def _left_out_words() -> frozenset[str]:
    """The status words of records that are no medicine at all (entered in error)."""
    from ..context.rules import shipped_rules  # only now: a list that gives no status needs no rules

    return shipped_rules().left_out


def current(records: Sequence[InputRecord], *, all_statuses: bool = False) -> list[InputRecord]:
    """The records to screen: all but those entered in error (`all_statuses` changes nothing here: it
    makes the mentions that are not current findings)."""
    if not any(map(RECORD_STATUS, records)):
        return list(records)
    out = _left_out_words()
    return [r for r in records if r.status is None or r.status.lower() not in out]


def left_out(records: Sequence[InputRecord], *, all_statuses: bool = False) -> tuple[list[InputRecord], int]:
    """The records `current` leaves out, and how many of them are never screened: all of them."""
    out = _left_out_words()
    found = [r for r in records if r.status is not None and r.status.lower() in out]
    return found, len(found)


def reason(record: InputRecord) -> str:
    """Why a record is left out, for a person to check: the reader's reason (C-CDA), else its status."""
    given = record.context.get("status reason", "")
    return given or f"status {record.status!r}"
