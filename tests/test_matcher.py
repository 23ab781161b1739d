"""The matcher and screener on a small knowledge base plus the shipped lexicon of ordinary drugs."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsmed.kb import load_knowledge_base
from rlsmed.lexicon import Lexicon, load_lexicon
from rlsmed.matcher import Matcher, max_distance
from rlsmed.models import InputRecord, LineStatus, MatchKind
from rlsmed.normalize import name_key
from rlsmed.screen import Screener, indication_of
from rlsmed.vocabulary import STOPWORDS

from .helpers import TINY_KB

KB = load_knowledge_base(builtin=TINY_KB)
LEXICON = load_lexicon()
MATCHER = Matcher(KB, LEXICON)
SCREENER = Screener(KB, MATCHER)


def screen(text: str) -> tuple[LineStatus, list[tuple[str, str, str]], list[str]]:
    result = SCREENER.screen(InputRecord("t", 1, text))
    findings = [(f.drug.name, f.matched_text, f.match.value) for f in result.findings]
    return result.status, findings, [r.ingredient for r in result.recognized]


@pytest.mark.parametrize(
    ("text", "ingredient", "written"),
    [
        ("sertraline 50 mg PO daily", "sertraline", "sertraline"),
        ("Zoloft 100mg tab qd", "sertraline", "Zoloft"),
        ("SERTRALINE HYDROCHLORIDE 50 MG ORAL TABLET", "sertraline", "SERTRALINE HYDROCHLORIDE"),
        ("sertraline HCl", "sertraline", "sertraline"),
        ("hydrOXYzine pamoate 25 mg", "hydroxyzine", "hydrOXYzine"),
        ("diphenhydrAMINE Hydrochloride 25 MG Oral Tablet", "diphenhydramine", "diphenhydrAMINE"),
        ("Lustral 50", "sertraline", "Lustral"),
        ("Tylenol PM 2 caplets at bedtime", "diphenhydramine", "Tylenol PM"),
        ("TYLENOL-PM", "diphenhydramine", "TYLENOL-PM"),
        ("tylenolpm", "diphenhydramine", "tylenolpm"),
        ("Unisom SleepTabs", "doxylamine", "Unisom SleepTabs"),
        ("Unisom SleepGels", "diphenhydramine", "Unisom SleepGels"),
        ("L-dopa", "levodopa", "L-dopa"),
        ("Ultram 50 mg q6h prn pain", "tramadol", "Ultram"),
    ],
)
def test_exact_names(text: str, ingredient: str, written: str) -> None:
    status, findings, _ = screen(text)
    assert status is LineStatus.FLAGGED
    # The longest known name wins ("sertraline hydrochloride" is a name of its own), so compare prefixes.
    assert any(f[0] == ingredient and f[1].startswith(written) and f[2] == "exact" for f in findings), findings


def test_combination_product_gives_one_finding_per_flagged_ingredient() -> None:
    _, findings, recognized = screen("Ultracet 37.5/325 mg")
    assert [f[0] for f in findings] == ["tramadol"]
    assert recognized == ["acetaminophen"]
    _, findings, recognized = screen("Sinemet 25/100 tid")
    assert [f[0] for f in findings] == ["levodopa"]
    assert recognized == ["carbidopa"]


def test_every_drug_on_a_line_is_found() -> None:
    _, findings, recognized = screen("Meds: sertraline 50, trazodone 50 qhs, melatonin 3mg")
    assert [f[0] for f in findings] == ["sertraline", "trazodone"]
    assert recognized == ["melatonin"]
    _, findings, _ = screen("1. Lexapro 10 mg daily. 2. Tramadol 50 mg")
    assert [f[0] for f in findings] == ["escitalopram", "tramadol"]


def test_a_drug_written_twice_is_one_finding() -> None:
    _, findings, _ = screen("Zoloft (sertraline) 50 mg")
    assert findings == [("sertraline", "Zoloft", "exact")]


@pytest.mark.parametrize(
    ("text", "ingredient"),
    [("sertaline 50mg", "sertraline"), ("Lexipro 10", "escitalopram"), ("Benedryl", "diphenhydramine")],
)
def test_misspellings_are_fuzzy_findings_with_a_score(text: str, ingredient: str) -> None:
    result = SCREENER.screen(InputRecord("t", 1, text))
    [finding] = result.findings
    assert finding.drug.name == ingredient
    assert finding.match is MatchKind.FUZZY
    assert finding.needs_verification
    assert 80 <= finding.score < 100


@pytest.mark.parametrize(
    "text",
    [
        "hydralazine 25 mg",  # not hydroxyzine
        "hydrALAZINE",
        "Celebrex 200 mg",  # not Celexa
        "buspirone 10 mg",  # not bupropion
        "levetiracetam 500 mg",  # not levothyroxine
        "Lithostat",  # not lithium
        "Zyrtec 10 mg",  # lower risk, not Zyprexa
        "Plavix 75 mg",  # not Paxil
        "Restoril",
        "Cerebyx",
    ],
)
def test_look_alikes_are_not_flagged(text: str) -> None:
    status, findings, recognized = screen(text)
    assert findings == []
    assert status is LineStatus.RECOGNIZED
    assert recognized


def test_escitalopram_is_not_citalopram() -> None:
    _, findings, _ = screen("escitalopram 10 mg")
    assert [f[0] for f in findings] == ["escitalopram"]
    _, findings, _ = screen("citalopram 20 mg")
    assert [f[0] for f in findings] == ["citalopram"]


def test_trazodone_is_never_read_as_tramadol() -> None:
    _, findings, _ = screen("traZODone 50 mg qhs")
    assert [f[0] for f in findings] == ["trazodone"]


@pytest.mark.parametrize("word", sorted(w for w in STOPWORDS if len(w) >= 5)[:400])
def test_sig_and_dose_words_are_never_drugs(word: str) -> None:
    assert screen(f"{word} {word.upper()}")[1] == []


def test_lines_without_a_drug_are_unrecognized() -> None:
    assert screen("Take 1 tablet by mouth daily")[0] is LineStatus.UNRECOGNIZED
    assert screen("xyzzy 10 mg")[0] is LineStatus.UNRECOGNIZED
    assert screen("Lipitor 20 mg")[0] is LineStatus.RECOGNIZED


def test_max_distance_grows_with_length() -> None:
    assert [max_distance(n) for n in (3, 4, 5, 7, 8, 12)] == [0, 0, 1, 1, 2, 2]


def test_first_letter_misspellings_are_not_guessed() -> None:
    # Drug-name misspellings almost always keep the first letter; guessing past it flags unrelated words.
    assert screen("xertraline")[1] == []


def test_indication_decides_the_wording_for_dopaminergic_drugs() -> None:
    result = SCREENER.screen(InputRecord("t", 1, "Sinemet 25/100 tid for Parkinson's disease"))
    [finding] = result.findings
    assert finding.indication == "parkinson"
    assert finding.considerations == KB.drugs["levodopa"].parkinson
    result = SCREENER.screen(InputRecord("t", 1, "Sinemet 25/100", reason="Restless legs syndrome"))
    assert result.findings[0].indication == "rls"
    assert result.findings[0].considerations == KB.drugs["levodopa"].considerations
    assert indication_of("aspirin") == ""
    # "PD" is Parkinson's disease in a reason field, and in free text when written in capitals (in small
    # letters it is also "per diem"; knowledge base 2.0, review item 5).
    result = SCREENER.screen(InputRecord("t", 1, "Sinemet 25/100", reason="PD"))
    assert result.findings[0].indication == "parkinson"
    assert indication_of("Sinemet 25/100 PD") == "parkinson"
    assert indication_of("Sinemet 25/100 1 pd") == ""


def test_ignored_findings_are_kept_and_marked() -> None:
    screener = Screener(KB, MATCHER, ignore=["sertraline"])
    [finding] = screener.screen(InputRecord("t", 1, "Zoloft 50")).findings
    assert finding.ignored


def test_rxnorm_code_wins_over_text() -> None:
    lexicon = Lexicon.from_names({"fooxetine": "fooxetine"}, rxnorm={"999": "sertraline"})
    screener = Screener(KB, Matcher(KB, lexicon))
    result = screener.screen(InputRecord("t", 1, "Some product 50 MG", codes=("999",)))
    assert [f.drug.name for f in result.findings] == ["sertraline"]
    assert result.findings[0].matched_text == "Some product 50 MG"
    # An unknown code falls back to the text.
    result = screener.screen(InputRecord("t", 1, "Zoloft 50 MG", codes=("123456",)))
    assert [f.drug.name for f in result.findings] == ["sertraline"]


WORDS = st.sampled_from(["sertraline", "Zoloft", "50", "mg", "qhs", "Lipitor", "hydralazine", "Tylenol", "PM", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=12), st.sampled_from([" ", ", ", "; ", "/", " - "]))
def test_screening_is_consistent_with_its_words(words: list[str], sep: str) -> None:
    text = sep.join(words)
    status, findings, recognized = screen(text)
    expected = set()
    if any(w in ("sertraline", "Zoloft") for w in words):
        expected.add("sertraline")
    letters = [w for w in words if w != "50"]  # numbers are never part of a name
    if any(a == "Tylenol" and b == "PM" for a, b in itertools.pairwise(letters)):
        expected.add("diphenhydramine")  # punctuation or numbers between words do not break a product name
    assert {f[0] for f in findings} == expected
    assert len(findings) == len(expected)  # one finding per ingredient, however often it is written
    if status is LineStatus.UNRECOGNIZED:
        assert not findings and not recognized


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_matcher_never_fails_and_hits_lie_within_the_line(text: str) -> None:
    hits = MATCHER.match(text)
    for hit in hits:
        assert 0 <= hit.start <= hit.end
    result = SCREENER.screen(InputRecord("t", 1, text))
    assert (result.status is LineStatus.FLAGGED) == bool(result.findings)


KB_NAMES = {name_key(n) for d in KB.drugs.values() for n in (d.name, *d.names)} | {
    name_key(p.name) for p in KB.products
}
ORDINARY = sorted(
    key
    for key, ingredients in LEXICON.names.items()
    if not MATCHER.flagged.intersection(ingredients.split("|")) and key not in KB_NAMES
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ORDINARY))
def test_an_ordinary_drug_name_is_never_flagged(name: str) -> None:
    assert not any(i in MATCHER.flagged for h in MATCHER.match(name) for i in h.target.ingredients)
