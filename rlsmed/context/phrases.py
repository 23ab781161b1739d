"""Phrases on a line that change a drug's status ("stopped", "allergic to", "previously on", "mother takes"),
each scoped to the drugs it governs, in the manner of the ConText algorithm (Harkema et al., J Biomed Inform 2009).

At each word the longest known phrase wins; a pseudo phrase ("do not stop", "for allergies") holds a
trigger word but triggers nothing. A trigger governs forward (the drugs after it, to the end of the
clause or its scope), backward (the nearest drug before it in the clause) or both: a "both" trigger
governs the drug it directly follows ("Plavix 75 mg d/c'd") or that it ends a clause after
("trazodone 50 mg - stopped"), else the drugs after it ("stopped trazodone"). A drug governed by several
triggers takes the nearest; a family trigger ("mother takes lithium") is not undone by a current one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..models import Status
from .rules import Direction, Rules, Trigger
from .text import Line

__all__ = ["Cue", "Decision", "find_cues", "govern"]

_CLAUSE_END = ",;.)(|!?"  # punctuation right after a trigger that makes it look back ("- stopped,")
_PLURAL = frozenset({"are", "were", "both", "all", "have", "them", "they"})
_CONJUNCTIONS = frozenset({"and", "or", "nor", "plus"})
_DETERMINERS = frozenset("the a an her his their its my your this that these those".split())


def _breaks(line: Line, k: int) -> bool:
    """Whether a comma or a clause break stands before word k."""
    return line.hard[k] or "," in line.gaps[k]


class Decision(NamedTuple):
    """A mention's status and, unless it is plainly current, why."""

    status: Status
    reason: str = ""


CURRENT = Decision(Status.CURRENT)


class Cue(NamedTuple):
    """A trigger or terminator found on a line: words [start, end)."""

    start: int
    end: int
    trigger: Trigger | None  # None: a terminator


def find_cues(line: Line, rules: Rules, spans: Sequence[tuple[int, int]] = (), start: int = 0) -> list[Cue]:
    """Triggers and terminators on the line from word `start`, longest match first, left to right; pseudo
    phrases are skipped, and so are triggers inside a drug name ("Benadryl Allergy Plus")."""
    words = line.words
    inside = [False] * len(words)
    for a, b in spans:
        for k in range(max(a, 0), min(b, len(words))):
            inside[k] = True
    cues: list[Cue] = []
    i = start
    index = rules.line
    while i < len(words):
        found = index.at(words, i)
        # A phrase never runs across a clause break ("stopped. Hold" is not "stopped hold").
        found = [p for p in found if not any(line.hard[k] for k in range(i + 1, i + len(p.words)))]
        if not found:
            i += 1
            continue
        n = len(found[0].words)
        values = [p.value for p in found]
        if "pseudo" in values:
            i += n
            continue
        if any(inside[i : i + n]):
            i += 1
            continue
        if "terminator" in values:
            cues.append(Cue(i, i + n, None))
        else:
            cues.extend(Cue(i, i + n, v) for v in values if isinstance(v, Trigger))
        i += n
    return cues


def _blocked(line: Line, cues: list[Cue], cue: Cue, a: int, b: int, until: frozenset[str]) -> bool:
    """Whether words [a, b) hold a clause break, a terminator, another trigger, or an `until` word."""
    if any(line.hard[k] for k in range(a, b + 1)):
        return True
    status = cue.trigger.status if cue.trigger is not None else None
    for other in cues:
        if other is cue or other.end <= a or other.start >= b:
            continue
        if other.trigger is None:
            return True
        # A "current" trigger between ends the scope ("stopped trazodone, started sertraline"), but not a
        # relative's ("mother - depression on Zoloft"); other triggers are weighed by distance instead.
        if other.trigger.status is Status.CURRENT and status is not Status.FAMILY and status is not Status.CURRENT:
            return True
    return any(line.words[k] in until for k in range(a, b))


