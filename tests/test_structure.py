"""The package's shape: imports run one way, modules stay small, the library needs no command line, and
the library and the command line write the same reports."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import rlsmed
from rlsmed.formats import OutputFormat
from rlsmed.writers import WRITERS

from .helpers import DATA, ROOT, run_cli

PACKAGE = ROOT / "rlsmed"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports, anywhere in it (in functions and TYPE_CHECKING too)."""
    out: set[str] = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            targets = [module, *(f"{module}.{a.name}" for a in node.names)]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # A package's own submodules and its parents are not edges (importing rlsmed.x runs rlsmed).
            if target and target != name and not name.startswith(target + "."):
                out.add(target)
    return out


def test_imports_form_no_cycle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(name: str, path: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                cycle = [*path[path.index(other) :], other]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if other not in state:
                walk(other, [*path, other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])


def test_layers_import_downwards_only() -> None:
    modules = _modules()
    # Nothing below the command line imports it; readers and writers never import the pipeline or the API.
    for name, path in modules.items():
        imported = _imports(name, path, modules)
        if not name.startswith("rlsmed.cli") and name != "rlsmed.entry":
            assert not any(m.startswith("rlsmed.cli") for m in imported), name
        if name.startswith(("rlsmed.readers", "rlsmed.writers")):
            assert not imported & {"rlsmed.pipeline", "rlsmed.api", "rlsmed.engine"}, name


def test_no_module_is_over_400_lines() -> None:
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > 400}
    assert not long


def test_the_library_runs_without_the_command_line() -> None:
    code = "import sys, rlsmed; r = rlsmed.check('Zoloft 50 mg'); print(len(r.findings), 'typer' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.split() == ["1", "False"]


def test_every_output_format_is_in_the_registry() -> None:
    assert set(WRITERS) == set(OutputFormat)


@pytest.mark.usefixtures("tiny_kb")
@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
@pytest.mark.parametrize("name", ["text.simple.txt", "csv.epic-export.csv"])
def test_render_writes_what_the_command_line_writes(
    fmt: str, name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(DATA / "inputs")
    cli = run_cli(["check", name, "-f", fmt, "--width", "160"])
    report = rlsmed.check_files([name])
    assert rlsmed.render(report, fmt, width=160) == cli.stdout
    assert capsys.readouterr() == ("", "")  # writers print nothing of their own


def test_render_refuses_an_unknown_format() -> None:
    with pytest.raises(rlsmed.errors.UsageError, match="unknown format"):
        rlsmed.render(rlsmed.check("Zoloft"), "pdf")


def test_record_maker_follows_the_fields_by_name() -> None:
    from rlsmed.models import InputRecord, record_maker

    make: Callable[..., InputRecord] = record_maker("text", "source", "line")
    assert make("Zoloft", "a.txt", 3) == InputRecord(source="a.txt", line=3, text="Zoloft")
    with pytest.raises(ValueError, match="no field 'dose'"):
        record_maker("dose")
