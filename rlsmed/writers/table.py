"""The terminal report, for a pharmacist at a glance: the headline, the flagged medicines most important
first, why each drug matters and what to consider (once per drug), what was not recognised, what was
recognised, and the iron advice; a population summary when the input has many patients or lines.

It fits its width (80 columns by default) with no word broken, and is laid out by hand (layout.py), so
that a report of a million lines is written at the speed of the JSON one.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence

from ..models import Effect, Evidence, Finding, InputRecord, LineResult, Mention, Status
from ..report import Summary
from .base import RunEnd
from .digest import headline, notes_in_order, row_label, short_written
from .gather import LIST_RECOGNIZED_UP_TO, Gathered, Section
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
    mention_drug,
    not_current,
    plural,
    to_verify,
)
from .layout import Cell, Column, Styler, table, wrap
from .safety import printable
from .written import identifying

__all__ = ["DEFAULT_WIDTH", "TableWriter", "report_width"]

DEFAULT_WIDTH = 80  # when neither --width nor COLUMNS says, and the output is not a terminal
_PROSE = 100  # prose is wrapped at most this wide: longer lines are hard to read, on any terminal
_TOP = 10  # drugs and classes in the population summary
_POPULATION_FROM = 10  # patients from which the population summary is worth showing
_EVIDENCE_STYLE = {
    Evidence.STRONG: "bold red",
    Evidence.MODERATE: "red",
    Evidence.WEAK: "yellow",
    Evidence.EXPERT: "",
}
_EFFECT_STYLE = {Effect.AUGMENTATION: "bold magenta", Effect.MIXED: "yellow"}
_WRITTEN_MOST = 50  # a shortened line is short; what to verify of it may be long, and is wrapped


def report_width(width: int | None) -> int:
    """The report's width: `width`, else the COLUMNS environment variable, else 80 (never a guess at a
    pager's width: a report piped or written to a file is as wide as COLUMNS says)."""
    if width:
        return width
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and 40 <= int(columns) <= 1000 else DEFAULT_WIDTH


