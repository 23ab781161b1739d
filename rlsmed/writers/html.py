"""HTML: a printable report for a consult note or the chart, in one self-contained file (its stylesheet
inline, no script, nothing loaded from elsewhere).

A page header with fields to fill in (patient, date of birth, date, reviewer), the headline, the flagged
medicines, why each drug matters and what to consider with its sources as links, the medicines to
verify, what was not recognised and what was, the iron advice, the knowledge base, the statement that
the report supports and does not replace clinical judgement, and a signature line. Every text from the
input or a knowledge base is escaped. `rlsmed.render(report, "html")` returns the same document.
"""

from __future__ import annotations

import html
import re
from typing import TextIO
from urllib.parse import quote

from .. import __version__
from ..models import Finding, InputRecord, LineResult, Source, Status
from ..report import ReportMeta, Summary
from .base import RunEnd
from .digest import headline, notes_in_order, row_label, short_written
from .gather import Gathered, Section
from .held import HeldReport
from .html_style import STYLE
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
    read_as,
    to_verify,
)
from .safety import printable

__all__ = ["HtmlWriter", "esc"]

_DOI = re.compile(r"doi:(10\.\d{4,9}/\S+?)(?=[.,;)]?(?:\s|$))")
_FIELDS = (("patient", "Patient"), ("dob", "Date of birth"), ("date", "Date"), ("reviewer", "Reviewer"))


def esc(text: str) -> str:
    """Text from anywhere shown as text: escaped, with control and invisible characters replaced."""
    return html.escape(printable(text), quote=True)


def _link(url: str, text: str) -> str:
    """A link, only to a web address (a site's knowledge base could hold any URL: no `javascript:`)."""
    if not url.startswith(("https://", "http://")):
        return esc(text)
    return f'<a href="{esc(url)}">{esc(text)}</a>'


def source_link(source: Source) -> str:
    """A citation with its identifier as a link (DOI, PubMed or the source's address)."""
    citation = esc(source.citation)
    if source.doi:
        return f"{citation} {_link('https://doi.org/' + quote(source.doi, safe='/:;()'), 'doi:' + source.doi)}"
    if source.pmid.isdigit():
        return f"{citation} {_link(f'https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/', 'PMID ' + source.pmid)}"
    if source.url:
        return f"{citation} {_link(source.url, source.url)}"
    return citation


def _linked_dois(text: str) -> str:
    """Text with its "doi:10..." references made links (the advice's sources are written as text)."""
    out, at = [], 0
    for m in _DOI.finditer(text):
        out += [esc(text[at : m.start()]), _link("https://doi.org/" + quote(m.group(1), safe="/:;()"), m.group())]
        at = m.end()
    return "".join([*out, esc(text[at:])])


def _row(cells: list[str], cls: str = "") -> str:
    return (f'<tr class="{cls}">' if cls else "<tr>") + "".join(cells) + "</tr>\n"


def _head(*names: str) -> str:
    return "<thead><tr>" + "".join(f'<th scope="col">{n}</th>' for n in names) + "</tr></thead>\n<tbody>\n"


