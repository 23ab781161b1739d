"""CSV: one row per finding, and one per recognised or unrecognised line, ready for a spreadsheet or DuckDB."""

from __future__ import annotations

import csv
from typing import TextIO

from ..models import Finding, InputRecord, LineStatus, ResultBatch, Status
from ..report import ReportMeta
from .base import RunEnd
from .labels import dose, kb_label, references
from .safety import csv_cell

__all__ = ["COLUMNS", "CsvWriter"]

COLUMNS = (
    "source",
    "line",
    "patient",
    "record",
    "record_status",
    "status",
    "status_reason",
    "input",
    "dose",
    "ingredient",
    "matched_text",
    "matched_as",
    "match",
    "score",
    "product",
    "verify",
    "drug_class",
    "effect",
    "evidence",
    "ignored",
    "ignore_reason",
    "rationale",
    "considerations",
    "sources",
    "kb_version",
)


# A recognised or unrecognised line fills the columns up to its ingredients, and the knowledge base.
_LINE_COLUMNS = COLUMNS[: COLUMNS.index("ingredient") + 1]
_BLANK = [""] * (COLUMNS.index("kb_version") - len(_LINE_COLUMNS))
if _LINE_COLUMNS[:5] != ("source", "line", "patient", "record", "record_status") or COLUMNS[-1] != "kb_version":
    raise ImportError("rlsmed.writers.csv: COLUMNS must start with the line's place and end with kb_version")


def _where(record: InputRecord) -> list[str]:
    return [record.source, str(record.line), record.patient or "", record.record or "", record.status or ""]


class CsvWriter:
    """`--format csv`. Cells that a spreadsheet would run as formulas are quoted with a leading '."""

    name = "csv"
    rereads = False

    @staticmethod
    def _finding(f: Finding, kb: str) -> list[str]:
        d = f.drug
        cells = {
            **dict(zip(_LINE_COLUMNS, _where(f.record), strict=False)),
            "status": "ignored" if f.ignored else ("flagged" if f.status is Status.CURRENT else f.status.value),
            "status_reason": f.status_reason,
            "input": f.record.text,
            "dose": dose(f.record),
            "ingredient": d.name,
            "matched_text": f.matched_text,
            "matched_as": f.matched_as,
            "match": f.match.value,
            "score": f"{f.score:g}",
            "product": f.product,
            "verify": f.verify,
            "drug_class": d.drug_class,
            "effect": d.effect.value,
            "evidence": d.evidence.value,
            "ignored": "yes" if f.ignored else "no",
            "ignore_reason": f.ignore_reason,
            "rationale": d.rationale,
            "considerations": f.considerations,
            "sources": references(d),
            "kb_version": kb,
        }
        return [cells[column] for column in COLUMNS]

    def start(self, meta: ReportMeta, out: TextIO, *, reread: bool = False) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self._writer.writerow(COLUMNS)
        # Every row names the knowledge base it rests on, so that a row keeps its meaning on its own.
        self._kb = kb_label(meta)

    def add(self, batch: ResultBatch) -> None:
        writer, kb = self._writer, self._kb
        # Every cell, from the input or from a (site) knowledge base, is made safe in one place.
        for result in batch.results:
            record = result.record
            if result.status is LineStatus.FLAGGED:
                writer.writerows(list(map(csv_cell, self._finding(f, kb))) for f in result.findings)
            elif result.status is not LineStatus.NOT_CURRENT:
                status, reason = result.status.value, ""
                if result.heading is not None:
                    reason = f"{result.heading.kind}: {result.heading.status.value}"
                row = [*_where(record), status, reason, record.text, dose(record)]
                ingredients = "|".join(r.ingredient for r in result.recognized)
                writer.writerow(list(map(csv_cell, [*row, ingredients, *_BLANK, kb])))
            for m in result.mentions:
                # A drug named but not current: its own row, status and reason; no advice (it is not taken).
                row = [*_where(record), m.status.value, m.reason, record.text, dose(record), m.ingredient]
                d = m.drug
                cells = dict(zip(COLUMNS, row, strict=False))
                cells.update(
                    matched_text=m.matched_text,
                    matched_as=m.matched_as,
                    match=m.match.value,
                    score=f"{m.score:g}",
                    product=m.product,
                    drug_class=d.drug_class if d else "",
                    effect=d.effect.value if d else "",
                    evidence=d.evidence.value if d else "",
                    kb_version=kb,
                )
                writer.writerow([csv_cell(cells.get(column, "")) for column in COLUMNS])

    def finish(self, end: RunEnd) -> list[str]:
        return []
