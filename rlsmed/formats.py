"""What a user chooses among: input and output formats, the --fail-on threshold, laboratory value ranges.

Kept apart, and free of imports, so that the command line can offer them without loading the library.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["FERRITIN_MAX", "JOBS_MAX", "TSAT_MAX", "FailOn", "InputFormat", "OutputFormat"]

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


class FailOn(str, Enum):
    """Which findings make a run exit 1: any, those with at least this evidence, or never.

    The evidence names are those of rlsmed.models.Evidence, whose weakest level ("expert") is "any".
    """

    ANY = "any"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"
    NEVER = "never"
