"""Screen input records: turn the names found in each one into findings and recognitions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .matcher import Hit, Matcher
from .models import (
    Drug,
    Finding,
    InputRecord,
    KnowledgeBase,
    LineResult,
    LineStatus,
    MatchKind,
    Recognition,
)
from .normalize import TOKEN, fold, name_key, tokens
from .parallel import Encoded, decode

__all__ = ["Screener", "indication_of"]

_PARKINSON = frozenset({"parkinson", "parkinsons", "parkinsonism", "parkinsonian"})
_RLS = frozenset({"rls", "restless", "wed", "ekbom"})
_CACHE_LIMIT = 20_000  # line outcomes remembered; past this the cache starts again (memory stays flat)
_UNRECOGNIZED = LineStatus.UNRECOGNIZED
_RECOGNIZED = LineStatus.RECOGNIZED
_FLAGGED = LineStatus.FLAGGED

# What a line's names amount to: recognitions, and each flagged drug with the index of the hit naming it.
_Plan = tuple[tuple[Recognition, ...], tuple[tuple[Drug, int], ...]]
# A line's outcome: its status, the plan's two parts, and its hits (for the words of any findings).
_Outcome = tuple[LineStatus, tuple[Recognition, ...], tuple[tuple[Drug, int], ...], tuple[Hit, ...]]
_NOTHING: _Outcome = (LineStatus.UNRECOGNIZED, (), (), ())


def indication_of(*texts: str) -> str:
    """'parkinson' or 'rls' when the text names the indication, else ''."""
    words: set[str] = set()
    for text in texts:
        if text:
            words.update(tokens(text))
    if words & _PARKINSON:
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
        # Plans by the identity of the (interned) targets of a line's exact hits, and by the hits
        # themselves when a line has fuzzy ones; enum-holding tuples hash slowly, identities do not.
        self._plans: dict[object, _Plan] = {}
        self._by_encoded: dict[Encoded, _Outcome] = {}
        self._recognitions: dict[tuple[Recognition, ...], tuple[Recognition, ...]] = {}

    def screen(self, record: InputRecord) -> LineResult:
        return self.screen_many((record,))[0]

    def screen_many(self, records: Sequence[InputRecord]) -> list[LineResult]:
        """Results for a batch of records, matched together."""
        return self.apply(records, self.matcher.match_many([r.text for r in records]))

    def apply(self, records: Sequence[InputRecord], all_hits: Sequence[tuple[Hit, ...]]) -> list[LineResult]:
        """Results for records whose names were found already (`all_hits`, one tuple per record)."""
        return self._results(records, [self._outcome(hits) for hits in all_hits])

    def apply_encoded(self, records: Sequence[InputRecord], encoded: Sequence[Encoded]) -> list[LineResult]:
        """Results for records whose names a worker process found (see rlsmed.parallel), cached by the
        encoded hits, so that only new ones turn back into objects."""
        known = self._by_encoded
        outcomes = []
        for hits in encoded:
            outcome = known.get(hits)
            if outcome is None:
                outcome = self._outcome(decode(self.matcher, hits))
                if len(known) >= _CACHE_LIMIT:
                    known.clear()
                known[hits] = outcome
            outcomes.append(outcome)
        return self._results(records, outcomes)

    def _outcome(self, hits: tuple[Hit, ...]) -> _Outcome:
        """What a line's hits amount to; plans are shared by every line naming the same drugs."""
        if not hits:
            return _NOTHING
        if len(hits) == 1 and hits[0].kind is MatchKind.EXACT:
            key: object = id(hits[0].target)  # targets are interned: identity is enough, and fast
        else:
            key = tuple(id(h.target) if h.kind is MatchKind.EXACT else h for h in hits)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plan(hits)
            if len(self._plans) >= _CACHE_LIMIT:
                self._plans.clear()
            self._plans[key] = plan
        recognized, flagged = plan
        return (_FLAGGED if flagged else _RECOGNIZED), recognized, flagged, hits

    def _results(self, records: Sequence[InputRecord], outcomes: Sequence[_Outcome]) -> list[LineResult]:
        out: list[LineResult] = []
        append = out.append
        new = tuple.__new__  # LineResult without the Python-level constructor: once per line
        flagged_status = _FLAGGED
        for record, (status, recognized, flagged, hits) in zip(records, outcomes, strict=True):
            if record.codes:
                code_hits = self._code_hits(record.codes)
                if code_hits:
                    status, recognized, flagged, hits = self._outcome(code_hits)
            if status is flagged_status:
                # The plan holds the first hit that named each drug; this line's own hit may sit elsewhere.
                append(new(LineResult, (record, status, self._findings(record, flagged, hits), recognized)))
            else:
                append(new(LineResult, (record, status, (), recognized)))
        return out

    def _code_hits(self, codes: tuple[str, ...]) -> tuple[Hit, ...]:
        """Hits for the RxNorm codes we know; the text is used when none is known."""
        targets = [t for t in map(self.matcher.code_target, codes) if t is not None]
        return tuple(Hit(t, 0, 0, MatchKind.EXACT, 100.0) for t in targets)

    def _plan(self, hits: tuple[Hit, ...]) -> _Plan:
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
        # One object per distinct set of recognitions, however often the cache starts again: writers
        # tell sets apart by identity, and must not see the same set twice under two identities.
        found = tuple(recognized.values())
        return self._recognitions.setdefault(found, found), tuple(flagged.values())

    def _findings(
        self, record: InputRecord, flagged: tuple[tuple[Drug, int], ...], hits: tuple[Hit, ...]
    ) -> tuple[Finding, ...]:
        indication = ""
        if any(drug.parkinson for drug, _ in flagged):
            indication = indication_of(record.text, record.reason, *record.context.values())
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
