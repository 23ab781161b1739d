"""The result of a screening: per-line results, a running summary, advice, and the exit code they imply."""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from .conditions import PatientConditions
from .errors import ExitCode
from .models import (
    HEADING_STATE,
    NOT_CURRENT_STATE,
    OUTCOME_STATE,
    RECORD_PATIENT,
    UNRECOGNIZED_STATE,
    Evidence,
    Finding,
    Heading,
    InputRecord,
    LineResult,
    LineStatus,
    MatchKind,
    Mention,
    ResultBatch,
)

__all__ = ["Advice", "Report", "ReportMeta", "Summary", "Tally", "plural", "summary_line"]


class Advice(NamedTuple):
    """General advice added to a report, e.g. checking iron stores when anything is flagged."""

    topic: str
    text: str
    sources: tuple[str, ...] = ()


class ReportMeta(NamedTuple):
    """What every report states besides its lines: knowledge-base version and the run's settings."""

    kb_version: str
    kb_updated: str
    fail_on: Evidence | None = Evidence.EXPERT
    ferritin: float | None = None
    tsat: float | None = None
    inputs: tuple[str, ...] = ()  # the names of the inputs, in order (file paths, <stdin>)
    country: str = ""  # the market products were read for (ISO 3166-1 alpha-2), or "" for every market
    site_files: tuple[tuple[str, str], ...] = ()  # site knowledge-base files: (path, SHA-256 of the content)


class Summary:
    """Counts over a whole run (updated in place while results stream past)."""

    __slots__ = (
        "by_class",
        "by_ingredient",
        "failing",
        "findings",
        "flagged",
        "headings",
        "ignored",
        "mentions_flagged",
        "mentions_not_current",
        "misspellings",
        "needs_verification",
        "not_current",
        "notes",
        "patients",
        "patients_by_class",
        "patients_by_ingredient",
        "patients_flagged",
        "patients_with_rls",
        "patients_with_rls_flagged",
        "recognized",
        "records",
        "rls_on_record",
        "skipped",
        "skipped_never",
        "skipped_no_rls",
        "unit",
        "unrecognized",
        "warnings",
    )

    def __init__(self) -> None:
        self.records = 0
        self.flagged = 0
        self.recognized = 0
        self.not_current = 0  # records naming drugs of which none is current (stopped, an allergy ...)
        self.headings = 0  # headings, document fields and column lines
        self.unrecognized = 0
        self.findings = 0
        self.ignored = 0
        self.needs_verification = 0
        self.misspellings = 0  # of those to verify, the misspellings (fuzzy matches); the rest: brands to check
        self.patients = 0
        self.patients_flagged = 0
        # RLS on record (FHIR Conditions, --conditions): patients screened with it, and those of them with a
        # finding; `rls_on_record` is whether the run knew anything of conditions at all.
        self.rls_on_record = False
        self.patients_with_rls = 0
        self.patients_with_rls_flagged = 0
        self.skipped_no_rls = 0  # records of patients without RLS on record, left out (--rls-only)
        self.by_ingredient: Counter[str] = Counter()
        self.by_class: Counter[str] = Counter()
        # Patients with at least one finding of each drug and class (when the input names patients).
        self.patients_by_ingredient: Counter[str] = Counter()
        self.patients_by_class: Counter[str] = Counter()
        self.failing = 0  # findings at or above the --fail-on threshold, not ignored
        self.mentions_not_current = 0  # drugs named but not current, flagged or not (in any record)
        self.mentions_flagged = 0  # of those, drugs that would be flagged if they were current
        self.skipped = 0  # records left out as not current: none since they are mentions (kept for scripts)
        self.skipped_never = 0  # records never screened: entered in error
        self.unit = "line"  # what a record is: a text "line", or a CSV row or FHIR resource ("record")
        self.notes: list[str] = []  # what the user should know about the run itself (on stderr, not in the report)
        # What the user must know even when asking for quiet (an input with nothing in it, an expired ignore).
        self.warnings: list[str] = []

    @property
    def exit_code(self) -> ExitCode:
        if self.nothing_to_screen:
            return ExitCode.NOTHING_TO_SCREEN
        return ExitCode.FLAGGED if self.failing else ExitCode.OK

    @property
    def nothing_to_screen(self) -> bool:
        """True when the inputs held no medication record at all (not even one left out as not current): an
        empty file, a CSV of headers only, a FHIR file without medication resources. Never a clean list."""
        return self.records == 0 and self.skipped == 0 and self.skipped_never == 0 and self.skipped_no_rls == 0

    @property
    def has_findings(self) -> bool:
        """True when anything is flagged and not ignored."""
        return self.findings > self.ignored


