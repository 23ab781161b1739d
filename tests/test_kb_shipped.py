"""The shipped knowledge base: valid, complete for the core drugs, silent on the safe ones, carefully worded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rlsmed.engine import engine
from rlsmed.kb import builtin_path, load_knowledge_base, validate_file
from rlsmed.kb.evidence import DRUG_SPECIFIC, level_for
from rlsmed.models import Drug, Effect, Evidence, EvidenceKind, InputRecord, LineStatus
from rlsmed.normalize import name_key
from rlsmed.screen import Screener

from .helpers import ROOT

KB = load_knowledge_base()
MATCHER = engine().matcher
SCREENER = Screener(KB, MATCHER)


def _list(path: Path) -> list[str]:
    return [line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()]


# Our own copies of the team's lists (../shared/bench/core_drugs.txt and not_aggravating.txt), kept in the
# repository so that these tests run anywhere; a test below checks they agree with the shared ones.
CORE = _list(ROOT / "tests" / "data" / "core_drugs.txt")
NOT_AGGRAVATING = _list(ROOT / "tests" / "data" / "not_aggravating.txt")


def flagged(text: str) -> set[str]:
    return {f.drug.name for f in SCREENER.screen(InputRecord("t", 1, text)).findings}


def test_shipped_file_validates() -> None:
    assert builtin_path().is_file()
    assert validate_file(builtin_path()) == []
    assert re.fullmatch(r"\d+\.\d+\.\d+", KB.version)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", KB.updated)


@pytest.mark.parametrize("ingredient", CORE)
def test_core_ingredient_and_each_of_its_names_is_flagged(ingredient: str) -> None:
    drug = KB.drugs[ingredient]
    assert drug.effect.flagged
    for name in (drug.name, *drug.names):
        assert flagged(name) >= {ingredient}, name
        assert flagged(f"{name.upper()} 10 mg tablet po daily") >= {ingredient}, name


@pytest.mark.parametrize("ingredient", NOT_AGGRAVATING)
def test_not_aggravating_ingredient_is_never_flagged(ingredient: str) -> None:
    assert flagged(ingredient) == set()
    drug = KB.drugs.get(ingredient)
    if drug is not None:
        assert not drug.effect.flagged
        for name in drug.names:
            assert flagged(name) == set(), name


def test_every_name_leads_to_one_entry() -> None:
    owners: dict[str, str] = {}
    for drug in KB.drugs.values():
        for name in (drug.name, *drug.names):
            key = name_key(name)
            assert owners.setdefault(key, drug.name) == drug.name, f"{name}: {owners[key]} and {drug.name}"
    markets_seen: dict[str, set[str]] = {}
    for product in KB.products:
        key = name_key(product.name)
        if key in markets_seen:
            # a brand that means different things in different markets: one entry per market, never overlapping
            assert product.markets, f"product {product.name} is listed twice without markets"
            assert not markets_seen[key] & set(product.markets), f"product {product.name}: markets overlap"
            markets_seen[key] |= set(product.markets)
            continue
        assert key not in owners, f"product {product.name} is also a name of {owners.get(key)}"
        owners[key] = product.name
        markets_seen[key] = set(product.markets)


def test_every_product_ingredient_that_is_an_entry_is_spelled_as_the_entry() -> None:
    keys = {name_key(n): n for n in KB.drugs}
    for product in KB.products:
        assert product.ingredients
        for ingredient in product.ingredients:
            if name_key(ingredient) in keys:
                assert ingredient == keys[name_key(ingredient)], product.name


# Advice verbs that must never appear in what an entry tells the reader to do.
_STOP_ADVICE = re.compile(r"\b(stop|stopping|discontinue|discontinuing|cease|withdraw|avoid|avoiding)\b", re.I)


@pytest.mark.parametrize("drug", sorted(KB.drugs.values(), key=lambda d: d.name), ids=lambda d: d.name)
def test_no_entry_advises_stopping_a_drug(drug: object) -> None:
    for field in ("considerations", "parkinson", "rationale"):
        text = getattr(drug, field)
        assert not _STOP_ADVICE.search(text), f"{field}: {text}"


def test_dopaminergic_entries_say_monitor_for_parkinsons() -> None:
    augmentation = [d for d in KB.drugs.values() if d.effect is Effect.AUGMENTATION]
    assert {"levodopa", "pramipexole", "ropinirole", "rotigotine", "cabergoline"} <= {d.name for d in augmentation}
    for drug in augmentation:
        assert "monitor" in drug.parkinson.lower(), drug.name


def test_every_entry_is_sourced_and_states_its_evidence() -> None:
    for drug in KB.drugs.values():
        cited = (*drug.sources, *drug.class_sources)
        assert cited, drug.name
        assert all(s.doi or s.pmid or s.url for s in cited), drug.name
        assert drug.evidence_basis and drug.rationale and drug.considerations, drug.name


@pytest.mark.parametrize("drug", sorted(KB.drugs.values(), key=lambda d: d.name), ids=lambda d: d.name)
def test_the_evidence_level_follows_from_the_kinds_by_the_written_rule(drug: Drug) -> None:
    assert drug.evidence is level_for(drug.evidence_kinds), drug.name
    if drug.effect is not Effect.INFORMATION:
        assert drug.evidence_kinds, drug.name
    if DRUG_SPECIFIC.intersection(drug.evidence_kinds):
        assert drug.sources, drug.name  # a source that names the drug
    if EvidenceKind.CLASS_INFERENCE in drug.evidence_kinds:
        assert drug.class_sources, drug.name
        assert "class" in drug.evidence_basis.lower(), drug.name
    elif drug.evidence_kinds:
        assert not drug.class_sources, drug.name


def test_class_inference_entries_do_not_cite_class_reviews_as_naming_the_drug() -> None:
    # R08 followed nine named antidepressants; PL12's suspects are named; SA22 and W02 are class reviews.
    r08 = {"fluoxetine", "paroxetine", "citalopram", "sertraline", "escitalopram", "venlafaxine", "duloxetine"}
    r08 |= {"reboxetine", "mirtazapine"}
    for drug in KB.drugs.values():
        keys = {s.key for s in drug.sources}
        assert "SA22" not in keys, drug.name
        assert "M21" not in keys or drug.name in {"metoclopramide", "diphenhydramine", "caffeine", "alcohol"}, drug.name
        assert "W02" not in keys or drug.name == "lithium", drug.name
        if "R08" in keys:
            assert drug.name in r08, drug.name
    assert "R08" not in {s.key for s in KB.drugs["fluvoxamine"].sources}
    assert not KB.drugs["paliperidone"].sources
    assert {s.key for s in KB.drugs["desvenlafaxine"].class_sources} == {"R08", "K18"}


@pytest.mark.parametrize(
    ("name", "evidence"),
    [
        # the same kind of evidence gets the same level (knowledge-base review, section 2)
        ("pramipexole", Evidence.STRONG),  # 10-year cohort and a randomised trial
        ("pergolide", Evidence.STRONG),  # the same 10-year cohort
        ("ropinirole", Evidence.STRONG),  # placebo-controlled trial of augmentation
        ("rotigotine", Evidence.STRONG),  # 5-year extension cohort
        ("cabergoline", Evidence.STRONG),  # CALDIR randomised trial
        ("sertraline", Evidence.MODERATE),  # the prospective antidepressant series, as the other SSRIs
        ("venlafaxine", Evidence.MODERATE),
        ("duloxetine", Evidence.MODERATE),
        ("mianserin", Evidence.WEAK),  # a ranking of case reports and a single spontaneous report
        ("levothyroxine", Evidence.WEAK),
        ("prochlorperazine", Evidence.EXPERT),  # a historical mention only
        ("promethazine", Evidence.EXPERT),
        ("ferrous sulfate", Evidence.STRONG),  # trial evidence, as intravenous iron
        ("ferric carboxymaltose", Evidence.STRONG),
        ("tramadol", Evidence.MODERATE),  # a pharmacovigilance signal from few reports
        ("agomelatine", Evidence.WEAK),
        ("clebopride", Evidence.WEAK),
        ("vortioxetine", Evidence.MODERATE),
    ],
)
def test_regraded_entries(name: str, evidence: Evidence) -> None:
    assert KB.drugs[name].evidence is evidence


def test_vortioxetine_is_mixed_and_trazodone_nefazodone_are_not_flagged() -> None:
    assert KB.drugs["vortioxetine"].effect is Effect.MIXED
    assert recognized("Dutonin 100 mg") == ["nefazodone"] and recognized("Desyrel 50 mg") == ["trazodone"]
    for name in ("trazodone", "nefazodone"):
        assert KB.drugs[name].effect is Effect.INFORMATION
        assert flagged(name) == set()
        assert "did not" in KB.drugs[name].evidence_basis or "not aggravate" in KB.drugs[name].evidence_basis


def test_metoclopramide_is_not_called_a_common_hospital_trigger() -> None:
    assert "common" not in KB.drugs["metoclopramide"].rationale


def test_mw18_has_its_real_title() -> None:
    source = KB.sources["MW18"]
    assert source.doi == "10.5664/jcsm.7338" and "Respiratory-related leg movements" in source.citation


def test_aasm_2025_guideline_is_cited() -> None:
    assert any(s.doi == "10.5664/jcsm.11390" for s in KB.sources.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Unisom SleepTabs", {"doxylamine"}),
        ("Unisom SleepGels", {"diphenhydramine"}),
        ("ZzzQuil", {"diphenhydramine"}),
        ("ZzzQuil Pure Zzzs", set()),
        ("Dramamine", {"dimenhydrinate"}),
        ("Dramamine Less Drowsy", {"meclizine"}),
        ("Excedrin", set()),
        ("Excedrin PM", {"diphenhydramine"}),
        ("Tylenol PM", {"diphenhydramine"}),
        ("Advil", set()),
        ("Advil PM", {"diphenhydramine"}),
        ("NyQuil", {"doxylamine"}),
        ("DayQuil", set()),
        ("Midol Complete", {"pyrilamine"}),
        ("Symbyax", {"olanzapine", "fluoxetine"}),
        ("Stalevo 100", {"levodopa"}),
        ("co-careldopa 25/100", {"levodopa"}),
        ("co-beneldopa", {"levodopa"}),
        ("chlorphenamine 4 mg", {"chlorpheniramine"}),
        ("thyroxine 100 micrograms", {"levothyroxine"}),
        ("Armour Thyroid", {"levothyroxine", "liothyronine"}),
        ("Coricidin HBP Cold & Flu", {"chlorpheniramine"}),
        ("Ultracet", {"tramadol"}),
        # 1.1.0: OTC products that used to fall back to an analgesic brand stem ("no concern")
        ("Bayer PM", {"diphenhydramine"}),
        ("Bayer P.M.", {"diphenhydramine"}),
        ("Alka-Seltzer PM", {"diphenhydramine"}),
        ("Midol PM", {"diphenhydramine"}),
        ("Midol", set()),
        ("Goody's PM powder", {"diphenhydramine"}),
        ("Compoz", {"diphenhydramine"}),
        ("Tylenol P.M.", {"diphenhydramine"}),
        ("Tylenol Extra Strength PM", {"diphenhydramine"}),
        ("Advil P.M.", {"diphenhydramine"}),
        ("Excedrin P.M.", {"diphenhydramine"}),
        ("Motrin P.M.", {"diphenhydramine"}),
        ("Aleve P.M.", {"diphenhydramine"}),
        ("Advil Allergy & Congestion Relief", {"chlorpheniramine"}),
        ("Advil Allergy and Congestion Relief", {"chlorpheniramine"}),
        ("Coricidin HBP", {"chlorpheniramine"}),
        ("Coricidin HBP Cold and Flu", {"chlorpheniramine"}),
        ("Coricidin HBP Cough & Cold", {"chlorpheniramine"}),
        ("Coricidin HBP Cough and Cold", {"chlorpheniramine"}),
        ("Coricidin HBP Maximum Strength Cold, Cough & Flu", set()),
        ("Coricidin HBP Chest Congestion & Cough", set()),
        ("Dimetapp", {"brompheniramine"}),
        ("Dimetapp Cold and Allergy", {"brompheniramine"}),
        ("Dimetapp Cold & Cough", {"brompheniramine"}),
        ("Dimetapp Nighttime Cold & Congestion", {"diphenhydramine"}),
        ("Robitussin Nighttime Cough DM", {"doxylamine"}),
        ("Mucinex Nightshift Cold & Flu", {"triprolidine"}),
        ("Mucinex Fast-Max Nighttime Cold and Flu", {"diphenhydramine"}),  # caplets (DailyMed), KB 2.0
        ("Unisom Sleep Minis", {"diphenhydramine"}),
        ("Unisom SleepMinis", {"diphenhydramine"}),
        ("Unisom gelcaps", {"diphenhydramine"}),
        ("Unisom Simple Slumbers", set()),
        ("ZzzQuil PureZzzs", set()),
        ("Tramacet 37.5/325", {"tramadol"}),
        ("Zaldiar", {"tramadol"}),
        ("Kinson 100/25", {"levodopa"}),
        ("Caramet CR", {"levodopa"}),
        ("Lecado", {"levodopa"}),
        ("Duodopa gel", {"levodopa"}),
        ("Sastravi", {"levodopa"}),
        ("Diclectin", {"doxylamine"}),
        ("Xonvea", {"doxylamine"}),
    ],
)
def test_products_and_same_brand_traps(text: str, expected: set[str]) -> None:
    assert flagged(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # night-time analgesics and cold remedies outside the US (knowledge base 2.0)
        ("Panadol Night", {"diphenhydramine"}),
        ("Panadol NightPain", {"diphenhydramine"}),
        ("Mersyndol", {"doxylamine"}),
        ("Mersyndol Forte", {"doxylamine"}),
        ("Mevadol Forte", {"doxylamine"}),
        ("Mersyndol DayStrength", set()),  # the day product has no doxylamine
        ("Wick MediNait", {"doxylamine"}),
        ("Codral Original Day & Night + Dry Cough", {"chlorpheniramine"}),
        ("Fervex", {"pheniramine"}),
        ("Frenadol Complex", {"chlorpheniramine"}),
        ("Lergigan", {"promethazine"}),
        ("Postafen", {"meclizine"}),
        ("Xamamina", {"dimenhydrinate"}),
        ("Avil", {"pheniramine"}),
        # a brand that means different things by market: every candidate, nothing missed
        ("Sominex", {"diphenhydramine", "promethazine"}),
        ("Benadryl", {"diphenhydramine"}),
        ("Benadryl Allergy Relief", {"diphenhydramine"}),  # GB acrivastine, but the US brand is diphenhydramine
        ("Nytol Herbal", set()),
        ("Zantac 360", set()),
        # prescription combinations outside the US
        ("Restex 100/25", {"levodopa"}),
        ("Nacom 100/25", {"levodopa"}),
        ("Isicom", {"levodopa"}),
        ("MigraMax", {"metoclopramide"}),
        ("Paramax", {"metoclopramide"}),
        ("Meteclomax", {"metoclopramide"}),
        ("Migraeflux MCP", {"metoclopramide"}),
        ("MCP-ratiopharm 10 mg", {"metoclopramide"}),
        ("MCP Tropfen", {"metoclopramide"}),
        ("Migraleve Pink", {"buclizine"}),
        ("Migraleve Yellow", set()),
        ("Day & Night Nurse", {"promethazine"}),
        ("Night Nurse", {"promethazine"}),
        ("Tilolec 200/50", {"levodopa"}),
        ("Dramamine Non-Drowsy", {"meclizine"}),  # the name is used for both the ginger and the meclizine product
        ("Deanxit", {"flupentixol", "melitracen"}),
        ("Tercian", {"cyamemazine"}),
        ("Plitican", {"alizapride"}),
        ("Cleboril", {"clebopride"}),
        ("Digesan", {"bromopride"}),
        ("Valdoxan", {"agomelatine"}),
        ("Stangyl", {"trimipramine"}),
        ("Neurocil", {"methotrimeprazine"}),
    ],
)
def test_products_of_other_markets(text: str, expected: set[str]) -> None:
    assert flagged(text) == expected


def test_every_product_outside_the_fda_list_names_its_market_and_source() -> None:
    for product in KB.products:
        if product.markets:
            assert product.source, product.name
        if product.source:
            assert product.markets, product.name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Australia
        ("Oroxine 100 mcg", "levothyroxine"),
        ("Eutroxsig", "levothyroxine"),
        ("Lithicarb 250 mg", "lithium"),
        ("Quilonum SR", "lithium"),
        ("Allegron 25 mg", "nortriptyline"),
        ("Deptran", "doxepin"),
        ("Lexam 10 mg", "escitalopram"),
        ("Esipram", "escitalopram"),
        ("Restavit", "doxylamine"),
        ("Dozile", "doxylamine"),
        ("Repreve", "ropinirole"),
        ("Lovan 20 mg", "fluoxetine"),
        ("Zactin", "fluoxetine"),
        ("Setrona", "sertraline"),
        ("Enlafax XR", "venlafaxine"),
        ("Desfax", "desvenlafaxine"),
        ("Mirtanza", "mirtazapine"),
        ("Pramin", "metoclopramide"),
        ("Stemzine", "prochlorperazine"),
        # Canada
        ("Zytram XL 150 mg", "tramadol"),
        ("Tridural", "tramadol"),
        ("Durela", "tramadol"),
        ("Ralivia", "tramadol"),
        ("Sleep-Eze", "diphenhydramine"),
        ("Carbolith", "lithium"),
        # UK
        ("Zamadol", "tramadol"),
        ("Marol", "tramadol"),
        ("Maxitram SR", "tramadol"),
        ("Liskonum", "lithium"),
        ("Li-Liquid", "lithium"),
        ("Evotrox", "levothyroxine"),
        ("Ralnea XL", "ropinirole"),
        ("Ipinnia XL", "ropinirole"),
        ("Pipexus", "pramipexole"),
        ("Sea-Legs", "meclizine"),
        ("Biquelle XL", "quetiapine"),
        ("Droleptan", "droperidol"),
        # EU
        ("Oprymea", "pramipexole"),
        ("Saroten", "amitriptyline"),
        ("Nortrilen", "nortriptyline"),
        ("Paspertin", "metoclopramide"),
        ("Vomex A", "dimenhydrinate"),
        ("Donormyl", "doxylamine"),
        ("Dormidina", "doxylamine"),
        ("Hoggar Night", "doxylamine"),
        ("Betadorm D", "diphenhydramine"),
        ("Levothyrox", "levothyroxine"),
        ("L-Thyroxin Henning 75", "levothyroxine"),
        ("Seroplex", "escitalopram"),
        ("Deroxat", "paroxetine"),
        ("Trevilor", "venlafaxine"),
        ("Fevarin", "fluvoxamine"),
        ("Xeristar", "duloxetine"),
        ("Hypnorex retard", "lithium"),
        ("Remergil", "mirtazapine"),
        ("Atosil", "promethazine"),
        ("Leganto", "rotigotine"),
        # several markets, and written forms
        ("Tryptanol", "amitriptyline"),
        ("RemeronSolTab 15 mg", "mirtazapine"),
        ("Opipza 5 mg film", "aripiprazole"),
        ("levomepromazine 6.25 mg", "methotrimeprazine"),
        ("Nozinan", "methotrimeprazine"),
    ],
)
def test_international_brands_are_flagged(text: str, expected: str) -> None:
    assert flagged(text) == {expected}


def recognized(text: str) -> list[str]:
    result = SCREENER.screen(InputRecord("t", 1, text))
    assert result.status is LineStatus.RECOGNIZED, text
    return sorted(r.ingredient for r in result.recognized)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hydrocodone 5 mg", ["hydrocodone"]),  # not hydrocodone + ibuprofen
        ("dapagliflozin 10 mg", ["dapagliflozin"]),  # not + metformin
        ("levofloxacin 500 mg", ["levofloxacin"]),  # not + sodium chloride
        ("magnesium hydroxide", ["magnesium hydroxide"]),  # not "hydroxide"
        ("magnesium oxide 400 mg", ["magnesium oxide"]),
        ("ferrous gluconate 324 mg", ["ferrous gluconate"]),  # not "ferrous"
        ("ferrous fumarate", ["ferrous fumarate"]),
        ("zinc sulfate 220 mg", ["zinc sulfate"]),  # not "zinc"
        ("Ultracef", ["cefadroxil"]),  # once
        ("Vitamin D3 2000 units", ["vitamin d"]),  # not + ergocalciferol
    ],
)
def test_lexicon_names_carry_their_own_ingredients(text: str, expected: list[str]) -> None:
    assert recognized(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Dilantin 100 mg", "phenytoin", "Cerebyx", "fosphenytoin", "Topamax", "Zonegran", "Unisom Simple Slumbers"],
)
def test_weakly_linked_antiepileptics_and_melatonin_products_are_recognised(text: str) -> None:
    assert flagged(text) == set()
    assert recognized(text)


def test_antiepileptics_without_a_plausible_mechanism_are_not_flagged() -> None:
    # Flagging rule (data/drugs.yaml header): isolated reports without a mechanism are noted, not flagged.
    for name in ("phenytoin", "fosphenytoin", "topiramate", "zonisamide"):
        drug = KB.drugs[name]
        assert drug.effect is Effect.INFORMATION, name
    assert KB.drugs["phenytoin"].evidence is Evidence.WEAK  # 2 of 219 cases in a review
    assert KB.drugs["topiramate"].evidence is Evidence.EXPERT  # no verifiable report


def test_cabergoline_augmentation_evidence_is_not_the_valve_recommendation() -> None:
    drug = KB.drugs["cabergoline"]
    assert drug.effect is Effect.AUGMENTATION
    assert drug.evidence is Evidence.STRONG
    assert any(s.doi == "10.1002/mds.21401" for s in drug.sources)  # CALDIR trial
    assert "valve" in drug.evidence_basis


def test_methotrimeprazine_is_the_us_name_and_levomepromazine_a_synonym() -> None:
    assert "levomepromazine" not in KB.drugs
    assert "levomepromazine" in KB.drugs["methotrimeprazine"].names


# 1.1.0: dopamine-blocking antipsychotics and antiemetics used outside the US, flagged by class inference.
_NON_US_D2_BLOCKERS = {
    "perazine": ("N05AB10", ["Perazin", "Taxilan"]),
    "periciazine": ("N05AC01", ["pericyazine", "propericiazine", "Neulactil", "Neuleptil"]),
    "melperone": ("N05AD03", ["Melperon", "Eunerpan", "Buronil"]),
    "pipamperone": ("N05AD05", ["Pipamperon", "Dipiperon"]),
    "benperidol": ("N05AD07", ["Anquil", "Glianimon"]),
    "tiapride": ("N05AL03", ["Tiaprid", "Tiapridal", "Tiapridex"]),
    "levosulpiride": ("N05AL07", ["Levopraid"]),
}


@pytest.mark.parametrize("ingredient", sorted(_NON_US_D2_BLOCKERS))
def test_non_us_d2_blockers_are_flagged_by_class_inference(ingredient: str) -> None:
    atc, names = _NON_US_D2_BLOCKERS[ingredient]
    drug = KB.drugs[ingredient]
    assert drug.effect is Effect.WORSENS
    assert drug.evidence is Evidence.EXPERT
    assert "D2" in drug.evidence_basis and "Class inference only" in drug.evidence_basis
    assert list(drug.atc) == [atc]
    assert set(names) <= set(drug.names)
    assert not drug.sources and {"M21"} <= {s.key for s in drug.class_sources}
    assert "prescriber" in drug.considerations and "ferritin" in drug.considerations


@pytest.mark.parametrize(
    ("text", "ingredient"),
    [
        ("perazine", "perazine"),  # was promethazine, through the brand Pherazine
        ("Perazin 100 mg", "perazine"),
        ("Taxilan 25 mg Dragees", "perazine"),
        ("tiaprid", "tiapride"),  # was unrecognised
        ("tiapride 100 mg", "tiapride"),
        ("Tiapridal 100 mg", "tiapride"),
        ("Tiapridex Tropfen", "tiapride"),
        ("melperone 25 mg at night", "melperone"),
        ("Melperon 25 mg", "melperone"),
        ("Eunerpan", "melperone"),
        ("Buronil 25 mg", "melperone"),
        ("pipamperone 40 mg", "pipamperone"),
        ("Pipamperon Saft", "pipamperone"),
        ("Dipiperon 40 mg", "pipamperone"),
        ("levosulpiride 25 mg tid", "levosulpiride"),
        ("Levopraid 25 mg", "levosulpiride"),
        ("benperidol 0.25 mg", "benperidol"),
        ("Anquil 0.25 mg", "benperidol"),
        ("Glianimon 2 mg", "benperidol"),
        ("periciazine 10 mg", "periciazine"),
        ("pericyazine 2.5 mg", "periciazine"),
        ("propericiazine", "periciazine"),
        ("Neulactil 10 mg", "periciazine"),
        ("Neuleptil 4%", "periciazine"),
    ],
)
def test_non_us_d2_blockers_are_found_as_themselves(text: str, ingredient: str) -> None:
    [finding] = SCREENER.screen(InputRecord("t", 1, text)).findings
    assert (finding.drug.name, finding.match.value) == (ingredient, "exact")


def test_near_names_of_the_new_entries_keep_their_own_drug() -> None:
    assert flagged("promazine") == {"promazine"}
    assert flagged("Pherazine") == {"promethazine"}
    assert flagged("prochlorperazine") == {"prochlorperazine"}
    assert flagged("sulpiride") == {"sulpiride"}
    assert flagged("haloperidol") == {"haloperidol"}
    assert flagged("tranquil") == set()  # an English word, not Anquil


@pytest.mark.parametrize(
    "text",
    [
        "hydralazine",
        "Celebrex",
        "buspirone",
        "levetiracetam",
        "Lithostat",
        "Zyrtec",
        "Plavix",
        "Norvasc",
        "Lamictal",
    ],
)
def test_look_alikes_of_flagged_drugs_are_recognized_not_flagged(text: str) -> None:
    result = SCREENER.screen(InputRecord("t", 1, text))
    assert result.status is LineStatus.RECOGNIZED, text


def test_local_lists_match_the_shared_ones() -> None:
    shared = ROOT.parent / "shared" / "bench"
    if not shared.is_dir():
        pytest.skip("../shared/bench is not beside the repository")
    assert _list(shared / "core_drugs.txt") == CORE
    assert _list(shared / "not_aggravating.txt") == NOT_AGGRAVATING


@pytest.mark.parametrize(
    "text",
    [
        # Ordinary words and sig wording, each once read as a flagged brand (Modecate, Neupro, Endep,
        # Abilify, Quide, Allerfed, Valoid, Dilantin-like names, Compazine, Triphed).
        "Tylenol 650 mg q6h prn moderate pain",
        "Neuro: gabapentin 300 mg",
        "ended 2019",
        "ability to swallow",
        "doing quite well",
        "for alleries",
        "valid",
        "optimized",
        "dilation",
        "comparing",
        "tripped",
        # As close to an ordinary drug as to a flagged one: not a guess worth flagging.
        "Miralex",  # MiraLAX, not Mirapex
        "amatadine",  # amantadine
        "tirosine",  # tyrosine
        "Restoral",  # Restoril
        "Truxall",  # Trexall
        "Nytrol",  # Nitrol
        "Avenza",  # Avinza
    ],
)
def test_ordinary_words_and_near_misses_of_ordinary_drugs_are_not_flagged(text: str) -> None:
    assert flagged(text) == set()


@pytest.mark.parametrize(
    ("text", "ingredient"),
    [
        ("sertaline 50 mg", "sertraline"),
        ("Lexipro 10", "escitalopram"),
        ("Benedryl 25 mg at bedtime", "diphenhydramine"),
        ("seroquil 25 qhs", "quetiapine"),
        ("mirtazepine 15", "mirtazapine"),
        ("hydroxizine 25", "hydroxyzine"),
        ("quetiapin", "quetiapine"),
        ("Zolof 50", "sertraline"),
        ("tramadal 50 mg", "tramadol"),
        ("levothyroxin 50 mcg", "levothyroxine"),
        ("haloperidal 5 mg", "haloperidol"),
        ("prometazine 25 mg", "promethazine"),
    ],
)
def test_common_misspellings_are_still_found(text: str, ingredient: str) -> None:
    [finding] = SCREENER.screen(InputRecord("t", 1, text)).findings
    assert (finding.drug.name, finding.match.value) == (ingredient, "fuzzy")
    assert 0 < finding.score < 100


@pytest.mark.parametrize(
    ("text", "ingredient"),
    [
        ("Ser\u00adtraline 50 mg", "sertraline"),  # a soft hyphen from a word processor
        ("Zo\u200bloft", "sertraline"),  # a zero-width space
        ("\x1b[31mBenadryl\x1b[0m 25 mg", "diphenhydramine"),  # colour codes pasted from a terminal
        ("\x1b]8;;https://example.org\x07Lexapro\x1b]8;;\x07 10 mg", "escitalopram"),  # a terminal hyperlink
    ],
)
def test_invisible_characters_and_terminal_codes_do_not_hide_a_name(text: str, ingredient: str) -> None:
    [finding] = SCREENER.screen(InputRecord("t", 1, text)).findings
    assert (finding.drug.name, finding.match.value) == (ingredient, "exact")
