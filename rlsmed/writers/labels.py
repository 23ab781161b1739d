"""Wording shared by the human-readable formats (table and markdown)."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Finding, InputRecord, LineResult, MatchKind
from ..report import ReportMeta, Summary

__all__ = ["DISCLAIMER", "LIST_RECOGNIZED_UP_TO", "by_patient", "dose", "match_label", "place", "summary_line"]

# Listing every recognised line helps on a patient's list, not on an export of thousands.
LIST_RECOGNIZED_UP_TO = 200

DISCLAIMER = (
    "rlsmed supports, and does not replace, clinical judgement: review each finding with the patient's "
    "history, and never stop a medicine because of this report alone."
)


_DOSE_WORDS = ("sig", "dos", "direction", "instruction", "frequency", "route", "strength")


def dose(record: InputRecord) -> str:
    """The dose and directions the input gives beside the medication (CSV columns, FHIR dosage)."""
    parts = [
        f"{key}: {' '.join(value.split())}"
        for key, value in record.context.items()
        if value and any(word in key.lower() for word in _DOSE_WORDS)
    ]
    return "; ".join(parts)


def match_label(f: Finding) -> str:
    if f.match is MatchKind.EXACT:
        return "exact"
    return f"fuzzy {f.score:g}: verify"


def place(record: InputRecord, many_sources: bool) -> str:
    """Where a record is: its line (or record id), with the file name when there are several inputs."""
    where = record.record or str(record.line)
    return f"{record.source}:{where}" if many_sources else where


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def summary_line(summary: Summary, meta: ReportMeta) -> str:
    """The one-line summary printed on stderr after every report."""
    parts = [
        f"{_plural(summary.records, summary.unit)} screened",
        f"{summary.flagged:,} flagged ({_plural(summary.findings - summary.ignored, 'finding')}"
        + (f", {summary.needs_verification:,} to verify" if summary.needs_verification else "")
        + (f", {summary.ignored:,} ignored" if summary.ignored else "")
        + ")",
        f"{summary.recognized:,} recognised",
        f"{summary.unrecognized:,} unrecognised",
    ]
    if summary.patients:
        parts.append(f"{_plural(summary.patients, 'patient')}, {summary.patients_flagged:,} flagged")
    if summary.skipped:
        parts.append(f"{summary.skipped:,} no longer current left out (see --all-statuses)")
    return f"rlsmed: {', '.join(parts)}; knowledge base {meta.kb_version} ({meta.kb_updated})"


def by_patient(results: Iterable[LineResult]) -> list[tuple[str | None, list[LineResult]]]:
    """Results grouped by patient, patients in order of first appearance."""
    groups: dict[str | None, list[LineResult]] = {}
    for r in results:
        groups.setdefault(r.record.patient, []).append(r)
    return list(groups.items())
