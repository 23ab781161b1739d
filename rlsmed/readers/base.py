"""What every reader (input format) provides, and the options readers share."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any, BinaryIO, NamedTuple, Protocol

from ..models import InputRecord

__all__ = [
    "BATCH",
    "MAX_MEDICATION_KEYS",
    "MedicationEntry",
    "MedicationIndex",
    "ReadOptions",
    "Reader",
    "Rewound",
    "record_batches",
]

BATCH = 2048  # records screened together: enough to amortise per-batch work, few enough to stream
MAX_MEDICATION_KEYS = 100_000  # Medications kept for references (a key each, two for some): ~40 MB at most

# What a medicationReference resolves to: (text, RxNorm codes, code label when there is no text, such
# as "RxNorm 1049630").
MedicationEntry = tuple[str, tuple[str, ...], str]


class MedicationIndex:
    """The Medication resources of a run's FHIR inputs, collected before any is read (readers.prepare),
    so that a reference resolves whatever the order of lines and files.

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


class ReadOptions(NamedTuple):
    """Reader settings from the command line; each reader uses the ones that apply to it.

    `medications` is set by readers.prepare for a run over several inputs (the FHIR reader uses it).
    """

    column: str | None = None
    patient_column: str | None = None
    all_statuses: bool = False
    medications: MedicationIndex | None = None


class Reader(Protocol):
    """Turns one input stream into records; raises InputError (naming file and line) for unreadable input.

    A reader may also offer `read_batches(stream, source, options)`, yielding lists of records, which
    saves a generator step per record on large inputs.
    """

    name: str

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]: ...


def record_batches(reader: Reader, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
    """The reader's records in lists of up to BATCH (its own batches, when it has them)."""
    read_batches = getattr(reader, "read_batches", None)
    if read_batches is not None:
        yield from read_batches(stream, source, options)
        return
    records = reader.read(stream, source, options)
    while batch := list(islice(records, BATCH)):
        yield batch


class Rewound(io.RawIOBase):
    """A stream whose first bytes were read to look at them, put back in front.

    `progress`, when given, is told how many bytes each read returns (for a progress bar).
    """

    def __init__(self, head: bytes, rest: BinaryIO, progress: Callable[[int], None] | None = None) -> None:
        self._head = head
        self._rest = rest
        self._progress = progress

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None:
            size = -1
        if self._head:
            if size < 0:
                data, self._head = self._head + self._rest.read(), b""
            else:
                data, self._head = self._head[:size], self._head[size:]
        else:
            data = self._rest.read(size)
        if self._progress is not None:
            self._progress(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
