"""Typed records shared by every part of rlsmed: knowledge base, input records, findings, reports.

Records are NamedTuples: immutable, typed, and cheap to create, which matters when an export has
millions of lines (and when the tool starts, since every class is built anew on each run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from types import MappingProxyType
from typing import NamedTuple

__all__ = [
    "Drug",
    "Effect",
    "Evidence",
    "Finding",
    "InputRecord",
    "KnowledgeBase",
    "LineResult",
    "LineStatus",
    "MatchKind",
    "Outcome",
    "Product",
    "Recognition",
    "ResultBatch",
    "Source",
]


class Effect(str, Enum):
    """What an ingredient does to RLS, as the knowledge base states it."""

    WORSENS = "worsens"
    AUGMENTATION = "augmentation"
    MIXED = "mixed"
    LOWER_RISK = "lower_risk"
    RLS_TREATMENT = "rls_treatment"
    INFORMATION = "information"

    @property
    def flagged(self) -> bool:
        """True when an ingredient with this effect is reported as a finding."""
        return self in _FLAGGED

    @property
    def label(self) -> str:
        return _EFFECT_LABELS[self]


_FLAGGED = frozenset({Effect.WORSENS, Effect.AUGMENTATION, Effect.MIXED})
_EFFECT_LABELS = {
    Effect.WORSENS: "may provoke or worsen RLS",
    Effect.AUGMENTATION: "augmentation risk",
    Effect.MIXED: "mixed evidence; may worsen RLS",
    Effect.LOWER_RISK: "lower-risk alternative",
    Effect.RLS_TREATMENT: "used to treat RLS",
    Effect.INFORMATION: "no established effect",
}


class Evidence(str, Enum):
    """Strength of the evidence behind an entry's claim, weakest first."""

    EXPERT = "expert"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"

    @property
    def rank(self) -> int:
        return _EVIDENCE_ORDER.index(self)

    @property
    def label(self) -> str:
        return _EVIDENCE_LABELS[self]


_EVIDENCE_ORDER = (Evidence.EXPERT, Evidence.WEAK, Evidence.MODERATE, Evidence.STRONG)
_EVIDENCE_LABELS = {
    Evidence.EXPERT: "expert opinion / class effect",
    Evidence.WEAK: "weak (case reports)",
    Evidence.MODERATE: "moderate",
    Evidence.STRONG: "strong",
}


class MatchKind(str, Enum):
    """How a name in the input was matched to the knowledge base."""

    EXACT = "exact"
    FUZZY = "fuzzy"


class LineStatus(str, Enum):
    """The one state every non-blank input line ends in."""

    FLAGGED = "flagged"
    RECOGNIZED = "recognized"
    UNRECOGNIZED = "unrecognized"


class Source(NamedTuple):
    """A citation the knowledge base rests on."""

    key: str
    citation: str
    doi: str = ""
    pmid: str = ""
    url: str = ""

    @property
    def reference(self) -> str:
        """The citation with its strongest identifier."""
        if self.doi:
            return f"{self.citation} doi:{self.doi}"
        if self.pmid:
            return f"{self.citation} PMID {self.pmid}"
        if self.url:
            return f"{self.citation} {self.url}"
        return self.citation


class Drug(NamedTuple):
    """One active ingredient of the knowledge base."""

    name: str
    drug_class: str
    effect: Effect
    evidence: Evidence
    evidence_basis: str
    mechanism: str
    rationale: str
    considerations: str
    names: tuple[str, ...] = ()
    salts: tuple[str, ...] = ()
    atc: tuple[str, ...] = ()
    rxcui: str = ""
    parkinson: str = ""
    sources: tuple[Source, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.effect.flagged


class Product(NamedTuple):
    """A named product (often a combination) and the ingredients it contains."""

    name: str
    ingredients: tuple[str, ...]
    note: str = ""


class KnowledgeBase(NamedTuple):
    """The validated knowledge base: drugs by ingredient name, products, and the bibliography."""

    version: str
    updated: str
    drugs: Mapping[str, Drug]
    products: tuple[Product, ...] = ()
    sources: Mapping[str, Source] = MappingProxyType({})
    origin: tuple[str, ...] = ()


class InputRecord(NamedTuple):
    """One unit of input: a text line, a CSV row or a FHIR resource.

    `line` is the 1-based line number in the source (for CSV the row's line; for a FHIR bundle the
    entry's position); `record` names the row or resource ("row 12", "MedicationRequest/abc");
    `codes` holds RxNorm codes given with the medication; `reason` the indication when the input says;
    `context` other columns worth showing with a finding (dose, sig, dates).
    """

    source: str
    line: int
    text: str
    patient: str | None = None
    record: str | None = None
    status: str | None = None
    reason: str = ""
    codes: tuple[str, ...] = ()
    context: Mapping[str, str] = MappingProxyType({})


class Finding(NamedTuple):
    """A flagged ingredient found in one input record."""

    record: InputRecord
    drug: Drug
    matched_text: str
    matched_as: str
    match: MatchKind
    score: float
    product: str = ""
    ignored: bool = False
    indication: str = ""

    @property
    def needs_verification(self) -> bool:
        return self.match is MatchKind.FUZZY

    @property
    def ingredient(self) -> str:
        return self.drug.name

    @property
    def considerations(self) -> str:
        """What to consider instead, worded for the indication when one is known."""
        if self.indication == "parkinson" and self.drug.parkinson:
            return self.drug.parkinson
        return self.drug.considerations


class Recognition(NamedTuple):
    """An ingredient recognised in a record that is no RLS concern (or is known but not flagged)."""

    ingredient: str
    matched_as: str
    match: MatchKind = MatchKind.EXACT
    score: float = 100.0
    note: str = ""


class LineResult(NamedTuple):
    """The outcome for one input record."""

    record: InputRecord
    status: LineStatus
    findings: tuple[Finding, ...] = ()
    recognized: tuple[Recognition, ...] = ()


class Outcome(NamedTuple):
    """What the names found in a record amount to. One object is shared by every record naming the same
    drugs, so that screening a large export creates almost nothing per line."""

    status: LineStatus
    recognized: tuple[Recognition, ...]
    flagged: tuple[tuple[Drug, int], ...]  # each flagged drug, with the index of the hit naming it
    # 0 unrecognised, 1 flagged, 2 + k for the k-th distinct set of recognitions (writers key on it)
    state: int


class ResultBatch(NamedTuple):
    """The results of a batch of records, kept by column: an outcome per record, and the findings of the
    flagged ones by their position in the batch."""

    records: Sequence[InputRecord]
    outcomes: Sequence[Outcome]
    findings: Mapping[int, tuple[Finding, ...]]

    @property
    def results(self) -> list[LineResult]:
        """One LineResult per record."""
        new, get, none = tuple.__new__, self.findings.get, ()
        return [
            new(LineResult, (record, outcome[0], get(i, none), outcome[1]))
            for i, (record, outcome) in enumerate(zip(self.records, self.outcomes, strict=True))
        ]
