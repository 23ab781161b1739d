"""Screen input records: turn the names found in each one into findings and recognitions."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from typing import cast

from .countries import local_name
from .ignores import Ignore
from .linecache import LineCache
from .matcher import Hit, Matcher
from .models import (
    FIRST_RECOGNITION_STATE,
    FLAGGED_STATE,
    RECORD_CODES,
    RECORD_TEXT,
    UNRECOGNIZED_STATE,
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

__all__ = ["Screener", "indication_of", "written"]

_PARKINSON = frozenset({"parkinson", "parkinsons", "parkinsonism", "parkinsonian"})
_RLS = frozenset({"rls", "restless", "wed", "ekbom"})
_PD = re.compile(r"(?<![A-Za-z])PD(?![A-Za-z])")
_CACHE_LIMIT = 20_000  # line outcomes remembered; past this the cache starts again (memory stays flat)
_RECOGNIZED = LineStatus.RECOGNIZED
_FLAGGED = LineStatus.FLAGGED

# What a record's text (and codes) amounted to: its outcome, its hits, and whether the matcher marked it.
_Line = tuple[Outcome, tuple[Hit, ...], bool]
_NOTHING = Outcome(LineStatus.UNRECOGNIZED, (), (), UNRECOGNIZED_STATE)


def indication_of(*texts: str, reason: str = "") -> str:
    """'parkinson' or 'rls' when the texts (or the record's reason for use) name the indication, else ''.

    "PD" counts in a reason field, and in free text when written in capitals ("(PD)", "for PD"): in
    small letters it also stands for "per diem" (once a day).
    """
    words: set[str] = set()
    for text in (*texts, reason):
        if text:
            words.update(tokens(text))
    if words & _PARKINSON or (reason and "pd" in tokens(reason)) or any(_PD.search(t) for t in texts if t):
        return "parkinson"
    if words & _RLS:
        return "rls"
    return ""


def written(text: str, hit: Hit) -> str:
    """The words of `text` that a hit matched, as written (case and punctuation kept)."""
    folded = fold(text)
    source = text if len(folded) == len(text) else folded
    spans = [m.span() for m in TOKEN.finditer(folded)]
    if hit.start < hit.end <= len(spans):
        return source[spans[hit.start][0] : spans[hit.end - 1][1]]
    return text  # matched by its RxNorm code: the whole text is what was written


class Screener:
    """Applies the matcher and the knowledge base to records, a batch at a time."""

    def __init__(
        self, kb: KnowledgeBase, matcher: Matcher, *, ignore: Iterable[str | Ignore] = (), country: str = ""
    ) -> None:
        """`ignore`: ingredient names, or Ignore records whose `ingredient` is an ingredient name."""
        self.kb = kb
        self.matcher = matcher
        self.country = country
        # Ingredients are shown by the names the country uses (paracetamol, chlorphenamine outside the US).
        self._drugs = {name_key(name): _local(drug, country) for name, drug in kb.drugs.items()}
        # The reason of each ignored ingredient (under its name and the country's), for everyone (patient
        # None) or for one patient.
        self._ignored: dict[tuple[str | None, str], str] = {}
        for item in ignore:
            rule = item if isinstance(item, Ignore) else Ignore(item)
            for name in (rule.ingredient, local_name(rule.ingredient, country)):
                self._ignored.setdefault((rule.patient, name_key(name)), rule.reason)
        self.ignore = frozenset(key for _, key in self._ignored)
        # Outcomes of records naming exactly one name, by the identity of its (interned, never freed)
        # target: no bound is needed, as there is one per known name at most.
        self._single: dict[int, Outcome] = {}
        # Outcomes of other records (several names, misspellings), by their targets and fuzzy hits.
        self._plans: dict[object, Outcome] = {}
        # Distinct sets of recognitions, numbered for Outcome.state (writers key on it): set k has
        # state FIRST_RECOGNITION_STATE + k.
        self._recognitions: dict[tuple[Recognition, ...], int] = {}
        self.recognition_sets: list[tuple[Recognition, ...]] = []
        # Outcomes that a site file's names changed (by identity, each kept alive here with what the
        # shipped knowledge base alone makes of the line), and lines counted by "from -> to".
        self._site_changed: dict[int, tuple[Outcome, str]] = {}
        self.site_changes: dict[str, int] = {}
        # Records' outcomes and hits by their text (and codes), with whether the matcher marked them.
        self._lines: LineCache[_Line] = LineCache()

    def screen(self, record: InputRecord) -> LineResult:
        return self.screen_batch((record,)).results[0]

    def screen_batch(self, records: Sequence[InputRecord], *, marks: bool = False) -> ResultBatch:
        """Results for a batch of records, matched together, kept by column; with `marks`, the batch says
        which records hold a word the matcher watches for (see Matcher.watch). Records whose text (and
        codes) came before are not matched again, while that pays (rlsmed.linecache)."""
        texts = list(map(RECORD_TEXT, records))
        cache = self._lines
        if not cache.on:
            cache.skip(len(records))
            marked: list[int] | None = [] if marks else None
            all_hits = self.matcher.match_many(texts, marked)
            return self.finish(records, self.outcomes(all_hits), all_hits, marked or ())
        coded = any(map(RECORD_CODES, records))
        keys: Sequence[Hashable] = list(zip(texts, map(RECORD_CODES, records), strict=True)) if coded else texts
        found: list[_Line | None] = list(map(cache.entries.get, keys))
        missed = [i for i, f in enumerate(found) if f is None]
        cache.judge(len(records), len(records) - len(missed))
        if missed:
            sub = [records[i] for i in missed]
            sub_marks: list[int] = []
            sub_hits = self.matcher.match_many([texts[i] for i in missed], sub_marks)
            sub_outcomes = self._coded(sub, self.outcomes(sub_hits), sub_hits)
            marked_set = set(sub_marks)
            put = cache.put
            for j, i in enumerate(missed):
                found[i] = entry = (sub_outcomes[j], sub_hits[j], j in marked_set)
                put(keys[i], entry)
        lines = cast(list[_Line], found)  # every miss was filled in above
        marked_now = [i for i, line in enumerate(lines) if line[2]] if marks else ()
        return self._assemble(records, [line[0] for line in lines], [line[1] for line in lines], marked_now)

    @property
    def caching(self) -> bool:
        """True while the line cache pays: the input repeats its texts (see rlsmed.linecache)."""
        return self._lines.on

    @property
    def cache_judged(self) -> bool:
        """True once the line cache has judged a whole window of look-ups (so `caching` means something)."""
        return self._lines.windows > 0

    def drug(self, ingredient: str) -> Drug | None:
        """The knowledge base's entry of an ingredient (by any spelling of its name), if it has one."""
        return self._drugs.get(name_key(ingredient))

    def recognition_set(self, state: int) -> tuple[Recognition, ...]:
        """The recognitions of records whose Outcome.state is `state` (FIRST_RECOGNITION_STATE or more)."""
        return self.recognition_sets[state - FIRST_RECOGNITION_STATE]

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
            outcomes[i] = self.outcome(all_hits[i])
        return outcomes  # type: ignore[return-value]  # every None was filled in above

    def finish(
        self,
        records: Sequence[InputRecord],
        outcomes: list[Outcome],
        hits: list[tuple[Hit, ...]] | dict[int, tuple[Hit, ...]],
        marks: Sequence[int] = (),
    ) -> ResultBatch:
        """The results of a batch from each record's outcome and hits: RxNorm codes taken into account, and
        the findings of flagged records. `hits` holds the hits of every record by its position, or (from a
        worker process) those of the flagged and coded records only; it is updated in place."""
        return self._assemble(records, self._coded(records, outcomes, hits), hits, marks)

    def _coded(
        self,
        records: Sequence[InputRecord],
        outcomes: list[Outcome],
        hits: list[tuple[Hit, ...]] | dict[int, tuple[Hit, ...]],
    ) -> list[Outcome]:
        """Outcomes with the records' RxNorm codes taken into account (`hits` updated in place)."""
        if any(map(RECORD_CODES, records)):
            for i in [i for i, r in enumerate(records) if r.codes]:
                code_hits = self._code_hits(records[i].codes)
                if code_hits:
                    # The code and the text both count: a drug named by either is screened.
                    hits[i] = (*hits[i], *code_hits)
                    outcomes[i] = self.outcome(hits[i])
        return outcomes

    def _assemble(
        self,
        records: Sequence[InputRecord],
        outcomes: list[Outcome],
        hits: list[tuple[Hit, ...]] | dict[int, tuple[Hit, ...]],
        marks: Sequence[int],
    ) -> ResultBatch:
        """A batch's results: the findings of its flagged records (each with its own record's words)."""
        if self._site_changed:
            changed, counts = self._site_changed.get, self.site_changes
            for o in outcomes:
                c = changed(id(o))
                if c is not None:
                    counts[c[1]] = counts.get(c[1], 0) + 1
        flagged = _FLAGGED
        findings = {
            i: self._findings(records[i], outcomes[i].flagged, hits[i])
            for i in [i for i, o in enumerate(outcomes) if o[0] is flagged]
        }
        return ResultBatch(records, outcomes, findings, marks=marks)

    def outcome(self, hits: tuple[Hit, ...]) -> Outcome:
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
        outcome = self._plan_of(hits)
        if any(h.target.site for h in hits):
            shipped = self._plan_of(tuple(h for h in hits if not h.target.site))
            if shipped.status is not outcome.status and len(self._site_changed) < _CACHE_LIMIT:
                self._site_changed[id(outcome)] = (outcome, f"{shipped.status.value} -> {outcome.status.value}")
        return outcome

    def _plan_of(self, hits: tuple[Hit, ...]) -> Outcome:
        if not hits:
            return _NOTHING
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
                    if drug is not None:
                        name, note = drug.name, drug.effect.label
                    else:
                        name, note = local_name(ingredient, self.country), ""
                    recognized[ingredient] = Recognition(name, hit.target.display, hit.kind, hit.score, note)
        found = tuple(recognized.values())
        if flagged:
            return Outcome(_FLAGGED, found, tuple(flagged.values()), FLAGGED_STATE)
        return self.recognition_outcome(found)

    def recognition_outcome(self, found: tuple[Recognition, ...]) -> Outcome:
        """The outcome of a record whose drugs are these recognitions (no flagged one)."""
        # One number per distinct set of recognitions, however often the caches start again.
        state = self._recognitions.get(found)
        if state is None:
            state = self._recognitions[found] = len(self.recognition_sets) + FIRST_RECOGNITION_STATE
            self.recognition_sets.append(found)
        return Outcome(_RECOGNIZED, self.recognition_set(state), (), state)

    def _findings(
        self, record: InputRecord, flagged: tuple[tuple[Drug, int], ...], hits: tuple[Hit, ...]
    ) -> tuple[Finding, ...]:
        indication = ""
        if any(drug.parkinson for drug, _ in flagged):
            if any(hits[i].target.indication == "parkinson" for _, i in flagged):
                indication = "parkinson"  # a product for Parkinson's disease only (Rytary, Duodopa)
            else:
                indication = indication_of(record.text, *record.context.values(), reason=record.reason)
        reasons = [self._reason(record, drug) for drug, _ in flagged] if self.ignore else [None] * len(flagged)
        return tuple(
            Finding(
                record=record,
                drug=drug,
                matched_text=written(record.text, hits[i]),
                matched_as=hits[i].target.display,
                match=hits[i].kind,
                score=hits[i].score,
                product=hits[i].target.product,
                ignored=reason is not None,
                indication=indication,
                verify=hits[i].target.verify,
                ignore_reason=reason or "",
            )
            for (drug, i), reason in zip(flagged, reasons, strict=True)
        )

    def _reason(self, record: InputRecord, drug: Drug) -> str | None:
        """Why this finding is ignored (an ignore for everyone first, then one for its patient); None: it
        is not."""
        key = name_key(drug.name)
        if key not in self.ignore:
            return None
        reason = self._ignored.get((None, key))
        if reason is None and record.patient is not None:
            reason = self._ignored.get((record.patient, key))
        return reason


def _local(drug: Drug, country: str) -> Drug:
    """The entry under the name `country` uses for it."""
    name = local_name(drug.name, country)
    return drug if name == drug.name else drug._replace(name=name)


def _better(hit: Hit, previous: Hit) -> bool:
    """An exact match beats a fuzzy one; a closer fuzzy match beats a looser one."""
    if previous.kind is MatchKind.EXACT:
        return False
    return hit.kind is MatchKind.EXACT or hit.score > previous.score
