"""Typed records shared by every part of rlsmed: knowledge base, input records, findings, reports.

Records are NamedTuples: immutable, typed, and cheap to create, which matters when an export has
millions of lines (and when the tool starts, since every class is built anew on each run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NamedTuple

from .status import Heading, Status

__all__ = [
    "FIRST_RECOGNITION_STATE",
    "FLAGGED_STATE",
    "HEADING_STATE",
    "NOT_CURRENT_STATE",
    "OUTCOME_STATE",
    "OUTCOME_STATUS",
    "RECORD_CODES",
    "RECORD_CONTEXT",
    "RECORD_LINE",
    "RECORD_PATIENT",
    "RECORD_RECORD",
    "RECORD_STATUS",
    "RECORD_TEXT",
    "UNRECOGNIZED_STATE",
    "Drug",
    "Effect",
    "Evidence",
    "EvidenceKind",
    "Finding",
    "Heading",
    "InputRecord",
    "KnowledgeBase",
    "LineResult",
    "LineStatus",
    "MatchKind",
    "Mention",
    "Outcome",
    "Product",
    "Recognition",
    "ResultBatch",
    "Source",
    "Status",
    "record_maker",
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


class EvidenceKind(str, Enum):
    """A kind of evidence an entry rests on; its level follows from these (rlsmed/kb/evidence.py)."""

    TRIAL = "trial"
    COHORT = "cohort"
    PHARMACOVIGILANCE = "pharmacovigilance"
    CASE_SERIES = "case_series"
    CASE_REPORT = "case_report"
    CLASS_INFERENCE = "class_inference"
    GUIDELINE = "guideline"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class MatchKind(str, Enum):
    """How a name in the input was matched to the knowledge base."""

    EXACT = "exact"
    FUZZY = "fuzzy"


class LineStatus(str, Enum):
    """The one state every non-blank input line ends in."""

    FLAGGED = "flagged"
    RECOGNIZED = "recognized"
    NOT_CURRENT = "not_current"  # names drugs, none of them taken now (stopped, an allergy, a relative's)
    HEADING = "heading"  # a heading, a document field or a table's column names: no drug
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
    # Added in knowledge base 2.0, after the fields above so that positional records still build.
    evidence_kinds: tuple[EvidenceKind, ...] = ()
    class_sources: tuple[Source, ...] = ()  # sources on the drug's class that do not name the drug

    @property
    def flagged(self) -> bool:
        return self.effect.flagged


class Product(NamedTuple):
    """A named product (often a combination) and the ingredients it contains.

    `markets` are ISO 3166-1 alpha-2 codes where the product is sold under this name with these
    ingredients (empty: not stated); a brand whose meaning differs by market has one entry per meaning.
    `source` is where the composition was checked: a key of the knowledge base's sources or a URL.
    `indication` is "parkinson" for a product licensed for Parkinson's disease only (Rytary, Duodopa).
    """

    name: str
    ingredients: tuple[str, ...]
    note: str = ""
    markets: tuple[str, ...] = ()
    source: str = ""
    indication: str = ""


class KnowledgeBase(NamedTuple):
    """The validated knowledge base: drugs by ingredient name, products, and the bibliography."""

    version: str
    updated: str
    drugs: Mapping[str, Drug]
    products: tuple[Product, ...] = ()
    sources: Mapping[str, Source] = MappingProxyType({})
    origin: tuple[str, ...] = ()
    site_files: tuple[tuple[str, str], ...] = ()  # site files layered on top: (path, SHA-256 of its bytes)
    site_names: frozenset[str] = frozenset()  # the names (name_key) that site files brought


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


def _getter(record_type: type[tuple[Any, ...]], field: str) -> Callable[[Any], Any]:
    """A fast getter of one field (itemgetter, in C) found by its name, so that it follows the field."""
    fields: tuple[str, ...] = record_type._fields  # type: ignore[attr-defined]
    return itemgetter(fields.index(field))


# Getters of the fields the per-record loops read (map(RECORD_TEXT, records) runs in C).
RECORD_TEXT = _getter(InputRecord, "text")
RECORD_LINE = _getter(InputRecord, "line")
RECORD_PATIENT = _getter(InputRecord, "patient")
RECORD_RECORD = _getter(InputRecord, "record")
RECORD_STATUS = _getter(InputRecord, "status")
RECORD_CODES = _getter(InputRecord, "codes")
RECORD_CONTEXT = _getter(InputRecord, "context")


def record_maker(*fields: str) -> Callable[..., InputRecord]:
    """A fast InputRecord constructor taking these fields positionally, in this order; the others take
    their defaults. Readers make one record per line of an export: this skips the NamedTuple
    constructor's keyword handling, and still follows the fields by name."""
    unknown = set(fields) - set(InputRecord._fields)
    if unknown:
        raise ValueError(f"InputRecord has no field {sorted(unknown)[0]!r}")
    defaults = {f"_d_{name}": value for name, value in InputRecord._field_defaults.items() if name not in fields}
    values = ", ".join(name if name in fields else f"_d_{name}" for name in InputRecord._fields)
    namespace: dict[str, Any] = {"_new": tuple.__new__, "_InputRecord": InputRecord, **defaults}
    exec(f"def make({', '.join(fields)}):\n    return _new(_InputRecord, ({values},))", namespace)
    maker: Callable[..., InputRecord] = namespace["make"]
    return maker


