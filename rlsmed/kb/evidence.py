"""The written evidence scale: an entry's level follows from the kinds of evidence it rests on.

Levels (README "Evidence scale"):
- strong: a controlled trial, or a cohort study that reports the rate for this drug (users followed over
  time, or compared with non-users or with users of another drug);
- moderate: a pharmacovigilance signal for this drug (a disproportionality measure such as a reporting odds
  ratio), or a case series (several patients described together, or a prospective series without controls);
- weak: isolated case reports (including single spontaneous reports and reviews that collect them);
- expert: no drug-specific report: inference from the drug's class or mechanism, or a guideline's opinion.

The level is that of the strongest kind listed. An entry lists only kinds its drug-specific sources show;
class inference rests on `class_sources`, which do not name the drug.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Evidence, EvidenceKind

__all__ = ["DRUG_SPECIFIC", "KIND_LEVEL", "level_for"]

KIND_LEVEL: dict[EvidenceKind, Evidence] = {
    EvidenceKind.TRIAL: Evidence.STRONG,
    EvidenceKind.COHORT: Evidence.STRONG,
    EvidenceKind.PHARMACOVIGILANCE: Evidence.MODERATE,
    EvidenceKind.CASE_SERIES: Evidence.MODERATE,
    EvidenceKind.CASE_REPORT: Evidence.WEAK,
    EvidenceKind.CLASS_INFERENCE: Evidence.EXPERT,
    EvidenceKind.GUIDELINE: Evidence.EXPERT,
}

# Kinds that need a source naming the drug.
DRUG_SPECIFIC = frozenset(
    {
        EvidenceKind.TRIAL,
        EvidenceKind.COHORT,
        EvidenceKind.PHARMACOVIGILANCE,
        EvidenceKind.CASE_SERIES,
        EvidenceKind.CASE_REPORT,
        EvidenceKind.GUIDELINE,
    }
)


def level_for(kinds: Iterable[EvidenceKind]) -> Evidence:
    """The level the written rule gives to evidence of these kinds (expert when there is none)."""
    return max((KIND_LEVEL[k] for k in kinds), key=lambda level: level.rank, default=Evidence.EXPERT)
