"""The names of the input and output formats (kept apart so the command line loads fast)."""

from __future__ import annotations

from enum import Enum

__all__ = ["InputFormat", "OutputFormat"]


class InputFormat(str, Enum):
    """The input formats rlsmed reads."""

    AUTO = "auto"
    TEXT = "text"
    CSV = "csv"
    FHIR = "fhir"


class OutputFormat(str, Enum):
    """The report formats rlsmed writes."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    MARKDOWN = "markdown"
