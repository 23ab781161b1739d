"""What every reader (input format) provides, and the options readers share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, NamedTuple, Protocol

from ..models import InputRecord

__all__ = ["ReadOptions", "Reader"]


class ReadOptions(NamedTuple):
    """Reader settings from the command line; each reader uses the ones that apply to it."""

    column: str | None = None
    patient_column: str | None = None
    all_statuses: bool = False


class Reader(Protocol):
    """Turns one input stream into records; raises InputError (naming file and line) for unreadable input."""

    name: str

    def read(self, stream: BinaryIO, source: str, options: ReadOptions) -> Iterator[InputRecord]: ...
