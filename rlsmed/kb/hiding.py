"""A site file may add names, never hide a flagged one.

The matcher takes the longest name at each word, and a misspelling goes to the nearest name: a site name
that holds a flagged name ("Zoloft tablets" holds Zoloft) or nearly equals one ("sertaline") would turn
what is flagged into what is not. Such a name is refused unless its entry lists the flagged ingredient.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..matcher import max_distance
from ..models import Drug, Product
from ..normalize import name_key
from .collector import quote

__all__ = ["FlaggedNames", "hidden_names"]


class FlaggedNames:
    """The flagged names of a knowledge base (drug names and names of products holding a flagged
    ingredient), by name_key, each with the flagged ingredients it stands for."""

    def __init__(self, drugs: Iterable[Drug], products: Iterable[Product]) -> None:
        self.names: dict[str, tuple[str, frozenset[str]]] = {}
        flagged = set()
        for drug in drugs:
            if drug.flagged:
                flagged.add(name_key(drug.name))
                for name in (drug.name, *drug.names):
                    self.names.setdefault(name_key(name), (name, frozenset({name_key(drug.name)})))
        for product in products:
            found = flagged.intersection(map(name_key, product.ingredients))
            if found:
                self.names.setdefault(name_key(product.name), (product.name, frozenset(found)))
        # As the matcher looks for misspellings: among names of the same first letter and a near length.
        self._near: dict[tuple[str, int], list[str]] = {}
        for key in self.names:
            self._near.setdefault((key[:1], len(key)), []).append(key)

    def near(self, key: str) -> list[str]:
        """Flagged names within the matcher's reach of a misspelling of `key` (not `key` itself)."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        reach = max_distance(len(key))
        if not reach or not key:
            return []
        candidates = [
            other for n in range(len(key) - reach, len(key) + reach + 1) for other in self._near.get((key[0], n), ())
        ]
        found = process.extract(key, candidates, scorer=OSA.distance, score_cutoff=reach, limit=None)
        return [other for other, _, _ in found if other != key]

    def inside(self, key: str) -> list[str]:
        """Flagged names that `key` holds as a run of its words (not `key` itself)."""
        words = key.split(" ")
        runs = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
        runs.discard(key)
        return [run for run in runs if run in self.names]


def hidden_names(flagged: FlaggedNames, who: str, names: Iterable[str], ingredients: Iterable[str]) -> list[str]:
    """Problems for the names of one site entry that hold or nearly equal a flagged name whose flagged
    ingredients the entry does not list."""
    own = {name_key(i) for i in ingredients}
    problems = []
    for name in names:
        key = name_key(name)
        for other in sorted({*flagged.inside(key), *flagged.near(key)}):
            shown, needed = flagged.names[other]
            missing = sorted(needed - own)
            if missing:
                listed = ", ".join(missing)
                problems.append(
                    f"{who}: name '{quote(name)}' hides flagged name '{quote(shown)}' ({listed}); "
                    f"list {listed} among its ingredients or remove the name"
                )
    return problems
