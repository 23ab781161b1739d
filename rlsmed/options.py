"""The settings of a screening run, checked, from the command line's or a library caller's values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

from .countries import country_code
from .errors import UsageError
from .formats import FERRITIN_MAX, JOBS_MAX, TSAT_MAX, FailOn, InputFormat
from .ignores import Ignore
from .models import Evidence
from .readers.base import ReadOptions

__all__ = ["CheckOptions", "check_options", "fail_on_evidence"]


class CheckOptions(NamedTuple):
    """Settings of one screening run."""

    # Drugs already reviewed: names (as --ignore takes them) or Ignore records (with a reason, an end date,
    # a patient); their findings are listed, marked ignored, and do not count towards the exit code.
    ignore: tuple[str | Ignore, ...] = ()
    fail_on: Evidence | None = Evidence.EXPERT  # the least evidence that makes a run exit 1; None: never
    ferritin: float | None = None
    tsat: float | None = None
    input_format: InputFormat = InputFormat.AUTO
    read: ReadOptions = ReadOptions()
    kb_files: tuple[str, ...] = ()
    jobs: int | None = 1  # worker processes for matching; None: one per core for large files
    country: str = ""  # ISO 3166-1 alpha-2: products read for this market, names as it writes them
    conditions: tuple[str, ...] = ()  # files of patients' conditions (RLS on record), beside the inputs
    rls_only: bool = False  # screen only the patients with RLS on record

    @property
    def all_statuses(self) -> bool:
        return self.read.all_statuses

    def checked(self) -> CheckOptions:
        """These options, or UsageError naming the first value out of range."""
        _check_lab("ferritin", self.ferritin, FERRITIN_MAX)
        _check_lab("tsat", self.tsat, TSAT_MAX)
        jobs = self.jobs
        if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= JOBS_MAX):
            raise UsageError(f"--jobs {jobs!r}: must be a whole number from 1 to {JOBS_MAX} (or None)")
        if self.country:
            try:
                return self._replace(country=country_code(self.country))
            except ValueError as e:
                raise UsageError(f"--country {e}") from None
        return self


def fail_on_evidence(value: FailOn | Evidence | str | None) -> Evidence | None:
    """The evidence threshold of a --fail-on value: a FailOn or Evidence name ("any", "moderate", "expert",
    "never"), or None for never."""
    if value is None or isinstance(value, Evidence):
        return value
    name = value.value if isinstance(value, FailOn) else value
    if name == FailOn.NEVER.value:
        return None
    if name == FailOn.ANY.value:
        return Evidence.EXPERT
    try:
        return Evidence(name)
    except ValueError:
        choices = ", ".join(f.value for f in FailOn)
        raise UsageError(f"fail_on must be one of {choices} (or an evidence level), or None") from None


def check_options(options: Mapping[str, object]) -> CheckOptions:
    """CheckOptions from keywords, accepting the plain values a caller would write (lists, strings)."""
    values = dict(options)
    for key in ("ignore", "kb_files", "conditions"):
        if isinstance(values.get(key), (str, Ignore)):
            values[key] = (values[key],)  # one name, not its letters
        elif isinstance(values.get(key), (list, set)):
            values[key] = tuple(values[key])  # type: ignore[arg-type]
    if "fail_on" in values:
        values["fail_on"] = fail_on_evidence(values["fail_on"])  # type: ignore[arg-type]
    try:
        return CheckOptions(**values).checked()  # type: ignore[arg-type]
    except TypeError as e:
        raise UsageError(str(e)) from None


def _check_lab(name: str, value: object, most: float) -> None:
    """A laboratory value is a finite number in its range, or None."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"--{name} must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or not 0 <= value <= most:
        raise UsageError(f"--{name} {value}: must be a number from 0 to {most:g}")
