"""The habits of the command-line tools a user already knows: an empty input is said, never read as a clean
list; bare `rlsmed` is help; errors point to the right help; help has examples; shells complete."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rlsmed.cli import main
from rlsmed.errors import ExitCode

from .helpers import DATA, ROOT, explain_failure, read_all, run_cli, write

pytestmark = pytest.mark.usefixtures("tiny_kb")

EMPTY_INPUTS = {
    "an empty file": ("empty.txt", ""),
    "blank lines only": ("blank.txt", "\n  \n\t\n"),
    "a CSV of headers only": ("meds.csv", "patient_id,medication,sig\n"),
    "FHIR without medication": (
        "bundle.json",
        '{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient", "id": "p1"}}]}',
    ),
}


@pytest.mark.parametrize("case", EMPTY_INPUTS)
def test_an_input_with_nothing_to_screen_exits_3(tmp_path: Path, case: str) -> None:
    name, content = EMPTY_INPUTS[case]
    path = write(tmp_path, name, content)
    for fmt in ("table", "json"):
        result = run_cli(["check", str(path), "-f", fmt])
        assert result.exit_code == ExitCode.NOTHING_TO_SCREEN == 3, explain_failure(result)
        assert result.stderr == f"rlsmed: nothing to screen: {path} holds no medication\n"
    assert "Nothing to screen" in run_cli(["check", str(path)]).stdout
    assert json.loads(run_cli(["check", str(path), "-f", "json"]).stdout)["summary"]["exit_code"] == 3


def test_empty_stdin_exits_3_even_quietly() -> None:
    result = run_cli(["check", "-q"], stdin="")
    assert result.exit_code == 3
    assert result.stderr == "rlsmed: nothing to screen: <stdin> holds no medication\n"


def test_one_empty_input_among_others_is_named(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.txt", "")
    meds = write(tmp_path, "meds.txt", "Lipitor 20 mg\n")
    result = run_cli(["check", str(meds), str(empty), "-f", "json"])
    assert result.exit_code == 0  # the other input was screened: its verdict stands
    assert result.stderr.splitlines()[0] == f"rlsmed: {empty}: nothing to screen (no medication in it)"


def test_only_medicines_no_longer_taken_is_not_an_empty_input() -> None:
    # Screened and left out as not current: a list was read, and said so.
    result = run_cli(["check", str(DATA / "inputs" / "csv.epic-export.csv"), "-f", "json", "--fail-on", "never"])
    assert result.exit_code == 0


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_an_empty_paste_exits_3() -> None:
    import pty

    primary, secondary = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlsmed", "check"], stdin=secondary, stdout=subprocess.PIPE, stderr=secondary, env=env
    )
    os.close(secondary)
    os.write(primary, b"\x04")  # Ctrl-D at once
    out, _ = proc.communicate(timeout=60)
    terminal = read_all(primary)
    os.close(primary)
    assert proc.returncode == 3
    assert b"nothing to screen: <stdin> holds no medication" in terminal
    assert b"Nothing to screen" in out


@pytest.mark.parametrize("args", [[], ["kb"]])
def test_bare_rlsmed_is_its_help_without_an_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "Usage: rlsmed" in out
    assert err == ""


@pytest.mark.parametrize(
    ("args", "points_to"),
    [
        (["check", "--bogus"], "rlsmed check --help"),
        (["kb", "list", "--format", "xml"], "rlsmed kb list --help"),
        (["explain"], "rlsmed explain --help"),
        (["chek"], "rlsmed --help"),
    ],
)
def test_an_error_points_to_its_commands_help(
    args: list[str], points_to: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("rlsmed: ") and err.endswith(f"(see {points_to})\n")
    assert err.count("\n") == 1


def test_help_has_examples_and_exit_codes() -> None:
    result = run_cli(["check", "--help"], env={"COLUMNS": "100"})
    assert "Examples:" in result.stdout and "rlsmed check meds.txt -o report.html" in result.stdout
    assert "3 nothing to screen" in result.stdout


def test_shells_complete_commands_and_options() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_RLSMED_COMPLETE": "complete_bash", "COMP_CWORD": "1"}
    words = subprocess.run(
        [sys.executable, "-m", "rlsmed"], env={**env, "COMP_WORDS": "rlsmed ch"}, capture_output=True, text=True
    ).stdout.split()
    assert words == ["check"]
    env["COMP_CWORD"] = "2"
    options = subprocess.run(
        [sys.executable, "-m", "rlsmed"], env={**env, "COMP_WORDS": "rlsmed check --fa"}, capture_output=True, text=True
    ).stdout.split()
    assert options == ["--fail-on"]
    script = run_cli(["--show-completion", "bash"], env={"SHELL": "/bin/bash"})
    assert script.exit_code == 0 and "_RLSMED_COMPLETE" in script.stdout
