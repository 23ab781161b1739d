"""A line as context reading sees it: the matcher's words, and what stands between them.

The words are exactly the tokens rlsmed.normalize gives (so that a Hit's start and end index them); the
gaps keep the punctuation and numbers between words, which is where clauses and sentences end.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..normalize import TOKEN, fold

__all__ = ["Line", "split"]

_HARD_CHARACTERS = ";!?\n"  # not "|": it separates the columns of a pasted table
_SENTENCE = re.compile(r"\.\s")  # a full stop followed by a space may end a sentence
_DIGIT = re.compile(r"[0-9]")


class Line(NamedTuple):
    """A line split for reading: words[i] lies at spans[i] in `source`; gaps[i] is the text before
    words[i], and gaps[len(words)] the text after the last word."""

    text: str  # the line as given
    source: str  # the text the spans index: `text`, or its folded form when folding changed its length
    words: list[str]
    spans: list[tuple[int, int]]
    gaps: list[str]
    hard: list[bool]  # hard[i]: a clause ends in gaps[i] (; | ! ? or the end of a sentence)

    def written(self, start: int, end: int) -> str:
        """Words [start, end) as written, with the punctuation between them."""
        if start >= end or end > len(self.spans):
            return ""
        return self.source[self.spans[start][0] : self.spans[end - 1][1]]

    def has_dose(self, units: frozenset[str], frequencies: frozenset[str]) -> bool:
        """Whether the line gives a dose: a number followed by a unit ("50 mg"), or a frequency."""
        for i, word in enumerate(self.words):
            if word in frequencies:
                return True
            if word in units and _DIGIT.search(self.gaps[i]):
                return True
        return False


def split(text: str, abbreviations: frozenset[str] = frozenset()) -> Line:
    """The words of `text` with the gaps between them; `abbreviations` are words a full stop may follow
    without ending a sentence ("q.d.", "p.o.", "Dr.")."""
    folded = fold(text)
    source = text if len(folded) == len(text) else folded
    spans = [m.span() for m in TOKEN.finditer(folded)]
    words = [folded[a:b] for a, b in spans]
    gaps: list[str] = []
    previous = 0
    for a, b in spans:
        gaps.append(source[previous:a])
        previous = b
    gaps.append(source[previous:])
    hard = [False] * len(gaps)
    depth = 0  # brackets open: a ";" inside "(no refills; patient not taking)" ends no clause
    for i, gap in enumerate(gaps):
        breaks = False
        for ch in gap:
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth = max(0, depth - 1)
            elif depth == 0 and ch in _HARD_CHARACTERS:
                breaks = True
        if i == 0 or i == len(words):
            continue
        if breaks:
            hard[i] = True
        elif "." in gap and _SENTENCE.search(gap) and words[i - 1] not in abbreviations:
            # "daily. Trazodone stopped": a new sentence when the next word starts with a capital letter
            # (or the text was folded and case is lost); "q.d. discontinued" goes on.
            first = source[spans[i][0]]
            after = gap[gap.index(".") + 1 :].strip()
            # "as needed. (Patient not taking: ...)": a note in brackets still belongs to its sentence.
            if (first.isupper() or source is not text) and not after.startswith((",", ")", "(", "[")):
                hard[i] = True
    return Line(text, source, words, spans, gaps, hard)
