"""Sections: headings, and the status they give the lines under them.

A heading is a known heading ("STOP taking these medications", "Allergies as of 03/14/2026", "Medicines
stopped"), or a short line without a drug that ends in a colon. It sets the status of the lines under it
until the next heading. An inline heading ("Allergies: Compazine, sulfa") covers its own line, up to the
next inline heading on it ("... sulfa. Meds: sertraline"); an allergy, history or family heading also
covers the lines that go on its list. A section that is a list of allergies, a medical history or a
family history ends at a line that gives a dose: a prescription written under it is the patient's.
Document fields ("Patient: ..."), sub-fields ("Commonly known as: ATARAX") and table column headings
("Medication  Sig  Dispense  Refill") are recognised as such and change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..models import Heading, Status
from .phrases import CURRENT, Decision
from .rules import HeadingRule, Phrase, Rules, Trigger
from .text import Line

__all__ = ["Heading", "LineSection", "SectionTracker", "classify"]

_MAX_HEADING_WORDS = 12
_QUOTE = 60  # characters of a heading quoted in a reason


class LineSection(NamedTuple):
    """What the sections say about one line."""

    heading: Heading | None  # the line as a heading, when it names no drug
    segments: tuple[tuple[int, Decision], ...]  # (first word, status) of each part of the line, in order
    labels: tuple[tuple[int, int], ...] = ()  # the words of its inline headings ("Allergies" in "Allergies: ...")


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE else text[: _QUOTE - 3].rstrip() + "..."


def _introduces(line: Line, end: int) -> bool:
    """Whether the words before `end` introduce what follows: a colon, or a dash between spaces."""
    gap = line.gaps[end] if end < len(line.gaps) else ""
    return ":" in gap or " - " in gap or " \u2013 " in gap


_MAX_LABEL_WORDS = 5
_MAX_NOUN_HEADING_WORDS = 4


def _label_end(line: Line, start: int, rules: Rules) -> int | None:
    """Where the label of an inline heading starting at word `start` ends: a known heading followed by
    a colon or a dash ("Allergies: ...", "STOP - ..."), or a few words before a colon that begin with
    one ("Current psychotropics: ...") or that set a status ("Past psychotropic trials: ...")."""
    found = rules.headings.at(line.words, start)
    known = bool(found) and _rule(found) is not None
    if known and _introduces(line, start + len(found[0].words)):
        return start + len(found[0].words)
    for end in range(start + 1, min(len(line.words), start + _MAX_LABEL_WORDS) + 1):
        gap = line.gaps[end] if end < len(line.gaps) else ""
        if line.hard[end] if end < len(line.hard) else False:
            return None
        if ":" in gap:
            if known or classify(line.words[start:end], rules).status is not Status.CURRENT:
                return end
            return None
    return None


def _rule(phrases: Sequence[Phrase]) -> HeadingRule | None:
    """The heading rule among phrases of one length ("past medical history" is a heading and, on a
    line, a pseudo phrase: as a heading, the heading wins)."""
    for phrase in phrases:
        if isinstance(phrase.value, HeadingRule):
            return phrase.value
    return None


def classify(words: Sequence[str], rules: Rules) -> HeadingRule:
    """The status a heading's words set: the first heading phrase that is not "current" ("Medications
    you should STOP taking"), else a trigger that is not ("Drugs to avoid"), else current."""
    listed = list(words)
    found: list[HeadingRule] = []
    triggered: list[Status] = []
    i = 0
    while i < len(listed):
        phrases = rules.headings.at(listed, i)
        if phrases:
            rule = _rule(phrases)
            if rule is not None:
                found.append(rule)
            i += len(phrases[0].words)
            continue
        phrases = rules.line.at(listed, i)
        if phrases:
            value = phrases[0].value
            if isinstance(value, Trigger) and value.status in (Status.NOT_CURRENT, Status.ALLERGY, Status.PAST):
                triggered.append(value.status)
            i += len(phrases[0].words)
            continue
        i += 1
    for rule in found:
        if rule.status is not Status.CURRENT:
            return rule
    if triggered:
        # "Intolerant of:" heads an allergy list: like "Allergies:", it ends at a line giving a dose.
        return HeadingRule(triggered[0], triggered[0] is Status.ALLERGY, False)
    for rule in found:
        if rule.statement:
            return rule
    return HeadingRule(Status.CURRENT, False, False)


class _Section(NamedTuple):
    decision: Decision
    until_dose: bool
    where: str = ""  # the heading, quoted, and its line: "'Allergies' (line 3)"
    runs_on: bool = False  # an inline heading's list, going on for as long as its lines end in a comma


def _runs_on(line: Line) -> bool:
    """Whether a list goes on on the next line: the line ends in a comma, "and" or "or"."""
    tail = line.gaps[-1].strip()
    return tail.endswith((",", ";", "/", "&")) or (bool(line.words) and not tail and line.words[-1] in ("and", "or"))


_PLAIN = _Section(CURRENT, False)