class Finding(NamedTuple):
    """A flagged ingredient found in one input record (current unless --all-statuses reports them all)."""

    record: InputRecord
    drug: Drug
    matched_text: str
    matched_as: str
    match: MatchKind
    score: float
    product: str = ""
    ignored: bool = False
    indication: str = ""
    # What to check on the pack: a brand that means different products in different markets, or a
    # night-time version of a brand that the knowledge base does not hold.
    verify: str = ""
    status: Status = Status.CURRENT
    status_reason: str = ""  # why the status, when it is not plainly current
    ignore_reason: str = ""  # why it is ignored, when the ignore says (a configuration file's reason)

    @property
    def needs_verification(self) -> bool:
        return self.match is MatchKind.FUZZY or bool(self.verify)

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


class Mention(NamedTuple):
    """A drug named in a record that the patient does not take now, or that is not theirs: reported with
    its status and the reason for it, and never counted as a finding."""

    record: InputRecord
    ingredient: str
    matched_text: str
    matched_as: str
    status: Status
    reason: str
    drug: Drug | None = None  # the knowledge base's entry, when it has one (flagged or not)
    match: MatchKind = MatchKind.EXACT
    score: float = 100.0
    product: str = ""

    @property
    def flagged(self) -> bool:
        """True when the drug would be a finding if it were current."""
        return self.drug is not None and self.drug.flagged


class LineResult(NamedTuple):
    """The outcome for one input record."""

    record: InputRecord
    status: LineStatus
    findings: tuple[Finding, ...] = ()
    recognized: tuple[Recognition, ...] = ()
    mentions: tuple[Mention, ...] = ()  # drugs named but not current
    heading: Heading | None = None


# Outcome.state: one number for what a record amounts to, which writers key on (and which crosses from
# worker processes). Set k of recognitions (the k-th distinct set) is FIRST_RECOGNITION_STATE + k.
UNRECOGNIZED_STATE = 0
FLAGGED_STATE = 1
NOT_CURRENT_STATE = 2
HEADING_STATE = 3
FIRST_RECOGNITION_STATE = 4


class Outcome(NamedTuple):
    """What the names found in a record amount to. One object is shared by every record naming the same
    drugs, so that screening a large export creates almost nothing per line."""

    status: LineStatus
    recognized: tuple[Recognition, ...]
    flagged: tuple[tuple[Drug, int], ...]  # each flagged drug, with the index of the hit naming it
    state: int  # UNRECOGNIZED_STATE, FLAGGED_STATE, NOT_CURRENT_STATE, HEADING_STATE, or FIRST_RECOGNITION_STATE + k


OUTCOME_STATUS = _getter(Outcome, "status")
OUTCOME_STATE = _getter(Outcome, "state")


_NONE: Mapping[int, Any] = MappingProxyType({})


class ResultBatch(NamedTuple):
    """The results of a batch of records, kept by column: an outcome per record, and by their position in
    the batch the findings of the flagged ones, the mentions that are not current, and the headings.
    `marks` are the positions of the records whose text holds a word that context reading looks for."""

    records: Sequence[InputRecord]
    outcomes: Sequence[Outcome]
    findings: Mapping[int, tuple[Finding, ...]]
    mentions: Mapping[int, tuple[Mention, ...]] = _NONE
    headings: Mapping[int, Heading] = _NONE
    marks: Sequence[int] = ()

    @property
    def results(self) -> list[LineResult]:
        """One LineResult per record."""
        new, get, none = tuple.__new__, self.findings.get, ()
        if not self.mentions and not self.headings:
            return [
                new(LineResult, (record, outcome[0], get(i, none), outcome[1], none, None))
                for i, (record, outcome) in enumerate(zip(self.records, self.outcomes, strict=True))
            ]
        mentions, headings = self.mentions.get, self.headings.get
        return [
            new(LineResult, (record, outcome[0], get(i, none), outcome[1], mentions(i, none), headings(i)))
            for i, (record, outcome) in enumerate(zip(self.records, self.outcomes, strict=True))
        ]
