"""Which records are screened, by the status their input gives them (FHIR status, a CSV status column,
the status a C-CDA reader worked out).

Every record is screened but those entered in error, which are no medicine the patient had: a stopped,
held, declined or allergy record names a drug that is not current, and is reported as such with its
reason (rlsmed.context.record_status says which status, and why; rlsmed.mentions applies it).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..context import shipped_rules
from ..models import InputRecord

__all__ = ["current", "left_out", "reason"]


def _never(record: InputRecord) -> bool:
    """Whether a record's status says it is no medicine at all (entered in error): never screened."""
    status = record.status
    return status is not None and shipped_rules().record_statuses.get(status.lower()) == "left_out"


def current(records: Sequence[InputRecord], *, all_statuses: bool = False) -> list[InputRecord]:
    """The records to screen: all but those entered in error (`all_statuses` changes nothing here: it
    makes the mentions that are not current findings)."""
    return [r for r in records if not _never(r)]


def left_out(records: Sequence[InputRecord], *, all_statuses: bool = False) -> tuple[list[InputRecord], int]:
    """The records `current` leaves out, and how many of them are never screened: all of them."""
    found = [r for r in records if _never(r)]
    return found, len(found)


def reason(record: InputRecord) -> str:
    """Why a record is left out, for a person to check: the reader's reason (C-CDA), else its status."""
    given = record.context.get("status reason", "")
    return given or f"status {record.status!r}"
