"""Read knowledge-base files safely, merge a site's own files over the shipped one, and check names."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import KnowledgeBaseError
from ..models import Drug, KnowledgeBase, Product, Source
from ..normalize import name_key
from .schema import RawKnowledgeBase, from_compiled, parse_document

__all__ = ["builtin_path", "check_names", "load_knowledge_base", "read_document", "validate_file"]

# A knowledge base is a few hundred kilobytes; anything far larger is a mistake or an attack.
_MAX_BYTES = 20 * 1024 * 1024
_PACKAGE = Path(__file__).resolve().parent.parent


def builtin_path() -> Path:
    """Where the shipped knowledge base is: inside the installed package, or at the source tree's root."""
    installed = _PACKAGE / "data" / "drugs.yaml"
    if installed.is_file():
        return installed
    return _PACKAGE.parent / "data" / "drugs.yaml"


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


def _safe_loader() -> type[Any]:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_document(path: Path | str) -> Any:
    """Parse one YAML file with the safe loader; every failure becomes a KnowledgeBaseError."""
    import yaml

    origin = str(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_BYTES + 1)
    except IsADirectoryError:
        raise KnowledgeBaseError(origin, ["is a directory, not a YAML file"]) from None
    except FileNotFoundError:
        raise KnowledgeBaseError(origin, ["no such file"]) from None
    except PermissionError:
        raise KnowledgeBaseError(origin, ["permission denied"]) from None
    except OSError as e:
        raise KnowledgeBaseError(origin, [e.strerror or "cannot be read"]) from None
    if len(raw) > _MAX_BYTES:
        raise KnowledgeBaseError(origin, [f"larger than {_MAX_BYTES // (1024 * 1024)} MB"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise KnowledgeBaseError(origin, [f"not UTF-8 text (byte {e.start})"]) from None
    if "\x00" in text:
        raise KnowledgeBaseError(origin, ["contains NUL bytes; not a YAML text file"])
    try:
        return yaml.load(text, Loader=_safe_loader())
    except yaml.constructor.ConstructorError as e:
        raise KnowledgeBaseError(origin, [_yaml_problem(e, "unsupported or unsafe YAML tag")]) from None
    except yaml.YAMLError as e:
        raise KnowledgeBaseError(origin, [_yaml_problem(e, "YAML syntax error")]) from None
    except RecursionError:
        raise KnowledgeBaseError(origin, ["YAML nested too deeply"]) from None


def _yaml_problem(e: Any, kind: str) -> str:
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None) or ""
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{kind}" + (f" ({problem})" if problem else "")


def check_names(drugs: Iterable[Drug], products: Iterable[Product]) -> list[str]:
    """Every name (generic, brand, synonym, product) must lead to exactly one entry."""
    problems: list[str] = []
    owner: dict[str, str] = {}

    def claim(name: str, who: str) -> None:
        key = name_key(name)
        if not key:
            problems.append(f"{who}: name '{name}' has no letters or digits")
            return
        previous = owner.get(key)
        if previous is None:
            owner[key] = who
        elif previous != who:
            problems.append(f"{who}: name '{name}' is also a name of {previous}")

    for drug in drugs:
        who = f"drug '{drug.name}'"
        for name in (drug.name, *drug.names):
            claim(name, who)
    for product in products:
        claim(product.name, f"product '{product.name}'")
    return problems


def _merge(base: RawKnowledgeBase, overlay: RawKnowledgeBase) -> list[str]:
    problems: list[str] = []
    index = {d.name: i for i, d in enumerate(base.drugs)}
    for drug in overlay.drugs:
        if drug.name in index:
            problems.append(
                f"drug '{drug.name}': already in the shipped knowledge base; to add names, give only name and names"
            )
            continue
        index[drug.name] = len(base.drugs)
        base.drugs.append(drug)
    for name, names, salts in overlay.extensions:
        if name not in index:
            problems.append(f"drug '{name}': not in the knowledge base, so it cannot be extended")
            continue
        old = base.drugs[index[name]]
        base.drugs[index[name]] = old._replace(names=old.names + names, salts=old.salts + salts)
    base.products.extend(overlay.products)
    base.sources.update(overlay.sources)
    return problems


def _check_products(products: Sequence[Product]) -> list[str]:
    return [
        f"product '{p.name}': an ingredient is listed twice"
        for p in products
        if len(set(p.ingredients)) != len(p.ingredients)
    ]


def _check(layer: RawKnowledgeBase) -> list[str]:
    return check_names(layer.drugs, layer.products) + _check_products(layer.products)


def _finish(raw: RawKnowledgeBase, origins: list[str], version_suffix: str = "") -> KnowledgeBase:
    return KnowledgeBase(
        version=(raw.kb_version or "unversioned") + version_suffix,
        updated=raw.updated,
        drugs={d.name: d for d in raw.drugs},
        products=tuple(raw.products),
        sources=dict[str, Source](raw.sources),
        origin=tuple(origins),
    )


def load_knowledge_base(extra: Sequence[Path | str] = (), *, builtin: Path | str | None = None) -> KnowledgeBase:
    """Load the shipped knowledge base (or `builtin`), then each site file in `extra` on top of it.

    Raises KnowledgeBaseError listing every problem of the first invalid file.
    """
    path = str(builtin if builtin is not None else builtin_path())
    compiled = _compiled(Path(path)) if builtin is None else None
    if compiled is not None:
        base = from_compiled(compiled)  # validated when the wheel was built
    else:
        base, problems = parse_document(read_document(path), overlay=False)
        problems = problems or _check(base)
        if problems:
            raise KnowledgeBaseError(path, problems)
    origins = [path]
    for site in extra:
        layer, problems = parse_document(read_document(site), overlay=True, known_sources=base.sources)
        if not problems:
            problems = _merge(base, layer) or _check(base)
        if problems:
            raise KnowledgeBaseError(str(site), problems)
        origins.append(str(site))
    return _finish(base, origins, "+site" if extra else "")


def validate_file(path: Path | str, *, builtin: Path | str | None = None) -> list[str]:
    """Every problem of one knowledge-base file.

    A file with a kb_version is checked as a complete knowledge base; one without, as a site file
    layered over the shipped knowledge base.
    """
    try:
        data = read_document(path)
        if isinstance(data, Mapping) and "kb_version" in data:
            layer, problems = parse_document(data, overlay=False)
            return problems or _check(layer)
        load_knowledge_base([path], builtin=builtin)
    except KnowledgeBaseError as e:
        return e.problems
    return []
