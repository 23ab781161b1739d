"""Ctrl-C and tracebacks, on the real command line in its own process (as a terminal runs it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest

from .helpers import ROOT

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs POSIX signals and /proc")

LINES = b"Zoloft 50 mg daily\nLipitor 20 mg\nmetformin 500 mg bid\nsertaline 50\nmystery pill\n" * 400


def _start(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """rlsmed in a new process group, as a shell starts a command: Ctrl-C goes to the whole group."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **kwargs.pop("env", {})}
    return subprocess.Popen(
        [sys.executable, "-m", "rlsmed", *args],
        stdout=kwargs.pop("stdout", subprocess.DEVNULL),
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        **kwargs,
    )


def _feed(stream: IO[bytes]) -> threading.Thread:
    """Write medication lines to `stream` until the reader goes away: the input never ends."""

    def feed() -> None:
        try:
            while True:
                stream.write(LINES)
                stream.flush()
        except (OSError, ValueError):
            pass

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(condition: Any, what: str, timeout: float = 20) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("phase", ["reading", "matching"])
def test_ctrl_c_with_worker_processes_exits_130_without_traceback_or_hang(phase: str) -> None:
    # "reading": the input pauses, so the workers wait for work; "matching": the input never stops
    # coming, so the workers are in the middle of batches when Ctrl-C arrives.
    proc = _start(["check", "--jobs", "2", "-f", "json"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    feeder = None
    try:
        if phase == "reading":
            proc.stdin.write(LINES * 10)
            proc.stdin.flush()
        else:
            feeder = _feed(proc.stdin)
        workers = _wait_for(lambda: len(_children(proc.pid)) >= 2 and _children(proc.pid), "2 worker processes")
        time.sleep(0.3)  # batches on their way to the workers
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("rlsmed hung after Ctrl-C")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert err == b"rlsmed: interrupted\n"
    _wait_for(lambda: not any(map(_alive, workers)), "the workers to end", timeout=10)
    if feeder is not None:
        feeder.join(timeout=5)


def test_ctrl_c_while_the_command_line_is_imported_is_one_line(tmp_path: Path) -> None:
    # A stand-in for Typer that says when it is being imported, then takes its time: Ctrl-C lands
    # while rlsmed.cli is imported, before any of the command line's own handling exists.
    fake = tmp_path / "site" / "typer"
    fake.mkdir(parents=True)
    ready = tmp_path / "importing"
    (fake / "__init__.py").write_text(
        "import os, pathlib, time\npathlib.Path(os.environ['RLSMED_TEST_READY']).touch()\ntime.sleep(30)\n",
        encoding="utf-8",
    )
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(ROOT)]), "RLSMED_TEST_READY": str(ready)}
    proc = _start(["check", "x.txt"], env=env)
    try:
        _wait_for(ready.exists, "the import")
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert err == b"rlsmed: interrupted\n"


def test_console_script_is_the_entry_module() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'rlsmed = "rlsmed.entry:run"' in text
    assert (ROOT / "rlsmed" / "__main__.py").read_text(encoding="utf-8").count("from .entry import run") == 1


def test_debug_shows_a_plain_traceback_without_locals(tmp_path: Path) -> None:
    meds = tmp_path / "meds.txt"
    meds.write_bytes(b"Zoloft secret-patient-7\nbad\x00line\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "rlsmed"]
    quiet = subprocess.run([*command, "check", str(meds)], capture_output=True, text=True, env=env, check=False)
    assert quiet.returncode == 2
    assert quiet.stderr.startswith(f"rlsmed: {meds}") and quiet.stderr.count("\n") == 1
    loud = subprocess.run(
        [*command, "--debug", "check", str(meds)], capture_output=True, text=True, env=env, check=False
    )
    assert loud.returncode != 0
    assert loud.stderr.startswith("Traceback (most recent call last):")
    assert "rlsmed.errors.InputError" in loud.stderr
    # Locals (Rich's pretty tracebacks) would show the lines read: a patient's medication list.
    assert "secret-patient" not in loud.stderr
    assert "locals" not in loud.stderr and "╭" not in loud.stderr
