"""Validate raw knowledge-base data (as yaml.safe_load returns it) into typed records, collecting every problem."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..countries import COUNTRIES
from ..models import Drug, Effect, Evidence, EvidenceKind, Product, Source
from ..normalize import name_key
from .collector import Collector, entry_name, label, quote, type_name
from .evidence import DRUG_SPECIFIC, level_for

__all__ = ["RawKnowledgeBase", "claim_names", "parse_document"]

_TOP_KEYS = {"schema_version", "kb_version", "updated", "sources", "drugs", "products"}
_SOURCE_KEYS = {"citation", "doi", "pmid", "url"}
_DRUG_REQUIRED = (
    "name",
    "class",
    "effect",
    "evidence",
    "evidence_basis",
    "mechanism",
    "rationale",
    "considerations",
    "sources",
)
_DRUG_OPTIONAL = ("names", "salts", "atc", "rxcui", "parkinson", "evidence_kinds", "class_sources")
_DRUG_KEYS = set(_DRUG_REQUIRED) | set(_DRUG_OPTIONAL)
_EXTEND_KEYS = {"name", "names", "salts"}
_PRODUCT_KEYS = {"name", "ingredients", "note", "markets", "source", "indication"}
_ATC = re.compile(r"^[A-Z]\d\d[A-Z]{2}\d\d$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_URL = re.compile(r"^https?://\S+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SCHEMA_VERSION = 1


class RawKnowledgeBase:
    """One file's validated content, before it is merged with others."""

    def __init__(self) -> None:
        self.kb_version = ""
        self.updated = ""
        self.sources: dict[str, Source] = {}
        self.drugs: list[Drug] = []
        self.extensions: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
        self.products: list[Product] = []
        # Who claims which names, for every entry whose name could be read, valid or not: the name
        # checks run on these, so that they are reported together with the schema's problems.
        self.claims: list[tuple[str, tuple[str, ...]]] = []


