"""Which records are screened, by the status their input gives them (FHIR status, a CSV status column)."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import InputRecord

__all__ = ["NOT_CURRENT", "NOT_TAKEN", "current"]

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
