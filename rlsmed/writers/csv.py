"""CSV: one row per finding, and one per recognised or unrecognised line, ready for a spreadsheet or DuckDB."""

from __future__ import annotations

import re
from typing import TextIO

from ..models import (
    RECORD_CONTEXT,
    RECORD_PATIENT,
    RECORD_RECORD,
    RECORD_STATUS,
    Finding,
    InputRecord,
    LineResult,
    LineStatus,
    Mention,
    Recognition,
    ResultBatch,
    Status,
)
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
# A finding's row: its own cells, then its drug's (the same for every finding of the drug).
_OWN_COLUMNS = COLUMNS[: COLUMNS.index("drug_class")]
_DRUG_COLUMNS = COLUMNS[COLUMNS.index("drug_class") :]
if _LINE_COLUMNS[:5] != ("source", "line", "patient", "record", "record_status") or COLUMNS[-1] != "kb_version":
    raise ImportError("rlsmed.writers.csv: COLUMNS must start with the line's place and end with kb_version")


_QUOTED = re.compile(r'[,"\r\n]').search  # cells the csv module (QUOTE_MINIMAL) puts in quotes


_SPECIAL_START = frozenset("=+-@ \t")  # a formula's start (perhaps after blanks): csv_cell decides


def _cell(text: str) -> str:
    """One cell as csv.writer writes it, made safe first (csv_cell)."""
    text = csv_cell(text)
    return '"' + text.replace('"', '""') + '"' if _QUOTED(text) else text


def _row(cells: list[str]) -> str:
    """A row as csv.writer (QUOTE_MINIMAL, lineterminator "\\n") writes it, each cell made safe."""
    return ",".join(map(_cell, cells)) + "\n"


def _where(record: InputRecord) -> list[str]:
    return [record.source, str(record.line), record.patient or "", record.record or "", record.status or ""]


class CsvWriter:
    """`--format csv`. Cells that a spreadsheet would run as formulas are quoted with a leading '."""

    name = "csv"
    rereads = False

    def _finding(self, f: Finding) -> str:
        """A finding's row: its own cells, then those of its drug (the same for every finding of the drug
        with the same wording, written once)."""
        record = f.record
        status = "ignored" if f.ignored else ("flagged" if f.status is Status.CURRENT else f.status.value)
        own = {
            **dict(zip(_LINE_COLUMNS, _where(record), strict=False)),
            "status": status,
            "status_reason": f.status_reason,
            "input": record.text,
            "dose": dose(record),
            "ingredient": f.drug.name,
            "matched_text": f.matched_text,
            "matched_as": f.matched_as,
            "match": f.match.value,
            "score": f"{f.score:g}",
            "product": f.product,
            "verify": f.verify,
        }
        key = (f.drug.name, f.considerations, f.ignored, f.ignore_reason)
        tail = self._drug_cells.get(key)
        if tail is None:
            d = f.drug
            cells = {
                "drug_class": d.drug_class,
                "effect": d.effect.value,
                "evidence": d.evidence.value,
                "ignored": "yes" if f.ignored else "no",
                "ignore_reason": f.ignore_reason,
                "rationale": d.rationale,
                "considerations": f.considerations,
                "sources": references(d),
                "kb_version": self._kb,
            }
            tail = self._drug_cells[key] = ",".join(_cell(cells[column]) for column in _DRUG_COLUMNS) + "\n"
        return ",".join([_cell(own[column]) for column in _OWN_COLUMNS]) + "," + tail

    def start(self, meta: ReportMeta, out: TextIO, *, reread: bool = False) -> None:
        self._out = out
        out.write(_row(list(COLUMNS)))
        # Every row names the knowledge base it rests on, so that a row keeps its meaning on its own.
        self._kb = kb_label(meta)
        self._tail = "," * len(_BLANK) + "," + _cell(self._kb)  # the blank cells and the knowledge base
        self._drug_cells: dict[tuple[str, str, bool, str], str] = {}  # bounded by the knowledge base
        # The cells around a plain line's text, by its status and recognitions.
        self._middles: dict[tuple[LineStatus, int], tuple[tuple[Recognition, ...], tuple[str, str]]] = {}

    def add(self, batch: ResultBatch) -> None:
        """Rows written as csv.writer writes them (QUOTE_MINIMAL, "\\n"), built as text: a line's row is
        mostly cells it shares with other lines (its drug's, its source's), made once."""
        kb, rows = self._kb, list[str]()
        plain = _plain(batch)  # a text list's lines: the text and number between cells made once
        head = f"{_cell(batch.records[0].source)}," if plain and batch.records else ""
        flagged, not_current = LineStatus.FLAGGED, LineStatus.NOT_CURRENT
        for result in batch.results:
            record = result.record
            if result.status is flagged:
                rows.extend(map(self._finding, result.findings))
            elif plain and result.heading is None and result.status is not not_current:
                middle, end = self._around(result)
                text = record.text
                safe = text.isprintable() and text[:1] not in _SPECIAL_START and not _QUOTED(text)
                rows.append(f"{head}{record.line}{middle}{text if safe else _cell(text)}{end}")
            elif result.status is not not_current:
                status, reason = result.status.value, ""
                if result.heading is not None:
                    reason = f"{result.heading.kind}: {result.heading.status.value}"
                row = [*_where(record), status, reason, record.text, dose(record)]
                ingredients = "|".join(r.ingredient for r in result.recognized)
                rows.append(_row([*row, ingredients, *_BLANK, kb]))
            rows.extend(self._mention(m, kb) for m in result.mentions)
        self._out.write("".join(rows))

    def _around(self, result: LineResult) -> tuple[str, str]:
        """The cells of a plain line (no patient, record, status or context) before and after its text:
        the same for every line with its status and ingredients, made once."""
        key = (result.status, id(result.recognized))  # sets of recognitions are shared between lines
        found = self._middles.get(key)
        if found is None:
            if len(self._middles) > 10_000:
                self._middles.clear()
            ingredients = _cell("|".join(r.ingredient for r in result.recognized))
            around = (f",,,,{result.status.value},,", f",,{ingredients}{self._tail}\n")
            found = self._middles[key] = (result.recognized, around)  # the set kept alive with its id
        return found[1]

    def _mention(self, m: Mention, kb: str) -> str:
        """A drug named but not current: its own row, status and reason; no advice (it is not taken)."""
        record = m.record
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
        return _row([cells.get(column, "") for column in COLUMNS])

    def finish(self, end: RunEnd) -> list[str]:
        return []


def _plain(batch: ResultBatch) -> bool:
    """True when no record of the batch names a patient, a record or a status, or has context columns."""
    return not any(any(map(f, batch.records)) for f in (RECORD_PATIENT, RECORD_RECORD, RECORD_STATUS, RECORD_CONTEXT))
