"""Screen input records: turn the names found in each one into findings and recognitions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING

from .matcher import Hit, Matcher
from .models import (
    Drug,
    Finding,
    InputRecord,
    KnowledgeBase,
    LineResult,
    LineStatus,
    MatchKind,
    Outcome,
    Recognition,
    ResultBatch,
)
from .normalize import TOKEN, fold, name_key, tokens

if TYPE_CHECKING:
    from .parallel import Coded

__all__ = ["Screener", "indication_of"]

_PARKINSON = frozenset({"parkinson", "parkinsons", "parkinsonism", "parkinsonian"})
_RLS = frozenset({"rls", "restless", "wed", "ekbom"})
_CACHE_LIMIT = 20_000  # line outcomes remembered; past this the cache starts again (memory stays flat)
_UNRECOGNIZED = LineStatus.UNRECOGNIZED
_RECOGNIZED = LineStatus.RECOGNIZED
_FLAGGED = LineStatus.FLAGGED

_NOTHING = Outcome(LineStatus.UNRECOGNIZED, (), (), 0)
_TEXT = itemgetter(2)  # InputRecord.text, read in C
_CODES = itemgetter(7)  # InputRecord.codes


def indication_of(*texts: str, reason: str = "") -> str:
    """'parkinson' or 'rls' when the texts (or the record's reason for use) name the indication, else ''.

    "PD" counts only in a reason field: in free text it has other meanings.
    """
    words: set[str] = set()
    for text in (*texts, reason):
        if text:
            words.update(tokens(text))
    if words & _PARKINSON or (reason and "pd" in tokens(reason)):
        return "parkinson"
    if words & _RLS:
        return "rls"
    return ""


def _written(text: str, hit: Hit) -> str:
    """The words of `text` that a hit matched, as written (case and punctuation kept)."""
    folded = fold(text)
    source = text if len(folded) == len(text) else folded
    spans = [m.span() for m in TOKEN.finditer(folded)]
    if hit.start < hit.end <= len(spans):
        return source[spans[hit.start][0] : spans[hit.end - 1][1]]
    return text  # matched by its RxNorm code: the whole text is what was written


class Screener:
    """Applies the matcher and the knowledge base to records, a batch at a time."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher, *, ignore: Iterable[str] = ()) -> None:
        self.kb = kb
        self.matcher = matcher
        self.ignore = frozenset(name_key(i) for i in ignore)
        self._drugs = {name_key(name): drug for name, drug in kb.drugs.items()}
        # Outcomes of records naming exactly one name, by the identity of its (interned, never freed)
        # target: no bound is needed, as there is one per known name at most.
        self._single: dict[int, Outcome] = {}
        # Outcomes of other records (several names, misspellings), by their targets and fuzzy hits.
        self._plans: dict[object, Outcome] = {}
        # Distinct sets of recognitions, numbered for Outcome.state (writers key on it): set k has
        # state 2 + k.
        self._recognitions: dict[tuple[Recognition, ...], int] = {}
        self.recognition_sets: list[tuple[Recognition, ...]] = []
        self._coded: dict[int, dict[int, Outcome]] = {}  # by worker: its outcome numbers, as Outcomes

    def screen(self, record: InputRecord) -> LineResult:
        return self.screen_batch((record,)).results[0]

    def screen_many(self, records: Sequence[InputRecord]) -> list[LineResult]:
        """Results for a batch of records, matched together."""
        return self.screen_batch(records).results

    def screen_batch(self, records: Sequence[InputRecord]) -> ResultBatch:
        """Results for a batch of records, matched together, kept by column."""
        return self.apply(records, self.matcher.match_many(list(map(_TEXT, records))))

    def apply(self, records: Sequence[InputRecord], all_hits: list[tuple[Hit, ...]]) -> ResultBatch:
        """Results for records whose names were found already (`all_hits`, one tuple per record)."""
        return self._finish(records, self.outcomes(all_hits), dict(enumerate(all_hits)))

    def outcomes(self, all_hits: Sequence[tuple[Hit, ...]]) -> list[Outcome]:
        """The outcome of each record's hits (before its RxNorm codes are taken into account)."""
        get, exact, nothing = self._single.get, MatchKind.EXACT, _NOTHING
        # One pass in a comprehension, not a call per record: most records name one drug exactly, and
        # their outcome is looked up by the identity of its target.
        outcomes: list[Outcome | None] = [
            (get(id(h[0][0])) if h[0][3] is exact else None) if len(h) == 1 else (None if h else nothing)
            for h in all_hits
        ]
        for i in [i for i, o in enumerate(outcomes) if o is None]:
            outcomes[i] = self._outcome(all_hits[i])
        return outcomes  # type: ignore[return-value]  # every None was filled in above

    def apply_coded(self, records: Sequence[InputRecord], coded: Coded) -> ResultBatch:
        """Results for records a worker process screened (see rlsmed.parallel): its outcome numbers
        become this process's own Outcomes, each described once by the hits of one line."""
        from .parallel import decode

        table = self._coded.setdefault(coded.worker, {})
        for number, encoded in coded.new.items():
            table[number] = self._outcome(decode(self.matcher, encoded))
        outcomes = list(map(table.__getitem__, coded.codes))
        hits = {i: decode(self.matcher, encoded) for i, encoded in coded.hits.items()}
        return self._finish(records, outcomes, hits)

    def _finish(
        self, records: Sequence[InputRecord], outcomes: list[Outcome], hits: dict[int, tuple[Hit, ...]]
    ) -> ResultBatch:
        """RxNorm codes taken into account, and the findings of flagged records (whose hits are in `hits`)."""
        if any(map(_CODES, records)):
            for i in [i for i, r in enumerate(records) if r.codes]:
                code_hits = self._code_hits(records[i].codes)
                if code_hits:
                    # The code and the text both count: a drug named by either is screened.
                    hits[i] = (*hits[i], *code_hits)
                    outcomes[i] = self._outcome(hits[i])
        flagged = _FLAGGED
        findings = {
            i: self._findings(records[i], outcomes[i].flagged, hits[i])
            for i in [i for i, o in enumerate(outcomes) if o[0] is flagged]
        }
        return ResultBatch(records, outcomes, findings)

    def _outcome(self, hits: tuple[Hit, ...]) -> Outcome:
        """What a record's hits amount to, shared by every record naming the same drugs the same way."""
        if not hits:
            return _NOTHING
        if len(hits) == 1 and hits[0].kind is MatchKind.EXACT:
            key = id(hits[0].target)  # targets are interned: identity is enough, and fast
            outcome = self._single.get(key)
            if outcome is None:
                outcome = self._single[key] = self._plan(hits)
            return outcome
        plan_key = tuple(id(h.target) if h.kind is MatchKind.EXACT else h for h in hits)
        outcome = self._plans.get(plan_key)
        if outcome is None:
            outcome = self._plan(hits)
            if len(self._plans) >= _CACHE_LIMIT:
                self._plans.clear()
            self._plans[plan_key] = outcome
        return outcome

    def _code_hits(self, codes: tuple[str, ...]) -> tuple[Hit, ...]:
        """Hits for the RxNorm codes we know."""
        targets = [t for t in map(self.matcher.code_target, codes) if t is not None]
        return tuple(Hit(t, 0, 0, MatchKind.EXACT, 100.0) for t in targets)

    def _plan(self, hits: tuple[Hit, ...]) -> Outcome:
        flagged: dict[str, tuple[Drug, int]] = {}
        recognized: dict[str, Recognition] = {}
        for index, hit in enumerate(hits):
            for ingredient in hit.target.ingredients:
                drug = self._drugs.get(ingredient)
                if drug is not None and drug.flagged:
                    previous = flagged.get(ingredient)
                    if previous is None or _better(hit, hits[previous[1]]):
                        flagged[ingredient] = (drug, index)
                elif ingredient not in recognized:
                    name, note = (drug.name, drug.effect.label) if drug is not None else (ingredient, "")
                    recognized[ingredient] = Recognition(name, hit.target.display, hit.kind, hit.score, note)
        found = tuple(recognized.values())
        if flagged:
            return Outcome(_FLAGGED, found, tuple(flagged.values()), 1)
        # One number per distinct set of recognitions, however often the caches start again.
        state = self._recognitions.get(found)
        if state is None:
            state = self._recognitions[found] = len(self.recognition_sets) + 2
            self.recognition_sets.append(found)
        return Outcome(_RECOGNIZED, self.recognition_sets[state - 2], (), state)

    def _findings(
        self, record: InputRecord, flagged: tuple[tuple[Drug, int], ...], hits: tuple[Hit, ...]
    ) -> tuple[Finding, ...]:
        indication = ""
        if any(drug.parkinson for drug, _ in flagged):
            indication = indication_of(record.text, *record.context.values(), reason=record.reason)
        return tuple(
            Finding(
                record=record,
                drug=drug,
                matched_text=_written(record.text, hits[i]),
                matched_as=hits[i].target.display,
                match=hits[i].kind,
                score=hits[i].score,
                product=hits[i].target.product,
                ignored=name_key(drug.name) in self.ignore,
                indication=indication,
            )
            for drug, i in flagged
        )


def _better(hit: Hit, previous: Hit) -> bool:
    """An exact match beats a fuzzy one; a closer fuzzy match beats a looser one."""
    if previous.kind is MatchKind.EXACT:
        return False
    return hit.kind is MatchKind.EXACT or hit.score > previous.score
