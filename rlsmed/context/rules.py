"""The rules of context reading, read from data/context.json and compiled once, on first use.

Phrases are compared word by word on the tokens rlsmed matches names on (lowercase letter runs), so the
rules file writes them as a person types them. Nothing here runs at import: the file is read the first
time a list needs it, which keeps the tool's start-up at its own imports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from ..data_files import data_file
from ..models import Status
from ..vocabulary import SALTS, STOPWORDS

__all__ = [
    "Direction",
    "HeadingRule",
    "Phrase",
    "PhraseIndex",
    "Rules",
    "Trigger",
    "builtin_rules_path",
    "load_rules",
    "shipped_rules",
]


class Direction(str, Enum):
    FORWARD = "forward"  # governs the drugs after the phrase
    BACKWARD = "backward"  # governs the drug just before it
    BOTH = "both"  # the drug just before it when it follows one, else the drugs after it


class Trigger(NamedTuple):
    """A phrase that gives the drugs in its scope a status."""

    status: Status
    direction: Direction
    scope: int  # words allowed between the phrase and a drug it governs; 0: to the end of the clause
    until: frozenset[str]  # words that end this trigger's scope, beyond the shared terminators
    overrides: frozenset[Status]  # for current triggers: the section statuses they override
    end: bool = False  # looks back only when it ends its clause ("Compazine allergy.", not "Benadryl Allergy 25 mg")


class HeadingRule(NamedTuple):
    """What a heading phrase sets for the lines under it."""

    status: Status
    until_dose: bool  # the section also ends at a line giving a dose
    statement: bool  # a statement such as "NKDA": a heading that ends an allergy list and opens nothing


class Phrase(NamedTuple):
    words: tuple[str, ...]
    value: Any  # Trigger, HeadingRule, or a kind name ("pseudo", "terminator", a field kind)


class PhraseIndex:
    """Phrases by their first word, longest first, for longest-match lookups along a line."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        by_first: dict[str, list[Phrase]] = {}
        for phrase in phrases:
            if phrase.words:
                by_first.setdefault(phrase.words[0], []).append(phrase)
        for found in by_first.values():
            found.sort(key=lambda p: -len(p.words))
        self.by_first = by_first

    def firsts(self) -> frozenset[str]:
        return frozenset(self.by_first)

    def at(self, words: list[str], i: int) -> list[Phrase]:
        """Every phrase that starts at word i, longest first (several values may share the words)."""
        candidates = self.by_first.get(words[i])
        if not candidates:
            return []
        out: list[Phrase] = []
        length = 0
        for phrase in candidates:
            n = len(phrase.words)
            if n < length:
                break
            if tuple(words[i : i + n]) == phrase.words:
                out.append(phrase)
                length = n
        return out


class Rules(NamedTuple):
    """The compiled rules."""

    line: PhraseIndex  # triggers, pseudo phrases and terminators, as found on a line
    headings: PhraseIndex  # heading phrases (HeadingRule) and pseudo phrases
    fields: PhraseIndex  # document fields ("Patient:") and sub-fields ("Commonly known as:")
    heading_words: frozenset[str]
    section_nouns: frozenset[str]
    columns: frozenset[str]
    bridges: frozenset[str]  # words that may stand between a drug and a trigger that governs it
    pronouns: frozenset[str]
    salts: frozenset[str]
    abbreviations: frozenset[str]  # words a full stop follows without ending a sentence
    dose_units: frozenset[str]
    frequencies: frozenset[str]
    # Every word that can start a trigger, a heading that is not "current", or a Parkinson's term: a line
    # under a current heading that has none of them needs no reading.
    cues: frozenset[str]
    short_cues: tuple[frozenset[str], ...]  # cues of phrases whose words are all short: all must be present
    marks: frozenset[str]  # the words a line is looked at for: the cues, and a word of each short cue
    record_statuses: Mapping[str, str]  # a record's status words: "not_current", "allergy" or "left_out"
    left_out: frozenset[str]  # the status words of records that are no medicine at all (entered in error)
    parkinson: Mapping[str, PhraseIndex | frozenset[str]]


def builtin_rules_path() -> Path:
    return data_file("context.json")


def _words(phrase: str) -> tuple[str, ...]:
    # The rules file writes phrases as the words rlsmed compares (tests/test_context_rules.py checks it):
    # splitting on spaces is all that is needed, and keeps the start-up cost of compiling them small.
    return tuple(phrase.split())


