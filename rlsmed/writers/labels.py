"""Wording shared by the human-readable formats (table, Markdown, HTML)."""

from __future__ import annotations

from ..models import Drug, Effect, Finding, InputRecord, MatchKind, Mention
from ..report import NEVER_SCREENED, ReportMeta, Summary, plural

__all__ = [
    "CONSIDER",
    "DISCLAIMER",
    "FUZZY_LEGEND",
    "NOT_CURRENT_NOTE",
    "STREAMING",
    "dose",
    "effect_label",
    "ignored_label",
    "kb_label",
    "left_out_notes",
    "match_label",
    "mention_drug",
    "not_current",
    "place",
    "plural",
    "read_as",
    "references",
    "to_verify",
]

_SHORT_EFFECT = {
    Effect.WORSENS: "may worsen RLS",
    Effect.AUGMENTATION: "augmentation",
    Effect.MIXED: "mixed evidence",
    Effect.LOWER_RISK: "lower risk",
    Effect.RLS_TREATMENT: "RLS treatment",
    Effect.INFORMATION: "none known",
}

DISCLAIMER = (
    "rlsmed supports, and does not replace, clinical judgement: review each finding with the patient's "
    "history, and never stop a medicine because of this report alone."
)


# Many entries give checks rather than alternatives: "what to consider", not "consider instead".
CONSIDER = "What to consider"
FUZZY_LEGEND = (
    "Read as: a misspelling matched to the closest flagged name, with its similarity (0-100). Verify it with "
    "the patient or the prescriber."
)

# The top of a report whose flagged records are too many to hold until the counts are known.
STREAMING = "A large input: findings are written in parts as they are read; the counts are at the end."


def left_out_notes(summary: Summary) -> list[str]:
    """What a report says of the records their status left out (none are lost: they are counted, and JSON
    lists them)."""
    notes = []
    if summary.skipped:
        notes.append(f"{plural(summary.skipped, 'record')} left out as not current (see --all-statuses).")
    if summary.skipped_never:
        notes.append(f"{plural(summary.skipped_never, 'record')} never screened ({NEVER_SCREENED}; json lists them).")
    if summary.skipped_no_rls:
        notes.append(
            f"{plural(summary.skipped_no_rls, 'record')} of patients without RLS on record left out (--rls-only)."
        )
    return notes


def to_verify(f: Finding) -> list[str]:
    """What to verify of a finding: how a misspelling was read ("read as Benadryl (87.5): verify"), and
    what to check on the pack of a brand that differs by market."""
    parts = [f"read as {f.matched_as} ({f.score:g}): verify"] if f.match is MatchKind.FUZZY else []
    return [*parts, *([f.verify] if f.verify else [])]


def read_as(f: Finding) -> str:
    """What to verify of a finding, in one line."""
    return "; ".join(to_verify(f))


def ignored_label(f: Finding) -> str:
    """ "ignored: reviewed with prescriber", or "ignored" when the ignore gave no reason (--ignore)."""
    return f"ignored: {f.ignore_reason}" if f.ignore_reason else "ignored"


_DOSE_WORDS = ("sig", "dos", "direction", "instruction", "frequency", "route", "strength")


def dose(record: InputRecord) -> str:
    """The dose and directions the input gives beside the medication (CSV columns, FHIR dosage)."""
    parts = [
        f"{key}: {' '.join(value.split())}"
        for key, value in record.context.items()
        if value and any(word in key.lower() for word in _DOSE_WORDS)
    ]
    return "; ".join(parts)


NOT_CURRENT_NOTE = (
    "Read as not taken now, or not the patient's: not counted as findings. Check each reason; "
    "--all-statuses screens them all as findings."
)


def not_current(status_label: str, reason: str) -> str:
    """Why a drug named is not taken now: "allergy or intolerance: under "Allergies:""."""
    return f"{status_label}: {reason}" if reason else status_label


def mention_drug(m: Mention) -> str:
    """A drug named but not current, with what it would be if it were taken ("hydroxyzine: may worsen RLS")."""
    if m.drug is not None and m.drug.flagged:
        return f"{m.ingredient}: {_SHORT_EFFECT[m.drug.effect]}"
    return m.ingredient


def effect_label(f: Finding, *, short: bool = False) -> str:
    """What the drug does, worded for the indication: augmentation is a risk of treating RLS, while in
    Parkinson's disease the drug is essential and is monitored."""
    if f.indication == "parkinson" and f.drug.effect is Effect.AUGMENTATION:
        return "Parkinson's: monitor" if short else "augmentation risk applies to RLS; in Parkinson's disease: monitor"
    return _SHORT_EFFECT[f.drug.effect] if short else f.drug.effect.label


def match_label(f: Finding) -> str:
    if f.match is MatchKind.EXACT:
        return f"exact: {f.verify}" if f.verify else "exact"
    return f"fuzzy {f.score:g}: verify"


def references(drug: Drug) -> str:
    """A drug's sources, then those on its class (which do not name it), as one line."""
    refs = [s.reference for s in drug.sources]
    refs += [f"class: {s.reference}" for s in drug.class_sources]
    return "; ".join(refs)


def place(record: InputRecord, many_sources: bool) -> str:
    """Where a record is: its line (or record id), with the file name when there are several inputs."""
    where = record.record or str(record.line)
    return f"{record.source}:{where}" if many_sources else where


def kb_label(meta: ReportMeta) -> str:
    """The knowledge base a report rests on, as every report states it: "2.0.0 (2026-12-01)", with the
    site files layered on it (each with the start of its SHA-256) and the country products were read for."""
    label = f"{meta.kb_version} ({meta.kb_updated})"
    if meta.site_files:
        label += " with " + ", ".join(f"{path} (sha256 {digest[:12]})" for path, digest in meta.site_files)
    if meta.country:
        label += f", products of {meta.country}"
    return label
