"""Helpers for tests: paths, the CLI runner, JSON checks."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from rlsmed.cli import app

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
GOLDEN = TESTS / "golden"
SHARED = ROOT.parent / "shared"
TINY_KB = DATA / "kb" / "tiny.yaml"


def run_cli(args: Sequence[str], stdin: str | bytes | None = None, env: dict[str, str] | None = None) -> Result:
    """Run rlsmed through Typer's runner; stdout and stderr are kept apart."""
    return CliRunner().invoke(app, list(args), input=stdin, env=env, catch_exceptions=False)


def explain_failure(result: Result) -> str:
    return f"exit {result.exit_code}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"


def check_json(args: Sequence[str], stdin: str | None = None, expect: int | None = None) -> dict[str, Any]:
    result = run_cli(["check", "--format", "json", *args], stdin=stdin)
    if expect is not None:
        assert result.exit_code == expect, explain_failure(result)
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


class CountingStream(io.BytesIO):
    """Counts the bytes read so far (to show that a reader streams)."""

    consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data


def read_all(fd: int) -> bytes:
    """Everything a pseudo-terminal's other side wrote, until it is closed."""
    import os

    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO once the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
