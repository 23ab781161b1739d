"""Whether a line names Parkinson's disease as the patient's own: "Parkinson's", "Parkinson disease",
"parkinsonism", "for PD", "PMH: PD", "Sinemet 25/100 TID - PD". Not a relative's ("Father - Parkinson's
disease"), not a negated one ("no history of Parkinson's", "r/o PD"), and not the other PDs: peritoneal
dialysis ("PD catheter", "ESRD on PD") or a personality disorder ("borderline PD").
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Status
from .phrases import Cue, Decision
from .rules import PhraseIndex, Rules
from .text import Line

__all__ = ["names_parkinson"]

_NEGATION_REACH = 3  # words a negation may stand before the term it negates
_LIST_BEFORE = ":,;(-\u2022"  # "PMH: PD", "HTN, PD", "(PD)", "- PD"
_LIST_AFTER = ",;)(-."


def _index(rules: Rules, key: str) -> PhraseIndex:
    value = rules.parkinson[key]
    assert isinstance(value, PhraseIndex)
    return value


def _words(rules: Rules, key: str) -> frozenset[str]:
    value = rules.parkinson[key]
    assert isinstance(value, frozenset)
    return value


def _ends_before(index: PhraseIndex, line: Line, i: int, reach: int) -> bool:
    """Whether a phrase of `index` ends within `reach` words before word i, in the same clause."""
    for start in range(max(0, i - reach - 2), i):
        for phrase in index.at(line.words, start):
            end = start + len(phrase.words)
            if end <= i and i - end <= reach and not any(line.hard[k] for k in range(end, i + 1)):
                return True
    return False


def _abbreviation_counts(line: Line, i: int, rules: Rules, has_drug: bool) -> bool:
    if line.source is line.text and not line.written(i, i + 1).isupper():
        return False  # "pd" in small letters is also "per diem": only "PD" is Parkinson's disease
    words = line.words
    before = words[i - 1] if i else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    if after in _words(rules, "not_followed_by") or before in _words(rules, "not_preceded_by"):
        return False
    if not _words(rules, "not_on_line").isdisjoint(words):
        return False
    if _ends_before(_index(rules, "preceded_by"), line, i, 0) or after in _words(rules, "followed_by"):
        return True
    gap_before, gap_after = line.gaps[i], line.gaps[i + 1]
    alone_before = i == 0 or any(ch in gap_before for ch in _LIST_BEFORE)
    alone_after = i + 1 == len(words) or any(ch in gap_after for ch in _LIST_AFTER)
    return (alone_before and alone_after) or (has_drug and alone_after)


def names_parkinson(
    line: Line,
    rules: Rules,
    segments: Sequence[tuple[int, Decision]],
    cues: Sequence[Cue],
    *,
    has_drug: bool,
) -> bool:
    """Whether the line names Parkinson's disease (or parkinsonism) as the patient's."""
    terms = _index(rules, "terms")
    abbreviations = _words(rules, "abbreviations")
    negations = _index(rules, "negations")
    for i, word in enumerate(line.words):
        if word in abbreviations:
            if not _abbreviation_counts(line, i, rules, has_drug):
                continue
        elif not terms.at(line.words, i):
            continue
        base = segments[0][1]
        for start, decision in segments:
            if start <= i:
                base = decision
        if base.status is Status.FAMILY:
            continue
        family = [c for c in cues if c.trigger is not None and c.trigger.status is Status.FAMILY and c.end <= i]
        if any(not any(line.hard[k] for k in range(c.end, i + 1)) for c in family):
            continue
        if _ends_before(negations, line, i, _NEGATION_REACH):
            continue
        return True
    return False
