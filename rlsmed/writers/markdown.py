"""Markdown: a report to paste into a note, a ticket or a wiki."""

from __future__ import annotations

import re
from typing import TextIO

from ..models import Drug, LineResult, ResultBatch
from ..report import NEVER_SCREENED, ReportMeta
from .base import RunEnd
from .gather import Gatherer
from .labels import (
    DISCLAIMER,
    NOT_CURRENT_NOTE,
    dose,
    effect_label,
    kb_label,
    match_label,
    mention_drug,
    place,
    plural,
    references,
)
from .safety import printable

__all__ = ["MarkdownWriter", "md"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#!~&])")


def md(text: str) -> str:
    """Input text shown literally in Markdown (and in a table cell)."""
    return _SPECIAL.sub(r"\\\1", printable(text))


class MarkdownWriter:
    """`--format markdown`."""

    name = "markdown"
    rereads = False

    def start(self, meta: ReportMeta, out: TextIO, *, reread: bool = False) -> None:
        self._out = out
        self._many = len(set(meta.inputs)) > 1
        self._sections = 0
        self._gatherer = Gatherer(self._emit)
        out.write("# rlsmed report\n\n")
        out.write(f"Knowledge base {md(kb_label(meta))}.\n\n## Findings\n\n")

    def _emit(self, patient: str | None, rows: list[LineResult]) -> None:
        # Markdown tables are written a row at a time: a patient's section, or the one table in chunks.
        if patient is not None:
            self._out.write(f"### Patient {md(patient)}\n\n")
            self._findings(self._out, rows, self._many, header=True)
            self._out.write("\n")
        else:
            self._findings(self._out, rows, self._many, header=not self._sections)
            self._sections += 1

    def add(self, batch: ResultBatch) -> None:
        self._gatherer.add(batch)

    def finish(self, end: RunEnd) -> list[str]:
        w, many, summary = self._out.write, self._many, end.summary
        g = self._gatherer.close()
        if self._sections:
            w("\n")
        if not g.flagged:
            w("Nothing flagged.\n\n")
        if summary.skipped_never:
            w(f"{plural(summary.skipped_never, 'record')} never screened ({NEVER_SCREENED}; json lists them).\n\n")
        if g.split_patients:
            w(
                f"The rows of {len(g.split_patients):,} patients were far apart in the input, so their findings "
                "appear in more than one section.\n\n"
            )
        if g.mentions:
            w(f"## Mentioned, not current\n\n{NOT_CURRENT_NOTE}\n\n")
            w("| Line | Written | Drug | Status | Why |\n|---|---|---|---|---|\n")
            for m in g.mentions:
                where = place(m.record, many) + (f" (patient {m.record.patient})" if m.record.patient else "")
                cells = [where, m.record.text, mention_drug(m), m.status.label, m.reason]
                w("| " + " | ".join(map(md, cells)) + " |\n")
            if g.more_mentions:
                w(f"\n... and {g.more_mentions:,} more (CSV or JSON output lists them all).\n")
            w("\n")
        if g.headings:
            w(f"{plural(g.headings, 'line')} read as headings, labels or column names, not as medicines.\n\n")
        if g.unrecognized:
            w("## Unrecognised lines (please review)\n\n")
            for record in g.unrecognized:
                who = f" (patient {md(record.patient)})" if record.patient else ""
                w(f"- {md(place(record, many))}{who}: {md(record.text) or '(no medication given)'}\n")
            if g.more_unrecognized:
                w(f"- ... and {g.more_unrecognized:,} more (CSV or JSON output lists them all)\n")
            w("\n")
        if summary.recognized and not g.list_recognized:
            count = f"{summary.recognized:,} {summary.unit}s"
            w(f"## Recognised, no RLS concern\n\n{count} (CSV or JSON output lists them).\n\n")
        elif summary.recognized:
            w("## Recognised, no RLS concern\n\n")
            for r in g.recognized:
                names = ", ".join(md(x.ingredient) + (f" ({x.note})" if x.note else "") for x in r.recognized)
                w(f"- {md(place(r.record, many))}: {md(r.record.text)}: {names}\n")
            w("\n")
        w("## Summary\n\n")
        mentioned = summary.mentions_not_current
        w(
            f"{summary.records:,} {summary.unit}s screened: {summary.flagged:,} flagged, "
            f"{summary.recognized:,} recognised, "
            + (f"{plural(mentioned, 'mention')} not current, " if mentioned else "")
            + f"{summary.unrecognized:,} unrecognised.\n\n"
        )
        if g.with_patients:
            w(f"{summary.patients:,} patients screened, {summary.patients_flagged:,} with at least one finding.\n\n")
            for title, counts in (("Drug", summary.patients_by_ingredient), ("Class", summary.patients_by_class)):
                if counts:
                    w(f"| {title} | Patients |\n|---|---:|\n")
                    w("".join(f"| {md(name)} | {n:,} |\n" for name, n in counts.most_common(10)) + "\n")
        for advice in end.advice:
            w(f"## {advice.topic.capitalize()}\n\n{md(advice.text)}\n\nSource: {md(' '.join(advice.sources))}\n\n")
        drugs: list[Drug] = g.drug_list()
        if drugs:
            w("## Sources\n\n")
            for drug in drugs:
                w(f"- **{md(drug.name)}** ({drug.evidence.value}: {md(drug.evidence_basis)}): ")
                w(md(references(drug)) + "\n")
            w("\n")
        w(f"_{DISCLAIMER}_\n")
        return []

    @staticmethod
    def _findings(out: TextIO, rows: list[LineResult], many: bool, *, header: bool) -> None:
        if header:
            out.write("| Line | Written | Drug | Matched as | Match | Effect | Evidence | Why | Consider instead |\n")
            out.write("|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            for f in r.findings:
                cells = [
                    md(place(r.record, many) + (f" ({r.record.status})" if r.record.status else "")),
                    md(r.record.text) + (f" ({md(dose(r.record))})" if dose(r.record) else ""),
                    md(f.drug.name) + (" (ignored)" if f.ignored else ""),
                    md(f.matched_as),
                    match_label(f),
                    effect_label(f),
                    f.drug.evidence.value,
                    md(f.drug.rationale),
                    md(f.considerations),
                ]
                out.write("| " + " | ".join(cells) + " |\n")
