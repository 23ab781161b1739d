"""CSV: one row per finding, and one per recognised or unrecognised line, ready for a spreadsheet or DuckDB."""

from __future__ import annotations

import csv
from typing import TextIO

from ..models import Finding, InputRecord, LineStatus
from ..report import Summary
from .base import ResultSource
from .labels import dose
from .safety import csv_cell

__all__ = ["COLUMNS", "CsvWriter"]

COLUMNS = (
    "source",
    "line",
    "patient",
    "record",
    "record_status",
    "status",
    "input",
    "dose",
    "ingredient",
    "matched_text",
    "matched_as",
    "match",
    "score",
    "product",
    "drug_class",
    "effect",
    "evidence",
    "ignored",
    "rationale",
    "considerations",
    "sources",
    "kb_version",
)


def _where(record: InputRecord) -> list[str]:
    return [record.source, str(record.line), record.patient or "", record.record or "", record.status or ""]


class CsvWriter:
    """`--format csv`. Cells that a spreadsheet would run as formulas are quoted with a leading '."""

    name = "csv"

    @staticmethod
    def _finding(f: Finding) -> list[str]:
        d = f.drug
        return [
            *_where(f.record),
            "ignored" if f.ignored else "flagged",
            f.record.text,
            dose(f.record),
            f.drug.name,
            f.matched_text,
            f.matched_as,
            f.match.value,
            f"{f.score:g}",
            f.product,
            d.drug_class,
            d.effect.value,
            d.evidence.value,
            "yes" if f.ignored else "no",
            d.rationale,
            f.considerations,
            "; ".join(s.reference for s in d.sources),
        ]

    def write(self, source: ResultSource, out: TextIO) -> Summary:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        # Every row names the knowledge base it rests on, so that a row keeps its meaning on its own.
        kb = f"{source.meta.kb_version} ({source.meta.kb_updated})"
        blank = [""] * (len(COLUMNS) - 10)
        # Every cell, from the input or from a (site) knowledge base, is made safe in one place.
        for result in source:
            if result.status is LineStatus.FLAGGED:
                writer.writerows(list(map(csv_cell, [*self._finding(f), kb])) for f in result.findings)
                continue
            status = result.status.value
            ingredients = "|".join(r.ingredient for r in result.recognized)
            row = [*_where(result.record), status, result.record.text, dose(result.record)]
            writer.writerow(list(map(csv_cell, [*row, ingredients, *blank, kb])))
        return source.finish()
