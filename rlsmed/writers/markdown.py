"""Markdown: a report to paste into a note, a ticket or a wiki."""

from __future__ import annotations

import re
from typing import TextIO

from ..models import Drug, LineResult, LineStatus
from ..report import Summary
from .base import ResultSource
from .labels import DISCLAIMER, match_label, place
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
        w = out.write
        w("# rlsmed report\n\n")
        w(
            f"Knowledge base {md(meta.kb_version)} ({meta.kb_updated}). {summary.records:,} lines screened: "
            f"{summary.flagged:,} flagged, {summary.recognized:,} recognised, "
            f"{summary.unrecognized:,} unrecognised.\n\n"
        )
        flagged = [r for r in results if r.status is LineStatus.FLAGGED]
        w("## Findings\n\n")
        if not flagged:
            w("Nothing flagged.\n\n")
        else:
            w("| Line | Written | Drug | Matched as | Match | Effect | Evidence | Why | Consider instead |\n")
            w("|---|---|---|---|---|---|---|---|---|\n")
            for r in flagged:
                for f in r.findings:
                    name = md(f.drug.name) + (" (ignored)" if f.ignored else "")
                    cells = [
                        md(place(r.record, many)),
                        md(r.record.text),
                        name,
                        md(f.matched_as),
                        match_label(f),
                        f.drug.effect.label,
                        f.drug.evidence.value,
                        md(f.drug.rationale),
                        md(f.considerations),
                    ]
                    w("| " + " | ".join(cells) + " |\n")
            w("\n")
        unrecognized = [r for r in results if r.status is LineStatus.UNRECOGNIZED]
        if unrecognized:
            w("## Unrecognised lines (please review)\n\n")
            for r in unrecognized:
                w(f"- {md(place(r.record, many))}: {md(r.record.text)}\n")
            w("\n")
        recognized = [r for r in results if r.status is LineStatus.RECOGNIZED]
        if recognized:
            w("## Recognised, no RLS concern\n\n")
            for r in recognized:
                names = ", ".join(md(x.ingredient) + (f" ({x.note})" if x.note else "") for x in r.recognized)
                w(f"- {md(place(r.record, many))}: {md(r.record.text)}: {names}\n")
            w("\n")
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
