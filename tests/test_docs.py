"""The README tells the truth: its outputs are real, every option, format and exit code is documented."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from rlsmed.errors import ExitCode
from rlsmed.formats import InputFormat, OutputFormat
from rlsmed.kb import load_knowledge_base

from .helpers import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
# <!-- readme-output: ARGS [| from TEXT] [| first N lines] [| cut N] [| stdin: TEXT] --> followed by a fenced
# block; "from TEXT" starts at the first line holding TEXT; "cut N" shows each line's first N characters
# (the rest replaced by "…").
_OUTPUT = re.compile(r"<!-- readme-output: (.+?) -->\n```text\n(.*?)```", re.S)


def _blocks() -> list[tuple[str, str]]:
    return _OUTPUT.findall(README)


@pytest.mark.parametrize(("spec", "shown"), _blocks(), ids=lambda v: v[:40] if isinstance(v, str) else "")
def test_readme_outputs_are_real(
    spec: str, shown: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.chdir(ROOT)
    parts = [p.strip() for p in spec.split("|")]
    args, first, cut, stdin, start = parts[0].split(), None, None, None, None
    for part in parts[1:]:
        if part.startswith("from "):
            start = part[len("from ") :]
        elif part.startswith("first "):
            first = int(part.split()[1])
        elif part.startswith("cut "):
            cut = int(part.split()[1])
        elif part.startswith("stdin:"):
            stdin = part[len("stdin:") :].strip().replace("\\n", "\n") + "\n"
    result = run_cli(args, stdin=stdin)
    real = result.stdout.splitlines()
    if start is not None:
        real = real[next(i for i, line in enumerate(real) if start in line) :]
    if first is not None:
        real = real[:first]
    if cut is not None:
        real = [line if len(line) <= cut else line[:cut] + "…" for line in real]
    if request.config.getoption("--update-golden"):  # rewrite the block from the real output
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        old = f"<!-- readme-output: {spec} -->\n```text\n{shown}```"
        new = f"<!-- readme-output: {spec} -->\n```text\n" + "".join(line + "\n" for line in real) + "```"
        (ROOT / "README.md").write_text(text.replace(old, new), encoding="utf-8")
        return
    assert [line.rstrip() for line in shown.splitlines()] == [line.rstrip() for line in real]


def test_quick_start_is_the_two_lines_and_ci_runs_the_test_line() -> None:
    assert "pip install . && rlsmed check examples/medications.txt\npip install '.[test]' && pytest\n" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install '.[test]' && pytest" in ci.splitlines()


def test_every_option_is_documented() -> None:
    help_text = run_cli(["check", "--help"], env={"COLUMNS": "200"}).stdout
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}
    assert options
    for option in options:
        assert option in README, f"{option} is not in the README"
    for value in [*(f.value for f in InputFormat), *(f.value for f in OutputFormat)]:
        assert value in README


def test_every_exit_code_is_documented() -> None:
    table = README.split("## Exit codes", 1)[1].split("##", 1)[0]
    for code in ExitCode:
        assert f"| {int(code)} |" in table


def test_knowledge_base_counts_in_readme_are_current() -> None:
    kb = load_knowledge_base()
    counts = Counter(d.effect.value for d in kb.drugs.values())
    section = README.split("## Knowledge base", 1)[1]
    assert f"holds {len(kb.drugs)} ingredients" in section
    for effect, count in counts.items():
        assert re.search(rf"\| `{effect}` \| {count} \|", section), effect


def test_library_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The README's "Using as a library" examples, run as a user would, beside a copy of the example export.
    section = README.split("## Using as a library", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) >= 2
    shutil.copy(ROOT / "examples" / "export.csv", tmp_path / "export.csv")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "# rlsmed report" in capsys.readouterr().out
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["findings"]
