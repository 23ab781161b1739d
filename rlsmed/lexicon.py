"""The shipped lexicon of ordinary drug names (not the knowledge base's) and the ingredients they contain."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from .data_files import data_file

__all__ = ["Lexicon", "builtin_lexicon_path", "load_lexicon"]


class Lexicon(NamedTuple):
    """Normalised names to |-separated ingredients, with the word index the matcher needs.

    `names` is in sorted order, so that the names starting with a word lie together; `starts` are the
    first words of names; `words` every word of every name (so the matcher knows which leftover words
    are not misspellings); `rxnorm` maps RxNorm codes to ingredients. scripts/build_lexicon.py
    computes all of it, so that loading is a JSON parse and nothing more.
    """

    names: Mapping[str, str]
    starts: frozenset[str]
    words: frozenset[str]
    rxnorm: Mapping[str, str]

    @staticmethod
    def from_names(names: Mapping[str, str], rxnorm: Mapping[str, str] | None = None) -> Lexicon:
        """A lexicon of just these names (for tests and tools)."""
        ordered = dict(sorted(names.items()))
        starts = frozenset(k.split(" ")[0] for k in ordered)
        return Lexicon(ordered, starts, frozenset(" ".join(ordered).split()), dict(rxnorm or {}))


def builtin_lexicon_path() -> Path:
    return data_file("lexicon.json")


def load_lexicon(path: Path | str | None = None) -> Lexicon:
    """Read the lexicon built by scripts/build_lexicon.py."""
    with open(path or builtin_lexicon_path(), encoding="utf-8") as f:
        doc = json.load(f)
    return Lexicon(doc["names"], frozenset(doc["starts"]), frozenset(doc["words"]), doc["rxnorm"])
