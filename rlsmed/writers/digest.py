"""What the reports for people (table, Markdown, HTML) put first, and in what order.

The headline gives the counts before anything else; flagged records come in order of what matters (an
augmentation risk, then the strength of the evidence); "why" and "what to consider" come once per drug.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Effect, Finding, InputRecord, LineResult
from ..report import Summary, plural
from .written import identifying

__all__ = ["by_importance", "headline", "importance", "notes_in_order", "row_label", "short_written"]

_LABEL_UP_TO = 16  # characters of a record's name shown as its place ("row 12"); longer ones show the line


def importance(f: Finding) -> tuple[int, int, int, int]:
    """Sort key of a finding, most important first: not ignored, an augmentation risk (but not the
    Parkinson's wording, where the drug is needed), stronger evidence, worsening before mixed evidence."""
    augmentation = f.drug.effect is Effect.AUGMENTATION and f.indication != "parkinson"
    return (f.ignored, not augmentation, -f.drug.evidence.rank, f.drug.effect is Effect.MIXED)


def by_importance(rows: Iterable[LineResult]) -> list[LineResult]:
    """Flagged records, each with its findings most important first, ordered by their most important
    finding (records that tie keep their input order)."""
    ordered = [r._replace(findings=tuple(sorted(r.findings, key=importance))) for r in rows]
    return sorted(ordered, key=lambda r: importance(r.findings[0]) if r.findings else (True, True, 0, True))


def notes_in_order(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per drug and wording (in the order they were first found), most important first: the drugs
    whose "why" and "what to consider" a report gives. Drugs of ignored findings only are left out."""
    return sorted((f for f in findings if not f.ignored), key=importance)


def headline(summary: Summary) -> str:
    """The counts a reader needs first: "7 of 16 medicines may provoke or worsen RLS; 1 misspelling to
    verify; 1 line not recognised."."""
    s = summary
    if s.nothing_to_screen:
        return "Nothing to screen: the input holds no medication."
    parts: list[str] = []
    if s.patients:
        parts.append(f"{plural(s.patients, 'patient')}, {s.patients_flagged:,} with a finding")
    if s.rls_on_record:
        parts.append(
            f"{plural(s.patients_with_rls, 'patient')} with RLS on record, {s.patients_with_rls_flagged:,} of them"
            " taking a flagged drug"
        )
    medicines = s.records - s.headings  # a heading or a document's field is no medicine
    if medicines <= 0:
        parts.append("no current medication to screen")
    elif s.flagged:
        parts.append(f"{s.flagged:,} of {plural(medicines, 'medicine')} may provoke or worsen RLS")
    elif s.mentions_flagged:
        parts.append("nothing flagged among the medicines taken now")
    else:
        parts.append(f"nothing flagged: none of {plural(medicines, 'medicine')} is known to provoke or worsen RLS")
    if s.ignored:
        parts.append(f"{plural(s.ignored, 'finding')} ignored (already reviewed)")
    if s.misspellings:
        parts.append(f"{plural(s.misspellings, 'misspelling')} to verify")
    if s.needs_verification > s.misspellings:
        parts.append(f"{plural(s.needs_verification - s.misspellings, 'finding')} to check on the pack")
    if s.mentions_not_current:
        flagged = f" ({s.mentions_flagged:,} that would be flagged)" if s.mentions_flagged else ""
        parts.append(f"{plural(s.mentions_not_current, 'drug')} named but not current{flagged}")
    if s.unrecognized:
        parts.append(f"{plural(s.unrecognized, s.unit)} not recognised")
    if s.skipped:
        parts.append(f"{s.skipped:,} not current, left out")
    if s.skipped_never:
        parts.append(f"{s.skipped_never:,} never screened (entered in error, not taken, allergies)")
    if s.skipped_no_rls:
        parts.append(f"{plural(s.skipped_no_rls, 'record')} of patients without RLS on record left out")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def row_label(record: InputRecord, *, full: bool = False) -> str:
    """Where a record is in its input, short enough for a table's first column: its name ("row 12",
    "medication 3"), or its line for a resource's reference ("MedicationRequest/mr-1", "urn:uuid:…") or
    a long name, unless `full`."""
    name = record.record
    if name and (full or (len(name) <= _LABEL_UP_TO and "/" not in name and ":" not in name)):
        return name
    return str(record.line)


def short_written(result: LineResult) -> str:
    """The written line shortened to what identifies its medicine (the names found, and their strength)."""
    names = [f.matched_text for f in result.findings] or [r.matched_as for r in result.recognized]
    return identifying(result.record.text, names)
