"""What every reader (input format) provides, and the options readers share."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import BinaryIO, NamedTuple, Protocol

from ..models import InputRecord

__all__ = ["BATCH", "ReadOptions", "Reader", "record_batches"]

BATCH = 2048  # records screened together: enough to amortise per-batch work, few enough to stream


class ReadOptions(NamedTuple):
    """Reader settings from the command line; each reader uses the ones that apply to it."""

    column: str | None = None
    patient_column: str | None = None
    all_statuses: bool = False


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