def govern(line: Line, spans: Sequence[tuple[int, int]], cues: list[Cue], rules: Rules) -> list[list[tuple[int, Cue]]]:
    """For each drug span, the triggers that govern it, with their distance in words."""
    governed: list[list[tuple[int, Cue]]] = [[] for _ in spans]
    order = sorted(range(len(spans)), key=lambda k: spans[k][0])
    for cue in cues:
        trigger = cue.trigger
        if trigger is None:
            continue
        before = [k for k in order if spans[k][1] <= cue.start]
        after = [k for k in order if spans[k][0] >= cue.end]
        back = _backward(line, spans, cues, cue, before, rules)
        fwd = _forward(line, spans, cues, cue, after)
        if trigger.direction is Direction.BACKWARD:
            chosen = back
        elif trigger.direction is Direction.FORWARD:
            chosen = fwd
        else:
            chosen = _either(line, spans, cue, back, fwd, before, cues, rules)
        for k in chosen:
            distance = spans[k][0] - cue.end if spans[k][0] >= cue.end else cue.start - spans[k][1]
            governed[k].append((distance, cue))
    return governed


def _forward(line: Line, spans: Sequence[tuple[int, int]], cues: list[Cue], cue: Cue, after: list[int]) -> list[int]:
    trigger = cue.trigger
    assert trigger is not None
    out = []
    for k in after:
        a = spans[k][0]
        if trigger.scope and a - cue.end > trigger.scope:
            break
        if _blocked(line, cues, cue, cue.end, a, trigger.until):
            break
        out.append(k)
    return out


def _backward(
    line: Line, spans: Sequence[tuple[int, int]], cues: list[Cue], cue: Cue, before: list[int], rules: Rules
) -> list[int]:
    """The nearest drug before the trigger in its clause, and those joined to it by "and" when the
    phrase speaks of several ("amlodipine and lisinopril are on hold")."""
    trigger = cue.trigger
    assert trigger is not None
    if not before:
        return []
    nearest = before[-1]
    if _blocked(line, cues, cue, spans[nearest][1], cue.start, trigger.until):
        return []
    out = [nearest]
    # The same drug written twice, "hydrOXYzine HCl (ATARAX)": both names take the status.
    for k in reversed(before[:-1]):
        gap_words = line.words[spans[k][1] : spans[out[-1]][0]]
        text = "".join(line.gaps[spans[k][1] : spans[out[-1]][0] + 1])
        if ("(" not in text and "[" not in text) or "," in text:
            break
        if not all(w in rules.salts for w in gap_words):
            break
        out.append(k)
    between = set(line.words[spans[nearest][1] : cue.end])
    if between & _PLURAL:
        for k in reversed(before[:-1]):
            gap = line.words[spans[k][1] : spans[out[-1]][0]]
            text = "".join(line.gaps[spans[k][1] : spans[out[-1]][0] + 1])
            if "," in text or not any(w in _CONJUNCTIONS for w in gap):
                break
            if not all(w in _CONJUNCTIONS or w in rules.bridges for w in gap):
                break
            out.append(k)
    return out


