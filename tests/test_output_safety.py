"""What reaches a terminal, a spreadsheet or a JSON parser is safe, whatever the input or a site's
knowledge base holds."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsmed.writers.markdown import md
from rlsmed.writers.safety import csv_cell, printable

from .helpers import DATA, explain_failure, run_cli, write

pytestmark = pytest.mark.usefixtures("tiny_kb")

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u061c", "\u2028", "\u2029", "\u180e", "\u202e"]


@pytest.mark.parametrize("char", [*INVISIBLE, "\x1b", "\x9b", "\x07", "\x00", "\ud800", "\U000f0000"])
def test_printable_replaces_controls_and_invisible_characters(char: str) -> None:
    shown = printable(f"Zol{char}oft")
    assert shown == "Zol\ufffdoft"
    assert shown.isprintable()


def test_printable_keeps_spaces_as_spaces_and_text_on_one_line() -> None:
    assert printable("a\u00a0b\tc\nd") == "a b c d"
    assert printable("Sérénace 5 mg") == "Sérénace 5 mg"


def test_csv_cells_are_never_formulas_or_terminal_codes() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", " =1"):
        assert csv_cell(text).startswith("'"), text
    assert csv_cell("\r=1") == "\ufffd=1"  # a control character first: shown, and not a formula
    assert csv_cell("\x1b]52;c;ZXZpbA==\x07x") == "\ufffd]52;c;ZXZpbA==\ufffdx"


def test_csv_output_escapes_every_cell_including_status(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        'patient,medication,status\n=cmd|"/C calc"!A0,Zoloft 50 mg,"=HYPERLINK(""http://x"",""y"")"\n'
        "P2,@SUM(1) Lipitor,active\n",
    )
    result = run_cli(["check", str(path), "-f", "csv", "--all-statuses"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["status"] for r in rows] == ["flagged", "recognized"]
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@")), (column, cell)
    assert rows[0]["record_status"].startswith("'=HYPERLINK")
    assert rows[0]["patient"].startswith("'=cmd")


def _bundle_with(text: str) -> str:
    resource = {
        "resourceType": "MedicationRequest",
        "id": "mr-1",
        "status": "active",
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": text},
    }
    # The JSON text escapes half of a UTF-16 pair, as a broken exporter may write it.
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": resource}]}).replace(
        "HALF", "\\ud800"
    )


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv", "markdown"])
def test_half_a_utf16_pair_in_fhir_is_replaced_in_every_format(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path, "b.json", _bundle_with("HALF Zoloft 50 mg"))
    result = run_cli(["check", str(path), "-f", fmt])
    assert result.exit_code == 1, explain_failure(result)
    result.stdout.encode("utf-8")  # no lone surrogate anywhere
    assert "\ufffd Zoloft" in result.stdout or "\\ufffd Zoloft" in result.stdout
    if fmt == "json":
        assert json.loads(result.stdout)["findings"][0]["input"] == "\ufffd Zoloft 50 mg"


def test_markdown_shows_entities_and_markup_literally() -> None:
    assert md("&#x202E; *x* <b>") == "\\&\\#x202E; \\*x\\* \\<b\\>"


def test_terminal_codes_in_a_site_knowledge_base_are_refused(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        "site.yaml",
        'drugs:\n  - name: sertraline\n    names: ["Zol\\x1b]52;c;ZXZpbA==\\x07oft", "Ser\\u202etral"]\n',
    )
    result = run_cli(["kb", "validate", str(site)])
    assert result.exit_code == 2
    assert result.stderr.count("holds a control or invisible character") == 2
    assert "\x1b" not in result.stderr


def test_binary_data_is_refused_early_with_its_line(tmp_path: Path) -> None:
    zeros = write(tmp_path, "zeros.json", b"\x00" * (8 << 20))
    result = run_cli(["check", str(zeros), "--input-format", "fhir"])
    assert result.exit_code == 2
    assert result.stderr == f"rlsmed: {zeros}: binary data (NUL bytes), not text; is this a FHIR file?\n"
    nul = write(tmp_path, "nul.txt", b"Zoloft\nabc\x00def\n")
    result = run_cli(["check", str(nul)])
    assert result.stderr.startswith(f"rlsmed: {nul}:2: binary data")


def test_invalid_windows_1252_is_named_so(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"Zoloft caf\xe9 \x81\n")  # 0x81 is undefined in Windows-1252
    result = run_cli(["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"rlsmed: {path}:1: bytes that are not valid Windows-1252 text\n"


def test_example_inputs_are_safe_to_print() -> None:
    # The test inputs hold markup and escape sequences on purpose; every format prints them harmlessly.
    path = DATA / "inputs" / "text.simple.txt"
    for fmt in ("table", "markdown"):
        out = run_cli(["check", str(path), "-f", fmt]).stdout
        assert "\x1b" not in out and "\x9b" not in out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=2, max_size=6))
def test_csv_rows_are_written_as_the_csv_module_writes_them(cells: list[str]) -> None:
    from rlsmed.writers.csv import _row

    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerow([csv_cell(c) for c in cells])
    assert _row(cells) == expected.getvalue()
