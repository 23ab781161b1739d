"""Read knowledge-base files safely, merge a site's own files over the shipped one, and check names."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..data_files import data_file
from ..errors import KnowledgeBaseError
from ..models import Drug, KnowledgeBase, Product, Source
from ..normalize import name_key
from .collector import quote
from .compiled import from_compiled
from .hiding import FlaggedNames, hidden_names
from .safe_yaml import read_document, read_yaml
from .schema import RawKnowledgeBase, claim_names, parse_document

__all__ = ["builtin_path", "check_names", "load_knowledge_base", "read_document", "validate_file"]


def builtin_path() -> Path:
    """Where the shipped knowledge base is: inside the installed package, or at the source tree's root."""
    return data_file("drugs.yaml")


def _compiled(path: Path) -> Any | None:
    """The records of the JSON copy the wheel build made of the shipped YAML, if it still matches it."""
    copy = path.with_suffix(".json")
    try:
        raw = path.read_bytes()
        compiled = json.loads(copy.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(compiled, dict):
        return None
    if compiled.get("source_size") != len(raw) or compiled.get("source_crc32") != zlib.crc32(raw):
        return None  # the YAML was edited after the build: it wins
    return compiled.get("records")


def check_names(drugs: Iterable[Drug], products: Iterable[Product]) -> list[str]:
    """Every name (generic, brand, synonym, product) must lead to exactly one entry.

    parse_document already checks this for a file's own entries; this is for records built otherwise.
    """
    claims = [(f"drug '{quote(d.name)}'", (d.name, *d.names)) for d in drugs]
    claims += [(f"product '{quote(p.name)}'", (p.name,)) for p in products]
    return claim_names(claims)


_SHIPPED = "the shipped knowledge base"


class _Layers:
    """The knowledge base being built from the shipped file and the site files on top of it, remembering
    which file brought each drug, product and source."""

    def __init__(self, base: RawKnowledgeBase) -> None:
        self.kb = base
        self.site_names: set[str] = set()
        self.origin: dict[tuple[str, str], str] = {}
        for drug in base.drugs:
            self.origin[("drug", drug.name)] = _SHIPPED
        for product in base.products:
            self.origin[("product", product.name)] = _SHIPPED
        for key in base.sources:
            self.origin[("source", key)] = _SHIPPED

    def _hiding(self, layer: RawKnowledgeBase) -> list[str]:
        """A site name may not hold or nearly equal a flagged name of the files before it, unless its entry
        lists that name's flagged ingredient."""
        flagged = FlaggedNames(self.kb.drugs, self.kb.products)
        problems: list[str] = []
        for drug in layer.drugs:
            problems += hidden_names(flagged, f"drug '{quote(drug.name)}'", (drug.name, *drug.names), (drug.name,))
        for name, names, _ in layer.extensions:
            problems += hidden_names(flagged, f"drug '{quote(name)}'", names, (name,))
        for product in layer.products:
            problems += hidden_names(flagged, f"product '{quote(product.name)}'", (product.name,), product.ingredients)
        return problems

    def _owners(self) -> dict[str, str]:
        owner: dict[str, str] = {}
        for drug in self.kb.drugs:
            who = f"drug '{quote(drug.name)}'"
            for name in (drug.name, *drug.names):
                owner.setdefault(name_key(name), who)
        for product in self.kb.products:
            owner.setdefault(name_key(product.name), f"product '{quote(product.name)}'")
        return owner

    def add(self, layer: RawKnowledgeBase, origin: str) -> list[str]:
        """Merge a site file's records in; the problems are those between it and the files before it."""
        problems = self._hiding(layer)
        owner = self._owners()
        for who, names in layer.claims:
            for name in names:
                previous = owner.get(name_key(name))
                if previous is not None and previous != who:
                    problems.append(f"{who}: name '{quote(name)}' is also a name of {previous}")
        kb = self.kb
        index = {d.name: i for i, d in enumerate(kb.drugs)}
        for _, names in layer.claims:
            self.site_names.update(map(name_key, names))
        for drug in layer.drugs:
            where = self.origin.get(("drug", drug.name))
            if where is not None:
                problems.append(
                    f"drug '{quote(drug.name)}': already in {where}; to add names, give only name and names"
                )
                continue
            index[drug.name] = len(kb.drugs)
            kb.drugs.append(drug)
            self.origin[("drug", drug.name)] = origin
        for name, names, salts in layer.extensions:  # at most one per drug: parse_document saw to that
            if name not in index:
                problems.append(f"drug '{quote(name)}': not in the knowledge base, so it cannot be extended")
                continue
            old = kb.drugs[index[name]]
            kb.drugs[index[name]] = old._replace(
                names=tuple(dict.fromkeys((*old.names, *names))), salts=tuple(dict.fromkeys((*old.salts, *salts)))
            )
        for product in layer.products:
            where = self.origin.get(("product", product.name))
            if where is not None:
                problems.append(f"product '{quote(product.name)}': already in {where}")
                continue
            kb.products.append(product)
            self.origin[("product", product.name)] = origin
        for key, source in layer.sources.items():
            where = self.origin.get(("source", key))
            if where is not None:
                problems.append(f"source '{quote(key)}': already in {where}")
                continue
            kb.sources[key] = source
            self.origin[("source", key)] = origin
        return problems


def _finish(
    raw: RawKnowledgeBase,
    origins: list[str],
    version_suffix: str = "",
    site_files: tuple[tuple[str, str], ...] = (),
    site_names: Iterable[str] = (),
) -> KnowledgeBase:
    return KnowledgeBase(
        version=(raw.kb_version or "unversioned") + version_suffix,
        updated=raw.updated,
        drugs={d.name: d for d in raw.drugs},
        products=tuple(raw.products),
        sources=dict[str, Source](raw.sources),
        origin=tuple(origins),
        site_files=site_files,
        site_names=frozenset(site_names),
    )


def _builtin(builtin: Path | str | None) -> tuple[RawKnowledgeBase, str]:
    path = str(builtin if builtin is not None else builtin_path())
    compiled = _compiled(Path(path)) if builtin is None else None
    raw = from_compiled(compiled) if compiled is not None else None
    if raw is not None:
        return raw, path  # validated when the wheel was built
    data, problems = read_yaml(path)
    base, more = parse_document(data, overlay=False)
    if problems or more:
        raise KnowledgeBaseError(path, problems + more)
    return base, path


def _add_site(layers: _Layers, site: Path | str, data: Any) -> list[str]:
    layer, problems = parse_document(data, overlay=True, known_sources=layers.kb.sources)
    return problems + layers.add(layer, str(site))


def load_knowledge_base(extra: Sequence[Path | str] = (), *, builtin: Path | str | None = None) -> KnowledgeBase:
    """Load the shipped knowledge base (or `builtin`), then each site file in `extra` on top of it.

    Raises KnowledgeBaseError listing every problem of the first invalid file.
    """
    base, path = _builtin(builtin)
    layers = _Layers(base)
    origins = [path]
    hashes = []
    for site in extra:
        data, problems = read_yaml(site)
        problems += _add_site(layers, site, data)
        if problems:
            raise KnowledgeBaseError(str(site), problems)
        origins.append(str(site))
        hashes.append((str(site), _sha256(site)))
    return _finish(base, origins, "+site" if extra else "", tuple(hashes), layers.site_names)


def _sha256(path: Path | str) -> str:
    """The SHA-256 of a file's bytes, as reports name the site files they rest on."""
    import hashlib  # here: loading OpenSSL costs 8 ms of every start, and most runs have no site file

    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as e:  # read a moment ago; gone or unreadable now
        raise KnowledgeBaseError(str(path), [f"cannot be read again: {e.strerror or e}"]) from None


def validate_file(path: Path | str, *, builtin: Path | str | None = None) -> list[str]:
    """Every problem of one knowledge-base file.

    A file with a kb_version is checked as a complete knowledge base; one without, as a site file
    layered over the shipped knowledge base.
    """
    try:
        data, problems = read_yaml(path)
        if isinstance(data, Mapping) and "kb_version" in data:
            return problems + parse_document(data, overlay=False)[1]
        return problems + _add_site(_Layers(_builtin(builtin)[0]), path, data)
    except KnowledgeBaseError as e:
        return e.problems
