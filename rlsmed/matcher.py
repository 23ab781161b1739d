"""Find drug names in lines of text: exact names first, then RapidFuzz for misspellings.

Every name rlsmed knows (knowledge-base generics, brands, synonyms and products, and the lexicon of
ordinary drugs) is looked up word by word; at each word the longest known name starting there wins.
A word that is neither part of a known name nor a strength, unit, form or direction word is a
candidate misspelling, and fuzzy matching only proposes a flagged name when no ordinary drug is closer.

Lines are matched in batches: a batch is lowercased and split into words in one pass, and Python only
visits the words that can start a name, so that exports of millions of lines are screened quickly.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from typing import Any, NamedTuple

from .brands import NIGHT_INGREDIENT, NIGHT_NOTE, NIGHT_WORDS, keep_flagged, night_able, night_brand, product_meanings
from .english import english_words
from .lengths import ByLength, Letter
from .lexicon import Lexicon
from .models import KnowledgeBase, MatchKind
from .normalize import ANSI, fold, name_key
from .vocabulary import STOPWORDS

__all__ = ["Hit", "Matcher", "Target", "max_distance"]

_CACHE_LIMIT = 50_000  # misspellings remembered; past this the cache starts again (memory stays flat)
_MIN_FUZZY_LEN = 5
_BREAK = "\x01"  # stands between the texts of a batch once it is split into words
_WORDS_AND_BREAKS = re.compile(r"[a-z]+|\x01")
_COLON = re.compile(":")
# ASCII text: every character but a-z and the line break becomes a space; str.translate and
# str.split do in C what a regular expression would do several times slower.
_ASCII_WORDS = str.maketrans({chr(i): " " for i in range(128) if not ("a" <= chr(i) <= "z" or chr(i) == "\n")})


# A trie node: next word -> node, and "" -> the key of the name that ends here.
_Node = dict[str, Any]


class Target(NamedTuple):
    """What a known name stands for."""

    display: str
    ingredients: tuple[str, ...]
    origin: str  # "drug" or "product" (knowledge-base names), "lexicon", "rxnorm" (a code), or "night"
    verify: str = ""  # what to check on the pack (an ambiguous brand, a night-time version)
    site: bool = False  # a name a site knowledge-base file brought
    indication: str = ""  # "parkinson": a product for Parkinson's disease only

    @property
    def product(self) -> str:
        """The product name, when the name is a product's rather than one ingredient's."""
        if self.origin in ("product", "night") or (self.origin == "lexicon" and len(self.ingredients) > 1):
            return self.display
        return ""


class Hit(NamedTuple):
    """A name found in a line: its words [start, end) matched `target`."""

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
    """Matches text against every known name. Build once, then call `match` or `match_many`."""

    def __init__(
        self, kb: KnowledgeBase, lexicon: Lexicon, *, country: str = "", shipped: Matcher | None = None
    ) -> None:
        # Targets name ingredients by their normalised key, as the lexicon does.
        self.flagged = frozenset(name_key(name) for name, drug in kb.drugs.items() if drug.flagged)
        self.country = country
        # With site files: the shipped knowledge base's matcher, whose flagged names a site name cannot hide.
        self._shipped = shipped
        # Night-time versions of brands are reported only when the knowledge base has the entry to report.
        self._night = name_key(NIGHT_INGREDIENT) in self.flagged
        self._rxnorm = lexicon.rxnorm
        self._kb_codes = {d.rxcui: name_key(d.name) for d in kb.drugs.values() if d.rxcui}
        kb_names: dict[str, Target] = {}
        site = kb.site_names
        for drug in kb.drugs.values():
            ingredient = (name_key(drug.name),)
            for name in (drug.name, *drug.names):
                self._add(kb_names, name, Target(name, ingredient, "drug", "", name_key(name) in site))
        for display, ingredients, verify, use in product_meanings(kb, country):
            target = Target(display, ingredients, "product", verify, name_key(display) in site, use)
            self._add(kb_names, display, target)
        kb_names.pop("", None)
        # One table of names: lexicon entries hold their raw ingredient text until first used, and the
        # knowledge base's entries, added last, win over a lexicon entry of the same name.
        self._names: dict[str, Target | str] = dict(lexicon.names)
        self._names.update(kb_names)
        # Per word: True when a name starts with it, False when it is known but starts no name.
        self._code: dict[str, bool] = dict.fromkeys(lexicon.words, False)
        self._code.update(dict.fromkeys(STOPWORDS, False))
        self._code.update(dict.fromkeys(lexicon.starts, True))
        # A trie of names, word by word, for the longest name starting at a word: built for a first word
        # the first time a line has it, from the sorted lexicon (its names starting with the word lie
        # together), so that starting up does not index thousands of names most runs never meet.
        self._lexicon_keys = list(lexicon.names)
        self._trie: dict[str, Target | _Node] = {}
        self._kb_multi: dict[str, list[str]] = {}
        self._kb_single: dict[str, list[str]] = {}  # one-word knowledge-base names, by first letter
        self._code[_BREAK] = True  # breaks between the texts of a batch are visited too
        for key in kb_names:
            words = key.split(" ")
            self._code[words[0]] = True
            for word in words[1:]:
                self._code.setdefault(word, False)
            if len(words) > 1:
                self._kb_multi.setdefault(words[0], []).append(key)
            else:
                self._kb_single.setdefault(key[0], []).append(key)
        self.watched: frozenset[str] = frozenset()  # words `match_many` marks (see `watch`)
        self._fuzzy_cache: dict[str, Hit | None] = {}
        self._fuzzy_index: _FuzzyIndex | None = None
        self._code_targets: dict[str, Target] = {}

    @staticmethod
    def _add(names: dict[str, Target], name: str, target: Target) -> None:
        key = name_key(name)
        names[key] = target
        if " " in key:
            # "Chlor-Trimeton" is also written "ChlorTrimeton": index the joined form unless it is taken.
            names.setdefault(key.replace(" ", ""), target)

    def _node(self, word: str) -> Target | _Node:
        """What a name starting with `word` may be: its Target when no longer name starts with the word,
        else a trie, each node mapping a next word to its node and "" to the Target of the name ending
        there. Targets are made here, once, so that matching only looks them up."""
        keys = self._lexicon_keys
        prefix = word + " "
        found = keys[bisect_left(keys, prefix) : bisect_left(keys, word + "!")]  # "!" sorts right after " "
        longer = (*found, *self._kb_multi.get(word, ()))
        single = self.target(word)
        if not longer and single is not None and not self._night_able(single):
            self._trie[word] = single
            return single
        root: _Node = {}
        if single is not None:
            root[""] = single
        for key in longer:
            node = root
            for part in key[len(prefix) :].split(" "):
                node = node.setdefault(part, {})
            node[""] = self.target(key)
        if self._night:
            self._add_night_versions(root, word)
        self._trie[word] = root
        return root

    def _night_able(self, target: Target) -> bool:
        return self._night and target.origin != "night" and night_able(target.ingredients, self.flagged)

    def _add_night_versions(self, node: _Node, key: str) -> None:
        """Below every name of the trie that may have a night-time version, its night words, unless a
        known name already continues that way ("Tylenol PM" is a product of its own)."""
        for part, child in list(node.items()):
            if part:
                self._add_night_versions(child, f"{key} {part}")
        target = node.get("")
        if isinstance(target, Target) and self._night_able(target):
            for words in NIGHT_WORDS:
                at = node
                for w in words[:-1]:
                    at = at.setdefault(w, {})
                at.setdefault(words[-1], {}).setdefault("", self.target(" ".join((key, *words))))

    def target(self, key: str) -> Target | None:
        """What the normalised name `key` stands for."""
        found = self._names.get(key)
        if found is None:
            return self._night_version(key) if self._night else None
        if isinstance(found, Target):
            return found
        target = Target(key, tuple(found.split("|")), "lexicon")
        self._names[key] = target
        return target

    def _night_version(self, key: str) -> Target | None:
        """The night-time version of a brand, when `key` is the brand followed by night words."""
        brand_key = night_brand(key)
        brand = self.target(brand_key) if brand_key else None
        if brand is None or not self._night_able(brand):
            return None
        ingredients = (*brand.ingredients, name_key(NIGHT_INGREDIENT))
        target = self._names[key] = Target(
            brand.display + key[len(brand_key) :], ingredients, "night", NIGHT_NOTE, brand.site
        )
        return target

    def code_target(self, code: str) -> Target | None:
        """What an RxNorm code stands for: a knowledge-base ingredient code, or a product code we know.

        Targets are interned (one object per known code, kept for the matcher's life): screening
        caches its work by target identity. Known codes are few, so this cannot grow without bound.
        """
        if code in self._code_targets:
            return self._code_targets[code]
        ingredient = self._kb_codes.get(code)
        raw = (ingredient,) if ingredient is not None else tuple(self._rxnorm.get(code, "").split("|"))
        if raw == ("",):
            return None
        target = self._code_targets[code] = Target(f"RxNorm {code}", raw, "rxnorm")
        return target

    def match(self, text: str) -> tuple[Hit, ...]:
        """Every name found in `text`, in order."""
        return self.match_many((text,))[0]

    def watch(self, words: Iterable[str]) -> None:
        """Have `match_many` mark the texts holding one of these words outside a name, or a colon: the
        words context reading looks for ("stopped", "allergic"), found in the same pass as the names."""
        self.watched = self.watched.union(words)
        self._code.update((w, True) for w in self.watched if not self._code.get(w))  # visited, to be marked

    def match_many(self, texts: Sequence[str], marks: list[int] | None = None) -> list[tuple[Hit, ...]]:
        """Every name found in each text; `Hit.start` and `end` count the text's words. `marks`, when
        given, receives the index of each text that holds a watched word or a colon (see `watch`)."""
        joined = "\n".join(texts).lower()
        if "\x1b" in joined:
            joined = ANSI.sub("", joined)  # colour codes and other terminal sequences are not text
        if joined.isascii():
            words = joined.translate(_ASCII_WORDS).replace("\n", f" {_BREAK} ").split()
        else:
            words = _WORDS_AND_BREAKS.findall(fold(joined.replace(_BREAK, " ")).replace("\n", _BREAK))
        if len(texts) > 1 and joined.count("\n") != len(texts) - 1:  # a text holds a line break of its own
            own: list[list[int]] = [[] for _ in texts]
            out = [self.match_many((t,), None if marks is None else own[i])[0] for i, t in enumerate(texts)]
            if marks is not None:
                marks.extend(i for i, m in enumerate(own) if m)
            return out
        results: list[tuple[Hit, ...]] = [()] * len(texts)
        # Per word: True for a break, a word that starts a name, or an unknown word (a possible
        # misspelling); False for every other known word. Only the True ones are visited in Python.
        flags = list(map(self._code.get, words, repeat(True)))
        self._scan(words, flags, results, marks)
        if self._shipped is not None:
            self._keep_shipped(texts, results)
        if marks is not None and ":" in joined:  # a colon may end a heading's label ("Allergies: ...")
            marks.extend({joined.count("\n", 0, m.start()) for m in _COLON.finditer(joined)})
        return results

    def _keep_shipped(self, texts: Sequence[str], results: list[tuple[Hit, ...]]) -> None:
        """Where a site name was found, the shipped knowledge base's flagged names in the same words are
        kept too: a site name can add what a line means, never take a flagged drug out of it."""
        for i in [i for i, hits in enumerate(results) if any(h.target.site for h in hits)]:
            results[i] = keep_flagged(results[i], self._shipped.match(texts[i]), self.flagged)  # type: ignore[union-attr]

    def _scan(
        self, words: list[str], flags: list[bool], results: list[tuple[Hit, ...]], marks: list[int] | None
    ) -> None:
        """Hits into `results`, in word order: the longest known name at each word, else a misspelling."""
        trie, code, watched = self._trie, self._code, self.watched
        exact = MatchKind.EXACT
        new = tuple.__new__  # Hit without the Python-level NamedTuple constructor: once per name found
        line = first = end = 0  # current text, index of its first word, end of the last name found
        last = len(words) - 1
        for i in compress(range(len(words)), flags):
            word = words[i]
            if word == _BREAK:
                line += 1
                first = end = i + 1
                continue
            if i < end:
                continue
            node = trie.get(word)
            if node is None:
                if word not in code:  # unknown: perhaps a misspelling of a flagged name
                    if len(word) >= _MIN_FUZZY_LEN:
                        hit = self._fuzzy(word)
                        if hit is not None:
                            results[line] += (new(Hit, (hit.target, i - first, i - first + 1, hit.kind, hit.score)),)
                    continue
                node = self._node(word)
            if node.__class__ is Target:  # the usual case: a one-word name that starts no longer one
                end = i + 1
                results[line] += (new(Hit, (node, i - first, end - first, exact, 100.0)),)
                continue
            found: Target | None = node.get("")  # type: ignore[union-attr]
            stop = j = i + 1
            # Walk on while the next words continue a name; the longest complete name wins. A break
            # is never a word of a name, so no name runs into the next text.
            while j <= last:
                deeper: _Node | None = node.get(words[j])  # type: ignore[union-attr]
                if deeper is None:
                    break
                node = deeper
                j += 1
                if "" in node:
                    found, stop = node[""], j
            if found is not None:
                end = stop
                results[line] += (new(Hit, (found, i - first, end - first, exact, 100.0)),)
            elif marks is not None and word in watched:
                marks.append(line)

    def _fuzzy(self, word: str) -> Hit | None:
        if word in self._fuzzy_cache:
            return self._fuzzy_cache[word]
        if self._fuzzy_index is None:
            self._fuzzy_index = _FuzzyIndex(self)
        hit = self._fuzzy_index.lookup(word)
        if len(self._fuzzy_cache) >= _CACHE_LIMIT:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = hit
        return hit


class _FuzzyIndex:
    """Single-word names by first letter and length, split into flagged names and ordinary ones, and
    English words likewise; each letter is indexed the first time a word starting with it is looked up.

    Misspellings are looked for among names with the same first letter: drug-name misspellings almost
    always keep it, and the restriction keeps unrelated words from reaching a flagged name. Within a
    distance of d edits, names differ in length by d at most, so only those lengths are compared.
    """

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._letters: dict[str, Letter] = {}

    def _letter(self, first: str) -> Letter:
        """The names and English words that start with `first`: from the sorted lexicon and the
        knowledge base's names, not from the whole table, so that a short list's first misspelling
        costs little."""
        m = self.matcher
        keys = m._lexicon_keys
        lexicon = keys[bisect_left(keys, first) : bisect_left(keys, chr(ord(first) + 1))]
        flagged, ordinary, flagged_names = [], [], set()
        for key in dict.fromkeys((*lexicon, *m._kb_single.get(first, ()))):
            entry = m._names.get(key)
            if entry is None or " " in key or len(key) < _MIN_FUZZY_LEN - 1:
                continue
            ingredients = entry.ingredients if isinstance(entry, Target) else entry.split("|")
            if not m.flagged.isdisjoint(ingredients):
                flagged_names.add(key)
                if len(key) >= _MIN_FUZZY_LEN:
                    flagged.append(key)
            else:
                ordinary.append(key)
        english = english_words().starting_with(first)
        letter = Letter(ByLength(flagged), ByLength(ordinary), ByLength(english), flagged_names)
        self._letters[first] = letter
        return letter

    def lookup(self, word: str) -> Hit | None:
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import OSA

        letter = self._letters.get(word[0]) or self._letter(word[0])
        limit = max_distance(len(word))
        candidates = letter.flagged.near(len(word), limit)
        if not candidates:
            return None
        best: tuple[int, float, str] | None = None
        for name, dist, _ in process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None):
            if dist > max_distance(min(len(word), len(name))):
                continue
            score = round(fuzz.ratio(word, name), 1)
            if best is None or (dist, -score, name) < (best[0], -best[1], best[2]):
                best = (dist, score, name)
        if best is None:
            return None
        dist, score, name = best
        # Not a misspelling when the word is a real English word, when an ordinary drug is at least as close
        # a reading of it ("Miralex" is as near MiraLAX as Mirapex), or when an English word is closer
        # ("alleries" is one edit from "allergies", two from Allerfed). A tie with an English word stays a
        # guess to verify: in a medication list, a drug name is the likelier reading ("serquel").
        if word in english_words():
            return None
        for pool, within in ((letter.ordinary, dist), (letter.english, dist - 1)):
            if within < 0:
                continue
            near = pool.near(len(word), within)
            for other, _, _ in process.extract(word, near, scorer=OSA.distance, score_cutoff=within, limit=None):
                if other not in letter.flagged_names:
                    return None
        target = self.matcher.target(name)
        assert target is not None  # every candidate is a key of the name table
        return Hit(target, 0, 1, MatchKind.FUZZY, score)
