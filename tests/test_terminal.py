"""The command line on a real terminal (a pseudo-terminal): prompts and the progress bar."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import read_all

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


@pytest.mark.slow
def test_report_goes_to_redirected_stdout_while_the_progress_bar_is_on_the_terminal(tmp_path: Path) -> None:
    # Large enough for the progress bar (4 MB); stderr is a terminal, stdout a file.
    big = tmp_path / "big.txt"
    big.write_text("sertraline 50 mg tablet daily\nLipitor 20 mg\n" * 100_000, encoding="utf-8")
    report = tmp_path / "report.json"
    primary, secondary = pty.openpty()
    with report.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rlsmed", "check", "--format", "json", "--jobs", "1", str(big)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=secondary,
        )
        os.close(secondary)
        terminal = read_all(primary)
        code = proc.wait(timeout=120)
    os.close(primary)
    assert code == 1, terminal.decode(errors="replace")[-2000:]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"]["records"] == 200_000
    assert len(data["findings"]) == 100_000
    # The terminal got the summary line, and no part of the report.
    assert b"200,000 lines screened" in terminal
    assert b'"findings"' not in terminal


def test_asks_for_a_pasted_list_on_a_terminal() -> None:
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlsmed", "check", "--format", "json"],
        stdin=secondary,
        stdout=subprocess.PIPE,
        stderr=secondary,
    )
    os.close(secondary)
    os.write(primary, b"Zoloft 50 mg\nLipitor\n\x04")
    out, _ = proc.communicate(timeout=60)
    terminal = read_all(primary)
    os.close(primary)
    assert b"Paste the medication list" in terminal
    report = json.loads(out)
    assert [f["ingredient"] for f in report["findings"]] == ["sertraline"]
    assert proc.returncode == 1


def _controlling_terminal() -> None:
    """In the child: a new session whose controlling terminal is stdin (the pseudo-terminal), so that
    the terminal's Ctrl-C reaches its process group, workers included, as in a shell."""
    import fcntl
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_ctrl_c_on_a_terminal_with_workers_is_one_line() -> None:
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlsmed", "check", "--jobs", "2", "--format", "json"],
        stdin=secondary,
        stdout=subprocess.PIPE,
        stderr=secondary,
        preexec_fn=_controlling_terminal,
    )
    os.close(secondary)
    try:
        seen = b""
        deadline = time.monotonic() + 30
        while b"Paste the medication list" not in seen:
            assert time.monotonic() < deadline, seen
            seen += os.read(primary, 4096)
        os.write(primary, b"Zoloft 50 mg\nLipitor\n")
        time.sleep(0.3)  # the workers have started
        os.write(primary, b"\x03")  # Ctrl-C, typed
        proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    terminal = seen + read_all(primary)
    os.close(primary)
    assert proc.returncode == 130
    assert b"rlsmed: interrupted" in terminal
    assert b"Traceback" not in terminal and b"Process " not in terminal