# Words of every other sig ("Take 1 tablet by mouth daily"): never a phrase's cue when it has another word.
_EVERYDAY = frozenset(
    "take takes taking use used using by mouth daily the of to for with and at in on as a an is was were be "
    "been tablet tablets mg once twice every day times one two needed bedtime night morning po qd bid tid prn "
    "hours hour capsule capsules total apply patch did does do".split()
)


_COMMON_SHORT = frozenset({"d", "h", "s", "t", "x", "q", "of", "a"})


def _cue(words: tuple[str, ...]) -> str:
    """The word a line must hold for the phrase to be on it, chosen to be rare: a word that is not in
    every sig, and the longest of those (long words are the rarer ones)."""
    rare = [w for w in words if w not in STOPWORDS] or [w for w in words if w not in _EVERYDAY] or list(words)
    return max(rare, key=len) if rare else ""


def _index(phrases: Iterable[tuple[str, Any]]) -> PhraseIndex:
    return PhraseIndex(Phrase(_words(text), value) for text, value in phrases)


def compile_rules(doc: Mapping[str, Any]) -> Rules:
    """Rules from the parsed rules file."""
    line: list[tuple[str, Any]] = []
    cues: set[str] = set()
    short: set[tuple[str, ...]] = set()  # phrases of one- and two-letter words ("d/c", "h/o")
    for entry in doc["triggers"]:
        trigger = Trigger(
            Status(entry["status"]),
            Direction(entry["direction"]),
            int(entry.get("scope", 0)),
            frozenset(entry.get("until", ())),
            frozenset(Status(s) for s in entry.get("overrides", ())),
            bool(entry.get("end")),
        )
        for text in entry["phrases"]:
            line.append((text, trigger))
            if trigger.status is not Status.CURRENT:
                words = _words(text)
                if len(_cue(words)) > 2:
                    cues.add(_cue(words))
                else:
                    short.add(words)
    line += [(text, "pseudo") for text in doc["pseudo"]]
    line += [(text, "terminator") for text in doc["terminators"]]
    headings: list[tuple[str, Any]] = [(text, "pseudo") for text in doc["pseudo"]]
    for entry in doc["headings"]:
        rule = HeadingRule(Status(entry["status"]), bool(entry.get("until_dose")), bool(entry.get("statement")))
        headings += [(text, rule) for text in entry["phrases"]]
        if rule.status is not Status.CURRENT:  # an inline heading such as "Allergies: ..." needs reading
            for text in entry["phrases"]:
                words = _words(text)
                if len(_cue(words)) > 2:
                    cues.add(_cue(words))
                else:
                    short.add(words)
    fields = [(text, "field") for text in doc["fields"]] + [(text, "subfield") for text in doc["subfields"]]
    pd = doc["parkinson"]
    parkinson: dict[str, PhraseIndex | frozenset[str]] = {
        "terms": _index((t, "term") for t in pd["terms"]),
        "preceded_by": _index((t, "before") for t in pd["preceded_by"]),
        "negations": _index((t, "negation") for t in pd["negations"]),
    }
    for key in ("abbreviations", "followed_by", "not_followed_by", "not_preceded_by", "not_on_line"):
        parkinson[key] = frozenset(pd[key])
    cues.update(_cue(_words(t)) for t in pd["terms"])
    cues.update(pd["abbreviations"])
    bridges = frozenset(doc["bridges"]) | STOPWORDS
    dose = doc["dose"]
    return Rules(
        line=_index(line),
        headings=_index(headings),
        fields=_index(fields),
        heading_words=frozenset(doc["heading_words"]),
        section_nouns=frozenset(doc["section_nouns"]),
        columns=frozenset(doc["columns"]),
        bridges=bridges,
        pronouns=frozenset(doc["pronouns"]),
        salts=SALTS,
        abbreviations=frozenset(doc["abbreviations"]),
        dose_units=frozenset(dose["units"]),
        frequencies=frozenset(dose["frequency"]),
        cues=frozenset(cues),
        short_cues=tuple(frozenset(words) for words in sorted(short)),
        # Of a short cue, a word that is not in every "q.d." or "q8h" ("d", "h").
        record_statuses={word: kind for kind, words in doc["record_statuses"].items() for word in words},
        left_out=frozenset(doc["record_statuses"]["left_out"]),
        marks=frozenset(cues) | {min(words, key=lambda w: (w in _COMMON_SHORT, len(w))) for words in short},
        parkinson=parkinson,
    )


def load_rules(path: Path | str | None = None) -> Rules:
    with open(path or builtin_rules_path(), encoding="utf-8") as f:
        return compile_rules(json.load(f))


@lru_cache(maxsize=1)
def shipped_rules() -> Rules:
    """The shipped rules, compiled on first use."""
    return load_rules()
