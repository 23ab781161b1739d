"""Brands by market (--country), local names, night-time versions of brands, and site files that may add
names but never hide a flagged one."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import rlsmed
from rlsmed.countries import country_code, local_name
from rlsmed.errors import KnowledgeBaseError, UsageError
from rlsmed.kb import load_knowledge_base, validate_file

from .helpers import explain_failure, run_cli, write


def flagged(text: str, **options: object) -> dict[str, str]:
    """Each flagged ingredient of a one-line check, with what to verify about it."""
    report = rlsmed.check(text, **options)
    return {f.drug.name: f.verify for f in report.findings}


def recognized(text: str, **options: object) -> list[str]:
    return [r.ingredient for result in rlsmed.check(text, **options).results for r in result.recognized]


@pytest.mark.parametrize(
    ("country", "expected"),
    [("US", {"diphenhydramine"}), ("CA", {"diphenhydramine"}), ("AU", {"diphenhydramine"}), ("GB", set())],
)
def test_a_brand_is_read_as_the_countrys_product(country: str, expected: set[str]) -> None:
    found = flagged("Benadryl 25 mg", country=country)
    assert set(found) == expected
    assert not any(found.values())  # the country chose the meaning: nothing to verify


def test_uk_benadryl_is_an_antihistamine_that_is_no_concern() -> None:
    assert recognized("Benadryl Allergy Relief", country="GB") == ["acrivastine"]
    assert recognized("Benadryl", country="GB") == ["acrivastine", "cetirizine"]


def test_without_a_country_an_ambiguous_brand_stands_for_every_market_and_says_so() -> None:
    found = flagged("Sominex")
    assert set(found) == {"diphenhydramine", "promethazine"}
    note = found["promethazine"]
    assert "differs by market (no country given)" in note
    assert "diphenhydramine (US)" in note and "promethazine (GB)" in note and "check the pack" in note
    report = rlsmed.check("Sominex")
    assert all(f.needs_verification for f in report.findings)
    assert report.summary.needs_verification == 2


def test_a_country_without_an_entry_gets_every_market_and_the_note_names_it() -> None:
    found = flagged("Benadryl", country="DE")
    assert set(found) == {"diphenhydramine"}
    assert "none listed for DE" in found["diphenhydramine"]
    assert "acrivastine, cetirizine (GB)" in found["diphenhydramine"]


def test_a_product_of_one_market_read_elsewhere_also_stands_for_its_brand_there() -> None:
    assert set(flagged("Benadryl Allergy Relief", country="US")) == {"diphenhydramine"}
    assert set(flagged("Benadryl Allergy Relief")) == {"diphenhydramine"}


@pytest.mark.parametrize(
    ("text", "country", "name"),
    [
        ("chlorpheniramine 4 mg", "GB", "chlorphenamine"),
        ("chlorpheniramine 4 mg", "US", "chlorpheniramine"),
        ("chlorpheniramine 4 mg", "", "chlorpheniramine"),
        ("levomepromazine 6.25 mg", "FR", "levomepromazine"),
        ("levomepromazine 6.25 mg", "US", "methotrimeprazine"),
        ("Piriton 4 mg", "GB", "chlorphenamine"),
    ],
)
def test_flagged_ingredients_are_named_as_the_country_names_them(text: str, country: str, name: str) -> None:
    assert set(flagged(text, country=country)) == {name}


def test_recognised_ingredients_are_named_as_the_country_names_them() -> None:
    assert recognized("Tylenol 500 mg", country="GB") == ["paracetamol"]
    assert recognized("Tylenol 500 mg", country="CA") == ["acetaminophen"]
    assert recognized("Tylenol 500 mg") == ["acetaminophen"]


def test_ignoring_a_drug_works_whatever_the_country_calls_it() -> None:
    report = rlsmed.check("chlorpheniramine 4 mg", country="GB", ignore=["chlorpheniramine"])
    assert [f.ignored for f in report.findings] == [True]


def test_country_codes() -> None:
    assert country_code("gb") == "GB"
    with pytest.raises(ValueError, match="did you mean GB"):
        country_code("UK")
    with pytest.raises(ValueError, match="not an ISO 3166-1"):
        country_code("XX")
    with pytest.raises(UsageError, match=r"--country 'UK'.*did you mean GB"):
        rlsmed.check("Benadryl", country="UK")
    assert local_name("acetaminophen", "DE") == "paracetamol"
    assert local_name("acetaminophen", "") == "acetaminophen"


def test_the_command_line_reads_a_country_and_every_report_states_it() -> None:
    result = run_cli(["check", "--country", "gb", "--format", "json"], stdin="Sominex\nPiriton\n")
    assert result.exit_code == 1, explain_failure(result)
    doc = json.loads(result.stdout)
    assert doc["country"] == "GB"
    assert [f["ingredient"] for f in doc["findings"]] == ["promethazine", "chlorphenamine"]
    table = run_cli(["check", "--country", "GB"], stdin="Sominex\n")
    assert "products of GB" in table.stdout
    bad = run_cli(["check", "--country", "UK"], stdin="Sominex\n")
    assert bad.exit_code == 2 and "did you mean GB" in bad.stderr


def test_ambiguity_reaches_every_format() -> None:
    doc = json.loads(run_cli(["check", "-f", "json"], stdin="Benadryl\n").stdout)
    finding = doc["findings"][0]
    assert finding["needs_verification"] is True and "differs by market" in finding["verify"]
    csv_out = run_cli(["check", "-f", "csv"], stdin="Benadryl\n").stdout
    assert "differs by market" in csv_out.splitlines()[1]
    assert "differs by market" in run_cli(["check", "-f", "markdown"], stdin="Benadryl\n").stdout
    assert "differs by market" in run_cli(["check", "--width", "200"], stdin="Benadryl\n").stdout


# Night-time versions of brands the knowledge base does not hold.


@pytest.mark.parametrize(
    "text", ["Calpol Night", "Tylenol Sleep", "Advil Nighttime", "Aleve Sleep", "acetaminophen PM", "Motrin night time"]
)
def test_a_night_version_of_an_analgesic_or_cold_brand_is_reported_to_check_the_pack(text: str) -> None:
    assert flagged(text) == {"sedating antihistamine": "may contain a sedating antihistamine: check the pack"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tylenol 500 mg at night", set()),  # a time of day, not a product
        ("Lipitor PM", set()),  # not a brand with night-time versions
        ("lisinopril 10 mg nightly", set()),
        ("Tylenol PM", {"diphenhydramine"}),  # a known product keeps its own meaning
        ("Panadol Night", {"diphenhydramine"}),
        ("Benylin Night", {"diphenhydramine"}),  # already flagged: nothing more to add
    ],
)
def test_night_words_elsewhere_or_after_known_products_change_nothing(text: str, expected: set[str]) -> None:
    assert set(flagged(text)) == expected


def test_night_versions_are_found_the_same_with_worker_processes(tmp_path: Path) -> None:
    lines = ["Calpol Night", "Tylenol Sleep", "Benadryl", "Tylenol 500 mg"] * 50
    path = write(tmp_path, "meds.txt", "\n".join(lines) + "\n")
    one = rlsmed.check_files([path], jobs=1)
    two = rlsmed.check_files([path], jobs=2)
    assert [(f.drug.name, f.verify) for f in one.findings] == [(f.drug.name, f.verify) for f in two.findings]


# Site files (robustness audit, defect 7).

HIDING = """
products:
  - name: "Zoloft tablets"
    ingredients: [metformin]
