"""Screen input records: turn the names found in each one into findings and recognitions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .matcher import Hit, Matcher
from .models import (
    Finding,
    InputRecord,
    KnowledgeBase,
    LineResult,
    LineStatus,
    MatchKind,
    Recognition,
)
from .normalize import TOKEN, fold, name_key, tokens

__all__ = ["Screener", "indication_of"]

_PARKINSON = frozenset({"parkinson", "parkinsons", "parkinsonism", "parkinsonian"})
_RLS = frozenset({"rls", "restless", "wed", "ekbom"})
_CACHE_LIMIT = 200_000

_NOWHERE = InputRecord("", 0, "")
_Outcome = tuple[LineStatus, tuple[Finding, ...], tuple[Recognition, ...]]


def indication_of(*texts: str) -> str:
    """'parkinson' or 'rls' when the text names the indication, else ''."""
    words = set()
    for text in texts:
        if text:
            words.update(tokens(text))
    if words & _PARKINSON:
        return "parkinson"
    if words & _RLS:
        return "rls"
    return ""


def _spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text the token positions refer to, and each token's (start, end) in it."""
    folded = fold(text)
    source = text if len(folded) == len(text) else folded
    return source, [m.span() for m in TOKEN.finditer(folded)]


class Screener:
    """Applies the matcher and the knowledge base to records; results are cached per distinct text."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher, *, ignore: Iterable[str] = ()) -> None:
        self.kb = kb
        self.matcher = matcher
        self.ignore = frozenset(name_key(i) for i in ignore)
        self._drugs = {name_key(name): drug for name, drug in kb.drugs.items()}
        self._cache: dict[object, _Outcome] = {}

    def screen(self, record: InputRecord) -> LineResult:
        key: object = (record.text, record.codes) if record.codes else record.text
        outcome = self._cache.get(key)
        if outcome is None:
            outcome = self._outcome(record.text, record.codes)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = outcome
        status, templates, recognized = outcome
        if not templates:
            return LineResult(record, status, (), recognized)
        indication = ""
        if any(f.drug.parkinson for f in templates):
            indication = indication_of(record.text, record.reason)
        findings = tuple(f._replace(record=record, indication=indication) for f in templates)
        return LineResult(record, status, findings, recognized)

    def screen_all(self, records: Iterable[InputRecord]) -> Iterator[LineResult]:
        screen = self.screen
        for record in records:
            yield screen(record)

    def _code_hits(self, codes: tuple[str, ...]) -> tuple[Hit, ...]:
        """Hits for the RxNorm codes we know; the text is used when none is known."""
        targets = [t for t in map(self.matcher.code_target, codes) if t is not None]
        return tuple(Hit(t, 0, 0, MatchKind.EXACT, 100.0) for t in targets)

    def _outcome(self, text: str, codes: tuple[str, ...] = ()) -> _Outcome:
        hits = (self._code_hits(codes) if codes else ()) or self.matcher.match(text)
        if not hits:
            return LineStatus.UNRECOGNIZED, (), ()
        source, spans = _spans(text)
        findings: dict[str, Finding] = {}
        recognized: dict[str, Recognition] = {}
        for hit in hits:
            written = _written(source, spans, hit)
            for ingredient in hit.target.ingredients:
                drug = self._drugs.get(ingredient)
                if drug is not None and drug.flagged:
                    previous = findings.get(ingredient)
                    if previous is None or _better(hit, previous):
                        findings[ingredient] = Finding(
                            record=_NOWHERE,
                            drug=drug,
                            matched_text=written,
                            matched_as=hit.target.display,
                            match=hit.kind,
                            score=hit.score,
                            product=hit.target.product,
                            ignored=ingredient in self.ignore,
                        )
                elif ingredient not in recognized:
                    name, note = (drug.name, drug.effect.label) if drug is not None else (ingredient, "")
                    recognized[ingredient] = Recognition(name, written, hit.kind, hit.score, note)
        status = LineStatus.FLAGGED if findings else LineStatus.RECOGNIZED
        return status, tuple(findings.values()), tuple(recognized.values())


def _written(source: str, spans: list[tuple[int, int]], hit: Hit) -> str:
    if hit.start < hit.end <= len(spans):
        return source[spans[hit.start][0] : spans[hit.end - 1][1]]
    return source or hit.target.display  # matched by its RxNorm code: the whole text is what was written


def _better(hit: Hit, previous: Finding) -> bool:
    """An exact match beats a fuzzy one; a closer fuzzy match beats a looser one."""
    if previous.match is MatchKind.EXACT:
        return False
    return hit.kind is MatchKind.EXACT or hit.score > previous.score
