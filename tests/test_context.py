"""Context reading on its own (rlsmed.context): each rule and its scope, sections, Parkinson's disease, the
statuses records give, and the rules file. Drug names are found here by a word list, so that these tests
say what the rules do whatever the knowledge base holds."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlsmed.context import Document, Status, record_status, shipped_rules
from rlsmed.context.rules import builtin_rules_path
from rlsmed.normalize import tokens

DRUGS = frozenset(
    "sertraline zoloft trazodone desyrel hydroxyzine atarax compazine prochlorperazine haloperidol haldol "
    "reglan metoclopramide quetiapine seroquel lithium mirtazapine remeron benadryl phenergan promethazine "
    "sinemet levodopa ropinirole pramipexole citalopram escitalopram lexapro paxil prozac fluoxetine "
    "duloxetine cymbalta amitriptyline tramadol ultram synthroid levothyroxine olanzapine abilify lipitor "
    "plavix zyprexa risperdal amlodipine aripiprazole latuda enalapril doxepin paroxetine metoprolol "
    "venlafaxine inbrija neupro requip risperidone olanzapine".split()
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def spans(text: str) -> list[tuple[int, int]]:
    """The word spans of the drug names in a line, as the matcher's Hit.start and Hit.end count them."""
    return [(i, i + 1) for i, word in enumerate(tokens(text)) if word in DRUGS]


def read(text: str) -> list[list[tuple[str, Status, str]]]:
    """Each line of a list read in order: (drug, status, reason) of each name on it."""
    document = Document()
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        found = spans(line)
        reading = document.read(line, found, number)
        words = tokens(line)
        out.append([(words[a], d.status, d.reason) for (a, _), d in zip(found, reading.decisions, strict=True)])
    return out


def statuses(text: str) -> dict[str, Status]:
    """The status of each drug named in a list (the last mention wins)."""
    return {drug: status for line in read(text) for drug, status, _ in line}


C, N, A, P, F = Status.CURRENT, Status.NOT_CURRENT, Status.ALLERGY, Status.PAST, Status.FAMILY


# -- phrases on a line, scoped to the drug they govern ---------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # A current and a stopped drug on one line: only the governed one is not current.
        ("sertraline 50 mg daily; stopped trazodone", {"sertraline": C, "trazodone": N}),
        ("Stopped citalopram, started escitalopram 10 mg daily", {"citalopram": N, "escitalopram": C}),
        ("quetiapine 50 mg qhs (olanzapine d/c'd 2/2026 for weight gain)", {"quetiapine": C, "olanzapine": N}),
        ("duloxetine 60 mg daily - amitriptyline discontinued", {"duloxetine": C, "amitriptyline": N}),
        ("Prozac 20 mg qam, no longer taking Benadryl at night", {"prozac": C, "benadryl": N}),
        ("Benadryl 25 mg stopped, trazodone 25 mg qhs started instead", {"benadryl": N, "trazodone": C}),
        ("Switched from trazodone to mirtazapine 15 mg at bedtime", {"trazodone": N, "mirtazapine": C}),
        ("Haldol 5 mg bid; Risperdal held since admission", {"haldol": C}),
        ("citalopram 20 mg daily / trazodone 50 mg qhs (declined)", {"citalopram": C, "trazodone": N}),
        ("aripiprazole 5 mg; never started the quetiapine", {"quetiapine": N}),
        # Backward: the nearest drug before the phrase, in its clause.
        ("Lipitor 80 mg q.d. discontinued today, Prozac 20 mg q.d.", {"prozac": C}),
        ("Zyprexa 10 mg q.h.s., currently on hold because of sedation, lithium 300 mg", {"lithium": C}),
        ("Her amlodipine and lithium are on hold.", {"lithium": N}),
        # Epic's note after the sig, in brackets and after a full stop.
        (
            "traZODone (DESYREL) 50 MG tablet Take 1 tablet nightly. (Patient not taking: Reported on 3/2/2026)",
            {"trazodone": N, "desyrel": N},
        ),
        # "it", "this": the drug named earlier in the sentence, past a "but".
        ("Prescribed ropinirole 0.25 mg but never started it.", {"ropinirole": N}),
        ("She was given Phenergan in the ER but it was discontinued.", {"phenergan": N}),
        # Allergies, intolerances.
        (
            "Patient is allergic to promethazine and intolerant of metoclopramide.",
            {"promethazine": A, "metoclopramide": A},
        ),
        ("quetiapine 25 mg qhs; allergic to haloperidol (NMS)", {"quetiapine": C, "haloperidol": A}),
        ("Compazine allergy.", {"compazine": A}),
        # Past use: history, previously, tried, failed.
        ("escitalopram 10 mg daily; previously on paroxetine and zoloft", {"escitalopram": C, "zoloft": P}),
        ("Failed trial of amitriptyline and trazodone for sleep.", {"amitriptyline": P, "trazodone": P}),
        ("History of trazodone and mirtazapine use.", {"trazodone": P, "mirtazapine": P}),
        (
            "Currently on mirtazapine 30 mg qhs. In the past she took Benadryl for sleep.",
            {"mirtazapine": C, "benadryl": P},
        ),
        # Someone else's.
        ("Mother takes Prozac; sister takes lithium.", {"prozac": F, "lithium": F}),
        (
            "Lexapro 10 mg daily. Her husband's medications (Seroquel) are in the cabinet.",
            {"lexapro": C, "seroquel": F},
        ),
        ("Patient has been on sertraline for 5 years; mother also takes sertraline.", {"sertraline": F}),
        # Declined, refused, never started, completed, held.
        ("Offered trazodone for sleep - patient declined.", {"trazodone": N}),
        ("promethazine 25 mg - completed course, no longer taking", {"promethazine": N}),
        ("Patient denies taking any OTC sleep aids such as Benadryl.", {"benadryl": N}),
        ("Tramadol - held for surgery on 3/20", {"tramadol": N}),
    ],
)
def test_phrases_govern_the_drugs_in_their_scope(line: str, expected: dict[str, Status]) -> None:
    found = statuses(line)
    for drug, status in expected.items():
        assert found[drug] is status, (drug, read(line))


