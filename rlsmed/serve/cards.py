"""CDS Hooks cards from a screening's findings: one card per flagged drug among the orders.

A card informs; it never orders. What to consider instead is text in the card's detail (no `suggestions`,
so an EHR offers no button that would change an order), and the override reasons are Codings with a
display, as the specification requires.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple
from urllib.parse import quote

from ..models import Drug, Effect, Evidence, Finding, MatchKind, Source, Status
from ..report import Advice, ReportMeta
from ..writers.safety import printable
from .problems import Problems

__all__ = ["OVERRIDE_REASONS", "CardContext", "cards_for", "markdown_text", "source_url"]

Card = dict[str, Any]

SUMMARY_MAX = 139  # characters: the specification asks for fewer than 140

# HL7's codes for why CDS advice is not followed (CDS Hooks' override-reason vocabulary, trial use): those
# that fit a drug-disease precaution.
_REASONS = "http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes"
OVERRIDE_REASONS: tuple[dict[str, str], ...] = tuple(
    {"code": code, "system": _REASONS, "display": display}
    for code, display in (
        ("risk-benefit-ratio", "Recipient assessment of risk/benefit ratio"),
        ("action-performed-no-adverse-effect", "Intended action was performed previously without adverse effect"),
        ("expert-contradicts", "Advice from expert contradicts the recommended action"),
        ("mitigate-risk-negative-outcome", "Action taken to mitigate risk of negative outcome"),
        ("cds-not-applicable", "PC CDS does not apply to patient"),
    )
)
_WARNING_EVIDENCE = frozenset({Evidence.STRONG, Evidence.MODERATE})
_MAX_SOURCE_LINKS = 3
_DISCLAIMER = (
    "rlsmed supports, and does not replace, clinical judgement: it informs the prescriber and never "
    "advises stopping a medicine."
)


class CardContext(NamedTuple):
    """What every card of a call shares."""

    meta: ReportMeta
    problems: Problems
    every_patient: bool = False  # cards are given whether or not RLS is on the problem list
    base_url: str = ""  # the service's base URL, for links to its knowledge-base pages ("" for none)
    advice: tuple[Advice, ...] = ()
    active: tuple[Finding, ...] = ()  # flagged drugs on the patient's active medication list


def cards_for(findings: Iterable[Finding], context: CardContext) -> list[Card]:
    """One card per flagged drug among the orders' findings, strongest first: drugs the patient is to take
    (not an order that is stopped or an allergy the orders mention) and not ignored by the site."""
    by_drug: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.status is Status.CURRENT and not finding.ignored:
            by_drug.setdefault(finding.drug.name, []).append(finding)
    # A certain match of a drug beats one to verify (a misspelling, a brand to check) in another order.
    chosen = [min(found, key=lambda f: f.needs_verification) for found in by_drug.values()]
    chosen.sort(key=lambda f: (-f.drug.evidence.rank, f.drug.name))
    return [_card(f, by_drug[f.drug.name], context) for f in chosen]


def _ordered_for(finding: Finding, problems: Problems) -> str:
    """Why a dopaminergic drug is ordered: as the order says, else as the problem list suggests."""
    if finding.indication:
        return finding.indication
    return "parkinson" if problems.parkinson else "rls"


def _card(finding: Finding, orders: Sequence[Finding], context: CardContext) -> Card:
    drug = finding.drug
    uncertain = finding.needs_verification
    rls = context.problems.has_rls
    parkinson = drug.effect is Effect.AUGMENTATION and _ordered_for(finding, context.problems) == "parkinson"
    summary = _summary(drug, rls=rls, parkinson=parkinson)
    if uncertain:
        ask = "Possible match, to verify" if finding.match is MatchKind.FUZZY else "To check on the pack"
        summary = f"{ask}: {summary[0].lower()}{summary[1:]}"
    warning = drug.evidence in _WARNING_EVIDENCE and rls and not parkinson and not uncertain
    card: Card = {
        "uuid": str(uuid.uuid4()),
        "summary": _shorten(summary),
        "indicator": "warning" if warning else "info",
        "detail": _detail(finding, orders, context, parkinson=parkinson),
        "source": _source(context),
        "overrideReasons": [dict(r) for r in OVERRIDE_REASONS],
    }
    links = _links(drug, context.base_url)
    if links:
        card["links"] = links
    return card


def _summary(drug: Drug, *, rls: bool, parkinson: bool) -> str:
    name = drug.name[0].upper() + drug.name[1:]
    if drug.effect is Effect.AUGMENTATION:
        if parkinson:
            return f"{name} for Parkinson's disease: watch for RLS symptoms getting worse"
        return f"{name} for RLS: risk of augmentation with long-term daily use"
    mixed = " (mixed evidence)" if drug.effect is Effect.MIXED else ""
    if rls:
        return f"{name} may worsen this patient's restless legs syndrome{mixed}"
    return f"{name} may provoke or worsen restless legs syndrome (RLS){mixed}"


def _detail(finding: Finding, orders: Sequence[Finding], context: CardContext, *, parkinson: bool) -> str:
    drug = finding.drug
    ordered = []
    for f in orders:
        dose = f.record.context.get("dosage", "")
        ordered.append(markdown_text(f.record.text) + (f" ({markdown_text(dose)})" if dose else ""))
    parts = [f"**Ordered:** {'; '.join(dict.fromkeys(ordered))}"]
    if finding.product:
        parts.append(f"**Contains:** {_kb(drug.name)} (as {_kb(finding.product)})")
    if finding.match is MatchKind.FUZZY:
        parts.append(
            f'**To verify:** "{markdown_text(finding.matched_text)}" was read as '
            f"{markdown_text(finding.matched_as)} (similarity {finding.score:.0f} %)."
        )
    if finding.verify:
        parts.append(f"**To verify:** {markdown_text(finding.verify)}")
    if context.problems.has_rls:
        parts.append(f"**Problem list:** {markdown_text('; '.join(context.problems.rls))}")
    elif context.every_patient:
        parts.append("**Problem list:** restless legs syndrome is not recorded (this service screens every patient).")
    if drug.effect is Effect.AUGMENTATION and not finding.indication:
        assumed = "Parkinson's disease" if parkinson else "RLS"
        parts.append(f"**Indication:** not given with the order; taken to be {assumed} from the problem list.")
    parts.append(f"**Why:** {_kb(drug.rationale)}")
    parts.append(f"**Evidence:** {_kb(drug.evidence.label)}. {_kb(drug.evidence_basis)}")
    consider = drug.parkinson if parkinson and drug.parkinson else drug.considerations
    parts.append(f"**Consider:** {_kb(consider)}")
    others = [f for f in context.active if f.drug.name != drug.name and f.status is Status.CURRENT and not f.ignored]
    if others:
        names = ", ".join(dict.fromkeys(f"{f.drug.name} ({f.drug.effect.label})" for f in others))
        parts.append(f"**Also on the active medication list:** {markdown_text(names)}")
    for advice in context.advice:
        parts.append(f"**{markdown_text(advice.topic.capitalize())}:** {markdown_text(advice.text)}")
    parts.append(f"*{_DISCLAIMER}*")
    cited = [_kb(s.reference) for s in drug.sources]
    cited += [f"{_kb(s.reference)} (on the drug class)" for s in drug.class_sources]
    if cited:
        parts.append("**Sources:** " + "; ".join(cited))
    return "\n\n".join(parts)


def _source(context: CardContext) -> dict[str, str]:
    meta = context.meta
    source = {"label": f"rlsmed knowledge base {meta.kb_version} ({meta.kb_updated})"}
    if context.base_url:
        source["url"] = f"{context.base_url}/kb"
    return source


def _links(drug: Drug, base_url: str) -> list[dict[str, str]]:
    links = []
    if base_url:
        links.append(
            {
                "label": f"{drug.name} in the rlsmed knowledge base",
                "url": f"{base_url}/kb/{quote(drug.name, safe='')}",
                "type": "absolute",
            }
        )
    for source in [s for s in (*drug.sources, *drug.class_sources) if source_url(s)][:_MAX_SOURCE_LINKS]:
        links.append({"label": _shorten(source.citation, 100), "url": source_url(source), "type": "absolute"})
    return links


def source_url(source: Source) -> str:
    """A link to a source: its DOI, else its PubMed record, else its own https URL ("" for none)."""
    if source.doi:
        return f"https://doi.org/{quote(source.doi, safe='/:;()')}"
    if source.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{quote(source.pmid, safe='')}/"
    if source.url.startswith("https://"):
        return source.url
    return ""


def _shorten(text: str, most: int = SUMMARY_MAX) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


# Characters that could start Markdown (or HTML) in GitHub-flavoured Markdown, where text from an order
# or the knowledge base is shown: escaped, so that nothing in it becomes a link, an image or markup.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~!#&])")
_BLANKS = re.compile(r"\s+")


def markdown_text(text: str) -> str:
    """Text shown as itself in Markdown: on one line, with every character that could be markup escaped."""
    return _MARKDOWN.sub(r"\\\1", _BLANKS.sub(" ", printable(text)).strip())


# The knowledge base's own texts, escaped once (never an order's text: nothing of a call is kept).
_kb = functools.lru_cache(maxsize=4096)(markdown_text)