class SectionTracker:
    """Fed the lines of one list in order; says which are headings and what status each line is under."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.section = _PLAIN

    @property
    def status(self) -> Status:
        """The status the heading in force gives the lines under it."""
        return self.section.decision.status

    @property
    def plain(self) -> bool:
        """True while no heading (or only "current" headings) is in force: a line's base status is current."""
        return self.section is _PLAIN

    def reset(self) -> None:
        self.section = _PLAIN

    def feed(self, line: Line, number: int, spans: Sequence[tuple[int, int]]) -> LineSection:
        """Read one line (`number` as an editor numbers it) whose drug names are at `spans`."""
        if not spans:
            return self._without_drug(line, number)
        rules = self.rules
        section = self.section
        base = section.decision
        if section.until_dose and line.has_dose(rules.dose_units, rules.frequencies):
            # A prescription after an allergy list or a history: the list has ended.
            base = Decision(Status.CURRENT, f"a dose, after the list under {section.where}")
            self.section = _PLAIN
        segments: list[tuple[int, Decision]] = [(0, base)]
        labels: list[tuple[int, int]] = []
        last: HeadingRule | None = None
        last_text = ""
        for start in [0] + [k for k in range(1, len(line.words)) if line.hard[k]]:
            end = _label_end(line, start, rules)
            if end is None or any(a < end and b > start for a, b in spans):
                continue
            rule = classify(line.words[start:end], rules)
            said = line.written(start, end)
            reason = f"after '{_quote(said)}:' on this line"
            decision = CURRENT if rule.status is Status.CURRENT else Decision(rule.status, reason)
            if start == 0:
                segments[0] = (0, decision)
            else:
                segments.append((start, decision))
            labels.append((start, end))
            last, last_text = rule, said
        if last is not None:
            self._after_inline(last, last_text, number, line)
        elif section.runs_on and self.section is section and not _runs_on(line):
            self.section = _PLAIN
        return LineSection(None, tuple(segments), tuple(labels))

    def _after_inline(self, rule: HeadingRule, said: str, number: int, line: Line) -> None:
        """An inline heading covers its own line, and the next when the list runs on ("Allergies:
        Compazine,\\n sulfa"): a line ending in a comma, "and" or "or"."""
        if _runs_on(line) and not rule.statement and rule.status is not Status.CURRENT:
            where = f"'{_quote(said)}:' (line {number})"
            self.section = _Section(Decision(rule.status, f"under {where}"), True, where, runs_on=True)
        else:
            self.section = _PLAIN

    def _without_drug(self, line: Line, number: int) -> LineSection:
        section = self.section
        heading = self._heading(line, number)
        if heading is None and section.runs_on and not _runs_on(line):
            self.section = _PLAIN
        if heading is not None and heading.kind == "inline" and heading.status is not Status.CURRENT:
            # "FAMILY HISTORY: father - Parkinson's disease": the line's own words are under its heading.
            return LineSection(heading, ((0, Decision(heading.status, f"after '{_quote(heading.text)}'")),))
        return LineSection(heading, ((0, section.decision),))

    def _heading(self, line: Line, number: int) -> Heading | None:
        rules = self.rules
        words = line.words
        if not words:
            return None
        text = line.text.strip()
        fields = rules.fields.at(words, 0)
        if fields and _introduces(line, len(fields[0].words)):
            return Heading(text, self.section.decision.status, str(fields[0].value), number)
        phrases = rules.headings.at(words, 0)
        rule_at_start = next((p for p in phrases if isinstance(p.value, HeadingRule)), None)
        colon_end = ":" in line.gaps[-1] and len(words) <= _MAX_HEADING_WORDS
        if rule_at_start is not None and len(rule_at_start.words) == len(words):
            return self._open(text, words, number)  # the whole line is a heading: "Not Taking", "Stop"
        if rule_at_start is not None and len(rule_at_start.words) < len(words):
            n = len(rule_at_start.words)
            if _introduces(line, n):
                return self._inline_without_drug(line, number, text, n)
        if len(words) >= 2 and all(w in rules.columns for w in words) and not colon_end:
            return Heading(text, self.section.decision.status, "columns", number)
        if rule_at_start is not None:
            rest = words[len(rule_at_start.words) :]
            if colon_end or all(w in rules.heading_words for w in rest):
                return self._open(text, words, number)
        if colon_end:
            return self._open(text, words, number)
        last = words[-1]
        if (
            len(words) <= _MAX_NOUN_HEADING_WORDS
            and last in rules.section_nouns
            and (last[-1] == "s" or last == "history")
        ):
            # "Cardiac medications", "Drug allergies": a heading; "cough medicine" is a medicine to review.
            return self._open(text, words, number)
        if rule_at_start is not None and len(words) <= _MAX_HEADING_WORDS:
            nouns = rules.section_nouns
            if any(w in nouns for w in rule_at_start.words) and not line.has_dose(rules.dose_units, frozenset()):
                return self._open(text, words, number)
        return None

    def _open(self, text: str, words: Sequence[str], number: int) -> Heading:
        """A section heading: the lines under it take its status."""
        rule = classify(words, self.rules)
        if rule.statement:
            self.section = _PLAIN
            return Heading(text, Status.CURRENT, "statement", number)
        if rule.status is Status.CURRENT:
            self.section = _PLAIN
        else:
            where = f"'{_quote(text.rstrip(': -'))}' (line {number})"
            self.section = _Section(Decision(rule.status, f"under {where}"), rule.until_dose, where)
        return Heading(text, rule.status, "section", number)

    def _inline_without_drug(self, line: Line, number: int, text: str, n: int) -> Heading:
        """ "Allergies: NKDA", "PMH: hypertension, PD": a heading and its content, naming no drug."""
        rule = classify(line.words[:n], self.rules)
        content = classify(line.words[n:], self.rules)
        if content.statement or rule.statement:
            self.section = _PLAIN
            return Heading(text, Status.CURRENT, "statement", number)
        self._after_inline(rule, line.written(0, n), number, line)
        return Heading(text, rule.status, "inline", number)
