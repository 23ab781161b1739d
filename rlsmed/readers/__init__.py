"""Input formats: one reader per module, chosen by --input-format or detected from extension and content."""

from __future__ import annotations

from ..formats import InputFormat
from .base import Reader, ReadOptions
from .text import TextReader

__all__ = ["READERS", "InputFormat", "ReadOptions", "Reader", "detect_format"]


READERS: dict[InputFormat, Reader] = {
    InputFormat.TEXT: TextReader(),
}


def detect_format(name: str, head: bytes) -> InputFormat:
    """The format of an input from its file name and first bytes."""
    return InputFormat.TEXT
