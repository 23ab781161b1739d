"""Ordinary English words (data/english.txt, from SCOWL): a real word is never a misspelt drug name.

Loaded only when a possible misspelling of a flagged name turns up, and kept as one sorted list, so that
loading is a read and a split: words starting with a letter lie together and are found by bisection.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cache

from .data_files import data_file

__all__ = ["EnglishWords", "english_words"]


class EnglishWords:
    """A sorted list of lowercase words of four letters or more."""

    def __init__(self, words: list[str]) -> None:
        self._words = words

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        i = bisect_left(self._words, word)
        return i < len(self._words) and self._words[i] == word

    def starting_with(self, letter: str) -> list[str]:
        """The words that start with `letter`."""
        words = self._words
        return words[bisect_left(words, letter) : bisect_left(words, chr(ord(letter) + 1))]


@cache
def english_words() -> EnglishWords:
    return EnglishWords(data_file("english.txt").read_text(encoding="ascii").split())
