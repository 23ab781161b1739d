"""Which records are screened, by the status their input gives them (FHIR status, a CSV status column)."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import InputRecord

__all__ = ["NOT_CURRENT", "NOT_TAKEN", "current", "left_out", "reason"]

# Statuses of medicines no longer taken, compared without case: screened only with --all-statuses. The
# plain words (not_current, past) are those a reader gives when it decides itself (C-CDA).
NOT_CURRENT = frozenset({"stopped", "completed", "cancelled", "discontinued", "inactive", "not_current", "past"})
# Records that are not medicines the patient has had (entered in error, not taken, declined, not done, an
# allergy, someone else's): never screened, but counted as left out.
NOT_TAKEN = frozenset({"entered-in-error", "not-taken", "declined", "not-done", "allergy", "family"})


def current(records: Sequence[InputRecord], *, all_statuses: bool = False) -> list[InputRecord]:
    """The records to screen: those without a status that leaves them out."""
    left_out = NOT_TAKEN if all_statuses else NOT_TAKEN | NOT_CURRENT
    return [r for r in records if r.status is None or r.status.lower() not in left_out]


def left_out(records: Sequence[InputRecord], *, all_statuses: bool = False) -> tuple[list[InputRecord], int]:
    """The records `current` leaves out, and how many of them are never screened (NOT_TAKEN: no option
    brings them back); the others are not current (screened with --all-statuses)."""
    out = NOT_TAKEN if all_statuses else NOT_TAKEN | NOT_CURRENT
    found = [r for r in records if r.status is not None and r.status.lower() in out]
    return found, sum(r.status is not None and r.status.lower() in NOT_TAKEN for r in found)


def reason(record: InputRecord) -> str:
    """Why a record is left out, for a person to check: the reader's reason (C-CDA), else its status."""
    given = record.context.get("status reason", "")
    return given or f"status {record.status!r}"
