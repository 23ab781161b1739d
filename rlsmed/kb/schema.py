"""Validate raw knowledge-base data (as yaml.safe_load returns it) into typed records, collecting every problem."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

from ..models import Drug, Effect, Evidence, Product, Source
from ..normalize import name_key

__all__ = ["RawKnowledgeBase", "from_compiled", "parse_document", "to_compiled"]

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
_DRUG_OPTIONAL = ("names", "salts", "atc", "rxcui", "parkinson")
_DRUG_KEYS = set(_DRUG_REQUIRED) | set(_DRUG_OPTIONAL)
_EXTEND_KEYS = {"name", "names", "salts"}
_PRODUCT_KEYS = {"name", "ingredients", "note"}
_ATC = re.compile(r"^[A-Z]\d\d[A-Z]{2}\d\d$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
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


def _type_name(value: object) -> str:
    # Never echo the value itself: it may be huge (alias bombs) or patient data.
    return type(value).__name__


class _Collector:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def text(self, where: str, entry: Mapping[str, Any], key: str, *, required: bool = True) -> str:
        value = entry.get(key)
        if value is None:
            if required:
                self.add(where, f"missing field '{key}'")
            return ""
        if not isinstance(value, str):
            self.add(where, f"field '{key}' must be text, not {_type_name(value)}")
            return ""
        if required and not value.strip():
            self.add(where, f"field '{key}' is empty")
        return " ".join(value.split())

    def text_list(self, where: str, entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = entry.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.add(where, f"field '{key}' must be a list of text, not {_type_name(value)}")
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.add(where, f"field '{key}' item {i + 1} must be non-empty text, not {_type_name(item)}")
                continue
            out.append(" ".join(item.split()))
        return tuple(out)


def _label(index: int, entry: object, kind: str) -> str:
    if isinstance(entry, Mapping) and isinstance(entry.get("name"), str) and entry["name"].strip():
        return f"{kind} '{entry['name'].strip()}'"
    return f"{kind} #{index + 1}"


def _parse_sources(raw: Any, c: _Collector) -> dict[str, Source]:
    out: dict[str, Source] = {}
    if raw is None:
        return out
    if not isinstance(raw, Mapping):
        c.add("sources", f"must be a mapping of key to citation, not {_type_name(raw)}")
        return out
    for key, value in raw.items():
        where = f"source '{key}'"
        if not isinstance(key, str) or not key.strip():
            c.add("sources", "every source key must be non-empty text")
            continue
        if not isinstance(value, Mapping):
            c.add(where, f"must be a mapping with a citation, not {_type_name(value)}")
            continue
        for extra in sorted(set(map(str, value)) - _SOURCE_KEYS):
            c.add(where, f"unknown field '{extra}'")
        citation = c.text(where, value, "citation")
        doi = c.text(where, value, "doi", required=False)
        pmid = c.text(where, value, "pmid", required=False) if not isinstance(value.get("pmid"), int) else ""
        if isinstance(value.get("pmid"), int):
            pmid = str(value["pmid"])
        url = c.text(where, value, "url", required=False)
        if doi and not _DOI.match(doi):
            c.add(where, "doi must look like 10.NNNN/suffix (without 'doi:' or a URL)")
        if not (doi or pmid or url):
            c.add(where, "needs a doi, pmid or url so the claim can be checked")
        out[key] = Source(key=key, citation=citation, doi=doi, pmid=pmid, url=url)
    return out


def _parse_drug(i: int, entry: Mapping[str, Any], sources: Mapping[str, Source], c: _Collector) -> Drug | None:
    where = _label(i, entry, "drug")
    for extra in sorted(set(map(str, entry)) - _DRUG_KEYS):
        c.add(where, f"unknown field '{extra}'")
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
            c.add(where, f"ATC code '{code}' is not of the form N06AB06")
    rxcui_raw = entry.get("rxcui", "")
    rxcui = str(rxcui_raw) if isinstance(rxcui_raw, (int, str)) and not isinstance(rxcui_raw, bool) else ""
    if rxcui_raw not in (None, "") and not rxcui.isdigit():
        c.add(where, "rxcui must be digits, or empty when not verified")
    keys = c.text_list(where, entry, "sources")
    if "sources" in entry and not keys:
        c.add(where, "needs at least one source")
    cited: list[Source] = []
    for key in keys:
        if key in sources:
            cited.append(sources[key])
        else:
            c.add(where, f"cites unknown source '{key}'")
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
    )


def _parse_product(i: int, entry: Any, c: _Collector) -> Product | None:
    where = _label(i, entry, "product")
    if not isinstance(entry, Mapping):
        c.add(where, f"must be a mapping, not {_type_name(entry)}")
        return None
    for extra in sorted(set(map(str, entry)) - _PRODUCT_KEYS):
        c.add(where, f"unknown field '{extra}'")
    before = len(c.problems)
    name = c.text(where, entry, "name")
    ingredients = c.text_list(where, entry, "ingredients")
    if "ingredients" not in entry:
        c.add(where, "missing field 'ingredients'")
    elif not ingredients:
        c.add(where, "needs at least one ingredient")
    for ing in ingredients:
        if ing != ing.lower() or not name_key(ing):
            c.add(where, f"ingredient '{ing}' must be a lowercase generic name")
    note = c.text(where, entry, "note", required=False)
    if len(c.problems) > before:
        return None
    return Product(name=name, ingredients=ingredients, note=note)


def parse_document(
    data: Any, *, overlay: bool, known_sources: Mapping[str, Source] | None = None
) -> tuple[RawKnowledgeBase, list[str]]:
    """Turn one loaded YAML document into typed records and the list of problems found in it.

    An overlay (a site's own file given with --kb) may omit the version fields and may extend a
    shipped entry with further names by giving only `name`, `names` and `salts`.
    """
    c = _Collector()
    out = RawKnowledgeBase()
    if not isinstance(data, Mapping):
        c.add("", f"the file must be a mapping with 'drugs', not {_type_name(data)}")
        return out, c.problems
    for extra in sorted(set(map(str, data)) - _TOP_KEYS):
        c.add("", f"unknown top-level field '{extra}'")
    version = data.get("schema_version", None if not overlay else _SCHEMA_VERSION)
    if version != _SCHEMA_VERSION:
        c.add("", f"schema_version must be {_SCHEMA_VERSION}")
    if not overlay or "kb_version" in data:
        out.kb_version = c.text("", data, "kb_version")
    updated = data.get("updated")
    if isinstance(updated, (_dt.date, _dt.datetime)):
        out.updated = updated.isoformat()[:10]
    elif isinstance(updated, str) or (updated is None and overlay):
        out.updated = updated or ""
    else:
        c.add("", "field 'updated' must be a date (YYYY-MM-DD)")
    out.sources = _parse_sources(data.get("sources"), c)
    citable = {**(known_sources or {}), **out.sources}
    drugs = data.get("drugs")
    if drugs is None:
        drugs = []
        if not overlay:
            c.add("", "missing field 'drugs'")
    if not isinstance(drugs, list):
        c.add("", f"'drugs' must be a list, not {_type_name(drugs)}")
        drugs = []
    for i, entry in enumerate(drugs):
        if not isinstance(entry, Mapping):
            c.add(_label(i, entry, "drug"), f"must be a mapping, not {_type_name(entry)}")
            continue
        if overlay and set(map(str, entry)) <= _EXTEND_KEYS:
            where = _label(i, entry, "drug")
            name = c.text(where, entry, "name")
            names = c.text_list(where, entry, "names")
            salts = c.text_list(where, entry, "salts")
            if name:
                out.extensions.append((name, names, salts))
            continue
        drug = _parse_drug(i, entry, citable, c)
        if drug is not None:
            out.drugs.append(drug)
    products = data.get("products") or []
    if not isinstance(products, list):
        c.add("", f"'products' must be a list, not {_type_name(products)}")
        products = []
    for i, entry in enumerate(products):
        product = _parse_product(i, entry, c)
        if product is not None:
            out.products.append(product)
    return out, c.problems


def to_compiled(raw: RawKnowledgeBase) -> dict[str, Any]:
    """A validated knowledge base as plain JSON data, for the wheel's compiled copy (hatch_build.py)."""
    return {
        "kb_version": raw.kb_version,
        "updated": raw.updated,
        "sources": [list(s) for s in raw.sources.values()],
        "drugs": [
            [
                *d[:2],
                d.effect.value,
                d.evidence.value,
                *d[4:8],
                *map(list, d[8:11]),
                d.rxcui,
                d.parkinson,
                [s.key for s in d.sources],
            ]
            for d in raw.drugs
        ],
        "products": [[p.name, list(p.ingredients), p.note] for p in raw.products],
    }


def from_compiled(data: Mapping[str, Any]) -> RawKnowledgeBase:
    """The records `to_compiled` wrote, rebuilt without validating them again (the build did)."""
    out = RawKnowledgeBase()
    out.kb_version, out.updated = data["kb_version"], data["updated"]
    out.sources = {row[0]: Source(*row) for row in data["sources"]}
    for row in data["drugs"]:
        *fields, keys = row
        fields[2], fields[3] = Effect(fields[2]), Evidence(fields[3])
        fields[8:11] = map(tuple, fields[8:11])
        out.drugs.append(Drug._make([*fields, tuple(out.sources[k] for k in keys)]))
    out.products = [Product(name, tuple(ingredients), note) for name, ingredients, note in data["products"]]
    return out
