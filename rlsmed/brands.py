"""What a product name stands for in a market, and the night-time versions of brands no list holds.

A brand may mean different products in different markets (Benadryl is diphenhydramine in the US and
acrivastine or cetirizine in the UK). With a country, its products are read for that market; without one,
or when the country has no entry, the name stands for the ingredients of every market and says so, so
that nothing is missed. A night-time or sleep version of an analgesic, cough or cold brand ("Calpol
Night") that the knowledge base does not hold usually adds a sedating antihistamine: it is reported for
the pack to be checked, never passed as no concern.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .models import KnowledgeBase
from .normalize import name_key

__all__ = [
    "NIGHT_INGREDIENT",
    "NIGHT_NOTE",
    "NIGHT_WORDS",
    "ProductMeaning",
    "keep_flagged",
    "night_able",
    "night_brand",
    "product_meanings",
]

# The knowledge-base entry a night-time version of a brand is reported as (when the knowledge base has it).
NIGHT_INGREDIENT = "sedating antihistamine"
NIGHT_NOTE = "may contain a sedating antihistamine: check the pack"

# Words that, right after an analgesic, cough or cold brand, name its night-time or sleep version.
NIGHT_WORDS: tuple[tuple[str, ...], ...] = (
    ("night",),
    ("nighttime",),
    ("night", "time"),
    ("nite",),
    ("nitetime",),
    ("nite", "time"),
    ("pm",),
    ("p", "m"),
    ("sleep",),
    ("nuit",),
    ("noche",),
    ("nacht",),
    ("notte",),
)

# Ingredients of the daytime products whose night-time versions commonly add a sedating antihistamine
# (paracetamol, ibuprofen, naproxen and aspirin "PM" products; cough and cold "Night" products).
_NIGHT_VERSIONED = frozenset(
    {
        "acetaminophen",
        "aspirin",
        "ibuprofen",
        "naproxen",
        "dextromethorphan",
        "guaifenesin",
        "phenylephrine",
        "pseudoephedrine",
    }
)


def night_able(ingredients: tuple[str, ...], flagged: frozenset[str]) -> bool:
    """Whether a name with these ingredients may have a night-time version that adds an antihistamine: it
    holds a daytime analgesic or cold ingredient and nothing flagged already."""
    return not flagged.intersection(ingredients) and not _NIGHT_VERSIONED.isdisjoint(ingredients)


def night_brand(key: str) -> str:
    """The brand of a name key that ends in night words ("calpol" for "calpol night"), or ""."""
    for words in NIGHT_WORDS:
        suffix = " " + " ".join(words)
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return ""


def keep_flagged(hits: tuple[Any, ...], shipped: tuple[Any, ...], flagged: frozenset[str]) -> tuple[Any, ...]:
    """A line's hits with the shipped knowledge base's flagged hits in the same words added, where the
    line's own hits (a site name among them) do not already name those ingredients."""
    have = {i for h in hits for i in h.target.ingredients}
    extra = tuple(
        h for h in shipped if not flagged.isdisjoint(h.target.ingredients) and not have.issuperset(h.target.ingredients)
    )
    return tuple(sorted((*hits, *extra), key=lambda h: (h.start, h.end))) if extra else hits


class ProductMeaning(NamedTuple):
    """A product name, the ingredients it stands for, and what to verify when it is ambiguous."""

    display: str
    ingredients: tuple[str, ...]
    verify: str
    indication: str  # "parkinson" when every meaning is a product for Parkinson's disease only


def product_meanings(kb: KnowledgeBase, country: str = "") -> list[ProductMeaning]:
    """Every product name with the ingredients it stands for in `country` ("" for every market).

    A brand with one entry per market stands for its entry in `country`; without a country, or when the
    country has none, for the ingredients of every market, with a note naming the markets. A product
    sold in some markets only (Benadryl Allergy Relief, GB) read for another market also stands for what
    its brand means there, since the same words may describe that market's product.
    """
    entries: dict[str, list[tuple[frozenset[str], tuple[str, ...]]]] = {}
    display: dict[str, str] = {}
    parkinson: dict[str, bool] = {}
    for product in kb.products:
        key = name_key(product.name)
        parkinson[key] = parkinson.get(key, True) and product.indication == "parkinson"
        entries.setdefault(key, []).append((frozenset(product.markets), tuple(map(name_key, product.ingredients))))
        display.setdefault(key, product.name)
    out = []
    for key, own in entries.items():
        chosen = [e for e in own if country and (not e[0] or country in e[0])]
        if chosen and any(country in m for m, _ in chosen):
            meanings = chosen
        else:
            meanings = list(own)
            if all(m for m, _ in own):
                markets = frozenset().union(*(m for m, _ in own))
                brand = _brand(key, entries)
                if brand is not None:
                    others = [e for e in entries[brand] if e[0] and not e[0] <= markets]
                    here = [e for e in others if country in e[0]] if country else []
                    meanings += here or others
        ingredients = tuple(dict.fromkeys(i for _, found in meanings for i in found))
        indication = "parkinson" if parkinson[key] else ""
        out.append(ProductMeaning(display[key], ingredients, _note(display[key], meanings, country), indication))
    return out


def _brand(key: str, entries: dict[str, list[tuple[frozenset[str], tuple[str, ...]]]]) -> str | None:
    """The longest product name that `key` starts with ("benadryl" for "benadryl allergy relief")."""
    words = key.split(" ")
    return next((p for n in range(len(words) - 1, 0, -1) if (p := " ".join(words[:n])) in entries), None)


def _note(name: str, meanings: list[tuple[frozenset[str], tuple[str, ...]]], country: str) -> str:
    """What to verify when the meanings differ: each ingredient set with its markets."""
    by_set: dict[tuple[str, ...], set[str]] = {}
    for markets, found in meanings:
        by_set.setdefault(found, set()).update(markets or {"any market"})
    if len(by_set) < 2:
        return ""
    parts = "; ".join(f"{', '.join(found)} ({', '.join(sorted(m))})" for found, m in by_set.items())
    where = f"none listed for {country}" if country else "no country given"
    return f"{name} differs by market ({where}): {parts}; check the pack"
