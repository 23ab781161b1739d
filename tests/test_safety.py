"""Hostile input never crashes, nothing is lost, nothing leaks (no network, no stray files, no tracebacks)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsmed import pipeline

from .helpers import ROOT, check_json, explain_failure, run_cli, write

pytestmark = pytest.mark.usefixtures("tiny_kb")


def _rlsmed(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """rlsmed in a fresh process, from the source tree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **kwargs.pop("env", {})}
    return subprocess.run(
        [sys.executable, "-m", "rlsmed", *args], capture_output=True, text=True, env=env, check=False, **kwargs
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "binary data (NUL bytes), not text"),
        (b"Zoloft\n" + b"a" * (2 << 20) + b"\n", "line longer than 1,048,576 characters"),
        ("Zoloft\n".encode("utf-16") + b"\x00\xd8A\x00\n\x00", "2: bytes that are not valid utf-16-le"),
    ],
    ids=["image", "10-MB line", "broken utf-16"],
)
def test_unreadable_content_is_one_line_and_exit_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path, "meds.txt", content)
    result = run_cli(["check", str(path)])
    assert result.exit_code == 2, explain_failure(result)
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"rlsmed: {path}")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "records"),
    [
        (b"", 0),
        (b"  \n\t\n \r\n", 0),
        ("Sérénace 5 mg\r\nZoloft\r\n".encode("cp1252"), 2),  # invalid UTF-8: read as Windows-1252
        ("Zoloft 50 mg\nLipitor\n".encode("utf-16-le"), 2),  # UTF-16 without a BOM
    ],
    ids=["empty", "whitespace", "cp1252", "utf-16 no BOM"],
)
def test_odd_but_readable_content_is_processed(tmp_path: Path, content: bytes, records: int) -> None:
    report = check_json([str(write(tmp_path, "meds.txt", content))])
    assert report["summary"]["records"] == records