def test_the_first_sertraline_of_a_line_stays_current_beside_a_relatives() -> None:
    [line] = read("Patient has been on sertraline for 5 years; mother also takes sertraline.")
    assert [status for _, status, _ in line] == [C, F]


@pytest.mark.parametrize(
    "line",
    [
        "sertraline 50 mg daily - do not stop abruptly",
        "metoprolol 25 mg bid, hold for SBP < 100; quetiapine 100 mg qhs",
        "escitalopram 10 mg daily  Start date: 1/3/2026  Stop date: none",
        "Chlor-Trimeton 4 mg q6h prn for seasonal allergies; Benadryl 25 mg prn allergic reaction",
        "Benadryl Allergy 25 mg tablet",
        "Hx of depression, on citalopram 20 mg daily",
        "Abilify 10 mg daily; no history of tardive dyskinesia",
        "Promethazine 25 mg q6h prn nausea - stop if drowsy",
        "No longer depressed; continues duloxetine 60 mg daily",
        "Venlafaxine restarted at 75 mg daily after a 2-week hold",
        "Reglan 10 mg ac - patient completed teaching on side effects",
        "Paxil 20 mg daily (patient was advised not to stop without talking to her doctor)",
        "Haloperidol 2 mg bid. Compliance: never stopped per patient.",
        "Inbrija 42 mg inhalation, 2 capsules as needed for OFF episodes",
        "Trazodone 50 mg qhs; prior authorization approved",
    ],
)
def test_pseudo_phrases_and_current_words_leave_drugs_current(line: str) -> None:
    assert all(status is C for status in statuses(line).values()), read(line)


def test_a_reason_says_what_was_read_and_where() -> None:
    [[plavix, zoloft, enalapril]] = read("Plavix 75 mg, Zoloft 50 mg q.d-discontinued, enalapril")
    assert plavix[1] is C and enalapril[1] is C
    assert zoloft == ("zoloft", N, "'discontinued' after the drug")
    [line] = read("allergic to Compazine")
    assert line == [("compazine", A, "'allergic to' before the drug")]


# -- sections ----------------------------------------------------------------------------------------------


EPIC_AVS = """Your Medication List as of March 14, 2026
CONTINUE taking these medications
sertraline 100 MG tablet
Commonly known as: ZOLOFT
Take 1 tablet (100 mg total) by mouth daily.
STOP taking these medications
hydroxyzine 25 MG tablet
Commonly known as: ATARAX
Reason for stopping: drowsiness
START taking these medications
mirtazapine 15 MG tablet"""


def test_an_epic_after_visit_summary_is_read_section_by_section() -> None:
    lines = read(EPIC_AVS)
    assert lines[2] == [("sertraline", C, "")]
    assert lines[3][0][1] is C  # "Commonly known as:" is a sub-field, not a heading
    assert lines[6] == [("hydroxyzine", N, "under 'STOP taking these medications' (line 6)")]
    assert lines[7][0][1] is N  # the brand name on its sub-field line, still under STOP
    assert lines[10] == [("mirtazapine", C, "")]


