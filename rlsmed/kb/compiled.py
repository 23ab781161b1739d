"""The shipped knowledge base as plain JSON data, written by the wheel build (hatch_build.py) so that the
installed tool starts without a YAML parse, and read back without validating it again.

Records are written as lists in the order of their NamedTuple's fields, with the field names alongside:
reading them back goes by name, so that a field added to Drug, Product or Source cannot be read into the
wrong place, and a copy written for other fields is ignored (the YAML is parsed instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import Drug, Effect, Evidence, EvidenceKind, Product, Source
from .schema import RawKnowledgeBase

__all__ = ["from_compiled", "to_compiled"]

# How a field is written when it is not plain JSON, and read back.
_WRITE: dict[str, Any] = {
    "effect": lambda e: e.value,
    "evidence": lambda e: e.value,
    "sources": lambda sources: [s.key for s in sources],
    "class_sources": lambda sources: [s.key for s in sources],
    "evidence_kinds": lambda kinds: [k.value for k in kinds],
}
_READ: dict[str, Any] = {"effect": Effect, "evidence": Evidence}


def _row(record: tuple[Any, ...]) -> list[Any]:
    fields: tuple[str, ...] = record._fields  # type: ignore[attr-defined]
    return [
        _WRITE[f](v) if f in _WRITE else list(v) if isinstance(v, tuple) else v
        for f, v in zip(fields, record, strict=True)
    ]


def to_compiled(raw: RawKnowledgeBase) -> dict[str, Any]:
    """A validated knowledge base as plain JSON data."""
    return {
        "fields": {"sources": list(Source._fields), "drugs": list(Drug._fields), "products": list(Product._fields)},
        "kb_version": raw.kb_version,
        "updated": raw.updated,
        "sources": [_row(s) for s in raw.sources.values()],
        "drugs": [_row(d) for d in raw.drugs],
        "products": [_row(p) for p in raw.products],
    }


def from_compiled(data: Mapping[str, Any]) -> RawKnowledgeBase | None:
    """The records `to_compiled` wrote; None when they were written for other fields than today's."""
    fields = data.get("fields")
    expected = {"sources": list(Source._fields), "drugs": list(Drug._fields), "products": list(Product._fields)}
    if fields != expected:
        return None
    out = RawKnowledgeBase()
    out.kb_version, out.updated = data["kb_version"], data["updated"]
    out.sources = {row[0]: Source(*row) for row in data["sources"]}
    sources = out.sources
    for row in data["drugs"]:
        values = dict(zip(Drug._fields, row, strict=True))
        values["sources"] = tuple(sources[k] for k in values["sources"])
        values["class_sources"] = tuple(sources[k] for k in values["class_sources"])
        values["evidence_kinds"] = tuple(EvidenceKind(k) for k in values["evidence_kinds"])
        out.drugs.append(Drug(**_typed(Drug, values)))
    out.products = [
        Product(**_typed(Product, dict(zip(Product._fields, row, strict=True)))) for row in data["products"]
    ]
    return out


def _typed(record_type: type[tuple[Any, ...]], values: dict[str, Any]) -> dict[str, Any]:
    """Enum values back into their enums, and JSON lists into tuples (every list field of the records is
    a tuple)."""
    for name, value in values.items():
        if name in _READ:
            values[name] = _READ[name](value)
        elif isinstance(value, list):
            values[name] = tuple(value)
    return values
