"""The terminal report: Rich tables of findings, unrecognised and recognised lines, and advice."""

from __future__ import annotations

from typing import TextIO

from ..models import Effect, Finding, LineResult, LineStatus, MatchKind
from ..report import Summary
from .base import ResultSource
from .labels import DISCLAIMER, place
from .safety import printable

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


def _short_match(f: Finding) -> str:
    return "exact" if f.match is MatchKind.EXACT else f"fuzzy {f.score:g}"


class TableWriter:
    """`--format table` (the default on a terminal). Input text is always shown literally."""

    name = "table"

    def __init__(self, *, color: bool = False, width: int | None = None) -> None:
        self.color = color
        self.width = width

    def write(self, source: ResultSource, out: TextIO) -> Summary:
        from rich import box
        from rich.console import Console
        from rich.table import Table
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

        def lit(text: str, style: str = "") -> Text:
            return Text(printable(text), style=style)

        flagged = [r for r in results if r.status is LineStatus.FLAGGED]
        if flagged:
            table = Table(title="Medicines that may provoke or worsen RLS", box=box.SIMPLE_HEAD, expand=False)
            # Short columns never wrap; the text columns share what is left.
            for header, ratio in (
                ("Line", None),
                ("Written", 2),
                ("Drug", None),
                ("Matched as", 1),
                ("Match", None),
                ("Effect", None),
                ("Evidence", None),
                ("Why", 3),
                ("Consider instead", 3),
            ):
                table.add_column(header, ratio=ratio, overflow="fold", no_wrap=ratio is None)
            for r in flagged:
                for i, f in enumerate(r.findings):
                    style = "dim" if f.ignored else ""
                    drug = f.drug.name + (" (ignored)" if f.ignored else "")
                    table.add_row(
                        lit(place(r.record, many) if i == 0 else "", style),
                        lit(r.record.text if i == 0 else "", style),
                        Text(drug, style=style or "bold"),
                        lit(f.matched_as, style),
                        Text(_short_match(f), style=style or ("yellow" if f.needs_verification else "")),
                        Text(_SHORT_EFFECT[f.drug.effect], style=style or _EFFECT_STYLE.get(f.drug.effect, "")),
                        Text(f.drug.evidence.value, style=style),
                        Text(f.drug.rationale, style=style),
                        Text(f.considerations, style=style),
                    )
            console.print(table)
            if any(f.needs_verification for r in flagged for f in r.findings):
                console.print(
                    Text(
                        "Fuzzy: a misspelling read as the closest flagged name, with its similarity (0-100); "
                        "verify it.",
                        style="yellow",
                    )
                )
        else:
            console.print(
                Text(
                    "Nothing flagged: no medicine on this list is known to provoke or worsen RLS.",
                    style="green",
                )
            )
        unrecognized = [r for r in results if r.status is LineStatus.UNRECOGNIZED]
        if unrecognized:
            table = Table(title="Unrecognised lines: please review", box=box.SIMPLE_HEAD, title_style="yellow")
            table.add_column("Line", no_wrap=True)
            table.add_column("Written", overflow="fold")
            for r in unrecognized:
                table.add_row(lit(place(r.record, many)), lit(r.record.text))
            console.print(table)
        recognized = [r for r in results if r.status is LineStatus.RECOGNIZED]
        if recognized:
            table = Table(title="Recognised, no RLS concern", box=box.SIMPLE_HEAD)
            table.add_column("Line", no_wrap=True)
            table.add_column("Written", overflow="fold", ratio=1)
            table.add_column("Ingredients", overflow="fold", ratio=1)
            for r in recognized:
                names = ", ".join(x.ingredient + (f" ({x.note})" if x.note else "") for x in r.recognized)
                table.add_row(lit(place(r.record, many)), lit(r.record.text), Text(names))
            console.print(table)
        for advice in source.advice():
            console.print(Text(f"{advice.topic.capitalize()}: ", style="bold") + Text(advice.text))
            for ref in advice.sources:
                console.print(Text(f"  Source: {ref}", style="dim"))
        console.print(Text(DISCLAIMER, style="dim"))
        return summary
