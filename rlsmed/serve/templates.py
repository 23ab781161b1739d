"""The server's own HTML: the form, error pages, and the knowledge-base pages. Every value is escaped;
no page has a script, an inline style attribute, or anything loaded from elsewhere (one style sheet
in the page, allowed by its hash)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from urllib.parse import quote

from ..models import Drug, KnowledgeBase, Source
from .cards import source_url

__all__ = ["entry_page", "error_page", "form_page", "index_page"]

_STYLE = """
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 52rem;
  padding: 1rem 1.25rem 3rem; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.5rem; margin: .5rem 0 .25rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
textarea { width: 100%; box-sizing: border-box; font: 15px/1.4 ui-monospace, Menlo, Consolas, monospace; }
fieldset { border: 1px solid #bbb; margin-top: 1rem; } fieldset label { display: inline-block; margin-right: 1rem; }
input[type=number] { width: 7rem; }
button { margin-top: 1.25rem; font-size: 1rem; padding: .5rem 1.5rem; }
.note, footer { color: #555; font-size: .9rem; } footer { margin-top: 2.5rem; border-top: 1px solid #ddd; }
.error { border-left: 4px solid #b00020; padding: .5rem 1rem; background: #fff4f4; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
  border-bottom: 1px solid #e2e2e2; } dt { font-weight: 600; margin-top: .6rem; } dd { margin-left: 1.25rem; }
"""
_DISCLAIMER = (
    "rlsmed supports, and does not replace, clinical judgement: it reports what the literature says about each "
    "drug, for a pharmacist or prescriber to weigh. It never advises stopping a medicine."
)


def _page(title: str, body: str, kb: KnowledgeBase) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n"
        f'<footer><p>Knowledge base {escape(kb.version)} ({escape(kb.updated)}): <a href="/kb">entries and '
        f"sources</a>. Nothing you enter is stored or logged.</p><p>{escape(_DISCLAIMER)}</p></footer>\n"
        "</body>\n</html>\n"
    )


def form_page(kb: KnowledgeBase, formats: Iterable[str], max_body: int) -> str:
    """GET /: paste a list or choose a file; iron studies are optional."""
    body = f"""<h1>Medicines that may worsen restless legs syndrome</h1>
<p>Paste a patient's medication list, or choose a file, and rlsmed reports every drug that may provoke or
worsen RLS, with its rationale, evidence and what to consider instead.</p>
<form method="post" action="/check" enctype="multipart/form-data">
<label for="medications">Medication list (one medicine a line)</label>
<textarea id="medications" name="medications" rows="14" spellcheck="false"
 placeholder="Zoloft 50 mg daily&#10;Benadryl 25 mg at bedtime&#10;metoclopramide 10 mg before meals"></textarea>
<label for="file">Or a file</label>
<input id="file" name="file" type="file">
<p class="note">Formats: {escape(", ".join(formats))}; up to {max_body // (1 << 20)} MB.</p>
<fieldset><legend>Iron studies (optional, for specific iron advice)</legend>
<label>Ferritin (ng/mL) <input name="ferritin" type="number" min="0" step="any"></label>
<label>Transferrin saturation (%) <input name="tsat" type="number" min="0" max="100" step="any"></label>
</fieldset>
<button type="submit">Screen</button>
</form>"""
    return _page("rlsmed: medication screen for RLS", body, kb)


def error_page(kb: KnowledgeBase, message: str) -> str:
    body = (
        f'<h1>The list could not be screened</h1>\n<p class="error">{escape(message)}</p>\n'
        '<p><a href="/">Back to the form</a></p>'
    )
    return _page("rlsmed: not screened", body, kb)


def index_page(kb: KnowledgeBase) -> str:
    """GET /kb: every entry, flagged ones first, with the evidence scale."""
    rows = "\n".join(
        f'<tr><td><a href="/kb/{quote(d.name, safe="")}">{escape(d.name)}</a></td><td>{escape(d.drug_class)}</td>'
        f"<td>{escape(d.effect.label)}</td><td>{escape(d.evidence.value)}</td></tr>"
        for d in sorted(kb.drugs.values(), key=lambda d: (not d.flagged, d.drug_class, d.name))
    )
    body = f"""<h1>rlsmed knowledge base {escape(kb.version)} ({escape(kb.updated)})</h1>
<p>{len(kb.drugs)} ingredients: those that may provoke or worsen RLS or cause augmentation, and lower-risk
alternatives and RLS treatments (never flagged). Evidence, weakest first: <b>expert</b> (no drug-specific
report: the drug's class or mechanism, or a guideline's opinion), <b>weak</b> (case reports), <b>moderate</b>
(a case series or a pharmacovigilance signal), <b>strong</b> (a trial, or a cohort with a rate).</p>
<table><thead><tr><th>Ingredient</th><th>Class</th><th>Effect</th><th>Evidence</th></tr></thead>
<tbody>
{rows}
</tbody></table>"""
    return _page(f"rlsmed knowledge base {kb.version}", body, kb)


def entry_page(drug: Drug, kb: KnowledgeBase) -> str:
    """GET /kb/NAME: one entry, as `rlsmed explain` shows it, with links to its sources."""
    products = sorted(p.name for p in kb.products if drug.name in p.ingredients)
    fields = [
        ("Effect", drug.effect.label + ("" if drug.flagged else " (never flagged)")),
        ("Evidence", f"{drug.evidence.value}: {drug.evidence_basis}"),
        ("Mechanism", drug.mechanism),
        ("Why", drug.rationale),
        ("Consider", drug.considerations),
        ("In Parkinson's disease", drug.parkinson),
        ("Also called", ", ".join(drug.names)),
        ("In products", ", ".join(products)),
        ("ATC", ", ".join(drug.atc)),
    ]
    items = "\n".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in fields if v)
    sources = "\n".join(f"<li>{_source(s)}</li>" for s in drug.sources)
    if drug.class_sources:
        sources += "\n<li>About the drug class (these do not name this drug):<ul>\n"
        sources += "\n".join(f"<li>{_source(s)}</li>" for s in drug.class_sources) + "\n</ul></li>"
    body = f"""<p><a href="/kb">Knowledge base</a></p>
<h1>{escape(drug.name)}</h1>
<p>{escape(drug.drug_class)}</p>
<dl>
{items}
</dl>
<h2>Sources</h2>
<ul>
{sources}
</ul>"""
    return _page(f"{drug.name}: rlsmed knowledge base", body, kb)


def _source(source: Source) -> str:
    url = source_url(source)
    shown = f"doi:{source.doi}" if source.doi else f"PMID {source.pmid}" if source.pmid else url
    return escape(source.citation) + (f' <a href="{escape(url)}">{escape(shown)}</a>' if url else "")
