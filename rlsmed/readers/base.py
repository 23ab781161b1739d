"""What every reader (input format) provides, and the options readers share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import IntEnum
from itertools import islice
from typing import BinaryIO, ClassVar, NamedTuple, Protocol

from ..conditions import PatientConditions
from ..formats import InputFormat
from ..inputs import RawReader
from ..models import InputRecord
from .references import MedicationIndex

__all__ = ["BATCH", "HEAD", "Claim", "Head", "Opener", "ReadOptions", "Reader", "Rewound", "in_batches"]

HEAD = 1 << 16  # the first bytes of an input, looked at to tell its format
BATCH = 2048  # records screened together: enough to amortise per-batch work, few enough to stream


class ReadOptions(NamedTuple):
    """Reader settings from the command line; each reader uses the ones that apply to it.

    `medications` is what the FHIR reader's `prepare` collected from a run's inputs.
    """

    column: str | None = None
    patient_column: str | None = None
    all_statuses: bool = False
    medications: MedicationIndex | None = None
    sheet: str | None = None  # the sheet of a workbook to read (else its first)
    # Patients with RLS on record, which readers of inputs that record conditions (FHIR) add to.
    conditions: PatientConditions | None = None


class Head(NamedTuple):
    """The start of an input, as format detection sees it."""

    name: str
    data: bytes  # its first bytes (up to rlsmed.readers.HEAD)
    sample: str | None  # their decoded start; None when they are not text
    complete: bool  # the sample is the whole input
    named: InputFormat | None  # the format its name suggests, when the content may say otherwise (.txt)


class Claim(IntEnum):
    """How surely an input is in a reader's format, by its content."""

    NONE = 0
    LIKELY = 1  # unless its name says otherwise
    CERTAIN = 2  # whatever its name says


class Opener(Protocol):
    """An input as a reader's `prepare` sees it (rlsmed.inputs.Input): a name, and a way to open it."""

    @property
    def name(self) -> str: ...
    @property
    def opener(self) -> Callable[[], BinaryIO]: ...


class Reader:
    """Turns one input stream into records; raises InputError (naming file and line) for unreadable input.

    Each reader module defines one subclass; the registry in rlsmed/readers/__init__.py names it, with the
    file extensions of its format and a pattern of content worth asking its `detect` about.
    """

    format: ClassVar[InputFormat]
    # True when its records carry statuses ("stopped", "entered-in-error") that decide what is screened.
    statuses: ClassVar[bool] = False
    # True when its records are the lines of a list, read together: headings set the status of the lines
    # under them (text). Otherwise each record stands alone (a CSV row, a FHIR resource).
    sections: ClassVar[bool] = False

    @property
    def name(self) -> str:
        return self.format.value

    @staticmethod
    def detect(head: Head) -> Claim:
        """Whether content is in this format (asked only when the registry's pattern matched it)."""
        return Claim.NONE

    def read_batches(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[list[InputRecord]]:
        """The records of one input, in lists of up to BATCH."""
        raise NotImplementedError

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]:
        """The records of one input, one at a time."""
        for batch in self.read_batches(stream, source, options):
            yield from batch

    def notes(self) -> list[str]:
        """What a person should know about the input just read, beyond its records (a C-CDA document
        without a Medications section); said on stderr. Most readers have nothing to say."""
        return []

    def prepare(self, inputs: Sequence[Opener], options: ReadOptions) -> ReadOptions:
        """Options for reading a run whose inputs of this format are `inputs`, learned by looking at all of
        them before any is read (FHIR: the Medications references point to). Most readers need nothing."""
        return options


def in_batches(records: Iterable[InputRecord]) -> Iterator[list[InputRecord]]:
    """Records in lists of up to BATCH, for readers that make them one at a time."""
    it = iter(records)
    while batch := list(islice(it, BATCH)):
        yield batch


class Rewound(RawReader):
    """A stream whose first bytes were read to look at them, put back in front.

    `progress`, when given, is told how many bytes each read returns (for a progress bar).
    """

    def __init__(self, head: bytes, rest: BinaryIO, progress: Callable[[int], None] | None = None) -> None:
        self._head = head
        self._rest = rest
        self._progress = progress

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
