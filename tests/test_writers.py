"""Golden output for every report format, on the small knowledge base."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from rlsmed.api import Input, Screening
from rlsmed.writers import OutputFormat, Writer, build_writer

from .helpers import DATA, run_cli

INPUT = "text.simple.txt"


def _golden_text(fmt: str, text: str) -> str:
    """The report as its golden file keeps it: an HTML report without its stylesheet (tested apart)."""
    if fmt != "html":
        return text
    return re.sub(r"<style>.*?</style>", "<style>(the stylesheet)</style>", text, count=1, flags=re.S)


@pytest.fixture
def in_inputs(monkeypatch: pytest.MonkeyPatch, tiny_kb: object) -> None:
    monkeypatch.chdir(DATA / "inputs")


@pytest.mark.usefixtures("in_inputs")
@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat if f is not OutputFormat.TABLE])
def test_golden(fmt: str, golden: Callable[[str, str], None]) -> None:
    result = run_cli(["check", INPUT, "--format", fmt])
    assert result.exit_code == 1, result.stderr
    golden(f"text.simple.{fmt}", _golden_text(fmt, result.stdout))


@pytest.mark.usefixtures("in_inputs")
@pytest.mark.parametrize("width", [80, 100, 150])
def test_golden_table(width: int, golden: Callable[[str, str], None]) -> None:
    # The same report at every width: the table widens, "why" and "what to consider" stay once per drug.
    result = run_cli(["check", INPUT, "--width", str(width)])
    assert result.exit_code == 1
    golden(f"text.simple.{width}.table", result.stdout)


@pytest.mark.usefixtures("in_inputs")
def test_golden_from_stdin(golden: Callable[[str, str], None]) -> None:
    text = (DATA / "inputs" / INPUT).read_text()
    result = run_cli(["check", "--format", "json"], stdin=text)
    assert result.exit_code == 1
    golden("text.simple.stdin.json", result.stdout)


@pytest.mark.usefixtures("in_inputs")
def test_json_is_the_same_from_a_file_and_from_stdin() -> None:
    # The JSON writer reads the input twice to keep memory flat; stdin's bytes are kept for that.
    from_file = json.loads(run_cli(["check", INPUT, "-f", "json"]).stdout)
    from_stdin = json.loads(run_cli(["check", "-f", "json"], stdin=(DATA / "inputs" / INPUT).read_text()).stdout)
    for section in ("findings", "not_current", "headings", "recognized", "unrecognized"):
        for item in from_stdin[section]:
            item["source"] = INPUT
    assert from_file == from_stdin


def test_every_output_format_has_a_writer() -> None:
    for fmt in OutputFormat:
        assert build_writer(fmt).name == fmt.value


def test_csv_rows_all_have_every_column(tmp_path: object) -> None:
    import csv as csv_module
    import io

    from rlsmed.writers.csv import COLUMNS

    result = run_cli(["check", "-f", "csv"], stdin="Zoloft\nLipitor\nxyzzy\n")
    rows = list(csv_module.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(COLUMNS)
    assert {len(r) for r in rows} == {len(COLUMNS)}
    assert [r[COLUMNS.index("status")] for r in rows[1:]] == ["flagged", "recognized", "unrecognized"]


@pytest.mark.usefixtures("in_inputs")
@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_golden_csv_export_per_patient(fmt: str, golden: Callable[[str, str], None]) -> None:
    # Findings grouped per patient, dose and directions shown, a discontinued row left out by default.
    result = run_cli(["check", "csv.epic-export.csv", "--format", fmt, "--width", "100"])
    assert result.exit_code == 1, result.stderr
    golden(f"csv.epic-export.{fmt}", _golden_text(fmt, result.stdout))


@pytest.mark.usefixtures("in_inputs")
@pytest.mark.parametrize("fmt", ["json", "jsonl", "table", "html"])
def test_golden_fhir_with_all_statuses(fmt: str, golden: Callable[[str, str], None]) -> None:
    args = ["check", "fhir.bundle-searchset.json", "fhir.bulk.ndjson", "--all-statuses", "-f", fmt, "--width", "100"]
    result = run_cli(args)
    assert result.exit_code == 1, result.stderr
    golden(f"fhir.all-statuses.{fmt}", _golden_text(fmt, result.stdout))


def _write(writer: Writer, inputs: list[Input]) -> tuple[str, list[str]]:
    """A report written through the library, and its notes for stderr."""
    out = io.StringIO()
    with Screening(inputs) as screening:
        summary = screening.write(writer, out)
    return out.getvalue(), summary.notes


@pytest.mark.usefixtures("in_inputs")
def test_json_reads_again_when_too_many_unrecognised_lines_to_keep() -> None:
    from rlsmed.writers.json import JsonWriter

    kept = run_cli(["check", INPUT, "-f", "json"]).stdout
    text = (DATA / "inputs" / INPUT).read_text()
    from_stdin = run_cli(["check", "-f", "json"], stdin=text).stdout
    # The input has two unrecognised lines: kept in memory by default, read again when only one may be.
    assert _write(JsonWriter(), [Input.from_path(INPUT)])[0] == kept
    assert _write(JsonWriter(keep_unrecognized=1), [Input.from_path(INPUT)])[0] == kept
    # From stdin too: its kept bytes are read a second and a third time.
    stdin = Input.from_stream(io.BytesIO(text.encode()))
    assert _write(JsonWriter(keep_unrecognized=1), [stdin])[0] == from_stdin


def test_jsonl_gives_one_object_per_patient_across_files(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("patient_id,medication\nP1,Zoloft 50 mg\nP2,Lipitor\n", encoding="utf-8")
    b.write_text("patient_id,medication\nP1,Benadryl 25 mg\nP3,xyzzy\n", encoding="utf-8")
    result = run_cli(["check", str(a), str(b), "-f", "jsonl"])
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["patient"] for o in objects] == ["P1", "P2", "P3"]
    assert [f["ingredient"] for f in objects[0]["findings"]] == ["sertraline", "diphenhydramine"]
    assert [f["source"] for f in objects[0]["findings"]] == [str(a), str(b)]
    assert objects[0]["kb_updated"] and objects[0]["advice"][0]["topic"] == "iron"
    assert objects[1]["advice"] == []  # no finding, no advice


def test_jsonl_notes_patients_whose_rows_come_apart(tmp_path: Path) -> None:
    from rlsmed.writers.jsonl import JsonlWriter

    path = tmp_path / "a.csv"
    others = "".join(f"Q{i},Lipitor\n" for i in range(20_000))  # several batches between P1's rows
    path.write_text(f"patient,drug\nP1,Zoloft\n{others}P1,Benadryl\n", encoding="utf-8")
    text, notes = _write(JsonlWriter(held=2), [Input.from_path(path)])
    patients = [json.loads(line)["patient"] for line in text.splitlines()]
    assert len(patients) == 20_002 and patients.count("P1") == 2  # nothing lost, P1 written twice
    assert notes[0].startswith("1 patients (or inputs without patients) have more than one JSON Lines object")


def test_jsonl_splits_a_list_without_patients_too_long_to_hold(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Zoloft 50 mg\nLipitor\n" * 20_000, encoding="utf-8")  # several batches, no patients
    result = run_cli(["check", str(path), "-f", "jsonl"])  # 40,000 lines: more than the 10,000 held
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) > 1 and {o["patient"] for o in objects} == {None}
    assert sum(o["counts"]["records"] for o in objects) == 40_000  # nothing lost
    assert sum(len(o["findings"]) for o in objects) == 20_000
    assert "patients (or inputs without patients) have more than one JSON Lines object" in result.stderr


def test_flagged_records_go_out_in_sections_and_unrecognised_ones_are_listed_up_to_a_limit(tmp_path: Path) -> None:
    from rlsmed.writers.gather import Gatherer

    path = tmp_path / "a.txt"
    path.write_text(("Zoloft\n" + "xyzzy one\n" * 9) * 2_000 + "Lipitor\n", encoding="utf-8")  # several batches
    emitted: list[int] = []
    gatherer = Gatherer(lambda patient, rows: emitted.append(len(rows)), hold=3, list_unrecognized=2)
    with Screening([Input.from_path(path)]) as screening:
        for batch in screening.batches():
            gatherer.add(batch)
    gathered = gatherer.close()
    assert len(emitted) >= 3 and max(emitted) <= 1024 and sum(emitted) == 2_000, emitted
    assert len(gathered.unrecognized) == 2 and gathered.more_unrecognized == 17_998
    for fmt in ("table", "markdown"):  # the reports list 1,000 and count the rest
        result = run_cli(["check", str(path), "-f", fmt, "--width", "160"])
        assert result.exit_code == 1
        assert "17,000 more" in result.stdout
        assert result.stdout.count("xyzzy one") == 1_000