def test_headings_are_reported_with_the_status_they_set() -> None:
    document = Document()
    kinds = []
    for number, line in enumerate(EPIC_AVS.splitlines(), 1):
        heading = document.read(line, spans(line), number).heading
        kinds.append(None if heading is None else (heading.kind, heading.status))
    assert kinds[0] == ("section", C) and kinds[1] == ("section", C)
    assert kinds[5] == ("section", N)
    assert kinds[8] == ("subfield", N)  # "Reason for stopping:" changes nothing
    assert kinds[9] == ("section", C)
    assert kinds[2] is None and kinds[4] is None  # a drug line; a sig line


@pytest.mark.parametrize(
    ("heading", "status"),
    [
        ("MEDICATIONS:", C),
        ("Current Outpatient Medications on File Prior to Visit", C),
        ("DISCHARGE MEDICATIONS", C),
        ("CONTINUE these medications which have NOT CHANGED", C),
        ("NEW medications", C),
        ("Medicines changed", C),
        ("Medications prior to admission:", C),
        ("D/C Medications:", C),  # discharge, not discontinued
        ("Medication history:", C),
        ("STOP taking these medications", N),
        ("Medicines stopped", N),
        ("Discontinued Medications", N),
        ("Medications Held", N),
        ("HOLD these medications until your follow-up:", N),
        ("Not Taking", N),
        ("Medications you told us you are no longer taking", N),
        ("Don't take these medicines anymore", N),
        ("Allergies as of 03/14/2026", A),
        ("Allergies (3)", A),
        ("Allergies and adverse reactions:", A),
        ("Intolerances:", A),
        ("PAST MEDICAL HISTORY:", P),
        ("Past medications:", P),
        ("Psychiatric medication trials:", P),
        ("FAMILY HISTORY:", F),
        ("Family Medical History", F),
        ("SOCIAL HISTORY:", C),
        ("Patient was instructed to stop the following medications:", N),
    ],
)
def test_a_heading_sets_the_status_of_the_lines_under_it(heading: str, status: Status) -> None:
    [_, [(_drug, found, reason)]] = read(f"{heading}\ntrazodone")
    assert found is status, reason
    assert (reason == "") is (status is C)


def test_a_section_lasts_until_the_next_heading() -> None:
    text = "STOP taking:\ntrazodone 50 mg\nhydroxyzine 25 mg\nzoloft 50 mg\nMedications:\nquetiapine 25 mg"
    assert statuses(text) == {"trazodone": N, "hydroxyzine": N, "zoloft": N, "quetiapine": C}


def test_an_inline_heading_covers_its_own_line_and_the_next_inline_heading_starts_anew() -> None:
    lines = read("Allergies: Compazine (rash), sulfa. Meds: sertraline 100 mg daily\ntrazodone 50 mg")
    assert lines[0] == [
        ("compazine", A, "after 'Allergies:' on this line"),
        ("sertraline", C, ""),
    ]
    assert lines[1] == [("trazodone", C, "")]
    assert statuses("Current psychotropics: Latuda 40 mg\nPast psychotropic trials: Abilify, Haldol") == {
        "latuda": C,
        "abilify": P,
        "haldol": P,
    }


def test_an_inline_allergy_list_runs_on_while_its_lines_end_in_a_comma() -> None:
    assert statuses("Allergies: Compazine,\nhaloperidol,\nReglan\ntrazodone") == {
        "compazine": A,
        "haloperidol": A,
        "reglan": A,
        "trazodone": C,
    }


def test_an_allergy_or_history_list_ends_at_a_line_giving_a_dose() -> None:
    lines = read("ALLERGIES:\nCompazine - rash\nLevothyroxine 100 mcg daily\ntrazodone")
    assert lines[1][0][1] is A
    assert lines[2][0][1] is C and lines[2][0][2].startswith("a dose, after the list under 'ALLERGIES'")
    assert lines[3] == [("trazodone", C, "")]
    # A list of stopped medicines gives doses: it ends only at a heading.
    assert statuses("STOP taking:\nhydroxyzine 25 mg daily\ntrazodone 50 mg qhs") == {"hydroxyzine": N, "trazodone": N}


