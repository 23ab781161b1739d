"""Markdown: a report to paste into a note, a ticket or a wiki. The same parts as the terminal report, with
each line as written in full."""

from __future__ import annotations

import re

from ..models import LineResult, Status
from ..report import Summary
from .base import RunEnd
from .digest import headline, notes_in_order
from .gather import Gathered, Section
from .held import HeldReport
from .labels import (
    CONSIDER,
    DISCLAIMER,
    FUZZY_LEGEND,
    NOT_CURRENT_NOTE,
    STREAMING,
    dose,
    effect_label,
    ignored_label,
    kb_label,
    left_out_notes,
    match_label,
    mention_drug,
    not_current,
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


class MarkdownWriter(HeldReport):
    """`--format markdown`."""

    name = "markdown"

    def top(self, summary: Summary | None) -> None:
        self.out.write("# rlsmed report\n\n")
        if summary is None:
            self.out.write(f"_{md(STREAMING)}_\n\n")
        else:
            self.out.write(f"**{md(headline(summary))}**\n\n")

    def findings_heading(self) -> None:
        self.out.write("## Medicines that may provoke or worsen RLS\n\n")

    def section(self, section: Section, rows: list[LineResult], *, new_source: bool) -> None:
        w = self.out.write
        if new_source:
            w(f"### {md(section.source)}\n\n")
        if section.patient is not None:
            w(f"{'####' if self.many else '###'} Patient {md(section.patient)}\n\n")
        w("| Line | Written | Drug | Matched as | Match | Effect | Evidence |\n|---|---|---|---|---|---|---|\n")
        for r in rows:
            where = md(place(r.record, False))
            directions = dose(r.record)
            written = md(r.record.text) + (f" ({md(directions)})" if directions else "")
            for f in r.findings:
                drug = md(f.drug.name) + (f" ({md(ignored_label(f))})" if f.ignored else "")
                if f.status is not Status.CURRENT:  # --all-statuses
                    drug += f" ({md(not_current(f.status.label, f.status_reason))})"
                cells = [where, written, drug, md(f.matched_as), match_label(f), effect_label(f), f.drug.evidence.value]
                w("| " + " | ".join(cells) + " |\n")
        w("\n")

    def rest(self, end: RunEnd, gathered: Gathered, *, streamed: bool) -> None:
        w, summary, g = self.out.write, end.summary, gathered
        if g.fuzzy:
            w(f"_{md(FUZZY_LEGEND)}_\n\n")
        if g.split_patients:
            w(
                f"The rows of {len(g.split_patients):,} patients were far apart in the input, so their findings "
                "appear in more than one section.\n\n"
            )
        notes = notes_in_order(g.drugs.values())
        if notes:
            w(f"## Why, and {CONSIDER.lower()}\n\n")
            for f in notes:
                drug = f.drug
                wording = " (Parkinson's disease)" if f.considerations != drug.considerations else ""
                w(f"### {md(drug.name)}{wording}: {md(drug.drug_class)}\n\n")
                w(f"- **Why:** {md(drug.rationale)}\n- **{CONSIDER}:** {md(f.considerations)}\n")
                w(f"- **Evidence:** {drug.evidence.label}: {md(drug.evidence_basis)}\n")
                w(f"- **Sources:** {md(references(drug))}\n\n")
        w("".join(f"{note}\n\n" for note in left_out_notes(summary)))
        many = self.many
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
            w("## Not recognised (please review)\n\n")
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
        if g.with_patients or streamed:
            w("## Summary\n\n")
            if streamed:
                w(f"{md(headline(summary))}\n\n")
            if g.with_patients:
                who = f"{summary.patients:,} patients screened, {summary.patients_flagged:,} with at least one finding"
                w(f"{who}.\n\n")
                for title, counts in (("Drug", summary.patients_by_ingredient), ("Class", summary.patients_by_class)):
                    if counts:
                        w(f"| {title} | Patients |\n|---|---:|\n")
                        w("".join(f"| {md(name)} | {n:,} |\n" for name, n in counts.most_common(10)) + "\n")
        for advice in end.advice:
            w(f"## {advice.topic.capitalize()}\n\n{md(advice.text)}\n\nSource: {md(' '.join(advice.sources))}\n\n")
        w(f"Knowledge base {md(kb_label(self.meta))}. _{DISCLAIMER}_\n")
