"""Golden output for every report format, on the small knowledge base."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from rlsmed.writers import OutputFormat, build_writer

from .helpers import DATA, run_cli

INPUT = "text.simple.txt"


@pytest.fixture
def in_inputs(monkeypatch: pytest.MonkeyPatch, tiny_kb: object) -> None:
    monkeypatch.chdir(DATA / "inputs")


@pytest.mark.usefixtures("in_inputs")
@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_golden(fmt: str, golden: Callable[[str, str], None]) -> None:
    result = run_cli(["check", INPUT, "--format", fmt, "--width", "160"])
    assert result.exit_code == 1, result.stderr
    golden(f"text.simple.{fmt}", result.stdout)


@pytest.mark.usefixtures("in_inputs")
def test_golden_narrow_table(golden: Callable[[str, str], None]) -> None:
    # Below 150 columns the "why" and "consider instead" texts move under the table, once per drug.
    result = run_cli(["check", INPUT, "--width", "100"])
    assert result.exit_code == 1
    golden("text.simple.narrow.table", result.stdout)


@pytest.mark.usefixtures("in_inputs")
def test_golden_from_stdin(golden: Callable[[str, str], None]) -> None:
    text = (DATA / "inputs" / INPUT).read_text()
    result = run_cli(["check", "--format", "json"], stdin=text)
    assert result.exit_code == 1
    golden("text.simple.stdin.json", result.stdout)


@pytest.mark.usefixtures("in_inputs")
def test_json_is_the_same_from_a_file_and_from_stdin() -> None:
    # From a file the JSON writer reads the input twice to keep memory flat; from stdin it keeps lines.
    from_file = json.loads(run_cli(["check", INPUT, "-f", "json"]).stdout)
    from_stdin = json.loads(run_cli(["check", "-f", "json"], stdin=(DATA / "inputs" / INPUT).read_text()).stdout)
    for section in ("findings", "recognized", "unrecognized"):
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
    result = run_cli(["check", "csv.epic-export.csv", "--format", fmt, "--width", "160"])
    assert result.exit_code == 1, result.stderr
    golden(f"csv.epic-export.{fmt}", result.stdout)


@pytest.mark.usefixtures("in_inputs")
@pytest.mark.parametrize("fmt", ["json", "jsonl", "table"])
def test_golden_fhir_with_all_statuses(fmt: str, golden: Callable[[str, str], None]) -> None:
    args = ["check", "fhir.bundle-searchset.json", "fhir.bulk.ndjson", "--all-statuses", "-f", fmt, "--width", "160"]
    result = run_cli(args)
    assert result.exit_code == 1, result.stderr
    golden(f"fhir.all-statuses.{fmt}", result.stdout)


@pytest.mark.usefixtures("in_inputs")
def test_json_reads_again_when_too_many_unrecognised_lines_to_keep(monkeypatch: pytest.MonkeyPatch) -> None:
    from rlsmed.writers import json as json_writer

    kept = run_cli(["check", INPUT, "-f", "json"]).stdout
    monkeypatch.setattr(json_writer, "_KEEP_UNRECOGNIZED", 1)  # the input has two
    assert run_cli(["check", INPUT, "-f", "json"]).stdout == kept