drugs:
  - name: bupropion
    names: [sertaline, Zolof]
"""


def test_a_site_name_that_holds_or_nearly_equals_a_flagged_name_is_refused(tmp_path: Path) -> None:
    site = write(tmp_path, "site.yaml", HIDING)
    problems = validate_file(site)
    assert any("'Zoloft tablets' hides flagged name 'Zoloft' (sertraline)" in p for p in problems)
    assert any("'sertaline' hides flagged name 'sertraline'" in p for p in problems)
    assert any("'Zolof' hides flagged name 'Zoloft'" in p for p in problems)
    with pytest.raises(KnowledgeBaseError):
        load_knowledge_base([site])


def test_a_site_name_may_hold_a_flagged_name_when_it_lists_the_ingredient(tmp_path: Path) -> None:
    site = write(tmp_path, "site.yaml", 'products:\n  - name: "Zoloft tablets"\n    ingredients: [sertraline]\n')
    assert validate_file(site) == []
    assert set(flagged("Zoloft tablets 50 mg", kb_files=[str(site)])) == {"sertraline"}


def test_a_flagged_name_inside_a_site_match_still_counts(tmp_path: Path) -> None:
    # "Zolof tablets" is no run of a flagged name and too far from one to be refused, but the shipped
    # knowledge base still reads "Zolof" as a misspelling of Zoloft.
    site = write(tmp_path, "site.yaml", 'products:\n  - name: "Zolof tablets"\n    ingredients: [metformin]\n')
    assert validate_file(site) == []
    report = rlsmed.check("Zolof tablets 50 mg", kb_files=[str(site)])
    assert [(f.drug.name, f.match.value) for f in report.findings] == [("sertraline", "fuzzy")]


def test_reports_name_site_files_with_their_hash_and_say_when_they_changed_an_outcome(tmp_path: Path) -> None:
    text = 'products:\n  - name: "Glucofoo"\n    ingredients: [metformin]\n'
    site = write(tmp_path, "site.yaml", text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    result = run_cli(["check", "--kb", str(site), "-f", "json"], stdin="Glucofoo 500\nZoloft\n")
    doc = json.loads(result.stdout)
    assert doc["kb_site_files"] == [{"path": str(site), "sha256": digest}]
    assert "changed the outcome of 1 line (1 unrecognized -> recognized)" in result.stderr
    csv_out = run_cli(["check", "--kb", str(site), "-f", "csv"], stdin="Zoloft\n").stdout
    assert f"(sha256 {digest[:12]})" in csv_out
    table = run_cli(["check", "--kb", str(site)], stdin="Zoloft\n").stdout
    assert f"(sha256 {digest[:12]})" in " ".join(table.split())
    jsonl = json.loads(run_cli(["check", "--kb", str(site), "-f", "jsonl"], stdin="Zoloft\n").stdout)
    assert jsonl["kb_site_files"][0]["sha256"] == digest


# Parkinson's wording (knowledge-base review, item 5).


@pytest.mark.parametrize(
    ("text", "indication"),
    [
        ("Rytary 36.25/145 tid", "parkinson"),  # licensed for Parkinson's disease only
        ("Duodopa gel", "parkinson"),
        ("Vyalev infusion", "parkinson"),
        ("Inbrija 84 mg prn", "parkinson"),
        ("Stalevo 100", "parkinson"),
        ("pramipexole 0.25 mg TID (PD)", "parkinson"),  # PD in capitals on the line
        ("ropinirole 0.25 mg 1 pd", ""),  # "pd" in small letters: per diem
        ("Sinemet 25/100", ""),  # used for both: the RLS wording stays
        ("Sinemet 25/100 for RLS", "rls"),
    ],
)
def test_parkinsons_products_and_pd_on_the_line_get_the_parkinsons_wording(text: str, indication: str) -> None:
    (finding,) = rlsmed.check(text).findings
    assert finding.indication == indication
    if indication == "parkinson":
        assert finding.considerations.startswith("Essential therapy")


def test_a_product_indication_other_than_parkinson_is_refused(tmp_path: Path) -> None:
    site = write(
        tmp_path, "site.yaml", "products:\n  - name: Foodopa\n    ingredients: [levodopa]\n    indication: rls\n"
    )
    assert any("indication must be 'parkinson'" in p for p in validate_file(site))
