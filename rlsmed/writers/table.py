"""The terminal report: Rich tables of findings (one section per flagged patient when the input has
patients), unrecognised and recognised lines, a population summary with a bar chart, and advice."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

from ..models import Effect, Finding, LineResult, MatchKind, ResultBatch
from ..report import NEVER_SCREENED, ReportMeta, Summary
from .base import RunEnd
from .gather import LIST_RECOGNIZED_UP_TO, Gathered, Gatherer
from .labels import DISCLAIMER, NOT_CURRENT_NOTE, dose, effect_label, kb_label, mention_drug, place, plural
from .safety import printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

__all__ = ["TableWriter"]

_EFFECT_STYLE = {Effect.AUGMENTATION: "magenta", Effect.WORSENS: "red", Effect.MIXED: "yellow"}
_TOP = 10  # drugs and classes in the population summary
# Below this width the "why" and "consider instead" texts move under the table, once per drug:
# nine columns in fewer characters wrap word by word and cannot be read.
_WIDE = 150


def _short_match(f: Finding) -> str:
    if f.match is MatchKind.EXACT:
        return "exact, verify" if f.verify else "exact"
    return f"fuzzy {f.score:g}"


def _lit(text: str, style: str = "") -> Text:
    """Input text shown literally: no markup, no control sequences."""
    from rich.text import Text

    return Text(printable(text), style=style)


class TableWriter:
    """`--format table` (the default)."""

    name = "table"
    rereads = False

    def __init__(self, *, color: bool = False, width: int | None = None) -> None:
        self.color = color
        self.width = width

    def start(self, meta: ReportMeta, out: TextIO, *, reread: bool = False) -> None:
        from rich.console import Console

        self._meta = meta
        self._console = console = Console(
            file=out,
            width=self.width,
            force_terminal=self.color,
            no_color=not self.color,
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=False,
        )
        self._many = len(set(meta.inputs)) > 1
        self._wide = console.width >= _WIDE
        self._chunks = 0
        self._gatherer = Gatherer(self._emit)

    def _emit(self, patient: str | None, rows: list[LineResult]) -> None:
        if patient is not None:
            title: str | None = f"Patient {printable(patient)}"
        else:  # one table, printed in chunks: the title and headers only once
            title = "Medicines that may provoke or worsen RLS" if self._chunks == 0 else None
        show_header = patient is not None or not self._chunks
        self._console.print(self._findings(rows, self._many, title=title, wide=self._wide, show_header=show_header))
        self._chunks += patient is None

    def add(self, batch: ResultBatch) -> None:
        self._gatherer.add(batch)

    def finish(self, end: RunEnd) -> list[str]:
        from rich.text import Text

        console, many, summary = self._console, self._many, end.summary
        g = self._gatherer.close()
        if not g.flagged:
            if summary.mentions_flagged:
                line = "Nothing flagged among the medicines taken now (drugs mentioned but not current are below)."
            else:
                line = "Nothing flagged: no medicine here is known to provoke or worsen RLS."
            console.print(Text(line, style="green"))
        if summary.skipped_never:
            note = f"{plural(summary.skipped_never, 'record')} never screened ({NEVER_SCREENED}; json lists them)."
            console.print(Text(note, style="yellow"))
        if g.flagged and not self._wide:
            self._notes(console, list(g.drugs.values()))
        if g.fuzzy:
            note = "Fuzzy: a misspelling read as the closest flagged name, with its similarity (0-100); verify it."
            console.print(Text(note, style="yellow"))
        if g.split_patients:
            note = (
                f"The rows of {len(g.split_patients):,} patients were far apart in the input, so their findings "
                "appear in more than one section (sort the input by patient to keep them together)."
            )
            console.print(Text(note, style="yellow"))
        self._mentions(console, g, many)
        if g.headings:
            note = f"{plural(g.headings, 'line')} read as headings, labels or column names, not as medicines."
            console.print(Text(note, style="dim"))
        self._unrecognized(console, g, many)
        self._recognized(console, g, many, summary)
        if g.with_patients or summary.records > LIST_RECOGNIZED_UP_TO:
            self._population(console, summary)
        for advice in end.advice:
            console.print(Text(f"{advice.topic.capitalize()}: ", style="bold") + Text(advice.text))
            for ref in advice.sources:
                console.print(Text(f"  Source: {ref}", style="dim"))
        console.print(Text(f"Knowledge base {kb_label(self._meta)}. {DISCLAIMER}", style="dim"))
        return []

    def _findings(
        self, rows: list[LineResult], many: bool, *, title: str | None, wide: bool, show_header: bool
    ) -> Table:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_header=show_header)
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
                    _lit(f.matched_as + (f" ({f.verify})" if f.verify else ""), style),
                    Text(_short_match(f), style=style or ("yellow" if f.needs_verification else "")),
                    Text(effect_label(f, short=True), style=style or _EFFECT_STYLE.get(f.drug.effect, "")),
                    Text(f.drug.evidence.value, style=style),
                ]
                if wide:
                    cells += [Text(f.drug.rationale, style=style), Text(f.considerations, style=style)]
                table.add_row(*cells)
        return table

    @staticmethod
    def _notes(console: Console, findings: list[Finding]) -> None:
        """Why each flagged drug matters and what to consider instead, once per drug (narrow terminals)."""
        from rich.padding import Padding
        from rich.text import Text

        for f in findings:
            console.print(Text(f.drug.name, style="bold"))
            console.print(Padding(Text("Why: ", style="bold") + Text(f.drug.rationale), (0, 0, 0, 2)))
            note = Text("Consider instead: ", style="bold") + Text(f.considerations)
            console.print(Padding(note, (0, 0, 1, 2)))

    @staticmethod
    def _mentions(console: Console, g: Gathered, many: bool) -> None:
        """Drugs named but not current: each with its status and the reason, for a person to check."""
        from rich import box
        from rich.table import Table
        from rich.text import Text

        if not g.mentions:
            return
        table = Table(title="Mentioned, not current", title_justify="left", box=box.SIMPLE_HEAD, min_width=40)
        table.add_column("Line", no_wrap=True)
        if g.with_patients:
            table.add_column("Patient", overflow="fold")
        table.add_column("Written", overflow="fold", ratio=2)
        table.add_column("Drug", overflow="fold", ratio=1)
        table.add_column("Status", no_wrap=True)
        table.add_column("Why", overflow="fold", ratio=2)
        for m in g.mentions:
            style = "" if m.flagged else "dim"
            who = [_lit(m.record.patient or "", style)] if g.with_patients else []
            table.add_row(
                _lit(place(m.record, many), style),
                *who,
                _lit(m.record.text, style),
                _lit(mention_drug(m), style or "bold"),
                Text(m.status.label, style=style),
                _lit(m.reason, style),
            )
        console.print(table)
        console.print(Text(NOT_CURRENT_NOTE, style="dim"))
        if g.more_mentions:
            more = f"... and {g.more_mentions:,} more not current (--format csv or json lists them all)."
            console.print(Text(more, style="yellow"))

    @staticmethod
    def _unrecognized(console: Console, g: Gathered, many: bool) -> None:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        if not g.unrecognized:
            return
        table = Table(
            title="Unrecognised lines: please review", title_justify="left", box=box.SIMPLE_HEAD, min_width=40
        )
        table.add_column("Line", no_wrap=True)
        if g.with_patients:
            table.add_column("Patient", overflow="fold")
        table.add_column("Written", overflow="fold")
        for record in g.unrecognized:
            cells = [_lit(place(record, many))]
            if g.with_patients:
                cells.append(_lit(record.patient or ""))
            table.add_row(*cells, _lit(record.text) if record.text else Text("(no medication given)", style="dim"))
        console.print(table)
        if g.more_unrecognized:
            more = f"... and {g.more_unrecognized:,} more unrecognised (--format csv or json lists them all)."
            console.print(Text(more, style="yellow"))

    @staticmethod
    def _recognized(console: Console, g: Gathered, many: bool, summary: Summary) -> None:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        if not summary.recognized:
            return
        if not g.list_recognized:
            line = f"{summary.recognized:,} {summary.unit}s recognised as no RLS concern (csv and json list them)."
            console.print(Text(line, style="green"))
            return
        table = Table(title="Recognised, no RLS concern", title_justify="left", box=box.SIMPLE_HEAD, min_width=40)
        table.add_column("Line", no_wrap=True)
        table.add_column("Written", overflow="fold", ratio=1)
        table.add_column("Ingredients", overflow="fold", ratio=1)
        for r in g.recognized:
            names = ", ".join(x.ingredient + (f" ({x.note})" if x.note else "") for x in r.recognized)
            table.add_row(_lit(place(r.record, many)), _lit(r.record.text), Text(names))
        console.print(table)

    @staticmethod
    def _population(console: Console, summary: Summary) -> None:
        from rich.text import Text

        who = f"{summary.patients:,} patients screened, {summary.patients_flagged:,} with at least one finding"
        console.print(Text(who if summary.patients else f"{summary.records:,} lines screened", style="bold"))
        # With patients, how many patients have each drug; else how many findings.
        by_patient = bool(summary.patients_by_ingredient)
        drugs = summary.patients_by_ingredient if by_patient else summary.by_ingredient
        classes = summary.patients_by_class if by_patient else summary.by_class
        what = "Patients" if by_patient else "Findings"
        if drugs:
            console.print(_bar_table("Most frequent flagged drugs", "Drug", what, drugs))
        if classes:
            console.print(_bar_table("Most frequent classes", "Class", what, classes))


def _bar_table(title: str, header: str, what: str, counts: Counter[str]) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    top = counts.most_common(_TOP)
    widest = top[0][1]
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column(header, no_wrap=True)
    table.add_column(what, justify="right")
    table.add_column("", no_wrap=True)
    for name, count in top:
        table.add_row(name, f"{count:,}", Text("█" * max(1, round(30 * count / widest)), style="cyan"))
    return table