def test_nkda_ends_an_allergy_list() -> None:
    assert statuses("Allergies:\nNKDA\nsertraline") == {"sertraline": C}
    assert statuses("Allergies: NKDA\nsertraline") == {"sertraline": C}


def test_a_line_that_states_its_own_status_under_a_stop_list_is_read_on_its_own() -> None:
    lines = read(
        "Stop taking these medicines\ndoxepin 10 mg\nHe is on duloxetine 60 mg daily. Amitriptyline was discontinued."
    )
    assert lines[1][0][1] is N
    duloxetine, amitriptyline = lines[2]
    assert duloxetine[1] is C and "its own status" in duloxetine[2]
    assert amitriptyline[1] is N


def test_fields_columns_and_statements_change_nothing() -> None:
    text = "STOP taking:\nPatient: J. Doe  MRN 00123456\nMedication  Sig  Dispense  Refill\ntrazodone 50 mg"
    document = Document()
    kinds = [document.read(line, spans(line), n).heading for n, line in enumerate(text.splitlines(), 1)]
    assert [h.kind if h else None for h in kinds] == ["section", "field", "columns", None]
    assert statuses(text)["trazodone"] is N


def test_a_medicine_the_tool_does_not_know_is_no_heading() -> None:
    # "cough medicine" stays a line to review; "Cardiac medications" is a heading.
    document = Document()
    assert document.read("cough medicine", [], 1).heading is None
    assert document.read("Cardiac medications", [], 2).heading is not None
    assert document.read("MEDS: unknown anxiolytic, estrogen.", [], 3).heading.kind == "inline"  # type: ignore[union-attr]


# -- Parkinson's disease -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Sinemet 25/100 one tab TID for PD", True),
        ("Requip XL 8 mg daily (Parkinson's)", True),
        ("carbidopa/levodopa 25/100 TID - Parkinson disease", True),
        ("Diagnosis: idiopathic parkinsonism", True),
        ("PMH: PD (dx 2019), depression", True),
        ("Neupro 4 mg/24 hr patch daily - PD", True),
        ("Problems: Parkinsons disease; hypothyroidism", True),
        ("pramipexole 0.25 mg qhs for restless legs", False),
        ("PD catheter care per nephrology", False),
        ("ESRD on PD, exchanges at home", False),
        ("borderline PD, on sertraline", False),
        ("No history of Parkinson's disease", False),
        ("r/o PD", False),
        ("FAMILY HISTORY: father with Parkinson's disease", False),
        ("Father - Parkinson's disease on Sinemet", False),
    ],
)
def test_parkinsons_disease_is_named_every_common_way_and_only_as_the_patients(text: str, named: bool) -> None:
    document = Document()
    reading = document.read(text, spans(text), 1)
    assert reading.parkinson is named
    assert document.parkinson is named


def test_parkinsons_disease_in_a_family_history_section_is_not_the_patients() -> None:
    document = Document()
    for n, line in enumerate(["FAMILY HISTORY:", "Father - Parkinson's disease"], 1):
        document.read(line, spans(line), n)
    assert not document.parkinson


# -- records: CSV status columns, FHIR and C-CDA statuses, comments ------------------------------------------


@pytest.mark.parametrize(
    ("status", "notes", "expected"),
    [
        ("active", (), C),
        ("Active", ("take with food",), C),
        ("stopped", (), N),
        ("Discontinued", (), N),
        ("on-hold", (), N),
        ("not-taken", (), N),
        ("completed", (), N),
        (None, ("Patient stopped taking in March",), N),
        (None, ("allergic - rash",), A),
        (None, ("per daughter, takes at night",), C),
        ("active", ("pt declines",), N),
    ],
)
def test_a_record_status_and_its_comments_give_all_its_drugs_a_status(
    status: str | None, notes: tuple[str, ...], expected: Status
) -> None:
    decision = record_status(status, notes)
    assert decision is not None and decision.status is expected
    assert (decision.reason == "") is (expected is C)


def test_a_record_entered_in_error_is_no_mention_at_all() -> None:
    assert record_status("entered-in-error") is None


# -- the rules file ----------------------------------------------------------------------------------------


def test_every_phrase_of_the_rules_file_is_written_as_the_words_rlsmed_compares() -> None:
    doc = json.loads(builtin_rules_path().read_text(encoding="utf-8"))
    phrases = [p for t in doc["triggers"] for p in t["phrases"]] + doc["pseudo"] + doc["terminators"]
    phrases += [p for h in doc["headings"] for p in h["phrases"]] + doc["fields"] + doc["subfields"]
    phrases += doc["parkinson"]["terms"] + doc["parkinson"]["preceded_by"] + doc["parkinson"]["negations"]
    assert [p for p in phrases if " ".join(tokens(p)) != p] == []
    assert shipped_rules().marks >= {"stopped", "allergic", "parkinson"}


