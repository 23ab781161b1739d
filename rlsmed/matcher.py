"""Find drug names in a line of text: exact names first, then RapidFuzz for misspellings.

Every name rlsmed knows (knowledge-base generics, brands, synonyms and products, and the lexicon of
ordinary drugs) is looked up word by word; at each word the longest known name starting there wins.
Words left over that are neither known words nor strengths, units, forms or directions are candidates
for fuzzy matching, which only proposes a flagged name when no ordinary drug name is closer.
"""

from __future__ import annotations

from typing import NamedTuple

from .lexicon import Lexicon
from .models import KnowledgeBase, MatchKind
from .normalize import name_key, tokens
from .vocabulary import STOPWORDS

__all__ = ["Hit", "Matcher", "Target", "max_distance"]

_CACHE_LIMIT = 200_000
_MIN_FUZZY_LEN = 5


class Target(NamedTuple):
    """What a known name stands for."""

    display: str
    ingredients: tuple[str, ...]
    origin: str  # "drug" or "product" (knowledge-base names), "lexicon", or "rxnorm" (a code)

    @property
    def product(self) -> str:
        """The product name, when the name is a product's rather than one ingredient's."""
        if self.origin == "product" or (self.origin == "lexicon" and len(self.ingredients) > 1):
            return self.display
        return ""


class Hit(NamedTuple):
    """A name found in a line: tokens [start, end) matched `target`."""

    target: Target
    start: int
    end: int
    kind: MatchKind
    score: float


def max_distance(length: int) -> int:
    """Edits allowed in a misspelling of a name this long (OSA distance: a transposition is one edit)."""
    if length < _MIN_FUZZY_LEN:
        return 0
    return 1 if length < 8 else 2


class Matcher:
    """Matches lines of text against every known name. Build once; `match` is cached per line."""

    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon) -> None:
        # Targets name ingredients by their normalised key, as the lexicon does.
        self.flagged = frozenset(name_key(name) for name, drug in kb.drugs.items() if drug.flagged)
        self._lexicon = lexicon.names
        self._rxnorm = lexicon.rxnorm
        self._kb_codes = {d.rxcui: name_key(d.name) for d in kb.drugs.values() if d.rxcui}
        kb_names: dict[str, Target] = {}
        for drug in kb.drugs.values():
            ingredient = (name_key(drug.name),)
            for name in (drug.name, *drug.names):
                self._add(kb_names, name, Target(name, ingredient, "drug"))
        for product in kb.products:
            ingredients = tuple(name_key(i) for i in product.ingredients)
            self._add(kb_names, product.name, Target(product.name, ingredients, "product"))
        self._kb_names = kb_names
        multi = dict(lexicon.multi)
        for key in kb_names:
            if " " in key:
                head, count = key.split(" ", 1)[0], key.count(" ") + 1
                if multi.get(head, 0) < count:
                    multi[head] = count
        self._multi = multi
        self._known = lexicon.words | STOPWORDS | frozenset(" ".join(kb_names).split())
        self._lexicon_targets: dict[str, Target] = {}
        self._line_cache: dict[str, tuple[Hit, ...]] = {}
        self._fuzzy_cache: dict[str, Hit | None] = {}
        self._fuzzy_index: _FuzzyIndex | None = None

    @staticmethod
    def _add(names: dict[str, Target], name: str, target: Target) -> None:
        key = name_key(name)
        names[key] = target
        if " " in key:
            # "Chlor-Trimeton" is also written "ChlorTrimeton": index the joined form unless it is taken.
            names.setdefault(key.replace(" ", ""), target)

    def target(self, key: str) -> Target | None:
        """What the normalised name `key` stands for; knowledge-base names win over the lexicon."""
        found = self._kb_names.get(key)
        if found is not None:
            return found
        found = self._lexicon_targets.get(key)
        if found is None:
            raw = self._lexicon.get(key)
            if raw is None:
                return None
            found = self._lexicon_targets[key] = Target(key, tuple(raw.split("|")), "lexicon")
        return found

    def code_target(self, code: str) -> Target | None:
        """What an RxNorm code stands for: a knowledge-base ingredient code, or a product code we know."""
        ingredient = self._kb_codes.get(code)
        if ingredient is not None:
            return Target(f"RxNorm {code}", (ingredient,), "rxnorm")
        raw = self._rxnorm.get(code)
        if raw is None:
            return None
        return Target(f"RxNorm {code}", tuple(raw.split("|")), "rxnorm")

    def all_names(self) -> dict[str, Target]:
        """Every known name and its target (the fuzzy index is built from these)."""
        out = {key: t for key in self._lexicon if (t := self.target(key)) is not None}
        out.update(self._kb_names)
        return out

    def is_flagged(self, target: Target) -> bool:
        return any(i in self.flagged for i in target.ingredients)

    def match(self, text: str) -> tuple[Hit, ...]:
        """Every name found in `text`, in order."""
        hits = self._line_cache.get(text)
        if hits is None:
            hits = self._match_tokens(tokens(text))
            if len(self._line_cache) >= _CACHE_LIMIT:
                self._line_cache.clear()
            self._line_cache[text] = hits
        return hits

    def _match_tokens(self, toks: list[str]) -> tuple[Hit, ...]:
        hits: list[Hit] = []
        multi, target, known = self._multi, self.target, self._known
        i, n = 0, len(toks)
        while i < n:
            tok = toks[i]
            longest = multi.get(tok)
            if longest is not None and n - i > 1:
                phrase = self._phrase(toks, i, min(longest, n - i))
                if phrase is not None:
                    hits.append(phrase)
                    i = phrase.end
                    continue
            found = target(tok)
            if found is not None:
                hits.append(Hit(found, i, i + 1, MatchKind.EXACT, 100.0))
            elif tok not in known and len(tok) >= _MIN_FUZZY_LEN and tok.isalpha():
                fuzzy = self._fuzzy(tok)
                if fuzzy is not None:
                    hits.append(Hit(fuzzy.target, i, i + 1, MatchKind.FUZZY, fuzzy.score))
            i += 1
        return tuple(hits)

    def _phrase(self, toks: list[str], start: int, longest: int) -> Hit | None:
        """The longest multi-word name starting at `start`, if any."""
        for length in range(longest, 1, -1):
            found = self.target(" ".join(toks[start : start + length]))
            if found is not None:
                return Hit(found, start, start + length, MatchKind.EXACT, 100.0)
        return None

    def _fuzzy(self, tok: str) -> Hit | None:
        if tok in self._fuzzy_cache:
            return self._fuzzy_cache[tok]
        if self._fuzzy_index is None:
            self._fuzzy_index = _FuzzyIndex(self)
        hit = self._fuzzy_index.lookup(tok)
        if len(self._fuzzy_cache) >= _CACHE_LIMIT:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[tok] = hit
        return hit


