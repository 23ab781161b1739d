"""Context reading through the tool: the labelled lists, every report format's "Mentioned, not current"
part, the exit code, --all-statuses, CSV status and comment columns, Parkinson's wording, workers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rlsmed
from rlsmed.context import Document
from rlsmed.engine import engine
from rlsmed.models import Status
from rlsmed.options import CheckOptions
from rlsmed.readers import ReadOptions

from .helpers import DATA, check_json, run_cli, write

DISCHARGE = """Your Medication List
CONTINUE taking these medications
sertraline 50 MG tablet
STOP taking these medications
hydroxyzine 25 MG tablet
zolpidem 5 MG tablet
Allergies: Compazine (rash), sulfa
Family history: mother takes lithium
"""


def _lists(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _names(field: str) -> set[str]:
    return {x.strip() for x in field.split("|") if x.strip()}


@pytest.mark.parametrize("name", ["context_lists.tsv", "context_lists_heldout.tsv"])
def test_each_labelled_list_has_its_current_drugs_flagged_and_no_other(name: str) -> None:
    """Every list read as its own input: the current drugs it names are findings; its allergies,
    stopped, past and relatives' drugs never are (and are each reported as not current)."""
    wrong = []
    for row in _lists(name):
        report = rlsmed.check(row["text"].replace("\\n", "\n"))
        flagged = {f.drug.name for f in report.findings}
        expected, optional = _names(row["expected"]), _names(row["optional"])
        if not expected <= flagged or flagged - expected - optional:
            wrong.append((row["category"], row["text"][:80], sorted(expected), sorted(flagged)))
    assert wrong == []


def test_every_format_lists_what_is_mentioned_but_not_current_with_status_and_reason(tmp_path: Path) -> None:
    path = str(write(tmp_path, "discharge.txt", DISCHARGE))
    table = run_cli(["check", path, "--width", "160"])
    assert table.exit_code == 1
    assert "Mentioned, not current" in table.stdout
    assert (
        "hydroxyzine: may worsen RLS" in table.stdout
        and "under 'STOP taking these medications' (line 4)" in table.stdout
    )
    assert "allergy or intolerance" in table.stdout and "someone else's" in table.stdout
    markdown = run_cli(["check", path, "-f", "markdown"]).stdout
    assert "## Mentioned, not current" in markdown and "| 5 | hydroxyzine 25 MG tablet |" in markdown
    report = check_json([path], expect=1)
    assert [f["ingredient"] for f in report["findings"]] == ["sertraline"]
    assert report["findings"][0]["status"] == "current"
    mentions = {m["ingredient"]: (m["status"], m["status_reason"], m["flagged"]) for m in report["not_current"]}
    assert mentions == {
        "hydroxyzine": ("not_current", "under 'STOP taking these medications' (line 4)", True),
        "zolpidem": ("not_current", "under 'STOP taking these medications' (line 4)", False),
        "prochlorperazine": ("allergy", "after 'Allergies:' on this line", True),
        "lithium": ("family", "'mother' before the drug", True),
    }
    assert [(h["line"], h["kind"], h["status"]) for h in report["headings"]] == [
        (1, "section", "current"),
        (2, "section", "current"),
        (4, "section", "not_current"),
    ]
    assert report["unrecognized"] == []
    s = report["summary"]
    assert (s["findings"], s["not_current"], s["headings"], s["mentions_not_current"], s["mentions_flagged"]) == (
        1, 4, 3, 4, 3,
    )  # fmt: skip
    rows = list(csv.DictReader(run_cli(["check", path, "-f", "csv"]).stdout.splitlines()))
    by_line = {(r["line"], r["ingredient"]): (r["status"], r["status_reason"]) for r in rows}
    assert by_line[("5", "hydroxyzine")] == ("not_current", "under 'STOP taking these medications' (line 4)")
    assert by_line[("3", "sertraline")] == ("flagged", "")
    assert by_line[("4", "")] == ("heading", "section: not_current")
    jsonl = json.loads(run_cli(["check", path, "-f", "jsonl"]).stdout)
    assert len(jsonl["not_current"]) == 4 and jsonl["counts"]["headings"] == 3


def test_only_current_mentions_count_for_the_exit_code_and_all_statuses_screens_them_all(tmp_path: Path) -> None:
    path = str(write(tmp_path, "stopped.txt", "STOP taking:\nhydroxyzine 25 mg\nAllergies: Compazine\n"))
    report = check_json([path], expect=0)
    assert report["findings"] == [] and report["summary"]["mentions_flagged"] == 2
    table = run_cli(["check", path])
    assert "Nothing flagged among the medicines taken now" in table.stdout
    every = check_json([path, "--all-statuses"], expect=1)
    assert [(f["ingredient"], f["status"]) for f in every["findings"]] == [
        ("hydroxyzine", "not_current"),
        ("prochlorperazine", "allergy"),
    ]
    assert every["findings"][0]["status_reason"] == "under 'STOP taking' (line 1)"
    assert every["not_current"] == []
    assert check_json([path, "--all-statuses", "--fail-on", "moderate"])["summary"]["exit_code"] in (0, 1)


