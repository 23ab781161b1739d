"""The terminal report: Rich tables of findings (one section per flagged patient when the input has
patients), unrecognised and recognised lines, a population summary with a bar chart, and advice."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

from ..models import Effect, Finding, LineResult, LineStatus, MatchKind
from ..report import Summary
from .base import ResultSource
from .labels import DISCLAIMER, LIST_RECOGNIZED_UP_TO, by_patient, dose, place
from .safety import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

__all__ = ["TableWriter"]

_EFFECT_STYLE = {Effect.AUGMENTATION: "magenta", Effect.WORSENS: "red", Effect.MIXED: "yellow"}
_SHORT_EFFECT = {
    Effect.WORSENS: "may worsen RLS",
    Effect.AUGMENTATION: "augmentation",
    Effect.MIXED: "mixed evidence",
    Effect.LOWER_RISK: "lower risk",
    Effect.RLS_TREATMENT: "RLS treatment",
    Effect.INFORMATION: "none known",
}
_TOP = 10  # drugs and classes in the population summary
# Below this width the "why" and "consider instead" texts move under the table, once per drug:
# nine columns in fewer characters wrap word by word and cannot be read.
_WIDE = 150


def _short_match(f: Finding) -> str:
    return "exact" if f.match is MatchKind.EXACT else f"fuzzy {f.score:g}"


def _lit(text: str, style: str = "") -> Text:
    """Input text shown literally: no markup, no control sequences."""
    from rich.text import Text

    return Text(printable(text), style=style)


class TableWriter:
    """`--format table` (the default)."""

    name = "table"

    def __init__(self, *, color: bool = False, width: int | None = None) -> None:
        self.color = color
        self.width = width

    def write(self, source: ResultSource, out: TextIO) -> Summary:
        from rich.console import Console
        from rich.text import Text

        results: list[LineResult] = list(source)
        summary = source.finish()
        many = len({r.record.source for r in results}) > 1
        console = Console(
            file=out,
            width=self.width,
            force_terminal=self.color,
            no_color=not self.color,
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=False,
        )
        patients = by_patient(results)
        with_patients = any(patient is not None for patient, _ in patients)
        flagged = [r for r in results if r.status is LineStatus.FLAGGED]
        wide = console.width >= _WIDE
        if not flagged:
            console.print(Text("Nothing flagged: no medicine here is known to provoke or worsen RLS.", style="green"))
        elif with_patients:
            for patient, rows in patients:
                rows = [r for r in rows if r.status is LineStatus.FLAGGED]
                if rows:
                    title = f"Patient {printable(patient or '(none)')}"
                    console.print(self._findings(rows, many, title=title, wide=wide))
        else:
            console.print(self._findings(flagged, many, title="Medicines that may provoke or worsen RLS", wide=wide))
        if flagged and not wide:
            self._notes(console, flagged)
        if any(f.needs_verification for r in flagged for f in r.findings):
            note = "Fuzzy: a misspelling read as the closest flagged name, with its similarity (0-100); verify it."
            console.print(Text(note, style="yellow"))
        self._unrecognized(console, results, many, with_patients)
        self._recognized(console, results, many, with_patients)
        if with_patients or summary.records > LIST_RECOGNIZED_UP_TO:
            self._population(console, summary)
        for advice in source.advice():
            console.print(Text(f"{advice.topic.capitalize()}: ", style="bold") + Text(advice.text))
            for ref in advice.sources:
                console.print(Text(f"  Source: {ref}", style="dim"))
        console.print(Text(DISCLAIMER, style="dim"))
        return summary

    def _findings(self, rows: list[LineResult], many: bool, *, title: str, wide: bool) -> Table:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        # Short columns never wrap; the text columns share what is left.
        columns = [
            ("Line", None),
            ("Written", 2),
            ("Drug", None),
            ("Matched as", 1),
            ("Match", None),
            ("Effect", None),
            ("Evidence", None),
        ]
        if wide:
            columns += [("Why", 3), ("Consider instead", 3)]
        for header, ratio in columns:
            table.add_column(header, ratio=ratio, overflow="fold", no_wrap=ratio is None)
        for r in rows:
            where = place(r.record, many) + (f" ({r.record.status})" if r.record.status else "")
            for i, f in enumerate(r.findings):
                style = "dim" if f.ignored else ""
                drug = f.drug.name + (" (ignored)" if f.ignored else "")
                written = _lit(r.record.text if i == 0 else "", style)
                directions = dose(r.record) if i == 0 else ""
                if directions:
                    written.append("\n" + printable(directions), style="dim")
                cells = [
                    _lit(where if i == 0 else "", style),
                    written,
                    Text(drug, style=style or "bold"),
                    _lit(f.matched_as, style),
                    Text(_short_match(f), style=style or ("yellow" if f.needs_verification else "")),
                    Text(_SHORT_EFFECT[f.drug.effect], style=style or _EFFECT_STYLE.get(f.drug.effect, "")),
                    Text(f.drug.evidence.value, style=style),
                ]
                if wide:
                    cells += [Text(f.drug.rationale, style=style), Text(f.considerations, style=style)]
                table.add_row(*cells)
        return table

    @staticmethod
    def _notes(console: Console, flagged: list[LineResult]) -> None:
        """Why each flagged drug matters and what to consider instead, once per drug (narrow terminals)."""
        from rich.padding import Padding
        from rich.text import Text

        seen: set[tuple[str, str]] = set()
        for r in flagged:
            for f in r.findings:
                if (f.drug.name, f.considerations) in seen:
                    continue
                seen.add((f.drug.name, f.considerations))
                console.print(Text(f.drug.name, style="bold"))
                console.print(Padding(Text("Why: ", style="bold") + Text(f.drug.rationale), (0, 0, 0, 2)))
                note = Text("Consider instead: ", style="bold") + Text(f.considerations)
                console.print(Padding(note, (0, 0, 1, 2)))

    @staticmethod
    def _unrecognized(console: Console, results: list[LineResult], many: bool, with_patients: bool) -> None:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        rows = [r for r in results if r.status is LineStatus.UNRECOGNIZED]
        if not rows:
            return
        table = Table(
            title="Unrecognised lines: please review", title_justify="left", box=box.SIMPLE_HEAD, min_width=40
        )
        table.add_column("Line", no_wrap=True)
        if with_patients:
            table.add_column("Patient", overflow="fold")
        table.add_column("Written", overflow="fold")
        for r in rows:
            cells = [_lit(place(r.record, many))]
            if with_patients:
                cells.append(_lit(r.record.patient or ""))
            table.add_row(*cells, _lit(r.record.text) if r.record.text else Text("(no medication given)", style="dim"))
        console.print(table)

    @staticmethod
    def _recognized(console: Console, results: list[LineResult], many: bool, with_patients: bool) -> None:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        rows = [r for r in results if r.status is LineStatus.RECOGNIZED]
        if not rows:
            return
        if with_patients or len(results) > LIST_RECOGNIZED_UP_TO:
            line = f"{len(rows):,} lines recognised as no RLS concern (--format csv or json lists them)."
            console.print(Text(line, style="green"))
            return
        table = Table(title="Recognised, no RLS concern", title_justify="left", box=box.SIMPLE_HEAD, min_width=40)
        table.add_column("Line", no_wrap=True)
        table.add_column("Written", overflow="fold", ratio=1)
        table.add_column("Ingredients", overflow="fold", ratio=1)
        for r in rows:
            names = ", ".join(x.ingredient + (f" ({x.note})" if x.note else "") for x in r.recognized)
            table.add_row(_lit(place(r.record, many)), _lit(r.record.text), Text(names))
        console.print(table)

    @staticmethod
    def _population(console: Console, summary: Summary) -> None:
        from rich.text import Text

        who = f"{summary.patients:,} patients screened, {summary.patients_flagged:,} with at least one finding"
        console.print(Text(who if summary.patients else f"{summary.records:,} lines screened", style="bold"))
        if summary.by_ingredient:
            console.print(_bar_table("Most frequent flagged drugs", "Drug", summary.by_ingredient))
        if summary.by_class:
            console.print(_bar_table("Most frequent classes", "Class", summary.by_class))


def _bar_table(title: str, header: str, counts: Counter[str]) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    top = counts.most_common(_TOP)
    widest = top[0][1]
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column(header, no_wrap=True)
    table.add_column("Findings", justify="right")
    table.add_column("", no_wrap=True)
    for name, count in top:
        table.add_row(name, f"{count:,}", Text("█" * max(1, round(30 * count / widest)), style="cyan"))
    return table