# -- properties --------------------------------------------------------------------------------------------

FILLER = st.sampled_from(["50 mg", "daily", "tablet", "qhs", "by mouth", "1.", "-", "(ZOLOFT)", "prn", "as needed"])
NAME = st.sampled_from(sorted(DRUGS))


@PROPERTY
@given(st.lists(st.one_of(NAME, FILLER), min_size=1, max_size=8))
def test_a_line_with_no_cue_word_under_no_heading_is_all_current(parts: list[str]) -> None:
    line = " ".join(parts)
    reading = Document().read(line, spans(line), 1)
    assert all(d.status is C and not d.reason for d in reading.decisions)
    assert reading.heading is None or not spans(line)


@PROPERTY
@given(NAME, NAME, FILLER, st.sampled_from(["stopped", "discontinued", "d/c'd", "held", "not taking", "declined"]))
def test_a_stop_phrase_after_a_semicolon_governs_only_the_drug_after_it(
    first: str, second: str, fill: str, cue: str
) -> None:
    line = f"{first} {fill}; {cue} {second}"
    [decisions] = read(line)
    assert decisions[0][1] is C
    assert decisions[-1][1] is N


@PROPERTY
@given(NAME, FILLER, st.sampled_from(["stopped", "discontinued", "held", "- not taking", "(declined)"]))
def test_a_stop_phrase_after_a_drug_governs_it(drug: str, fill: str, cue: str) -> None:
    [mentions] = read(f"{drug} {fill} {cue}")  # "(ZOLOFT)" names a drug too: the same drug written twice
    assert all(status is N and reason.endswith("after the drug") for _, status, reason in mentions)


@PROPERTY
@given(
    st.lists(
        st.one_of(NAME, FILLER, st.sampled_from(["stopped", "Allergies:", "mother", "STOP:", "NKDA"])), max_size=10
    )
)
def test_reading_a_batch_gives_what_reading_each_line_gives(parts: list[str]) -> None:
    lines = [" ".join(parts[i : i + 3]) for i in range(0, len(parts), 3)] or [""]
    one_by_one = Document()
    expected = {}
    for i, line in enumerate(lines):
        reading = one_by_one.read(line, spans(line), i + 1)
        if reading.heading or reading.parkinson or any(d.status is not C or d.reason for d in reading.decisions):
            expected[i] = reading
    together = Document().read_batch(
        lines, list(range(1, len(lines) + 1)), [bool(spans(x)) for x in lines], lambda i: spans(lines[i])
    )
    assert together == expected


@PROPERTY
@given(NAME, st.sampled_from(["stopped", "allergic to", "previously on", "mother takes"]))
def test_case_and_spacing_do_not_change_a_status(drug: str, cue: str) -> None:
    plain = statuses(f"{cue} {drug}")
    shouted = statuses(f"  {cue.upper()}   {drug.upper()}  ")
    assert plain == shouted and plain[drug] is not C


def test_a_reader_that_worked_a_status_out_gives_its_reason() -> None:
    # The C-CDA reader sets "not_current", "allergy", "past" or "current", and says why.
    decision = record_status("not_current", reason="ended 2012-12-31 (effectiveTime)")
    assert decision == (N, "ended 2012-12-31 (effectiveTime)")
    assert record_status("past") == (P, "status 'past' in the input")
    assert record_status("current") == (C, "")


def test_a_products_allergy_in_its_name_is_no_allergy() -> None:
    # "Benadryl Allergy", "Chlorpheniramine Maleate Allergy 4 mg": products; "Compazine allergy.": an allergy.
    assert statuses("Benadryl Allergy 25 mg tablet") == {"benadryl": C}
    assert statuses("Benadryl Allergy") == {"benadryl": C}
    assert statuses("Compazine allergy.") == {"compazine": A}
    assert statuses("Compazine allergy (rash)") == {"compazine": A}


def test_pd_in_small_letters_is_per_diem() -> None:
    assert not Document().read("ropinirole 0.25 mg 1 pd", spans("ropinirole 0.25 mg 1 pd"), 1).parkinson
    assert Document().read("ropinirole 0.25 mg 1 PD", spans("ropinirole 0.25 mg 1 PD"), 1).parkinson
