"""What a user chooses among: input and output formats, the --fail-on threshold, laboratory value ranges.

Kept apart, and free of imports, so that the command line can offer them without loading the library.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "FERRITIN_MAX",
    "JOBS_MAX",
    "PLAIN_TEXT",
    "TSAT_MAX",
    "FailOn",
    "InputFormat",
    "OutputFormat",
    "format_of_name",
]

FERRITIN_MAX = 100_000  # ng/mL: far above any measured value, so only typing errors are refused
TSAT_MAX = 100  # transferrin saturation, %
JOBS_MAX = 256  # --jobs above this is refused; below it, workers are never more than the cores or the batches


class InputFormat(str, Enum):
    """The input formats rlsmed reads."""

    AUTO = "auto"
    TEXT = "text"
    CSV = "csv"
    FHIR = "fhir"
    CCDA = "ccda"
    EXCEL = "excel"


class OutputFormat(str, Enum):
    """The report formats rlsmed writes."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    MARKDOWN = "markdown"
    HTML = "html"


# The report format a file name asks for by its extension (`-o report.json`). ".txt" is plain text: the
# table by default, and any format given with --format.
_EXTENSIONS = {
    ".json": OutputFormat.JSON,
    ".jsonl": OutputFormat.JSONL,
    ".ndjson": OutputFormat.JSONL,
    ".csv": OutputFormat.CSV,
    ".md": OutputFormat.MARKDOWN,
    ".markdown": OutputFormat.MARKDOWN,
    ".html": OutputFormat.HTML,
    ".htm": OutputFormat.HTML,
    ".txt": OutputFormat.TABLE,
}
PLAIN_TEXT = ".txt"


def format_of_name(name: str) -> OutputFormat | None:
    """The output format a file's extension names (".json" → JSON), or None for another extension."""
    dot = name.rfind(".")
    if dot <= max(name.rfind("/"), name.rfind("\\")):
        return None
    return _EXTENSIONS.get(name[dot:].lower())


class FailOn(str, Enum):
    """Which findings make a run exit 1: any, those with at least this evidence, or never.

    The evidence names are those of rlsmed.models.Evidence, whose weakest level ("expert") is "any".
    """

    ANY = "any"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"
    NEVER = "never"
