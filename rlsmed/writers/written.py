"""A written line shortened to what identifies the medicine: the names found in it and the strength after
them, without the directions. `TYLENOL PM EXTRA STRENGTH 25-500 MG per tablet<TAB>Take 2 tablets by mouth
nightly` reads `TYLENOL PM EXTRA STRENGTH 25-500 MG`. The full line stays in JSON, CSV and with -v."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..normalize import fold

__all__ = ["identifying"]

_LEAD = 3  # words before the first name kept ("Take Zoloft"); past this the line's start is cut ("…")
_BRIDGE = 2  # words between a name and its strength kept ("EXTRA STRENGTH 25-500 MG")
_UNIT = re.compile(
    r"(mg|mcg|µg|ug|g|gm|gram|grams|ml|l|%|iu|units?|meq|mmol|mg/ml|mcg/ml|mg/\d*ml|mcg/h|mcg/hr|mcg/actuation"
    r"|mcg/dose|mg/g|mg/day|mg/24h|mg/24hr|mg/h|micrograms?|milligrams?)",
    re.I,
)
# A number, a ratio or range (25-100, 25/100, 1,000), with a unit attached or not ("50mg", "0.5").
_NUMBER = re.compile(rf"[(\[]?\d[\d.,]*(?:[-/]\d[\d.,]*)*(?:{_UNIT.pattern})?[)\]]?", re.I)
# Words that count what is taken: a bare number before them is how many, not how strong ("2 caplets").
_COUNTED = frozenset(
    """tab tabs tablet tablets caplet caplets cap caps capsule capsules puff puffs drop drops spray sprays
    patch patches softgel softgels gummy gummies""".split()
)
# Words that say how it is taken: the directions begin with them.
_DIRECTIONS = _COUNTED | frozenset(
    """take takes taking by at for as per in on with before after every daily nightly bedtime po qhs qd bid
    tid qid prn orally mouth sig dispense refill refills""".split()
)
_BARE_NUMBER = re.compile(r"[\d.,/-]+")
_SPACE = re.compile(r"\S+")


def _strength(word: str) -> bool:
    return _NUMBER.fullmatch(word.rstrip(",;:.")) is not None or _UNIT.fullmatch(word.rstrip(",;:.")) is not None


def _bare(word: str) -> str:
    return word.strip("()[],;:.").lower()


_CACHE_LIMIT = 20_000  # lines remembered (exports repeat their lines); past this the cache starts again
_cache: dict[tuple[str, tuple[str, ...]], str] = {}


def identifying(text: str, names: Iterable[str]) -> str:
    """`text` from a little before the first of `names` (as written in it) through the last and the strength
    that follows; `text` itself when no name can be found in it (a match by code) or nothing would be cut."""
    key = (text, tuple(names))
    shown = _cache.get(key)
    if shown is None:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        shown = _cache[key] = _identifying(text, key[1])
    return shown


def _identifying(text: str, names: tuple[str, ...]) -> str:
    first_column = text.split("\t", 1)[0]
    line = " ".join(text.split())
    spans = _spans(first_column if first_column.strip() else text, names)
    if spans is None:
        spans = _spans(text, names)
        if spans is None:
            return line
        base = text
    else:
        base = first_column if first_column.strip() else text
    words = [(m.start(), m.end(), m.group()) for m in _SPACE.finditer(base)]
    if not words:
        return line
    start_char, end_char = spans
    first = next(i for i, (_, end, _) in enumerate(words) if end > start_char)
    last = max(i for i, (start, _, _) in enumerate(words) if start < end_char)
    last = _through_strength(words, last)
    kept = [w for _, _, w in words[(0 if first <= _LEAD else first) : last + 1]]
    shown = " ".join(kept).rstrip(",;:")
    if first > _LEAD:
        shown = "…" + shown
    return shown if len(shown) < len(line) else line


def _spans(text: str, names: Iterable[str]) -> tuple[int, int] | None:
    """Where the names are in `text`: from the start of the first to the end of the last (None: not found)."""
    lowered = text.lower()
    folded: str | None = None
    start, end = len(text), -1
    for name in names:
        key = name.lower().strip()
        if not key:
            continue
        at = lowered.find(key)
        if at < 0:
            # Accents and invisible characters: find it in the folded text when that keeps the positions.
            if folded is None:
                folded = fold(text)
            at = folded.find(fold(name)) if len(folded) == len(text) else -1
            if at < 0:
                continue
        start, end = min(start, at), max(end, at + len(key))
    return (start, end) if end > 0 else None


def _through_strength(words: list[tuple[int, int, str]], last: int) -> int:
    """The index of the last word of the strength that follows word `last`: a parenthesised brand, numbers
    and their units, and up to two words before them ("EXTRA STRENGTH 25-500 MG"); never directions or a
    count of tablets ("2 caplets")."""
    i = last + 1
    while i < len(words):
        word = words[i][2]
        if word.startswith("(") and _bare(word) not in _DIRECTIONS:  # "(ZOLOFT)", "(VITAMIN D3)"
            close = next((j for j in range(i, min(i + 4, len(words))) if ")" in words[j][2]), None)
            if close is None:
                break
            last = i = close
            i += 1
            continue
        if _strength(word):
            following = _bare(words[i + 1][2]) if i + 1 < len(words) else ""
            if _BARE_NUMBER.fullmatch(word.rstrip(",;:.")) and following in _COUNTED:
                break  # "2 caplets", "1 tablet": how many, not how strong
            last = i
            i += 1
            continue
        bridge = range(i, min(i + _BRIDGE + 1, len(words)))
        ahead = next((j for j in bridge if _strength(words[j][2])), None)
        if ahead is None or any(_bare(words[j][2]) in _DIRECTIONS for j in range(i, ahead)):
            break
        i = ahead
    return last
