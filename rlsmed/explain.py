"""Look up and describe knowledge-base entries: `rlsmed explain`, `rlsmed kb list` and `rlsmed kb search`."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from typing import NamedTuple

from .engine import Engine
from .errors import UsageError
from .matcher import Matcher, Target
from .models import Drug, KnowledgeBase, MatchKind
from .normalize import fold, name_key
from .writers.json import drug_fields

__all__ = ["Lookup", "describe", "explain", "listing", "lookup", "search"]


class Lookup(NamedTuple):
    """What a name a user typed stands for."""

    query: str
    target: Target | None
    kind: MatchKind = MatchKind.EXACT
    score: float = 100.0

    @property
    def ingredients(self) -> list[str]:
        return list(self.target.ingredients) if self.target else []

    def drugs(self, engine: Engine) -> list[Drug]:
        """The knowledge-base entries among the ingredients."""
        return [engine.drugs[i] for i in self.ingredients if i in engine.drugs]


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
    kinds = ", ".join(k.label for k in drug.evidence_kinds) or "none (no published evidence either way)"
    lines += _wrap("Rests on", kinds, width)
    lines += _wrap("Mechanism", drug.mechanism, width)
    lines += _wrap("Why", drug.rationale, width)
    lines += _wrap("Consider", drug.considerations, width)
    lines += _wrap("Parkinson's", drug.parkinson, width)
    lines += _wrap("Also called", ", ".join(drug.names), width)
    lines += _wrap("Salts", ", ".join(drug.salts), width)
    lines += _wrap("In products", ", ".join(products), width)
    lines += _wrap("ATC", ", ".join(drug.atc), width)
    lines += _wrap("RxCUI", drug.rxcui or "not verified", width)
    for heading, cited in (
        ("Sources", drug.sources),
        ("Class sources (about the drug class; they do not name this drug)", drug.class_sources),
    ):
        if not cited:
            continue
        lines.append(heading)
        for source in cited:
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


def explain(name: str, engine: Engine) -> str:
    """What `rlsmed explain NAME` prints: each knowledge-base entry the name stands for, or what it is when
    it is no RLS concern; UsageError when rlsmed knows no such name."""
    found = lookup(name, engine.matcher, engine.kb)
    if found.target is None:
        raise UsageError(f"'{name}' is not a drug name rlsmed knows")
    parts: list[str] = []
    if found.kind is MatchKind.FUZZY:
        parts.append(f"(closest match to '{name}': {found.target.display}, score {found.score:g}; please verify)\n")
    drugs = found.drugs(engine)
    for i, drug in enumerate(drugs):
        parts.append(("\n" if i else "") + describe(drug, engine.kb) + "\n")
    if not drugs:
        ingredients = ", ".join(found.ingredients)
        parts.append(f"{found.target.display}: {ingredients}. Not in the RLS knowledge base: no known RLS concern.\n")
    return "".join(parts)


def listing(kb: KnowledgeBase, fmt: str = "table", only: Iterable[Drug] | None = None, *, color: bool = False) -> str:
    """Every entry (or `only` these), flagged ones first, by class then name: a table (with a terminal's
    styles when `color`) or JSON."""
    chosen = kb.drugs.values() if only is None else only
    drugs = sorted(chosen, key=lambda d: (not d.flagged, d.drug_class, d.name))
    if fmt == "json":
        entries = []
        for d in drugs:
            entry: dict[str, object] = {"name": d.name, "flagged": d.flagged, **drug_fields(d)}
            entry.update(considerations=d.considerations, parkinson=d.parkinson or None)
            entry.update(names=list(d.names), salts=list(d.salts))
            entries.append(entry)
        products = [
            {
                "name": p.name,
                "ingredients": list(p.ingredients),
                "note": p.note or None,
                "markets": list(p.markets),
                "source": p.source or None,
            }
            for p in kb.products
        ]
        doc = {"kb_version": kb.version, "kb_updated": kb.updated, "drugs": entries, "products": products}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"rlsmed knowledge base {kb.version} ({kb.updated})", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("Ingredient", "Class", "Effect", "Evidence", "Names"):
        table.add_column(column, overflow="fold")
    for d in drugs:
        table.add_row(d.name, d.drug_class, d.effect.label, d.evidence.value, str(len(d.names)))
    out = io.StringIO()
    Console(file=out, highlight=False, markup=False, force_terminal=color or None).print(table)
    return out.getvalue()