def claim_names(claims: Iterable[tuple[str, Iterable[str]]]) -> list[str]:
    """Every name (generic, brand, synonym, product) must lead to exactly one entry."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    for who, names in claims:
        for name in names:
            key = name_key(name)
            if not key:
                problems.append(f"{who}: name '{quote(name)}' has no letters or digits")
                continue
            previous = owner.setdefault(key, who)
            if previous != who:
                problems.append(f"{who}: name '{quote(name)}' is also a name of {previous}")
    return problems


def _parse_sources(raw: Any, c: Collector) -> dict[str, Source]:
    out: dict[str, Source] = {}
    if raw is None:
        return out
    if not isinstance(raw, Mapping):
        c.add("sources", f"must be a mapping of key to citation, not {type_name(raw)}")
        return out
    for key, value in raw.items():
        where = f"source '{key}'"
        if not isinstance(key, str) or not key.strip():
            c.add("sources", "every source key must be non-empty text")
            continue
        if not isinstance(value, Mapping):
            c.add(where, f"must be a mapping with a citation, not {type_name(value)}")
            continue
        for extra in sorted(set(map(str, value)) - _SOURCE_KEYS):
            c.add(where, f"unknown field '{quote(extra)}'")
        citation = c.text(where, value, "citation")
        doi = c.text(where, value, "doi", required=False)
        raw_pmid = value.get("pmid")
        pmid = str(raw_pmid) if type(raw_pmid) is int else raw_pmid.strip() if isinstance(raw_pmid, str) else ""
        if raw_pmid not in (None, "") and not pmid.isdigit():
            c.add(where, "pmid must be digits")
            pmid = ""
        url = c.text(where, value, "url", required=False)
        if doi and not _DOI.match(doi):
            c.add(where, "doi must look like 10.NNNN/suffix (without 'doi:' or a URL)")
        if url and not _URL.match(url):
            c.add(where, "url must start with https:// or http://")
        if all(value.get(k) in (None, "") for k in ("doi", "pmid", "url")):
            c.add(where, "needs a doi, pmid or url so the claim can be checked")
        out[key] = Source(key=key, citation=citation, doi=doi, pmid=pmid, url=url)
    return out


def _cited(where: str, entry: Mapping[str, Any], key: str, sources: Mapping[str, Source], c: Collector) -> list[Source]:
    cited: list[Source] = []
    for k in c.text_list(where, entry, key):
        if k in sources:
            cited.append(sources[k])
        else:
            c.add(where, f"cites unknown source '{quote(k)}'")
    return cited


def _kinds(where: str, entry: Mapping[str, Any], c: Collector) -> tuple[EvidenceKind, ...]:
    kinds: list[EvidenceKind] = []
    for text in c.text_list(where, entry, "evidence_kinds"):
        try:
            kind = EvidenceKind(text)
        except ValueError:
            c.add(where, f"evidence kind '{quote(text)}' must be one of {', '.join(k.value for k in EvidenceKind)}")
            continue
        if kind in kinds:
            c.add(where, f"evidence kind '{kind.value}' is listed twice")
        kinds.append(kind)
    return tuple(kinds)


def _check_evidence(
    where: str,
    effect: Effect,
    evidence: Evidence,
    kinds: tuple[EvidenceKind, ...],
    named: bool,
    class_cited: bool,
    c: Collector,
) -> None:
    """The written evidence scale (rlsmed/kb/evidence.py): the level follows from the kinds, and each kind
    rests on the right sources."""
    if not kinds and effect is not Effect.INFORMATION:
        c.add(where, "needs evidence_kinds (the kinds of evidence its level rests on)")
        return
    expected = level_for(kinds)
    if evidence is not expected:
        listed = ", ".join(k.value for k in kinds) or "none"
        c.add(where, f"evidence is '{evidence.value}' but its kinds ({listed}) make it '{expected.value}'")
    if DRUG_SPECIFIC.intersection(kinds) and not named:
        c.add(where, "drug-specific evidence kinds need a source in 'sources' that names the drug")
    if EvidenceKind.CLASS_INFERENCE in kinds and not class_cited:
        c.add(where, "class inference needs 'class_sources' (sources on the class)")
    if class_cited and kinds and EvidenceKind.CLASS_INFERENCE not in kinds:
        c.add(where, "'class_sources' are only for class inference, or for information entries without evidence")


def _parse_drug(
    i: int, entry: Mapping[str, Any], sources: Mapping[str, Source], c: Collector, *, overlay: bool = False
) -> Drug | None:
    where = label(i, entry, "drug")
    for extra in sorted(set(map(str, entry)) - _DRUG_KEYS):
        c.add(where, f"unknown field '{quote(extra)}'")
    before = len(c.problems)
    name = c.text(where, entry, "name")
    if name and (name != name.lower() or not name_key(name)):
        c.add(where, "name must be the lowercase generic (ingredient) name")
    values = {key: c.text(where, entry, key) for key in _DRUG_REQUIRED[1:-1]}
    effect = evidence = None
    if values["effect"]:
        try:
            effect = Effect(values["effect"])
        except ValueError:
            c.add(where, f"effect must be one of {', '.join(e.value for e in Effect)}")
    if values["evidence"]:
        try:
            evidence = Evidence(values["evidence"])
        except ValueError:
            c.add(where, f"evidence must be one of {', '.join(e.value for e in Evidence)}")
    parkinson = c.text(where, entry, "parkinson", required=False)
    names = c.text_list(where, entry, "names")
    salts = c.text_list(where, entry, "salts")
    atc = c.text_list(where, entry, "atc")
    for code in atc:
        if not _ATC.match(code):
            c.add(where, f"ATC code '{quote(code)}' is not of the form N06AB06")
    rxcui_raw = entry.get("rxcui", "")
    rxcui = str(rxcui_raw) if isinstance(rxcui_raw, (int, str)) and not isinstance(rxcui_raw, bool) else ""
    if rxcui_raw not in (None, "") and not rxcui.isdigit():
        c.add(where, "rxcui must be digits, or empty when not verified")
    cited = _cited(where, entry, "sources", sources, c)
    class_cited = _cited(where, entry, "class_sources", sources, c)
    # Given but unreadable lists are reported by text_list; "named" then means "not missing".
    named, of_class = bool(entry.get("sources")), bool(entry.get("class_sources"))
    if "sources" not in entry and "class_sources" not in entry:
        c.add(where, "missing field 'sources'")
    elif not named and not of_class:
        c.add(where, "needs at least one source")
    kinds = _kinds(where, entry, c)
    if effect is not None and evidence is not None and (not overlay or "evidence_kinds" in entry):
        _check_evidence(where, effect, evidence, kinds, named or not (named or of_class), of_class, c)
    if len(c.problems) > before or effect is None or evidence is None:
        return None
    return Drug(
        name=name,
        drug_class=values["class"],
        effect=effect,
        evidence=evidence,
        evidence_basis=values["evidence_basis"],
        mechanism=values["mechanism"],
        rationale=values["rationale"],
        considerations=values["considerations"],
        names=names,
        salts=salts,
        atc=atc,
        rxcui=rxcui,
        parkinson=parkinson,
        sources=tuple(cited),
        evidence_kinds=kinds,
        class_sources=tuple(class_cited),
    )


def _parse_product(i: int, entry: Any, sources: Mapping[str, Source], c: Collector) -> Product | None:
    where = label(i, entry, "product")
    if not isinstance(entry, Mapping):
        c.add(where, f"must be a mapping, not {type_name(entry)}")
        return None
    for extra in sorted(set(map(str, entry)) - _PRODUCT_KEYS):
        c.add(where, f"unknown field '{quote(extra)}'")
    before = len(c.problems)
    name = c.text(where, entry, "name")
    ingredients = c.text_list(where, entry, "ingredients")
    if "ingredients" not in entry:
        c.add(where, "missing field 'ingredients'")
    elif entry["ingredients"] is None or entry["ingredients"] == []:
        c.add(where, "needs at least one ingredient")
    for ing in ingredients:
        if ing != ing.lower() or not name_key(ing):
            c.add(where, f"ingredient '{quote(ing)}' must be a lowercase generic name")
    if len(set(ingredients)) != len(ingredients):
        c.add(where, "an ingredient is listed twice")
    note = c.text(where, entry, "note", required=False)
    raw_markets = entry.get("markets")
    if isinstance(raw_markets, list) and any(isinstance(m, bool) for m in raw_markets):
        # YAML 1.1 reads a bare NO (Norway) as false, and ON, YES, Y and N as booleans too.
        c.add(where, 'a market was read as true/false: quote country codes like NO, as in ["NO"]')
    markets = c.text_list(where, entry, "markets")
    for code in markets:
        if code not in COUNTRIES:
            c.add(where, f"market '{quote(code)}' is not an ISO 3166-1 alpha-2 country code (like GB, US)")
    if len(set(markets)) != len(markets):
        c.add(where, "a market is listed twice")
    source = c.text(where, entry, "source", required=False)
    if source and source not in sources and not _URL.match(source):
        c.add(where, f"source '{quote(source)}' is neither a key of 'sources' nor a URL")
    indication = c.text(where, entry, "indication", required=False)
    if indication and indication != "parkinson":
        c.add(where, "indication must be 'parkinson' (a product licensed for Parkinson's disease only) or absent")
    if len(c.problems) > before:
        return None
    return Product(name, ingredients, note, markets, source, indication)


def _parse_updated(data: Mapping[str, Any], overlay: bool, c: Collector) -> str:
    updated = data.get("updated")
    if isinstance(updated, _dt.date):  # a datetime is a date too
        return updated.isoformat()[:10]
    if updated is None:
        if not overlay:
            c.add("", "missing field 'updated'")
        return ""
    if isinstance(updated, str) and _DATE.match(updated.strip()):
        try:
            return _dt.date.fromisoformat(updated.strip()).isoformat()
        except ValueError:
            pass
    c.add("", "field 'updated' must be a date (YYYY-MM-DD)")
    return ""


def _entries(data: Mapping[str, Any], key: str, required: bool, c: Collector) -> list[Any]:
    entries = data.get(key)
    if entries is None:
        if required:
            c.add("", f"missing field '{key}'")
        return []
    if not isinstance(entries, list):
        c.add("", f"'{key}' must be a list, not {type_name(entries)}")
        return []
    return entries


def _product_twice(
    seen: dict[str, list[tuple[int, frozenset[str]]]], name: str, i: int, entry: Any, where: str, c: Collector
) -> bool:
    """Whether an earlier product of this file has this name in a market this one names too.

    A brand may mean different products in different markets: one entry per meaning, each naming its
    markets, none of them shared."""
    if not name:
        return False
    raw = entry.get("markets") if isinstance(entry, Mapping) else None
    mine = frozenset(m for m in raw if isinstance(m, str)) if isinstance(raw, list) else frozenset()
    earlier = seen.setdefault(name, [])
    for first, theirs in earlier:
        if not mine or not theirs:
            c.add(where, f"written twice in this file (entries #{first + 1} and #{i + 1})")
            return True
        if mine & theirs:
            shared = ", ".join(sorted(mine & theirs))
            c.add(where, f"written twice for market {shared} (entries #{first + 1} and #{i + 1})")
            return True
    earlier.append((i, mine))
    return False


def _written_twice(seen: dict[str, int], name: str, i: int, where: str, c: Collector) -> bool:
    """Whether an earlier entry of the same kind in this file has this name (a problem, naming both)."""
    if not name:
        return False
    first = seen.setdefault(name, i)
    if first == i:
        return False
    c.add(where, f"written twice in this file (entries #{first + 1} and #{i + 1})")
    return True


def parse_document(
    data: Any, *, overlay: bool, known_sources: Mapping[str, Source] | None = None
) -> tuple[RawKnowledgeBase, list[str]]:
    """Turn one loaded YAML document into typed records and the list of problems found in it.

    Every problem of the file itself is listed, the schema's and the names' together: an entry that
    fails the schema still has its names checked. An overlay (a site's own file given with --kb) may
    omit the version fields and may extend a shipped entry with further names by giving only `name`,
    `names` and `salts`; what it adds is checked against the other files when they are merged.
    """
    c = Collector()
    out = RawKnowledgeBase()
    if not isinstance(data, Mapping):
        c.add("", f"the file must be a mapping with 'drugs', not {type_name(data)}")
        return out, c.problems
    for extra in sorted(set(map(str, data)) - _TOP_KEYS):
        c.add("", f"unknown top-level field '{quote(extra)}'")
    version = data.get("schema_version", None if not overlay else _SCHEMA_VERSION)
    if type(version) is not int or version != _SCHEMA_VERSION:
        c.add("", f"schema_version must be {_SCHEMA_VERSION}")
    if not overlay or "kb_version" in data:
        out.kb_version = c.text("", data, "kb_version")
    out.updated = _parse_updated(data, overlay, c)
    out.sources = _parse_sources(data.get("sources"), c)
    citable = {**(known_sources or {}), **out.sources}
    seen: dict[str, int] = {}
    for i, entry in enumerate(_entries(data, "drugs", not overlay, c)):
        where = label(i, entry, "drug")
        if not isinstance(entry, Mapping):
            c.add(where, f"must be a mapping, not {type_name(entry)}")
            continue
        name = entry_name(entry)
        twice = _written_twice(seen, name, i, where, c)
        if overlay and set(map(str, entry)) <= _EXTEND_KEYS:
            name = c.text(where, entry, "name")
            names = c.text_list(where, entry, "names")
            salts = c.text_list(where, entry, "salts")
            if name and not twice:
                out.extensions.append((name, names, salts))
                out.claims.append((where, (name, *names)))
            continue
        drug = _parse_drug(i, entry, citable, c, overlay=overlay)
        if twice:
            continue
        if drug is not None:
            out.drugs.append(drug)
            out.claims.append((where, (drug.name, *drug.names)))
        elif name:  # invalid, but its names can still clash with others'
            names = Collector().text_list(where, entry, "names")
            out.claims.append((where, (name, *names)))
    markets: dict[str, list[tuple[int, frozenset[str]]]] = {}
    for i, entry in enumerate(_entries(data, "products", False, c)):
        where = label(i, entry, "product")
        product = _parse_product(i, entry, citable, c)
        twice = _product_twice(markets, entry_name(entry), i, entry, where, c)
        if twice:
            continue
        if product is not None:
            out.products.append(product)
        if entry_name(entry):
            out.claims.append((where, (entry_name(entry),)))
    c.problems.extend(claim_names(out.claims))
    return out, c.problems