def _either(
    line: Line,
    spans: Sequence[tuple[int, int]],
    cue: Cue,
    back: list[int],
    fwd: list[int],
    before: list[int],
    cues: list[Cue],
    rules: Rules,
) -> list[int]:
    """A "both" trigger: look back when it ends a clause or directly follows a drug, else forward."""
    after_text = line.gaps[cue.end] if cue.end < len(line.gaps) else ""
    clause_end = cue.end >= len(line.words) or any(ch in after_text for ch in _CLAUSE_END)
    # Past "the", "her": "stopped the trazodone" has the trazodone for its object.
    at = cue.end
    while at < len(line.words) and line.words[at] in _DETERMINERS and not _breaks(line, at):
        at += 1
    following = line.words[at] if at < len(line.words) else ""
    object_drug = bool(fwd) and spans[fwd[0]][0] == at
    # A trigger that ends its clause, or that has no object of its own ("discontinued today", "held for
    # surgery", "currently on hold because of sedation"), speaks of the drug before it; one followed by
    # an object ("stopped trazodone", "patient completed teaching") does not.
    free = clause_end or line.hard[cue.end] or (following in rules.bridges and not object_drug)
    product = cue.start > 0 and line.words[cue.start - 1] in rules.salts  # "... Maleate Allergy"
    if (
        cue.trigger is not None
        and cue.trigger.end
        and (not clause_end or product or (back and spans[back[0]][1] != cue.start))
    ):
        # "Compazine allergy." looks back; "Benadryl Allergy 25 mg" and "Chlorpheniramine Maleate Allergy"
        # are products' names, not allergies.
        back = []
    if back and free:
        return back
    if fwd:
        return fwd
    # "never started it", "and it was discontinued": the drug named earlier in the sentence, past a "but".
    preceding = line.words[max(0, cue.start - 2) : cue.start]
    if before and (following in rules.pronouns or any(w in rules.pronouns for w in preceding)):
        nearest = before[-1]
        if not any(line.hard[k] for k in range(spans[nearest][1], cue.start + 1)):
            return [nearest]
    return []


def _weak(trigger: Trigger) -> bool:
    """A "current" trigger that only undoes a history heading ("on", "takes"), not a stop."""
    return trigger.status is Status.CURRENT and Status.NOT_CURRENT not in trigger.overrides


def decide(
    line: Line,
    spans: Sequence[tuple[int, int]],
    base: Sequence[Decision],
    rules: Rules,
    cues: list[Cue] | None = None,
    *,
    own: frozenset[Status] = frozenset(),
) -> list[Decision]:
    """Each span's status: the nearest trigger that governs it, else `base` (what its section says).

    A line that states a status of its own (a trigger governs one of its drugs) under a section whose
    status is in `own` is read on its own: its other drugs are current ("He is on duloxetine 60 mg.
    Amitriptyline was discontinued." after a list of stopped medicines is a new note, not an item of it).
    """
    if cues is None:
        cues = find_cues(line, rules, spans)
    if not cues:
        return list(base)
    governed = govern(line, spans, cues, rules)
    if own and any(governed) and any(b.status in own for b in base):
        said = next(line.written(c.start, c.end) for g in governed for _, c in g)
        alone = Decision(Status.CURRENT, f"the line says its own status ('{said}'), not its heading's")
        base = [alone if b.status in own else b for b in base]
    out: list[Decision] = []
    for k, candidates in enumerate(governed):
        section = base[k]
        if any(c.trigger.status is Status.FAMILY for _, c in candidates):  # type: ignore[union-attr]
            candidates = [(d, c) for d, c in candidates if c.trigger.status is not Status.CURRENT]  # type: ignore[union-attr]
        elif any(c.trigger.status is not Status.CURRENT for _, c in candidates):  # type: ignore[union-attr]
            # "She was on Elavil ... but stopped it": a plain "on" or "takes" yields to what is said of the
            # drug; "started", "continue", "switched to" do not.
            candidates = [(d, c) for d, c in candidates if not _weak(c.trigger)]  # type: ignore[arg-type]
        if not candidates:
            out.append(section)
            continue
        # Nearest first; at equal distance a trigger that is not "current" wins.
        _distance, cue = min(candidates, key=lambda dc: (dc[0], dc[1].trigger.status is Status.CURRENT))  # type: ignore[union-attr]
        trigger = cue.trigger
        assert trigger is not None
        where = "before" if cue.end <= spans[k][0] else "after"
        said = line.written(cue.start, cue.end)
        if trigger.status is Status.CURRENT:
            if section.status in trigger.overrides:
                out.append(Decision(Status.CURRENT, f"'{said}' {where} the drug, although {section.reason}"))
            else:
                out.append(section)
            continue
        out.append(Decision(trigger.status, f"'{said}' {where} the drug"))
    return out
