"""What records of one input may refer to in another, collected before any is read.

A FHIR MedicationRequest names its drug through a reference to a Medication resource, which a Bulk Data
export keeps in another file (MedicationRequest.ndjson, Medication.ndjson): the reader's `prepare` step
indexes the run's Medications first, so that a reference resolves whatever the order of lines and files.
"""

from __future__ import annotations

__all__ = ["MAX_MEDICATION_KEYS", "MedicationEntry", "MedicationIndex"]

MAX_MEDICATION_KEYS = 100_000  # Medications kept for references (a key each, two for some): ~40 MB at most

# What a medicationReference resolves to: (text, RxNorm codes, code label when there is no text, such
# as "RxNorm 1049630").
MedicationEntry = tuple[str, tuple[str, ...], str]


class MedicationIndex:
    """The Medication resources of a run's FHIR inputs.

    `entries` maps reference keys ("Medication/<id>", or a fullUrl that does not end so) to what the
    Medication says; it holds no more than `limit` keys (`full` then says some were left out).
    `sources` names the inputs whose Medications are all in it.
    """

    __slots__ = ("entries", "full", "limit", "sources")

    def __init__(self, limit: int = MAX_MEDICATION_KEYS) -> None:
        self.entries: dict[str, MedicationEntry] = {}
        self.sources: set[str] = set()
        self.limit = limit
        self.full = False
