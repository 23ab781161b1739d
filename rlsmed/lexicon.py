"""The shipped lexicon of ordinary drug names (not the knowledge base's) and the ingredients they contain."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

__all__ = ["Lexicon", "builtin_lexicon_path", "load_lexicon"]

_PACKAGE = Path(__file__).resolve().parent


class Lexicon(NamedTuple):
    """Names (normalised) to |-separated ingredients, with the index the matcher needs.

    `multi` maps the first word of each multi-word name to the most words such a name has; `words`
    holds every word of every name, so that the matcher knows which leftover words are not misspellings;
    `rxnorm` maps RxNorm codes to |-separated ingredients.
    """

    names: Mapping[str, str]
    multi: Mapping[str, int]
    words: frozenset[str]
    rxnorm: Mapping[str, str]

    @staticmethod
    def from_names(names: Mapping[str, str], rxnorm: Mapping[str, str] | None = None) -> Lexicon:
        multi: dict[str, int] = {}
        for key in names:
            parts = key.split(" ")
            if len(parts) > 1 and multi.get(parts[0], 0) < len(parts):
                multi[parts[0]] = len(parts)
        return Lexicon(dict(names), multi, frozenset(" ".join(names).split()), dict(rxnorm or {}))


def builtin_lexicon_path() -> Path:
    installed = _PACKAGE / "data" / "lexicon.json"
    if installed.is_file():
        return installed
    return _PACKAGE.parent / "data" / "lexicon.json"


def load_lexicon(path: Path | str | None = None) -> Lexicon:
    """Read the lexicon built by scripts/build_lexicon.py."""
    with open(path or builtin_lexicon_path(), encoding="utf-8") as f:
        doc = json.load(f)
    return Lexicon(doc["names"], doc["multi"], frozenset(doc["words"]), doc.get("rxnorm", {}))