class _FuzzyIndex:
    """Single-word names by first letter, split into flagged names and ordinary ones.

    Misspellings are looked for among names with the same first letter: drug-name misspellings almost
    always keep it, and the restriction keeps unrelated words from reaching a flagged name.
    """

    def __init__(self, matcher: Matcher) -> None:
        self.flagged: dict[str, list[str]] = {}
        self.ordinary: dict[str, list[str]] = {}
        self.targets: dict[str, Target] = {}
        for key, target in matcher.all_names().items():
            if " " in key or not key.isalpha() or len(key) < _MIN_FUZZY_LEN - 1:
                continue
            self.targets[key] = target
            if matcher.is_flagged(target):
                if len(key) >= _MIN_FUZZY_LEN:
                    self.flagged.setdefault(key[0], []).append(key)
            else:
                self.ordinary.setdefault(key[0], []).append(key)

    def lookup(self, tok: str) -> Hit | None:
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import OSA

        candidates = self.flagged.get(tok[0])
        if not candidates:
            return None
        best: tuple[int, float, str] | None = None
        found = process.extract(tok, candidates, scorer=OSA.distance, score_cutoff=max_distance(len(tok)), limit=None)
        for name, dist, _ in found:
            if dist > max_distance(min(len(tok), len(name))):
                continue
            score = round(fuzz.ratio(tok, name), 1)
            if best is None or (dist, -score, name) < (best[0], -best[1], best[2]):
                best = (dist, score, name)
        if best is None:
            return None
        dist, score, name = best
        if dist > 1:
            ordinary = self.ordinary.get(tok[0], ())
            if process.extractOne(tok, ordinary, scorer=OSA.distance, score_cutoff=dist - 1) is not None:
                return None  # an ordinary drug is a closer reading of this word
        return Hit(self.targets[name], 0, 1, MatchKind.FUZZY, score)
