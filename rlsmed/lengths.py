"""Words sorted by length, and the fuzzy index of one first letter: what rlsmed.matcher compares a
misspelling with (names within reach in length only)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import NamedTuple

__all__ = ["ByLength", "Letter"]


class ByLength:
    """Words sorted by length, so that those of a range of lengths are one slice."""

    def __init__(self, words: list[str]) -> None:
        self.words = sorted(words, key=len)
        self.lengths = list(map(len, self.words))

    def near(self, length: int, reach: int) -> list[str]:
        """The words whose length differs from `length` by `reach` at most."""
        lengths = self.lengths
        return self.words[bisect_left(lengths, length - reach) : bisect_right(lengths, length + reach)]


class Letter(NamedTuple):
    """The fuzzy index of one first letter."""

    flagged: ByLength  # names of flagged drugs
    ordinary: ByLength  # names of other drugs
    english: ByLength  # English words
    flagged_names: set[str]  # every name of a flagged drug, of any length
