"""The project as CI and a user get it: lint clean, and a wheel that works once installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .helpers import ROOT


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "rlsmed", "tests", "scripts", "benchmarks", "hatch_build.py"),
        ("ruff", "format", "--check", "rlsmed", "tests", "scripts", "benchmarks", "hatch_build.py"),
        ("mypy", "rlsmed"),
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_lint(command: tuple[str, ...]) -> None:
    result = _run(sys.executable, "-m", *command)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_installed_wheel_carries_the_knowledge_base_and_runs(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) into a fresh venv, and check the bundled example."""
    wheels = tmp_path / "wheels"
    build = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), ".")
    assert build.returncode == 0, build.stderr[-2000:]
    [wheel] = wheels.glob("rlsmed-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    install = _run(
        sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)
    )
    if install.returncode != 0 and "no such option: --python" in install.stderr:
        pytest.skip("pip too old for --python")
    assert install.returncode == 0, install.stderr[-2000:]
    # Only now (pip would otherwise find rlsmed installed already) the new venv is let see this
    # environment's packages (typer, rich ...), after its own: rlsmed comes from the wheel, and
    # nothing needs downloading.
    own = subprocess.run(
        [str(python), "-c", "import site; print(site.getsitepackages()[0])"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(own, "rlsmed").is_dir()
    Path(own, "outer.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")) + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(ROOT / "examples" / "medications.txt", elsewhere)
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import rlsmed.kb, rlsmed.lexicon, rlsmed.context.rules as c; print(rlsmed.kb.builtin_path()); "
            "print(rlsmed.lexicon.builtin_lexicon_path()); print(c.builtin_rules_path())",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=clean_env,
        check=True,
    )
    kb_path, lexicon_path, rules_path = where.stdout.split()
    # From the wheel, not the source tree: the knowledge base, the lexicon and the context rules.
    assert all(str(env_dir) in path for path in (kb_path, lexicon_path, rules_path))
    assert (Path(kb_path).with_suffix(".json")).is_file()  # the build hook's compiled copy
    rlsmed = env_dir / "bin" / "rlsmed"
    result = subprocess.run(
        [str(rlsmed), "check", "medications.txt", "--format", "json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=clean_env,
        check=False,
    )
    assert '"ingredient": "sertraline"' in result.stdout, result.stderr
    assert result.returncode == 1