class HtmlWriter(HeldReport):
    """`--format html`."""

    name = "html"

    def start(self, meta: ReportMeta, out: TextIO, *, reread: bool = False) -> None:
        super().start(meta, out, reread=reread)
        self._open = False  # the findings' section is open

    def top(self, summary: Summary | None) -> None:
        w = self.out.write
        w('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
        w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
        w(f'<meta name="generator" content="rlsmed {esc(__version__)}">\n')
        w(f"<title>RLS medication screening</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n")
        w('<h1>Medication screening for restless legs syndrome</h1>\n<div class="fields">\n')
        for key, label in _FIELDS:
            field = f'<input id="f-{key}" name="{key}" type="text" autocomplete="off">'
            w(f'<label for="f-{key}">{label} {field}</label>\n')
        w("</div>\n")
        inputs = ", ".join(esc(name) for name in self.meta.inputs) or "&lt;text&gt;"
        w(f'<p class="run">Screened: {inputs} · knowledge base {esc(kb_label(self.meta))} · rlsmed {__version__}</p>\n')
        w("</header>\n<main>\n")
        if summary is None:
            w(f'<p class="headline">{esc(STREAMING)}</p>\n')
        else:
            w(f'<p class="headline">{esc(headline(summary))}</p>\n')

    def findings_heading(self) -> None:
        self.out.write("<section>\n<h2>Medicines that may provoke or worsen RLS</h2>\n")
        self._open = True

    def section(self, section: Section, rows: list[LineResult], *, new_source: bool) -> None:
        w = self.out.write
        if new_source:
            w(f"<h3>{esc(section.source)}</h3>\n")
        if section.patient is not None:
            w(f"<h3>Patient {esc(section.patient)}</h3>\n")
        w("<table>\n" + _head("Line", "Written", "Drug", "Effect", "Evidence"))
        for r in rows:
            said: set[str] = set()  # what to verify, said once for the record
            for i, f in enumerate(r.findings):
                w(self._finding(r, f, first=i == 0, said=said))
        w("</tbody>\n</table>\n")

    def _written(self, r: LineResult) -> str:
        short = short_written(r)
        full = " ".join(printable(r.record.text).split())
        text = f"<strong>{esc(short)}</strong>"
        if full.startswith(short):  # the rest of the line (its directions), under the part that identifies it
            full = full[len(short) :].strip()
        if full and full != short:
            text += f'<span class="full">{esc(full)}</span>'
        if directions := dose(r.record):
            text += f'<span class="full">{esc(directions)}</span>'
        return text

    def _finding(self, r: LineResult, f: Finding, *, first: bool, said: set[str]) -> str:
        drug = f'<span class="drug">{esc(f.drug.name)}</span>'
        drug += "".join(f'<span class="verify">{esc(part)}</span>' for part in to_verify(f) if part not in said)
        said.update(to_verify(f))
        if f.status is not Status.CURRENT:  # --all-statuses: screened, and marked with its status
            drug += f'<span class="verify">{esc(not_current(f.status.label, f.status_reason))}</span>'
        if f.ignored:
            drug += f'<span class="ignored">{esc(ignored_label(f))}</span>'
        effect = f.drug.effect.value if f.indication != "parkinson" else "parkinson"
        evidence = f.drug.evidence.value
        cells = [
            f'<td class="line">{esc(row_label(r.record)) if first else ""}</td>',
            f"<td>{self._written(r) if first else ''}</td>",
            f'<th scope="row" class="drug">{drug}</th>',
            f'<td class="effect {effect}">{esc(effect_label(f, short=True))}</td>',
            f'<td><span class="level {evidence}">{evidence}</span></td>',
        ]
        return _row(cells, "is-ignored" if f.ignored else "")

    def rest(self, end: RunEnd, gathered: Gathered, *, streamed: bool) -> None:
        w, summary, g = self.out.write, end.summary, gathered
        if self._open:
            if g.fuzzy:
                w(f'<p class="note">{esc(FUZZY_LEGEND)}</p>\n')
            if g.split_patients:
                w(
                    f'<p class="note">The rows of {len(g.split_patients):,} patients were far apart in the input, '
                    "so their findings appear in more than one section.</p>\n"
                )
            w("</section>\n")
        notes = notes_in_order(g.drugs.values())
        if notes:
            w(f"<section>\n<h2>Why, and {CONSIDER.lower()}</h2>\n")
            for f in notes:
                w(self._note(f))
            w("</section>\n")
        if g.to_verify:
            w("<section>\n<h2>Medicines to verify</h2>\n<p>Misspellings read as the closest flagged name, and ")
            w("brands that mean different products in different markets: check each with the patient, the ")
            w("prescriber or the pack.</p>\n<table>\n" + _head("Line", "Written", "Drug", "To verify"))
            for f in g.to_verify:
                cells = [f'<td class="line">{esc(row_label(f.record))}</td>', f"<td>{esc(f.record.text)}</td>"]
                cells += [f'<th scope="row" class="drug">{esc(f.drug.name)}</th>', f"<td>{esc(read_as(f))}</td>"]
                w(_row(cells))
            w("</tbody>\n</table>\n</section>\n")
        w("".join(f"<p>{esc(note)}</p>\n" for note in left_out_notes(summary)))
        self._mentions(g)
        self._unrecognized(g)
        if g.headings:
            note = f"{plural(g.headings, 'line')} read as headings, labels or column names, not as medicines."
            w(f'<p class="run">{esc(note)}</p>\n')
        self._recognized(g, summary)
        if summary.patients >= 10:
            self._population(summary)
        for advice in end.advice:
            w(f"<section>\n<h2>{esc(advice.topic.capitalize())}</h2>\n<p>{esc(advice.text)}</p>\n")
            w("".join(f'<p class="source">Source: {_linked_dois(ref)}</p>\n' for ref in advice.sources))
            w("</section>\n")
        if streamed:
            w(f'<p class="headline">In all: {esc(headline(summary))}</p>\n')
        w(f'</main>\n<footer>\n<p class="run">Knowledge base {esc(kb_label(self.meta))}; rlsmed {__version__}.</p>\n')
        w(f'<p class="disclaimer">{esc(DISCLAIMER)}</p>\n<div class="signature">')
        w("<div>Reviewed by (name)</div><div>Signature</div><div>Date</div></div>\n</footer>\n</body>\n</html>\n")

    @staticmethod
    def _note(f: Finding) -> str:
        drug = f.drug
        wording = " (Parkinson's disease)" if f.considerations != drug.considerations else ""
        sources = "".join(f"<li>{source_link(s)}</li>" for s in drug.sources)
        sources += "".join(f"<li>On the class: {source_link(s)}</li>" for s in drug.class_sources)
        return (
            f'<article class="drug-note">\n<h3>{esc(drug.name)}{wording} <span class="kind">· {esc(drug.drug_class)}'
            f"</span></h3>\n<dl>\n<dt>Why</dt><dd>{esc(drug.rationale)}</dd>\n"
            f"<dt>{CONSIDER}</dt><dd>{esc(f.considerations)}</dd>\n"
            f'<dt>Evidence</dt><dd><span class="level {drug.evidence.value}">{drug.evidence.value}</span> '
            f"{esc(drug.evidence_basis)}</dd>\n"
            + (f"<dt>Sources</dt><dd><ol>{sources}</ol></dd>\n" if sources else "")
            + "</dl>\n</article>\n"
        )

    def _mentions(self, g: Gathered) -> None:
        """Drugs named but not current, each with its status and the reason: not findings."""
        if not g.mentions:
            return
        w = self.out.write
        w(f"<section>\n<h2>Mentioned, not current</h2>\n<p>{esc(NOT_CURRENT_NOTE)}</p>\n<table>\n")
        w(_head("Line", *(["Patient"] if g.with_patients else []), "Written", "Drug", "Status", "Why"))
        for m in g.mentions:
            who = [f"<td>{esc(m.record.patient or '')}</td>"] if g.with_patients else []
            cells = [self._where(m.record), *who, f"<td>{esc(m.record.text)}</td>"]
            cells += [f'<th scope="row" class="drug">{esc(mention_drug(m))}</th>', f"<td>{esc(m.status.label)}</td>"]
            w(_row([*cells, f"<td>{esc(m.reason)}</td>"], "" if m.flagged else "is-ignored"))
        w("</tbody>\n</table>\n")
        if g.more_mentions:
            w(f"<p>... and {g.more_mentions:,} more not current (--format csv or json lists them all).</p>\n")
        w("</section>\n")

    def _unrecognized(self, g: Gathered) -> None:
        if not g.unrecognized:
            return
        w = self.out.write
        w("<section>\n<h2>Not recognised: please review</h2>\n<table>\n")
        w(_head("Line", *(["Patient"] if g.with_patients else []), "Written"))
        for record in g.unrecognized:
            who = [f"<td>{esc(record.patient or '')}</td>"] if g.with_patients else []
            text = esc(record.text) if record.text else "<em>(no medication given)</em>"
            w(_row([self._where(record), *who, f"<td>{text}</td>"]))
        w("</tbody>\n</table>\n")
        if g.more_unrecognized:
            w(f"<p>... and {g.more_unrecognized:,} more not recognised (--format csv or json lists them all).</p>\n")
        w("</section>\n")

    def _recognized(self, g: Gathered, summary: Summary) -> None:
        if not summary.recognized:
            return
        w = self.out.write
        w("<section>\n<h2>Recognised, no RLS concern</h2>\n")
        if not g.list_recognized:
            w(f"<p>{plural(summary.recognized, summary.unit)} (--format csv or json lists them).</p>\n</section>\n")
            return
        w("<table>\n" + _head("Line", "Written", "Ingredients"))
        for r in g.recognized:
            names = ", ".join(esc(x.ingredient) + (f" ({esc(x.note)})" if x.note else "") for x in r.recognized)
            w(_row([self._where(r.record), f"<td>{self._written(r)}</td>", f"<td>{names}</td>"]))
        w("</tbody>\n</table>\n</section>\n")

    def _where(self, record: InputRecord) -> str:
        where = f"{record.source}: {row_label(record)}" if self.many else row_label(record)
        return f'<td class="line">{esc(where)}</td>'

    def _population(self, summary: Summary) -> None:
        w = self.out.write
        w("<section>\n<h2>Population</h2>\n")
        w(f"<p>{summary.patients:,} patients screened, {summary.patients_flagged:,} with at least one finding.</p>\n")
        for title, counts in (("Drug", summary.patients_by_ingredient), ("Class", summary.patients_by_class)):
            if counts:
                w("<table>\n" + _head(title, "Patients"))
                w("".join(_row([f"<td>{esc(n)}</td>", f"<td>{c:,}</td>"]) for n, c in counts.most_common(10)))
                w("</tbody>\n</table>\n")
        w("</section>\n")
