"""The command line as a user runs it: commands, options, exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlsmed import __version__
from rlsmed.cli import main

from .helpers import DATA, ROOT, check_json, explain_failure, run_cli, write

pytestmark = pytest.mark.usefixtures("tiny_kb")


def test_version_and_help() -> None:
    for flag in ("--version", "-V"):
        result = run_cli([flag])
        assert result.exit_code == 0
        assert result.stdout == f"rlsmed {__version__} (knowledge base test-1, 2026-01-01)\n"
    result = run_cli(["check", "--help"])
    assert result.exit_code == 0
    assert "--fail-on" in result.stdout and "--ignore" in result.stdout


def test_exit_1_when_flagged_0_when_clean(tmp_path: Path) -> None:
    flagged = run_cli(["check", str(write(tmp_path, "a.txt", "Zoloft 50 mg\n"))])
    assert flagged.exit_code == 1, explain_failure(flagged)
    assert "sertraline" in flagged.stdout
    clean = run_cli(["check", str(write(tmp_path, "b.txt", "Lipitor 20 mg\nmetformin 500 mg bid\n"))])
    assert clean.exit_code == 0, explain_failure(clean)
    assert "Nothing flagged" in clean.stdout


def test_summary_line_goes_to_stderr(tmp_path: Path) -> None:
    result = run_cli(["check", "-f", "json", str(write(tmp_path, "a.txt", "Zoloft\nxyzzy\n"))])
    assert result.stderr.startswith("rlsmed: 2 lines screened, 1 flagged (1 finding)")
    assert "1 unrecognised" in result.stderr
    json.loads(result.stdout)  # stdout holds only the report


def test_reads_stdin_when_piped_and_with_dash() -> None:
    for args in (["check", "-f", "json"], ["check", "-f", "json", "-"]):
        result = run_cli(args, stdin="Lexapro 10 mg\n")
        assert result.exit_code == 1
        report = json.loads(result.stdout)
        assert report["findings"][0]["source"] == "<stdin>"
        assert report["findings"][0]["ingredient"] == "escitalopram"


def test_several_files_keep_their_names_and_line_numbers(tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", "Lipitor\nZoloft\n")
    b = write(tmp_path, "b.txt", "\n\nBenadryl\n")
    report = check_json([str(a), str(b)], expect=1)
    assert [(f["source"], f["line"], f["ingredient"]) for f in report["findings"]] == [
        (str(a), 2, "sertraline"),
        (str(b), 3, "diphenhydramine"),
    ]


def test_json_contract(tmp_path: Path) -> None:
    report = check_json([str(write(tmp_path, "a.txt", "sertaline 50\nLipitor\nfoo bar\n"))], expect=1)
    assert set(report) >= {"findings", "recognized", "unrecognized", "summary", "kb_version", "advice"}
    [finding] = report["findings"]
    for key in (
        "source line input ingredient matched_text match score drug_class effect evidence rationale "
        "considerations sources"
    ).split():
        assert key in finding
    assert finding["match"] == "fuzzy" and finding["needs_verification"] is True
    assert report["recognized"][0]["ingredients"] == ["atorvastatin"]
    assert report["unrecognized"] == [
        {
            "source": str(tmp_path / "a.txt"),
            "line": 3,
            "input": "foo bar",
            "patient": None,
            "record": None,
            "record_status": None,  # the status the input gives; "status" is the mention's own
        }
    ]
    assert (finding["status"], finding["status_reason"]) == ("current", None)
    assert report["not_current"] == [] and report["headings"] == []
    assert report["summary"]["exit_code"] == 1
    assert report["kb_version"] == "test-1"


def test_every_line_ends_in_exactly_one_state(tmp_path: Path) -> None:
    text = (DATA / "inputs" / "text.simple.txt").read_text()
    report = check_json([str(write(tmp_path, "a.txt", text))])
    lines = [f["line"] for f in report["findings"]]
    recognized = [r["line"] for r in report["recognized"]]
    unrecognized = [r["line"] for r in report["unrecognized"]]
    headings = [r["line"] for r in report["headings"]]
    assert headings == [1]  # "Current medications:" is a heading, not an unrecognised line
    nonblank = [i for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    assert sorted(set(lines) | set(recognized) | set(unrecognized) | set(headings)) == nonblank
    states = [set(lines), set(recognized), set(unrecognized), set(headings)]
    assert sum(map(len, states)) == len(set().union(*states))  # each line in one state only


def test_ignore_keeps_the_finding_but_not_the_exit_code(tmp_path: Path) -> None:
    path = str(write(tmp_path, "a.txt", "Zoloft 50 mg\n"))
    report = check_json([path, "--ignore", "Zoloft"], expect=0)
    assert report["findings"][0]["ignored"] is True
    assert report["summary"]["ignored"] == 1
    table = run_cli(["check", path, "--ignore", "sertraline"])
    assert table.exit_code == 0, explain_failure(table)
    row = next(line for line in table.stdout.splitlines() if "sertraline" in line)
    assert row.split()[:3] == ["1", "Zoloft", "50"]
    assert "ignored" in table.stdout.splitlines()[table.stdout.splitlines().index(row) + 1]
    assert "1 finding ignored" in table.stdout.splitlines()[0]


def test_ignore_of_an_unknown_drug_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["check", str(write(tmp_path, "a.txt", "Zoloft\n")), "--ignore", "notadrug"])
    assert result.exit_code == 2
    assert result.stderr == "rlsmed: --ignore notadrug: not a drug in the knowledge base\n"
    # A misspelling is not resolved by guessing: ignoring a drug is a decision about that drug.
    result = run_cli(["check", str(write(tmp_path, "b.txt", "Zoloft\n")), "--ignore", "sertaline"])
    assert result.exit_code == 2
    assert result.stderr == "rlsmed: --ignore sertaline: not a drug in the knowledge base (did you mean sertraline?)\n"


@pytest.mark.parametrize(("fail_on", "code"), [("any", 1), ("weak", 1), ("moderate", 0), ("strong", 0), ("never", 0)])
def test_fail_on_sets_the_evidence_threshold(tmp_path: Path, fail_on: str, code: int) -> None:
    path = str(write(tmp_path, "a.txt", "Zoloft\nBenadryl\n"))  # weak and expert-opinion findings
    result = run_cli(["check", path, "--fail-on", fail_on, "-f", "json"])
    assert result.exit_code == code, explain_failure(result)
    assert len(json.loads(result.stdout)["findings"]) == 2  # the threshold never hides a finding


def test_ferritin_makes_iron_advice_specific(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write(tmp_path, "a.txt", "Zoloft\n"))
    assert "<= 75 ng/mL" in check_json([path])["advice"][0]["text"]
    low = check_json([path, "--ferritin", "40"])["advice"][0]["text"]
    assert low.startswith("Ferritin 40 ng/mL is <= 75 ng/mL")
    mid = check_json([path, "--ferritin", "90", "--tsat", "25"])["advice"][0]["text"]
    assert "IV iron (not oral)" in mid and "transferrin saturation 25 %" in mid
    # Either low value supports oral or IV iron: a low saturation is not overruled by ferritin 75-100.
    both = check_json([path, "--ferritin", "80", "--tsat", "15"])["advice"][0]["text"]
    assert "supports iron therapy (oral or IV)" in both and "IV iron (not oral)" not in both
    high = check_json([path, "--ferritin", "150", "--tsat", "30"])["advice"][0]["text"]
    assert "do not point to iron therapy" in high
    clean = check_json([str(write(tmp_path, "b.txt", "Lipitor\n")), "--ferritin", "40"])
    assert clean["advice"] == []  # iron advice comes with findings only
    for value in ("-5", "nan", "inf", "abc"):
        assert main(["check", path, "--ferritin", value]) == 2, value
        err = capsys.readouterr().err
        assert err.startswith("rlsmed: ") and err.count("\n") == 1, err


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli(["check", str(write(tmp_path, "a.txt", "Zoloft\n")), "-f", "json", "-o", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert json.loads(out.read_text())["findings"][0]["ingredient"] == "sertraline"


def test_output_file_is_removed_when_the_run_fails(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    bad = write(tmp_path, "bad.txt", b"Zoloft\n\xff\xfe\x00\x00garbage\x00\x00")
    result = run_cli(["check", str(bad), "-f", "json", "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "/nonexistent/meds.txt"], "rlsmed: /nonexistent/meds.txt: no such file\n"),
        (["check", str(ROOT / "tests")], f"rlsmed: {ROOT / 'tests'}: is a directory, not a file\n"),
    ],
)
def test_unreadable_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = run_cli(args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert result.stdout == ""


def test_usage_errors_exit_2() -> None:
    assert run_cli(["check", "--format", "xml"]).exit_code == 2
    assert run_cli(["check", "--no-such-option"]).exit_code == 2
    assert run_cli(["frobnicate"]).exit_code == 2


def test_main_returns_exit_codes_without_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "/nonexistent"]) == 2
    assert capsys.readouterr().err == "rlsmed: /nonexistent: no such file\n"
    assert main(["check", "--format", "xml", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_no_colour_off_a_terminal_and_markup_is_literal(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "[bold red]Zoloft[/bold red] 50 mg\n\x1b[31mevil\x1b[0m\n")
    result = run_cli(["check", str(path), "--width", "200"])
    assert "\x1b" not in result.stdout
    assert "[bold red]Zoloft[/bold red]" in result.stdout
    assert "\ufffd[31mevil" in result.stdout


def test_markdown_and_csv_are_available(tmp_path: Path) -> None:
    path = str(write(tmp_path, "a.txt", "=HYPERLINK(1) Zoloft\n"))
    md = run_cli(["check", path, "-f", "markdown"])
    assert md.stdout.startswith("# rlsmed report")
    csv_out = run_cli(["check", path, "-f", "csv"])
    assert "'=HYPERLINK(1) Zoloft" in csv_out.stdout


def test_explain() -> None:
    result = run_cli(["explain", "Lexapro"])
    assert result.exit_code == 0
    assert result.stdout.startswith("escitalopram (SSRI antidepressant)")
    assert "doi:10.1000/test.1" in result.stdout
    fuzzy = run_cli(["explain", "Lexipro"])
    assert fuzzy.exit_code == 0 and "closest match" in fuzzy.stdout and "escitalopram" in fuzzy.stdout
    safe = run_cli(["explain", "bupropion"])
    assert "lower-risk alternative (never flagged)" in safe.stdout
    ordinary = run_cli(["explain", "Lipitor"])
    assert ordinary.exit_code == 0 and "no known RLS concern" in ordinary.stdout
    unknown = run_cli(["explain", "qqqqqq"])
    assert unknown.exit_code == 2 and unknown.stderr == "rlsmed: 'qqqqqq' is not a drug name rlsmed knows\n"


def test_kb_list_search_and_validate(tmp_path: Path) -> None:
    listing = json.loads(run_cli(["kb", "list", "--format", "json"]).stdout)
    assert listing["kb_version"] == "test-1"
    assert {d["name"] for d in listing["drugs"]} >= {"sertraline", "levodopa", "bupropion"}
    table = run_cli(["kb", "list"])
    assert "sertraline" in table.stdout
    found = run_cli(["kb", "search", "antihistamine"])
    assert "diphenhydramine" in found.stdout and "cetirizine" in found.stdout and "sertraline" not in found.stdout
    assert run_cli(["kb", "search", "nothing like this"]).stderr.startswith("rlsmed: no knowledge-base entry")
    product = run_cli(["kb", "search", "Tylenol PM"])  # a product: its flagged ingredient
    assert "diphenhydramine" in product.stdout and "sertraline" not in product.stdout
    assert run_cli(["kb", "validate", str(DATA / "kb" / "tiny.yaml")]).exit_code == 0
    bad = write(tmp_path, "bad.yaml", "drugs:\n  - name: Foo\n    effect: sometimes\n")
    result = run_cli(["kb", "validate", str(bad)])
    assert result.exit_code == 2
    assert "drug 'Foo': missing field 'class'" in result.stderr
    assert "effect must be one of" in result.stderr


def test_site_knowledge_base_adds_entries_and_names(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        "site.yaml",
        "drugs:\n  - name: sertraline\n    names: [Sertra-Local]\n",
    )
    report = check_json(["--kb", str(site)], stdin="Sertra-Local 50 mg\n", expect=1)
    assert report["findings"][0]["ingredient"] == "sertraline"
    assert report["kb_version"] == "test-1+site"


def test_an_invalid_site_knowledge_base_lists_every_problem(tmp_path: Path) -> None:
    site = write(tmp_path, "site.yaml", "drugs:\n  - name: nosuchdrug\n    names: [X]\n  - just a string\n")
    result = run_cli(["check", "--kb", str(site)], stdin="Zoloft\n")
    assert result.exit_code == 2
    assert "drug #2: must be a mapping" in result.stderr
    assert "Traceback" not in result.stderr


def test_jobs_give_the_same_report(tmp_path: Path) -> None:
    lines = ["Zoloft 50 mg", "Lipitor", "sertaline", "Tylenol PM", "xyzzy", "hydralazine", "Sinemet for Parkinson's"]
    path = write(tmp_path, "a.txt", "\n".join(lines * 700) + "\n")  # several batches
    one = run_cli(["check", str(path), "-f", "json", "--jobs", "1"])
    two = run_cli(["check", str(path), "-f", "json", "--jobs", "2"])
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    # CSV with RxNorm codes: the lines with codes are finished in the main process, from both.
    rows = ["P1,Zoloft 50 mg,", "P2,Some product 5 mg,36437", "P3,Lipitor,", "P4,Sinemet,"] * 1500
    csv_path = write(tmp_path, "b.csv", "patient,medication,code\n" + "\n".join(rows) + "\n")
    one = run_cli(["check", str(csv_path), "-f", "jsonl", "--jobs", "1"])
    two = run_cli(["check", str(csv_path), "-f", "jsonl", "--jobs", "2"])
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    p2 = [json.loads(line) for line in two.stdout.splitlines() if '"patient": "P2"' in line]
    assert {f["ingredient"] for o in p2 for f in o["findings"]} == {"sertraline"}  # named by its code only


def test_csv_and_fhir_are_detected_on_stdin_and_grouped_by_patient() -> None:
    csv_text = "patient_id,medication,sig\nA,Zoloft 50 mg,daily\nA,Lipitor,nightly\nB,metformin,bid\n"
    report = check_json([], stdin=csv_text, expect=1)
    assert [(f["patient"], f["record"], f["ingredient"]) for f in report["findings"]] == [("A", "row 1", "sertraline")]
    assert report["summary"]["patients"] == 2 and report["summary"]["patients_flagged"] == 1
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "MedicationStatement",
                    "id": "s1",
                    "status": "active",
                    "medicationCodeableConcept": {"text": "Benadryl 25 mg"},
                    "subject": {"reference": "Patient/p9"},
                }
            }
        ],
    }
    report = check_json([], stdin=json.dumps(bundle), expect=1)
    [finding] = report["findings"]
    assert (finding["patient"], finding["record"], finding["record_status"]) == (
        "p9",
        "MedicationStatement/s1",
        "active",
    )
    assert finding["status"] == "current"


def test_input_format_can_be_forced(tmp_path: Path) -> None:
    path = write(tmp_path, "meds.dat", "medication\nZoloft\n")
    assert check_json([str(path)])["findings"][0]["record"] is None  # read as text: "medication" is a line
    forced = check_json([str(path), "--input-format", "csv"])
    assert forced["findings"][0]["record"] == "row 1"
    assert forced["summary"]["records"] == 1


def test_output_never_overwrites_an_input(tmp_path: Path) -> None:
    path = write(tmp_path, "meds.txt", "Zoloft\n")
    result = run_cli(["check", str(path), "-o", str(path)])
    assert result.exit_code == 2
    assert "is an input" in result.stderr
    assert path.read_text() == "Zoloft\n"