class TableWriter(HeldReport):
    """`--format table` (the default). `verbose` (-v) shows each whole line, its dose and directions, how
    each name was matched, and each drug's evidence and sources."""

    name = "table"

    def __init__(self, *, color: bool = False, width: int | None = None, verbose: bool = False) -> None:
        self.color = color
        self.width = report_width(width)
        self.verbose = verbose
        self.style = Styler(color)
        self._prose = min(self.width, _PROSE)
        written = Column("Written", most=0 if verbose else _WRITTEN_MOST)  # -v: whole lines, as wide as they go
        self._columns = [Column("Line"), written, *(Column(h, wrap=False) for h in ("Drug", "Effect", "Evidence"))]

    # Lines, headings and prose.

    def _write(self, lines: Sequence[str]) -> None:
        if lines:
            self.out.write("\n".join(lines) + "\n")

    def _heading(self, title: str) -> None:
        """A heading: a rule with its title, as wide as the report (bold on a terminal)."""
        text = f"── {title} "
        if len(text) + 2 <= self.width:
            self._write(["", self.style(text + "─" * (self.width - len(text)), "bold")])
            return
        lines = wrap(title, self.width - 3)
        self._write(["", *(self.style(("── " if n == 0 else "   ") + line, "bold") for n, line in enumerate(lines))])

    def _para(self, text: str, style: str = "", *, indent: int = 0, hang: int = 0, label: str = "") -> None:
        """A paragraph wrapped at the prose width; `label` (bold) starts it, later lines indented by `hang`."""
        first = " " * indent
        lines = wrap(label + text, self._prose - indent - hang) if hang else wrap(label + text, self._prose - indent)
        out = []
        for n, line in enumerate(lines):
            pad = first if n == 0 else " " * (indent + hang)
            if n == 0 and label:
                out.append(pad + self.style(label.rstrip(), "bold") + " " + self.style(line[len(label) :], style))
            else:
                out.append(pad + self.style(line, style))
        self._write([line.rstrip() for line in out])

    # The parts of the report (see HeldReport).

    def top(self, summary: Summary | None) -> None:
        if summary is None:
            self._para(STREAMING, "yellow")
        else:
            self._para(headline(summary), "bold")

    def findings_heading(self) -> None:
        self._heading("Medicines that may provoke or worsen RLS")

    def section(self, section: Section, rows: list[LineResult], *, new_source: bool) -> None:
        if new_source:
            self._write(["", self.style(printable(section.source), "bold cyan")])
        if section.patient is not None:
            self._write(["", self.style(f"Patient {printable(section.patient)}", "bold")])
        cells = [cell for r in rows for cell in self._finding_rows(r)]
        lines = table(self._columns, cells, self.width, self.style)
        self._write(lines if lines is not None else self._stacked(rows))

    def _finding_rows(self, r: LineResult) -> list[list[Cell]]:
        rows: list[list[Cell]] = []
        said: set[str] = set()  # what to verify, said once for the record (a brand's note names all its meanings)
        for i, f in enumerate(r.findings):
            dim = "dim" if f.ignored else ""
            written: list[tuple[str, str]] = []
            if i == 0:
                written.append((printable(r.record.text if self.verbose else short_written(r)), dim))
                written.extend((printable(extra), "dim") for extra in self._details(r.record))
            if f.needs_verification:
                written.extend((printable(part), "yellow") for part in to_verify(f) if part not in said)
                said.update(to_verify(f))
            elif self.verbose and f.matched_as.lower() != f.drug.name:  # a brand, a product, a synonym
                written.append((f"matched {printable(f.matched_as)}", "dim"))
            if f.status is not Status.CURRENT:  # --all-statuses: screened, and marked with its status
                written.append((printable(not_current(f.status.label, f.status_reason)), "yellow"))
            if f.ignored:
                written.append((printable(ignored_label(f)), "dim"))
            rows.append(
                [
                    [(printable(row_label(r.record)) if i == 0 else "", dim)],
                    written,
                    [(f.drug.name, dim or "bold")],
                    [(effect_label(f, short=True), dim or _EFFECT_STYLE.get(f.drug.effect, ""))],
                    [(f.drug.evidence.value, dim or _EVIDENCE_STYLE[f.drug.evidence])],
                ]
            )
        return rows

    def _details(self, record: InputRecord) -> list[str]:
        """What is shown under a record's text with -v: its full record name, its dose and directions."""
        out: list[str] = []
        if self.verbose:
            if record.record and row_label(record) != record.record:
                out.append(record.record)
            if directions := dose(record):
                out.append(directions)
        return out

    def _stacked(self, rows: list[LineResult]) -> list[str]:
        """The findings one block each, for a width too narrow for the table."""
        lines: list[str] = []
        for r in rows:
            where = printable(row_label(r.record))
            for f in r.findings:
                head = f"{where}  {f.drug.name}: {effect_label(f, short=True)}, {f.drug.evidence.value} evidence"
                lines += [("  " if n == 0 else "    ") + t for n, t in enumerate(wrap(head, self.width - 4))]
                details = [short_written(r), *self._details(r.record)]
                details += to_verify(f)
                details += [ignored_label(f)] if f.ignored else []
                lines += ["    " + line for text in details for line in wrap(printable(text), self.width - 4)]
        return lines

    def rest(self, end: RunEnd, gathered: Gathered, *, streamed: bool) -> None:
        summary, g = end.summary, gathered
        if g.fuzzy:
            self._write([""])
            self._para(FUZZY_LEGEND, "yellow", indent=2)
        if g.split_patients:
            note = (
                f"The rows of {len(g.split_patients):,} patients were far apart in the input, so their findings "
                "appear in more than one section (sort the input by patient to keep them together)."
            )
            self._para(note, "yellow", indent=2)
        notes = notes_in_order(g.drugs.values())
        if notes:
            self._heading(f"Why, and {CONSIDER.lower()}")
            for n, f in enumerate(notes):
                self._notes(f, first=n == 0)
        for note in left_out_notes(summary):
            self._write([""])
            self._para(note, "yellow")
        self._mentions(g)
        self._unrecognized(g)
        if g.headings:
            note = f"{plural(g.headings, 'line')} read as headings, labels or column names, not as medicines."
            self._write([""])
            self._para(note, "dim", indent=2)
        self._recognized(g, summary)
        if summary.patients >= _POPULATION_FROM or (not g.with_patients and summary.records > LIST_RECOGNIZED_UP_TO):
            self._population(summary)
        for advice in end.advice:
            self._heading(advice.topic.capitalize())
            self._para(advice.text, indent=2)
            for ref in advice.sources:
                self._para(ref, "dim", indent=2, hang=2, label="Source: ")
        if streamed:
            self._write([""])
            self._para("In all: " + headline(summary), "bold")
        self._write([""])
        self._para(f"Knowledge base {kb_label(self.meta)}. {DISCLAIMER}", "dim")

    def _notes(self, f: Finding, *, first: bool) -> None:
        """Why a drug matters and what to consider, once per drug (and wording)."""
        drug = f.drug
        wording = " for Parkinson's disease" if f.considerations != drug.considerations else ""
        name, kind = drug.name + wording, f" · {drug.drug_class}"
        if len(name + kind) <= self.width:
            title = [self.style(name, "bold") + self.style(kind, "dim")]
        else:
            title = [self.style(line, "bold") for line in wrap(name + kind, self.width)]
        self._write(([] if first else [""]) + title)
        self._para(drug.rationale, indent=2, hang=2, label="Why: ")
        self._para(f.considerations, indent=2, hang=2, label=f"{CONSIDER}: ")
        if self.verbose:
            self._para(f"{drug.evidence.label}: {drug.evidence_basis}", indent=2, hang=2, label="Evidence: ")
            for source in drug.sources:
                self._para(source.reference, "dim", indent=2, hang=2, label="Source: ")
            for source in drug.class_sources:
                self._para(source.reference, "dim", indent=2, hang=2, label="Source on the class: ")

    def _by_source(
        self, items: Sequence[InputRecord | LineResult | Mention], make: Callable[[list[int]], None]
    ) -> None:
        """`make` called with the positions of each input's items, after the input's name (several inputs)."""
        if not self.many:
            make(list(range(len(items))))
            return
        groups: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            record = item if isinstance(item, InputRecord) else item.record
            groups.setdefault(record.source, []).append(i)
        for source, positions in groups.items():
            self._write(["", self.style(printable(source), "bold cyan")])
            make(positions)

    def _mentions(self, g: Gathered) -> None:
        """Drugs named but not current (stopped, an allergy, a relative's ...), each with its status and the
        reason, for a person to check: not findings."""
        if not g.mentions:
            return
        self._heading("Mentioned, not current")
        columns = [Column("Line", wrap=False), *([Column("Patient")] if g.with_patients else [])]
        columns += [Column("Written"), Column("Drug")]  # the reason under the line: as wide as it goes

        def make(positions: list[int]) -> None:
            rows: list[list[Cell]] = []
            for m in (g.mentions[i] for i in positions):
                style = "" if m.flagged else "dim"
                text = m.record.text if self.verbose else identifying(m.record.text, [m.matched_text])
                written = [(printable(text), style), (printable(not_current(m.status.label, m.reason)), "dim")]
                who = [[(printable(m.record.patient or ""), style)]] if g.with_patients else []
                drug = [(mention_drug(m), style or "bold")]
                rows.append([[(printable(row_label(m.record)), style)], *who, written, drug])
            self._write(table(columns, rows, self.width, self.style) or self._list(rows))

        self._by_source(g.mentions, make)
        if g.more_mentions:
            more = f"... and {g.more_mentions:,} more not current (--format csv or json lists them all)."
            self._para(more, "yellow", indent=2)
        self._write([""])
        self._para(NOT_CURRENT_NOTE, "dim", indent=2)

    def _unrecognized(self, g: Gathered) -> None:
        if not g.unrecognized:
            return
        self._heading("Not recognised: please review")
        columns = [Column("Line", wrap=False), *([Column("Patient")] if g.with_patients else []), Column("Written")]

        def make(positions: list[int]) -> None:
            rows: list[list[Cell]] = []
            for record in (g.unrecognized[i] for i in positions):
                written = (printable(record.text), "") if record.text else ("(no medication given)", "dim")
                who = [[(printable(record.patient or ""), "")]] if g.with_patients else []
                rows.append([[(printable(row_label(record, full=self.verbose)), "")], *who, [written]])
            self._write(table(columns, rows, self.width, self.style) or self._list(rows))

        self._by_source(g.unrecognized, make)
        if g.more_unrecognized:
            more = f"... and {g.more_unrecognized:,} more not recognised (--format csv or json lists them all)."
            self._para(more, "yellow", indent=2)

    def _recognized(self, g: Gathered, summary: Summary) -> None:
        if not summary.recognized:
            return
        self._heading("Recognised, no RLS concern")
        if not g.list_recognized:
            self._para(f"{plural(summary.recognized, summary.unit)} (--format csv or json lists them).", indent=2)
            return
        columns = [Column("Line", wrap=False), Column("Written"), Column("Ingredients")]

        def make(positions: list[int]) -> None:
            rows: list[list[Cell]] = []
            for r in (g.recognized[i] for i in positions):
                names = ", ".join(x.ingredient + (f" ({x.note})" if x.note else "") for x in r.recognized)
                text = r.record.text if self.verbose else short_written(r)
                rows.append([[(printable(row_label(r.record)), "")], [(printable(text), "")], [(names, "")]])
            self._write(table(columns, rows, self.width, self.style) or self._list(rows))

        self._by_source(g.recognized, make)

    @staticmethod
    def _list(rows: list[list[Cell]]) -> list[str]:
        """Rows as plain lines, when a table cannot fit (a very narrow width)."""
        return ["  " + "  ".join(text for cell in row for text, _ in cell if text) for row in rows]

    def _population(self, summary: Summary) -> None:
        self._heading("Population")
        who = f"{summary.patients:,} patients screened, {summary.patients_flagged:,} with at least one finding"
        self._para(who if summary.patients else f"{plural(summary.records, summary.unit)} screened", indent=2)
        # With patients, how many patients have each drug; else how many findings.
        by_patient = bool(summary.patients_by_ingredient)
        drugs = summary.patients_by_ingredient if by_patient else summary.by_ingredient
        classes = summary.patients_by_class if by_patient else summary.by_class
        what = "Patients" if by_patient else "Findings"
        for title, header, counts in (("Most frequent flagged drugs", "Drug", drugs), ("Classes", "Class", classes)):
            if counts:
                self._write(["", "  " + self.style(title, "bold")])
                self._write(self._bars(header, what, counts))

    def _bars(self, header: str, what: str, counts: Counter[str]) -> list[str]:
        top = counts.most_common(_TOP)
        widest = top[0][1]
        columns = [Column(header), Column(what, wrap=False, right=True), Column("", wrap=False)]
        rows: list[list[Cell]] = [
            [[(name, "")], [(f"{count:,}", "")], [("█" * max(1, round(20 * count / widest)), "cyan")]]
            for name, count in top
        ]
        return table(columns, rows, self.width, self.style) or self._list(rows)
