"""One list read a line at a time: its sections, each drug mention's status, and Parkinson's disease."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, repeat
from operator import not_
from typing import NamedTuple

from ..models import Status
from ..normalize import tokens
from .parkinson import names_parkinson
from .phrases import CURRENT, Decision, decide, find_cues
from .rules import Rules, shipped_rules
from .sections import Heading, SectionTracker
from .text import split

__all__ = ["Document", "Reading"]

# Every character but a-z becomes a space: ASCII lines are split into words in C (as the matcher does).
_ASCII_WORDS = str.maketrans({chr(i): " " for i in range(128) if not "a" <= chr(i) <= "z"})
# The same, keeping line breaks (as a word of their own) for a batch of lines.
_BREAK = "\x01"
_LETTERS = re.compile(r"[A-Za-z]+")
_ASCII_BATCH = str.maketrans({chr(i): " " for i in range(128) if not ("a" <= chr(i) <= "z" or chr(i) == "\n")})


class Reading(NamedTuple):
    """What the context says about one line."""

    heading: Heading | None  # the line is a heading (or a field, sub-field or column line): no drug
    decisions: tuple[Decision, ...]  # the status of each drug span given, in the order given
    parkinson: bool  # the line names Parkinson's disease (or parkinsonism) as the patient's


_NOTHING = Reading(None, (), False)
# Sections whose lines, when they state a status of their own, are read on their own (see phrases.decide).
_OWN = frozenset({Status.NOT_CURRENT, Status.PAST})


def _words(text: str) -> list[str]:
    low = text.lower()
    if low.isascii() and "\x1b" not in low:
        return low.translate(_ASCII_WORDS).split()
    return tokens(text)


class Document:
    """The context of one list (a pasted list, a file, a patient's records), fed its lines in order.

    `read` is cheap for a line under no heading that holds no word that could change a status: most
    lines of a large export cost one split and one set lookup.
    """

    def __init__(self, context_rules: Rules | None = None) -> None:
        self.rules = context_rules or shipped_rules()
        self.sections = SectionTracker(self.rules)
        self.parkinson = False  # some line so far names Parkinson's disease as the patient's
        r = self.rules
        self._cues = r.cues
        self._short = r.short_cues
        self._short_any = r.marks - r.cues
        self._marks = r.marks | {_BREAK}
        # First words of headings, fields and column lines: a line without a drug that starts otherwise,
        # and holds no cue and no colon, is no heading.
        self._starts = r.headings.firsts() | r.fields.firsts() | r.columns | r.cues
        self._nouns = r.section_nouns  # "Cardiac medications": a heading by its last word

    def _may_head(self, text: str) -> bool:
        """Whether a line may be a heading, by its first word (any line that is not plain ASCII may)."""
        if not text.isascii():
            return True
        words = _LETTERS.findall(text)
        return bool(words) and (words[0].lower() in self._starts or words[-1].lower() in self._nouns)

    def _short_cue(self, words: list[str]) -> bool:
        present = set(words)
        return any(cue <= present for cue in self._short)

    def read_batch(
        self,
        texts: Sequence[str],
        numbers: Sequence[int],
        named: Sequence[bool],
        spans_of: Callable[[int], Sequence[tuple[int, int]]],
        marks: Iterable[int] | None = None,
    ) -> dict[int, Reading]:
        """`read` for a batch of lines, in order: the readings that are not plain (by the line's index in
        the batch). A line missing from the result names no heading and no Parkinson's disease, and its
        drugs are current. `named` says which lines name a drug, and `spans_of(i)` gives the word spans
        of line i's names (asked only for the lines read). Only the lines that hold a cue word or a colon
        (`marks`, when the matcher found them: see Rules.marks; else found here), or name no drug, or lie
        under a heading, are read."""
        n = len(texts)
        unnamed = compress(range(n), map(not_, named))
        if marks is not None:
            found = set(marks)
            # A line naming no drug, holding no cue word and no colon, is a heading only when its first
            # word starts one (a field, a column line): most such lines are medicines not recognised.
            found.update(i for i in unnamed if self._may_head(texts[i]))
            return self._read_lines(texts, numbers, spans_of, sorted(found))
        joined = "\n".join(texts).lower()
        if not joined.isascii() or "\x1b" in joined or joined.count("\n") != n - 1:
            candidates: list[int] = list(range(n))
        else:
            words = joined.translate(_ASCII_BATCH).replace("\n", f" {_BREAK} ").split()
            # One pass in C over the words: where the line breaks and the cue words are.
            marked = list(compress(range(len(words)), map(self._marks.__contains__, words)))
            breaks = [p for p in marked if words[p] == _BREAK]
            found = {bisect_right(breaks, p) for p in marked if words[p] != _BREAK}
            found.update(compress(range(n), map(str.__contains__, texts, repeat(":"))))
            found.update(unnamed)
            candidates = sorted(found)
        return self._read_lines(texts, numbers, spans_of, candidates)

    def _read_lines(
        self,
        texts: Sequence[str],
        numbers: Sequence[int],
        spans_of: Callable[[int], Sequence[tuple[int, int]]],
        candidates: list[int],
    ) -> dict[int, Reading]:
        n = len(texts)
        out: dict[int, Reading] = {}
        position = 0
        for j in [*candidates, n]:
            while position < j and not self.sections.plain:  # under a heading: every line is read
                self._keep(out, position, self.read(texts[position], spans_of(position), numbers[position]))
                position += 1
            if j == n:
                break
            if j >= position:
                self._keep(out, j, self.read(texts[j], spans_of(j), numbers[j]))
                position = j + 1
        return out

    @staticmethod
    def _keep(out: dict[int, Reading], i: int, reading: Reading) -> None:
        if reading.heading is not None or reading.parkinson or any(d is not CURRENT for d in reading.decisions):
            out[i] = reading

    def read(self, text: str, spans: Sequence[tuple[int, int]], number: int) -> Reading:
        """The line's heading, the status of each drug span (word indexes, as the matcher's Hit.start
        and Hit.end count them), and whether it names Parkinson's disease. `number` is the line's number
        as an editor shows it, for reasons ("under 'STOP taking:' (line 4)")."""
        if self.sections.plain and ":" not in text:
            words = _words(text)
            if self._cues.isdisjoint(words) and (self._short_any.isdisjoint(words) or not self._short_cue(words)):
                if spans:
                    return Reading(None, (CURRENT,) * len(spans), False)
                if not words or words[0] not in self._starts:
                    return _NOTHING
        r = self.rules
        line = split(text, r.abbreviations)
        section = self.sections.feed(line, number, spans)
        base = []
        for a, _ in spans:
            decision = section.segments[0][1]
            for start, d in section.segments:
                if start <= a:
                    decision = d
            base.append(decision)
        # An inline heading's words ("Allergies:") are its section's reason, not a phrase of their own.
        cues = find_cues(line, r, [*spans, *section.labels])
        own = _OWN if not section.labels else frozenset()  # a line under an inline heading is that heading's
        decisions = decide(line, spans, base, r, cues, own=own) if spans else []
        parkinson = names_parkinson(line, r, section.segments, cues, has_drug=bool(spans))
        self.parkinson = self.parkinson or parkinson
        return Reading(section.heading, tuple(decisions), parkinson)
