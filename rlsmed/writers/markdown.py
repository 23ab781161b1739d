"""Markdown: a report to paste into a note, a ticket or a wiki."""

from __future__ import annotations

import re
from typing import TextIO

from ..models import Drug, LineResult, LineStatus
from ..report import Summary
from .base import ResultSource
from .labels import DISCLAIMER, LIST_RECOGNIZED_UP_TO, by_patient, dose, match_label, place
from .safety import printable

__all__ = ["MarkdownWriter", "md"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#!~])")


def md(text: str) -> str:
    """Input text shown literally in Markdown (and in a table cell)."""
    return _SPECIAL.sub(r"\\\1", printable(text))


class MarkdownWriter:
    """`--format markdown`."""

    name = "markdown"

    def write(self, source: ResultSource, out: TextIO) -> Summary:
        results: list[LineResult] = list(source)
        summary = source.finish()
        meta = source.meta
        many = len({r.record.source for r in results}) > 1
        patients = by_patient(results)
        with_patients = any(p is not None for p, _ in patients)
        w = out.write
        w("# rlsmed report\n\n")
        w(
            f"Knowledge base {md(meta.kb_version)} ({meta.kb_updated}). {summary.records:,} {summary.unit}s screened: "
            f"{summary.flagged:,} flagged, {summary.recognized:,} recognised, "
            f"{summary.unrecognized:,} unrecognised.\n\n"
        )
        flagged = [r for r in results if r.status is LineStatus.FLAGGED]
        w("## Findings\n\n")
        if not flagged:
            w("Nothing flagged.\n\n")
        elif with_patients:
            for patient, rows in patients:
                rows = [r for r in rows if r.status is LineStatus.FLAGGED]
                if rows:
                    w(f"### Patient {md(patient or '(none)')}\n\n")
                    self._findings(out, rows, many)
        else:
            self._findings(out, flagged, many)
        unrecognized = [r for r in results if r.status is LineStatus.UNRECOGNIZED]
        if unrecognized:
            w("## Unrecognised lines (please review)\n\n")
            for r in unrecognized:
                who = f" (patient {md(r.record.patient)})" if r.record.patient else ""
                w(f"- {md(place(r.record, many))}{who}: {md(r.record.text)}\n")
            w("\n")
        recognized = [r for r in results if r.status is LineStatus.RECOGNIZED]
        if recognized and (with_patients or len(results) > LIST_RECOGNIZED_UP_TO):
            w(f"## Recognised, no RLS concern\n\n{len(recognized):,} lines (CSV or JSON output lists them).\n\n")
        elif recognized:
            w("## Recognised, no RLS concern\n\n")
            for r in recognized:
                names = ", ".join(md(x.ingredient) + (f" ({x.note})" if x.note else "") for x in r.recognized)
                w(f"- {md(place(r.record, many))}: {md(r.record.text)}: {names}\n")
            w("\n")
        if with_patients:
            w("## Summary\n\n")
            w(f"{summary.patients:,} patients screened, {summary.patients_flagged:,} with at least one finding.\n\n")
            for title, counts in (("Drug", summary.by_ingredient), ("Class", summary.by_class)):
                if counts:
                    w(f"| {title} | Findings |\n|---|---:|\n")
                    w("".join(f"| {md(name)} | {n:,} |\n" for name, n in counts.most_common(10)) + "\n")
        for advice in source.advice():
            w(f"## {advice.topic.capitalize()}\n\n{md(advice.text)}\n\nSource: {md(' '.join(advice.sources))}\n\n")
        drugs: dict[str, Drug] = {f.drug.name: f.drug for r in flagged for f in r.findings}
        if drugs:
            w("## Sources\n\n")
            for key, drug in sorted(drugs.items()):
                w(f"- **{md(key)}** ({drug.evidence.value}: {md(drug.evidence_basis)}): ")
                w("; ".join(md(s.reference) for s in drug.sources) + "\n")
            w("\n")
        w(f"_{DISCLAIMER}_\n")
        return summary

    @staticmethod
    def _findings(out: TextIO, rows: list[LineResult], many: bool) -> None:
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
                    f.drug.effect.label,
                    f.drug.evidence.value,
                    md(f.drug.rationale),
                    md(f.considerations),
                ]
                out.write("| " + " | ".join(cells) + " |\n")
        out.write("\n")