def test_a_csv_status_column_and_a_comment_column_give_statuses(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "export.csv",
        "patient,medication,status,comments\n"
        "p1,sertraline 50 mg,active,\n"
        "p1,trazodone 50 mg,discontinued,\n"
        "p1,hydroxyzine 25 mg,active,patient stopped taking in March\n"
        "p1,quetiapine 25 mg,entered-in-error,\n"
        "p2,Compazine 10 mg,active,allergic - dystonia\n",
    )
    report = check_json([str(path)], expect=1)
    assert [f["ingredient"] for f in report["findings"]] == ["sertraline"]
    assert {m["ingredient"]: (m["status"], m["status_reason"]) for m in report["not_current"]} == {
        "trazodone": ("not_current", "status 'discontinued' in the input"),
        "hydroxyzine": ("not_current", "'stopped taking' in 'patient stopped taking in March'"),
        "prochlorperazine": ("allergy", "'allergic' in 'allergic - dystonia'"),
    }
    assert report["summary"]["skipped_never_screened"] == 1  # entered in error: no medicine at all


@pytest.mark.parametrize(
    ("text", "indication"),
    [
        ("PMH: Parkinson disease\nMedications:\nSinemet 25/100 TID", "parkinson"),  # in the list's problems
        ("Sinemet 25/100 TID\nAssessment: PD, stable", "parkinson"),  # after the drug, in the same list
        ("Sinemet 25/100 one tab TID for PD", "parkinson"),
        ("Rytary 36.25-145 mg 2 caps TID", "parkinson"),  # a product used only in Parkinson's disease
        ("Stalevo 100 five times a day", "parkinson"),
        ("Inbrija 42 mg as needed for OFF episodes", "parkinson"),
        ("PD (dx 2019)\npramipexole 0.25 mg qhs for restless legs", "rls"),  # the line names RLS
        ("Sinemet 25/100 at bedtime\nFAMILY HISTORY:\nFather - Parkinson's disease", None),
        ("Sinemet 25/100 at bedtime\nPD catheter care per nephrology", None),
        ("Sinemet 25/100 at bedtime\nNo history of Parkinson's disease", None),
    ],
)
def test_parkinsons_disease_gives_the_parkinsons_wording(text: str, indication: str | None) -> None:
    report = rlsmed.check(text)
    [finding] = [f for f in report.findings if f.drug.parkinson]
    assert (finding.indication or None) == indication
    if indication == "parkinson" and finding.drug.effect.value == "augmentation":
        assert finding.considerations == finding.drug.parkinson


def test_workers_read_context_as_one_process_does(tmp_path: Path) -> None:
    path = str(write(tmp_path, "discharge.txt", DISCHARGE * 40))
    one = run_cli(["check", path, "-f", "json", "--jobs", "1"]).stdout
    two = run_cli(["check", path, "-f", "json", "--jobs", "2"]).stdout
    assert one == two and '"not_current": [\n{' in one


def test_the_library_reports_mentions_and_headings() -> None:
    report = rlsmed.check(DISCHARGE)
    assert [(m.ingredient, m.status) for m in report.mentions][:2] == [
        ("hydroxyzine", Status.NOT_CURRENT),
        ("zolpidem", Status.NOT_CURRENT),
    ]
    assert [h.line for h in report.headings] == [1, 2, 4]
    every = rlsmed.check(DISCHARGE, read=ReadOptions(all_statuses=True))
    assert {f.drug.name: f.status for f in every.findings}["lithium"] is Status.FAMILY
    assert CheckOptions(read=ReadOptions(all_statuses=True)).all_statuses


_PARTS = [
    "sertraline 50 mg", "Benadryl 25 mg", "trazodone", "Lipitor 20 mg", "mystery pill", "stopped", "held",
    "Allergies:", "STOP taking these medications", "Cardiac medications", "Family history:", "mother",
    "NKDA", "Medication  Sig  Dispense", "Patient: J. Doe", "PD", "Sinemet 25/100", "previously on",
    "- not taking", "Medications:", "d/c'd", "h/o", "allergic to Compazine", "cough medicine",
]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(st.lists(st.sampled_from(_PARTS), min_size=1, max_size=3), min_size=1, max_size=8))
def test_the_tool_reads_a_list_as_reading_it_line_by_line_does(lines: list[list[str]]) -> None:
    """The pipeline reads only the lines the matcher marks (and those naming no drug, and those under a
    heading): what it decides is what reading every line in turn decides."""
    texts = [" ".join(parts) for parts in lines]
    report = rlsmed.check("\n".join(texts))
    matcher = engine().matcher
    document = Document()
    expected_headings, expected_mentions = [], []
    for number, text in enumerate(texts, 1):
        hits = matcher.match(text)
        reading = document.read(text, [(h.start, h.end) for h in hits], number)
        if reading.heading is not None and reading.heading.kind != "inline":
            expected_headings.append(number)
        first: dict[str, Status] = {}  # a drug named twice on a line is read by its first naming
        for hit, decision in zip(hits, reading.decisions, strict=True):
            for ingredient in hit.target.ingredients:
                first.setdefault(ingredient, decision.status)
        expected_mentions += [(number, status) for status in first.values() if status is not Status.CURRENT]
    assert [h.line for h in report.headings] == expected_headings
    assert sorted({(m.record.line, m.status) for m in report.mentions}) == sorted(set(expected_mentions))
