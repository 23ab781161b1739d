"""The terminal report a pharmacist reads: what comes first, in what order, how it fits its width, and
how it looks through a pipe, in colour or in a file."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

import rlsmed
from rlsmed.api import Input, Screening
from rlsmed.writers.table import TableWriter

from .helpers import ROOT, explain_failure, read_all, run_cli, write

EXAMPLE = ROOT / "examples" / "medications.txt"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _example(width: int) -> list[str]:
    return rlsmed.render(rlsmed.check_files([EXAMPLE]), "table", width=width).splitlines()


@pytest.mark.parametrize(("width", "most"), [(80, 120), (100, 100)])
def test_the_bundled_example_fits_its_page(width: int, most: int) -> None:
    lines = _example(width)
    assert len(lines) <= most
    assert max(map(cell_len, lines)) <= width
    assert not [line for line in lines if line != line.rstrip()]  # no trailing blanks in a file


@pytest.mark.parametrize("width", [40, 60, 80, 100, 150, 200])
def test_every_width_fits_breaks_no_drug_name_and_explains_each_drug_once(width: int) -> None:
    lines = _example(width)
    assert max(map(cell_len, lines)) <= width
    words = {w for line in lines for w in line.split()}
    report = rlsmed.check_files([EXAMPLE])
    drugs = {f.drug.name for f in report.findings}
    assert drugs <= words  # each name whole on some line
    text = "\n".join(lines)
    assert text.count("Why: ") == len(drugs)  # once per drug, at every width
    assert text.count("What to consider: ") == len(drugs)


_RANK = {"strong": 0, "moderate": 1, "weak": 2, "expert": 3}


def test_the_headline_comes_first_then_findings_by_importance() -> None:
    lines = _example(100)
    summary = rlsmed.check_files([EXAMPLE]).summary
    assert lines[0] == (
        f"{summary.flagged} of 16 medicines may provoke or worsen RLS; 1 misspelling to verify; 1 line not recognised."
    )
    # The findings' rows: line, written, drug, effect, evidence (the last word).
    start = lines.index(next(line for line in lines if line.startswith("  Line")))
    rows = []
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        if re.match(r"  \d+ ", line):
            rows.append((int(line.split()[0]), "augmentation" in line, _RANK[line.split()[-1]]))
    assert len(rows) == summary.flagged
    # An augmentation risk first, then by strength of evidence; ties keep their input order.
    assert rows == sorted(rows, key=lambda r: (not r[1], r[2], r[0]))
    assert rows[0][1] and rows[0][0] == 8  # ropinirole
    text = "\n".join(lines)
    # The misspelling's legend comes right under the table, before the drugs' notes.
    assert text.index("read as Benadryl (87.5): verify") < text.index("Read as: a misspelling") < text.index("Why: ")


def test_written_lines_are_shortened_to_what_identifies_them_and_whole_with_verbose() -> None:
    short = "\n".join(_example(100))
    assert "TYLENOL PM EXTRA STRENGTH 25-500 MG" in short
    assert "Take 2 tablets by mouth" not in short  # the directions are in JSON, and with -v
    result = run_cli(["check", str(EXAMPLE), "--width", "150", "-v"])
    assert "TYLENOL PM EXTRA STRENGTH 25-500 MG per tablet Take 2 tablets by mouth nightly" in result.stdout
    assert "Evidence: strong: " in result.stdout and "Source: Winkelman JW" in result.stdout


def test_each_input_is_a_heading_once(tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", "Zoloft 50 mg\nLipitor\nsomething odd\n")
    b = write(tmp_path, "b.txt", "Benadryl 25 mg\nhaloperidol 5 mg\nmetformin\nother odd thing\n")
    result = run_cli(["check", str(a), str(b), "--width", "80"])
    lines = result.stdout.splitlines()
    for path in (a, b):
        # A heading in the findings, in the unrecognised and in the recognised lists; never in a row.
        assert lines.count(str(path)) == 3, result.stdout
        assert not [line for line in lines if str(path) in line and line != str(path)]
    assert max(map(cell_len, lines)) <= 80


def test_the_stacked_layout_when_the_table_cannot_fit() -> None:
    lines = _example(60)
    assert "  8  ropinirole: augmentation, strong evidence" in lines
    assert "    rOPINIRole (REQUIP) 0.5 MG" in lines


def test_a_report_too_large_to_hold_says_so_and_gives_its_counts_at_the_end() -> None:
    writer = TableWriter(width=80)
    writer.hold = 2
    out = io.StringIO()
    text = "Zoloft 50 mg\nBenadryl\nLipitor\nhaloperidol 5 mg\nZoloft 100 mg\n"
    with Screening([Input.from_text(text)]) as screening:
        screening.write(writer, out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("A large input: findings are written in parts")
    assert any(line.startswith("In all: 4 of 5 medicines may provoke or worsen RLS") for line in lines)
    assert sum(bool(re.match(r"  \d+ ", line)) for line in lines) == 4 + 1  # 4 flagged, 1 recognised


def _piped(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR")}
    full.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "rlsmed", *args], capture_output=True, text=True, env=full, timeout=60, check=False
    )


def test_through_a_pipe_the_width_is_columns_or_80_never_160() -> None:
    plain = _piped(["check", str(EXAMPLE)], {})
    assert plain.returncode == 1, plain.stderr
    assert max(map(cell_len, plain.stdout.splitlines())) == 80
    wide = _piped(["check", str(EXAMPLE)], {"COLUMNS": "100"})
    assert max(map(cell_len, wide.stdout.splitlines())) == 100
    assert not ANSI.search(plain.stdout + wide.stdout)


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ([], {}, False),
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # the command line wins
        ([], {"FORCE_COLOR": "1"}, True),  # `| less -R`
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": ""}, True),  # an empty NO_COLOR says nothing (no-color.org)
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_follows_color_no_color_and_force_color(args: list[str], env: dict[str, str], coloured: bool) -> None:
    result = _piped(["check", str(EXAMPLE), *args], env)
    assert bool(ANSI.search(result.stdout)) is coloured
    if coloured:
        # Evidence is coloured by its strength; the text is the same once the codes are taken out.
        assert "\x1b[1;31mstrong\x1b[0m" in result.stdout
        assert ANSI.sub("", result.stdout) == _piped(["check", str(EXAMPLE)], {}).stdout


def test_quiet_leaves_the_report_only_and_verbose_says_more(tmp_path: Path) -> None:
    path = str(write(tmp_path, "a.txt", "Zoloft 50 mg\n"))
    quiet = run_cli(["check", path, "-q"])
    assert quiet.exit_code == 1 and quiet.stderr == "" and "sertraline" in quiet.stdout
    write(tmp_path, "rlsmed.toml", 'fail-on = "any"\n')
    verbose = run_cli(["check", path, "-v", "--config", str(tmp_path / "rlsmed.toml")])
    assert verbose.stderr.splitlines()[0] == f"rlsmed: configuration {tmp_path / 'rlsmed.toml'}"


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("report.json", "{\n"),
        ("report.jsonl", '{"patient": null'),
        ("report.csv", "source,line,"),
        ("report.md", "# rlsmed report"),
        ("report.html", "<!DOCTYPE html>"),
        ("report.txt", "1 of 1 medicine"),
        ("report.out", "1 of 1 medicine"),  # an extension that names no format: the table
    ],
)
def test_output_takes_its_format_from_its_extension(tmp_path: Path, name: str, start: str) -> None:
    path = str(write(tmp_path, "a.txt", "Zoloft 50 mg\n"))
    result = run_cli(["check", path, "-o", str(tmp_path / name)])
    assert result.exit_code == 1, explain_failure(result)
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)


def test_a_format_that_contradicts_the_extension_is_refused(tmp_path: Path) -> None:
    path = str(write(tmp_path, "a.txt", "Zoloft 50 mg\n"))
    result = run_cli(["check", path, "-o", str(tmp_path / "report.json"), "-f", "csv"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"rlsmed: --output {tmp_path / 'report.json'}: the name says json, but --format says csv; "
        "give a name ending .csv or leave out --format\n"
    )
    assert not (tmp_path / "report.json").exists()
    # A .txt file takes any format; a matching --format is fine.
    assert run_cli(["check", path, "-o", str(tmp_path / "r.txt"), "-f", "json"]).exit_code == 1
    assert (tmp_path / "r.txt").read_text(encoding="utf-8").startswith("{")
    assert run_cli(["check", path, "-o", str(tmp_path / "r.md"), "-f", "markdown"]).exit_code == 1


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_on_a_terminal_the_report_takes_its_width_and_colour() -> None:
    import fcntl
    import pty
    import struct
    import termios

    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 90, 0, 0))  # 50 rows, 90 columns
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR")}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm-256color")
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlsmed", "check", str(EXAMPLE)],
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    os.close(secondary)
    screen = read_all(primary).decode().replace("\r\n", "\n")
    os.close(primary)
    assert proc.wait(timeout=60) == 1
    assert ANSI.search(screen)
    lines = ANSI.sub("", screen).splitlines()
    assert max(map(cell_len, lines)) == 90
