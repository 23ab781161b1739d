"""Wording shared by the human-readable formats (table and markdown)."""

from __future__ import annotations

from ..models import Drug, Effect, Finding, InputRecord, MatchKind, Mention
from ..report import ReportMeta, plural

__all__ = [
    "DISCLAIMER",
    "NOT_CURRENT_NOTE",
    "dose",
    "effect_label",
    "kb_label",
    "match_label",
    "mention_drug",
    "place",
    "plural",
    "references",
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