class Tally:
    """Builds a Summary as results stream past, in constant memory (but for the set of patient ids)."""

    def __init__(self, fail_on: Evidence | None = Evidence.EXPERT, rls: PatientConditions | None = None) -> None:
        self.summary = Summary()
        self._rls = rls  # patients with RLS on record, as the run learns them
        # None: never fail (--fail-on never); otherwise the least evidence that counts.
        self._fail_rank = fail_on.rank if fail_on is not None else len(Evidence)
        self._patients: set[str] = set()
        self._flagged_patients: set[str] = set()
        self._patient_drugs: set[tuple[str, str, str]] = set()  # (patient, ingredient, class) of findings

    def add_batch(self, batch: ResultBatch) -> None:
        s = self.summary
        records = batch.records
        if not records:
            return
        if records[0].record is not None:
            s.unit = "record"
        s.records += len(records)
        states = list(map(OUTCOME_STATE, batch.outcomes))
        unrecognized = states.count(UNRECOGNIZED_STATE)
        others = unrecognized
        if batch.mentions or batch.headings:
            not_current, headings = states.count(NOT_CURRENT_STATE), states.count(HEADING_STATE)
            s.not_current += not_current
            s.headings += headings
            others += not_current + headings
            for mentions in batch.mentions.values():
                s.mentions_not_current += len(mentions)
                s.mentions_flagged += sum(1 for m in mentions if m.flagged)
        s.unrecognized += unrecognized
        s.recognized += len(records) - others - len(batch.findings)
        for i, findings in batch.findings.items():
            self._flagged(records[i], findings)
        if records[0].patient is not None or any(map(RECORD_PATIENT, records)):
            self._patients.update(map(RECORD_PATIENT, records))

    def _flagged(self, record: InputRecord, findings: tuple[Finding, ...]) -> None:
        s = self.summary
        s.flagged += 1
        patient = record.patient
        for f in findings:
            s.findings += 1
            if f.ignored:
                s.ignored += 1
                continue
            if f.needs_verification:
                s.needs_verification += 1
                s.misspellings += f.match is MatchKind.FUZZY
            s.by_ingredient[f.drug.name] += 1
            s.by_class[f.drug.drug_class] += 1
            if f.drug.evidence.rank >= self._fail_rank:
                s.failing += 1
            if patient is not None:
                self._flagged_patients.add(patient)
                self._patient_drugs.add((patient, f.drug.name, f.drug.drug_class))

    def finish(self) -> Summary:
        self._patients.discard(None)  # records of no patient, beside others
        self.summary.patients = len(self._patients)
        self.summary.patients_flagged = len(self._flagged_patients)
        s = self.summary
        if self._rls is not None and (self._rls.rls or self._rls.given):
            s.rls_on_record = True
            s.patients_with_rls = len(self._rls.rls & self._patients)
            s.patients_with_rls_flagged = len(self._rls.rls & self._flagged_patients)
        # Counted in name order, so that ties come out in name order (the sets' order is arbitrary).
        s.patients_by_ingredient = Counter(sorted(d for _, d, _ in self._patient_drugs))
        s.patients_by_class = Counter(sorted(c for _, c in {(p, c) for p, _, c in self._patient_drugs}))
        return self.summary


class Report(NamedTuple):
    """A complete screening, as `rlsmed.check` returns it."""

    results: tuple[LineResult, ...]
    summary: Summary
    advice: tuple[Advice, ...]
    meta: ReportMeta
    left_out: tuple[InputRecord, ...] = ()  # records their status left out (not current, allergies …)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    @property
    def recognized(self) -> list[LineResult]:
        return [r for r in self.results if r.status is LineStatus.RECOGNIZED]

    @property
    def mentions(self) -> list[Mention]:
        """The drugs named that are not current, with their status and its reason."""
        return [m for r in self.results for m in r.mentions]

    @property
    def headings(self) -> list[Heading]:
        return [r.heading for r in self.results if r.heading is not None]

    @property
    def unrecognized(self) -> list[InputRecord]:
        return [r.record for r in self.results if r.status is LineStatus.UNRECOGNIZED]

    @property
    def exit_code(self) -> ExitCode:
        return self.summary.exit_code

    @property
    def kb_version(self) -> str:
        return self.meta.kb_version


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


NEVER_SCREENED = "entered in error"


def summary_line(summary: Summary, meta: ReportMeta) -> str:
    """The one line that sums up a run (the command line prints it on stderr after every report)."""
    parts = [
        f"{plural(summary.records, summary.unit)} screened",
        f"{summary.flagged:,} flagged ({plural(summary.findings - summary.ignored, 'finding')}"
        + (f", {summary.needs_verification:,} to verify" if summary.needs_verification else "")
        + (f", {summary.ignored:,} ignored" if summary.ignored else "")
        + ")",
        f"{summary.recognized:,} recognised",
    ]
    if summary.not_current or summary.mentions_not_current:
        parts.append(
            f"{plural(summary.mentions_not_current, 'mention')} not current"
            + (f" ({summary.mentions_flagged:,} of a flagged drug)" if summary.mentions_flagged else "")
        )
    if summary.headings:
        parts.append(plural(summary.headings, "heading"))
    parts.append(f"{summary.unrecognized:,} unrecognised")
    if summary.patients:
        parts.append(f"{plural(summary.patients, 'patient')}, {summary.patients_flagged:,} flagged")
    if summary.rls_on_record:
        parts.append(f"{summary.patients_with_rls:,} with RLS on record, {summary.patients_with_rls_flagged:,} flagged")
    if summary.skipped_no_rls:
        parts.append(f"{summary.skipped_no_rls:,} left out (no RLS on record)")
    if summary.skipped_never:
        parts.append(f"{summary.skipped_never:,} never screened ({NEVER_SCREENED})")
    return f"rlsmed: {', '.join(parts)}; knowledge base {meta.kb_version} ({meta.kb_updated})"