@pytest.mark.slow
def test_a_million_lines_are_screened(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", "Lipitor 20 mg\nZoloft 50 mg\n" * 500_000)
    result = run_cli(["check", str(path), "-f", "csv", "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 1
    assert "1,000,000 lines screened" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", "Zoloft\n")
    path.chmod(0)
    result = run_cli(["check", str(path)])
    assert result.exit_code == 2 and result.stderr == f"rlsmed: {path}: permission denied\n"


def test_closed_stdin_is_a_usage_error() -> None:
    result = _rlsmed(["check"], stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0))
    assert result.returncode == 2, result.stderr
    assert result.stderr == "rlsmed: no input: give a FILE, or pipe a medication list to stdin\n"


def test_ctrl_c_exits_130_without_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.Screening, "batches", interrupted)
    result = run_cli(["check", str(write(tmp_path, "a.txt", "Zoloft\n"))])
    assert result.exit_code == 130
    assert result.stderr == "rlsmed: interrupted\n"


def test_internal_errors_are_one_line_unless_debug(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("secret patient data")

    monkeypatch.setattr(pipeline.Screening, "batches", broken)
    path = str(write(tmp_path, "a.txt", "Zoloft\n"))
    result = run_cli(["check", path])
    assert result.exit_code == 2
    assert result.stderr == "rlsmed: internal error (ValueError); run 'rlsmed --debug ...' for details\n"
    with pytest.raises(ValueError, match="secret"):
        run_cli(["--debug", "check", path])


def test_no_network_access(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("rlsmed tried to open a network socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    path = write(tmp_path, "a.txt", "Zoloft 50 mg\nsertaline\nLipitor\n")
    for fmt in ("table", "json", "csv", "markdown"):
        assert run_cli(["check", str(path), "-f", fmt]).exit_code == 1
    assert run_cli(["explain", "Lexipro"]).exit_code == 0


def test_no_file_is_written_but_the_output(tmp_path: Path) -> None:
    work, home, tmp = tmp_path / "work", tmp_path / "home", tmp_path / "tmp"
    for folder in (work, home, tmp):
        folder.mkdir()
    write(work, "meds.txt", "Zoloft 50 mg\nLipitor\n")
    env = {
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = _rlsmed(["check", "meds.txt", "-f", "json", "-o", "report.json"], cwd=work, env=env)
    assert result.returncode == 1, result.stderr
    assert sorted(p.name for p in work.iterdir()) == ["meds.txt", "report.json"]
    assert list(home.iterdir()) == [] and list(tmp.iterdir()) == []
    # A failed run leaves no file either (the report is written under a temporary name, then renamed),
    # and leaves an existing report as it was.
    report = (work / "report.json").read_text(encoding="utf-8")
    write(work, "bad.txt", "Zoloft\n" * 40_000 + "bad\x00line\n")
    for args in (["missing.txt"], ["bad.txt"], ["bad.txt", "--jobs", "2"], ["meds.txt", "--ignore", "nosuchdrug"]):
        result = _rlsmed(["check", *args, "-f", "json", "-o", "report.json"], cwd=work, env=env)
        assert result.returncode == 2, result.stderr
    result = _rlsmed(["check", "missing.txt", "-o", "new.json"], cwd=work, env=env)
    assert result.returncode == 2, result.stderr
    assert sorted(p.name for p in work.iterdir()) == ["bad.txt", "meds.txt", "report.json"]
    assert (work / "report.json").read_text(encoding="utf-8") == report
    assert list(home.iterdir()) == [] and list(tmp.iterdir()) == []


# An OSC 52 sequence (sets the clipboard), a bell, a C1 control, a right-to-left override, a zero-width
# space and a line separator: none may reach the terminal, and a message stays one line.
HOSTILE = "\x1b]52;c;aGVsbG8=\x07\x9b31m\u202eevil\u200b\u2028x"


def test_error_lines_never_carry_terminal_codes(tmp_path: Path) -> None:
    path = write(tmp_path, "meds.tsv", f"patient\tmed{HOSTILE}\nA\tZoloft\n")  # a header: its cells are listed
    result = run_cli(["check", str(path), "--column", "nope"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"rlsmed: {path}: no column 'nope'")
    _assert_safe_line(result.stderr)
    result = run_cli(["check", str(tmp_path / f"a{HOSTILE}.txt")])
    assert result.exit_code == 2 and "no such file" in result.stderr
    _assert_safe_line(result.stderr)
    result = run_cli(["explain", f"nosuchdrugname{HOSTILE}"])
    assert result.exit_code == 2
    _assert_safe_line(result.stderr)
    # In a fresh process too: a file name, and Click's own usage errors (printed by main()).
    result_p = _rlsmed(["check", str(tmp_path / f"b{HOSTILE}.txt")])
    assert result_p.returncode == 2 and "no such file" in result_p.stderr
    _assert_safe_line(result_p.stderr)
    result_p = _rlsmed(["check", f"--no-such{HOSTILE}"])
    assert result_p.returncode == 2
    _assert_safe_line(result_p.stderr, replaced=False)  # Click writes them as \x1b


def _assert_safe_line(err: str, *, replaced: bool = True) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert err[:-1].isprintable(), repr(err)
    assert ("\ufffd" in err) is replaced, repr(err)


def test_errors_never_echo_more_than_the_line_at_fault(tmp_path: Path) -> None:
    lines = "Zoloft secret-patient-1\nLipitor\n" * 40_000  # past the first block, which is sniffed as a whole
    path = write(tmp_path, "meds.txt", lines + "bad\x00line\n")
    result = run_cli(["check", str(path), "-f", "json"])  # the message, not 40,000 table rows first
    assert result.exit_code == 2
    assert result.stderr == f"rlsmed: {path}:80001: NUL byte in text; is this a binary file?\n"


# Generated medication lists: real names, misspellings, sig words, junk, markup, control characters.
NAMES = ["Zoloft 50 mg", "sertaline", "Lipitor", "Tylenol PM", "hydrALAZINE", "Benedryl", "Sinemet 25/100"]
LINES = st.one_of(st.sampled_from(NAMES), st.text(max_size=60), st.sampled_from(["", "  ", "[bold]x", "\x1b[2J"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(LINES, max_size=25))
def test_nothing_is_lost_and_json_is_always_valid(lines: list[str]) -> None:
    text = "\n".join(lines)
    result = run_cli(["check", "-f", "json"], stdin=text.encode("utf-8"))
    assert result.exit_code in (0, 1, 2, 3), explain_failure(result)
    if result.exit_code == 2:
        return  # e.g. a NUL byte: refused with a message, never half-done
    report = json.loads(result.stdout)
    # 3: nothing to screen, only ever for a list with no line on it.
    assert (result.exit_code == 3) == (report["summary"]["records"] == 0), explain_failure(result)
    flagged = {f["line"] for f in report["findings"]}
    recognized = [r["line"] for r in report["recognized"]]
    unrecognized = [r["line"] for r in report["unrecognized"]]
    headings = [r["line"] for r in report["headings"]]
    # A line naming only drugs that are not current is accounted for by its mentions.
    mentioned = {m["line"] for m in report["not_current"]} - flagged - set(recognized)
    # Every non-blank line (line ends: LF, CRLF or CR) is in exactly one of the lists.
    expected = [i for i, line in enumerate(re.split(r"\r\n|\r|\n", text), 1) if line.strip()]
    assert sorted([*flagged, *recognized, *unrecognized, *headings, *mentioned]) == expected
    assert report["summary"]["records"] == len(expected)
