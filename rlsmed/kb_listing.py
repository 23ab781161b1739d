"""`rlsmed kb list` and `kb search`: knowledge-base entries with class, effect and evidence, as a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TextIO

from .api import engine
from .models import Drug
from .writers.json import drug_fields

__all__ = ["print_listing"]


def print_listing(kb_files: Sequence[str], fmt: str, out: TextIO, only: Iterable[Drug] | None = None) -> None:
    """Every entry (or `only` these), flagged ones first, by class then name."""
    kb, _ = engine(kb_files)
    chosen = kb.drugs.values() if only is None else only
    drugs = sorted(chosen, key=lambda d: (not d.flagged, d.drug_class, d.name))
    if fmt == "json":
        entries = []
        for d in drugs:
            entry: dict[str, object] = {"name": d.name, "flagged": d.flagged, **drug_fields(d)}
            entry.update(considerations=d.considerations, parkinson=d.parkinson or None)
            entry.update(names=list(d.names), salts=list(d.salts))
            entries.append(entry)
        products = [{"name": p.name, "ingredients": list(p.ingredients), "note": p.note or None} for p in kb.products]
        doc = {"kb_version": kb.version, "kb_updated": kb.updated, "drugs": entries, "products": products}
        out.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"rlsmed knowledge base {kb.version} ({kb.updated})", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("Ingredient", "Class", "Effect", "Evidence", "Names"):
        table.add_column(column, overflow="fold")
    for d in drugs:
        table.add_row(d.name, d.drug_class, d.effect.label, d.evidence.value, str(len(d.names)))
    Console(file=out, highlight=False, markup=False).print(table)
