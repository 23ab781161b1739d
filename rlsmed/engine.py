"""The knowledge base and matcher of a run, built once per process and shared by every screening in it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from .errors import UsageError
from .ignores import Ignore
from .kb import load_knowledge_base
from .lexicon import load_lexicon
from .matcher import Matcher
from .models import Drug, KnowledgeBase, MatchKind
from .normalize import name_key

__all__ = ["Engine", "engine", "forget_engines", "resolve_ignores"]


class Engine(NamedTuple):
    """A knowledge base, its matcher, and its drugs by normalised name (the key targets use)."""

    kb: KnowledgeBase
    matcher: Matcher
    drugs: Mapping[str, Drug]

    @staticmethod
    def build(kb: KnowledgeBase, matcher: Matcher) -> Engine:
        return Engine(kb, matcher, {name_key(name): drug for name, drug in kb.drugs.items()})


_ENGINES: dict[tuple[tuple[str, ...], str], Engine] = {}


def engine(kb_files: Sequence[str] = (), country: str = "") -> Engine:
    """The engine for these site knowledge-base files (none: the shipped knowledge base alone), reading
    products for `country` ("" for every market)."""
    key = (tuple(kb_files), country)
    found = _ENGINES.get(key)
    if found is None:
        kb = load_knowledge_base(key[0])
        # With site files, the shipped knowledge base's own matcher guards its flagged names.
        shipped = engine((), country).matcher if key[0] else None
        found = _ENGINES[key] = Engine.build(kb, Matcher(kb, load_lexicon(), country=country, shipped=shipped))
    return found


def forget_engines() -> None:
    """Build engines anew from here on (after the knowledge-base files changed, or between tests)."""
    _ENGINES.clear()


def resolve_ignores(ignores: Iterable[Ignore], engine: Engine) -> tuple[Ignore, ...]:
    """The ignores with each name (a generic, a brand, a synonym) resolved to the ingredients it stands for:
    one Ignore per ingredient, a product naming several. UsageError, naming where it was given, for a name
    that is not exactly a drug's: ignoring a drug is a decision about a drug, never a guess at one."""
    out: dict[tuple[str, str | None], Ignore] = {}
    for ignore in ignores:
        where = "--ignore" if ignore.origin in ("", "--ignore") else f"{ignore.origin}: ignore"
        for ingredient in _ingredients(ignore.ingredient, engine, where):
            out.setdefault((ingredient, ignore.patient), ignore._replace(ingredient=ingredient))
    return tuple(out.values())


def _ingredients(name: str, engine: Engine, where: str) -> list[str]:
    drugs = engine.drugs
    hits = engine.matcher.match(name)
    found = [drugs[i].name for h in hits if h.kind is MatchKind.EXACT for i in h.target.ingredients if i in drugs]
    if not found:
        guesses = [drugs[i].name for h in hits for i in h.target.ingredients if i in drugs]
        hint = f" (did you mean {guesses[0]}?)" if guesses else ""
        raise UsageError(f"{where} {name}: not a drug in the knowledge base{hint}")
    return found
