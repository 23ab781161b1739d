"""Look up and describe knowledge-base entries: `rlsmed explain`, `rlsmed kb list` and `rlsmed kb search`."""

from __future__ import annotations

import textwrap
from typing import NamedTuple

from .matcher import Matcher, Target
from .models import Drug, KnowledgeBase, MatchKind
from .normalize import fold, name_key

__all__ = ["Lookup", "describe", "lookup", "search"]


class Lookup(NamedTuple):
    """What a name a user typed stands for."""

    query: str
    target: Target | None
    kind: MatchKind = MatchKind.EXACT
    score: float = 100.0

    @property
    def ingredients(self) -> list[str]:
        return list(self.target.ingredients) if self.target else []

    def drugs(self, kb: KnowledgeBase) -> list[Drug]:
        """The knowledge-base entries among the ingredients."""
        by_key = {name_key(name): drug for name, drug in kb.drugs.items()}
        return [by_key[i] for i in self.ingredients if i in by_key]


def lookup(query: str, matcher: Matcher, kb: KnowledgeBase) -> Lookup:
    """Resolve a name as `check` would (exact, then fuzzy), falling back to the closest knowledge-base name."""
    key = name_key(query)
    target = matcher.target(key) or matcher.target(key.replace(" ", ""))
    if target is not None:
        return Lookup(query, target)
    hits = matcher.match(query)
    if len(hits) == 1:
        return Lookup(query, hits[0].target, hits[0].kind, hits[0].score)
    from rapidfuzz import fuzz, process

    names = {name_key(n): d.name for d in kb.drugs.values() for n in (d.name, *d.names)}
    best = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=80)
    if best is None:
        return Lookup(query, None)
    name = best[0]
    return Lookup(query, matcher.target(name), MatchKind.FUZZY, round(best[1], 1))


def _wrap(label: str, text: str, width: int) -> list[str]:
    if not text:
        return []
    prefix = f"{label:<16}"
    return textwrap.wrap(text, width=width, initial_indent=prefix, subsequent_indent=" " * 16) or [prefix]


def describe(drug: Drug, kb: KnowledgeBase, *, width: int = 100) -> str:
    """A knowledge-base entry as plain text, with its sources."""
    products = sorted(p.name for p in kb.products if drug.name in p.ingredients)
    lines = [f"{drug.name} ({drug.drug_class})", ""]
    lines += _wrap("Effect", drug.effect.label + ("" if drug.flagged else " (never flagged)"), width)
    lines += _wrap("Evidence", f"{drug.evidence.value}: {drug.evidence_basis}", width)
    lines += _wrap("Mechanism", drug.mechanism, width)
    lines += _wrap("Why", drug.rationale, width)
    lines += _wrap("Consider", drug.considerations, width)
    lines += _wrap("Parkinson's", drug.parkinson, width)
    lines += _wrap("Also called", ", ".join(drug.names), width)
    lines += _wrap("Salts", ", ".join(drug.salts), width)
    lines += _wrap("In products", ", ".join(products), width)
    lines += _wrap("ATC", ", ".join(drug.atc), width)
    lines += _wrap("RxCUI", drug.rxcui or "not verified", width)
    lines.append("Sources")
    for source in drug.sources:
        lines += textwrap.wrap(
            source.reference, width=width, initial_indent="  - ", subsequent_indent="    ", break_on_hyphens=False
        )
    lines.append(f"Knowledge base {kb.version} ({kb.updated})")
    return "\n".join(lines)


def search(text: str, kb: KnowledgeBase) -> list[Drug]:
    """Entries whose name, other names, class, mechanism or rationale contain `text`, and the ingredients
    of products whose name contains it (case and accents ignored)."""
    needle, key = fold(text).strip(), name_key(text)
    if not needle:
        return []

    def mentions(haystack: str) -> bool:
        return needle in fold(haystack) or (bool(key) and key in name_key(haystack))

    found = {
        drug.name: drug
        for drug in kb.drugs.values()
        if mentions(" ".join((drug.name, *drug.names, drug.drug_class, drug.mechanism, drug.rationale)))
    }
    for product in kb.products:
        if mentions(product.name):
            found.update((i, kb.drugs[i]) for i in product.ingredients if i in kb.drugs)
    return sorted(found.values(), key=lambda d: d.name)
