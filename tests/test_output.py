"""Where the report goes, on the real command line: --output files, stdout closed, full or broken,
and inputs that can be read only once (pipes, FIFOs, /dev/stdin)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import ROOT, run_cli, write

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes, FIFOs and devices")

FLAGGED = "Zoloft 50 mg\nLipitor 20 mg\n"
CLEAN = "Lipitor 20 mg\nmetformin 500 mg bid\n"


def _rlsmed(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """rlsmed in a fresh process, from the source tree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **kwargs.pop("env", {})}
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "rlsmed", *args], env=env, check=False, timeout=60, **kwargs)


def _closing(fd: int) -> Callable[[], None]:
    return lambda: os.close(fd)


# Broken pipe: `rlsmed check ... | head`. The reader went away; the run ends as the whole screening
# would (0 nothing flagged, 1 flagged), with its summary line, and no traceback.


@pytest.mark.parametrize(("content", "code"), [(CLEAN, 0), (FLAGGED, 1)], ids=["nothing flagged", "flagged"])
def test_a_reader_that_went_away_changes_nothing_but_the_output(tmp_path: Path, content: str, code: int) -> None:
    meds = write(tmp_path, "meds.txt", content * 2000)  # a report much larger than a pipe's buffer
    read, written = os.pipe()
    os.close(read)  # `| head -0`: nobody reads
    try:
        result = _rlsmed(["check", str(meds), "-f", "json"], stdout=written)
    finally:
        os.close(written)
    err = result.stderr.decode()
    assert result.returncode == code, err
    assert err.startswith("rlsmed: 4,000 lines screened") and err.count("\n") == 1, err


def test_a_reader_that_went_away_from_explain_and_kb_list(tmp_path: Path) -> None:
    read, written = os.pipe()
    os.close(read)
    try:
        for args in (["kb", "list"], ["explain", "Zoloft"]):
            result = _rlsmed(args, stdout=written)
            assert result.returncode == 0, result.stderr
            assert result.stderr == b""
    finally:
        os.close(written)


# Closed stdout and stderr (`>&-`, `2>&-`).


def test_closed_stdout_without_output_is_a_usage_error(tmp_path: Path) -> None:
    meds = write(tmp_path, "meds.txt", FLAGGED)
    result = _rlsmed(["check", str(meds)], stdout=subprocess.DEVNULL, preexec_fn=_closing(1))
    assert result.returncode == 2
    assert result.stderr == b"rlsmed: stdout is closed: give --output FILE\n"


def test_closed_stdout_with_output_works(tmp_path: Path) -> None:
    meds = write(tmp_path, "meds.txt", FLAGGED)
    report = tmp_path / "report.json"
    result = _rlsmed(
        ["check", str(meds), "-f", "json", "-o", str(report)], stdout=subprocess.DEVNULL, preexec_fn=_closing(1)
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["flagged"] == 1
    assert meds.read_text(encoding="utf-8") == FLAGGED


def test_closed_stderr_keeps_the_exit_codes(tmp_path: Path) -> None:
    meds = write(tmp_path, "meds.txt", FLAGGED)
    missing = _rlsmed(["check", str(tmp_path / "missing.txt")], stderr=subprocess.DEVNULL, preexec_fn=_closing(2))
    assert missing.returncode == 2
    flagged = _rlsmed(["check", str(meds), "-f", "json"], stderr=subprocess.DEVNULL, preexec_fn=_closing(2))
    assert flagged.returncode == 1
    assert json.loads(flagged.stdout)["summary"]["flagged"] == 1


# A full disk: one line naming the output and the system's reason.


@pytest.fixture
def full_device(tmp_path: Path) -> Iterator[Path]:
    """A device that is always full (/dev/full). As root, a private node of it, so that a run which
    wrongly removed its output on failure could not remove the system's /dev/full."""
    path = Path("/dev/full")
    if os.geteuid() == 0:
        private = tmp_path / "full"
        try:
            os.mknod(private, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
            with open(private, "wb"):
                pass
            path = private
        except OSError:
            pass
    if not path.exists() or not stat.S_ISCHR(path.stat().st_mode):
        pytest.skip("no /dev/full")
    yield path
    assert stat.S_ISCHR(path.stat().st_mode), f"{path} is no longer a device"


def test_a_full_output_file_is_one_line_and_exit_2(tmp_path: Path, full_device: Path) -> None:
    meds = write(tmp_path, "meds.txt", FLAGGED)
    result = _rlsmed(["check", str(meds), "-o", str(full_device)])
    assert result.returncode == 2
    assert result.stderr.decode() == f"rlsmed: --output {full_device}: No space left on device\n"


def test_a_full_stdout_is_one_line_and_exit_2(tmp_path: Path, full_device: Path) -> None:
    meds = write(tmp_path, "meds.txt", FLAGGED)
    for args in (["check", str(meds)], ["check", str(meds), "-f", "csv"], ["kb", "list"], ["--version"]):
        with open(full_device, "wb") as full:
            result = _rlsmed(args, stdout=full)
        assert result.returncode == 2, args
        assert result.stderr == b"rlsmed: stdout: No space left on device\n", args


# The report never replaces what the run reads.


def test_output_that_is_stdin_is_refused(tmp_path: Path) -> None:
    meds = write(tmp_path, "meds.txt", FLAGGED)
    with open(meds, "rb") as stdin:
        result = _rlsmed(["check", "-", "-o", str(meds)], stdin=stdin)
    assert result.returncode == 2
    assert result.stderr.decode() == f"rlsmed: --output {meds}: is the input (stdin); the report would overwrite it\n"
    assert meds.read_text(encoding="utf-8") == FLAGGED
    with open(meds, "rb") as stdin:  # no FILE: stdin is read too
        assert _rlsmed(["check", "-o", str(meds)], stdin=stdin).returncode == 2
    assert meds.read_text(encoding="utf-8") == FLAGGED


def test_output_that_is_a_knowledge_base_is_refused(tmp_path: Path) -> None:
    site_text = "drugs:\n  - name: sertraline\n    names: [Sertra-Local]\n"
    site = write(tmp_path, "site.yaml", site_text)
    meds = write(tmp_path, "meds.txt", FLAGGED)
    result = _rlsmed(["check", str(meds), "--kb", str(site), "-o", str(site)])
    assert result.returncode == 2
    assert result.stderr.decode() == (
        f"rlsmed: --output {site}: is a knowledge base (--kb); the report would overwrite it\n"
    )
    assert site.read_text(encoding="utf-8") == site_text
    link = tmp_path / "link.txt"
    link.symlink_to(meds)  # the same file by another name
    result = _rlsmed(["check", str(meds), "-o", str(link)])
    assert result.returncode == 2 and b"is an input" in result.stderr
    assert meds.read_text(encoding="utf-8") == FLAGGED


# --output is written under a temporary name and renamed when complete.


def test_a_failed_run_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    report = write(tmp_path, "r.txt", "keep\n")
    result = _rlsmed(["check", str(tmp_path / "missing.txt"), "-o", str(report)])
    assert result.returncode == 2
    assert result.stderr.decode() == f"rlsmed: {tmp_path / 'missing.txt'}: no such file\n"
    assert report.read_text(encoding="utf-8") == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.txt"]
    bad = write(tmp_path, "bad.txt", b"Zoloft\n" + b"Lipitor\n" * 50_000 + b"bad\x00line\n")  # fails half-way
    assert run_cli(["check", str(bad), "-f", "json", "-o", str(report)]).exit_code == 2
    assert report.read_text(encoding="utf-8") == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "r.txt"]


def test_ctrl_c_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    report = write(tmp_path, "r.txt", "keep\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rlsmed", "check", "-", "-f", "json", "-o", str(report)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(b"Zoloft 50 mg\n" * 1000)  # the input goes on: the run waits for the rest
        proc.stdin.flush()
        deadline = time.monotonic() + 20
        while not [p for p in tmp_path.iterdir() if p.name.startswith(".r.txt.rlsmed-")]:
            assert time.monotonic() < deadline, "no temporary file beside r.txt"
            time.sleep(0.02)
        [temporary] = [p.name for p in tmp_path.iterdir() if p.name != "r.txt"]
        assert temporary.startswith(".r.txt.rlsmed-") and temporary.endswith(".tmp")
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130 and err == b"rlsmed: interrupted\n"
    assert report.read_text(encoding="utf-8") == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.txt"]


def test_output_permissions_are_those_open_would_give(tmp_path: Path) -> None:
    meds = write(tmp_path, "meds.txt", FLAGGED)

    def umask() -> None:
        os.umask(0o027)

    new = tmp_path / "new.txt"
    assert _rlsmed(["check", str(meds), "-o", str(new)], preexec_fn=umask).returncode == 1
    assert stat.S_IMODE(new.stat().st_mode) == 0o640
    existing = write(tmp_path, "existing.txt", "old\n")
    existing.chmod(0o604)
    assert _rlsmed(["check", str(meds), "-o", str(existing)], preexec_fn=umask).returncode == 1
    assert stat.S_IMODE(existing.stat().st_mode) == 0o604
    assert "sertraline" in existing.read_text(encoding="utf-8")
    # A symbolic link stays one: the file it names gets the report.
    target = write(tmp_path, "target.txt", "old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert _rlsmed(["check", str(meds), "-o", str(link)]).returncode == 1
    assert link.is_symlink() and "sertraline" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == "existing.txt link.txt meds.txt new.txt target.txt".split()


def test_output_to_a_device_is_written_in_place(tmp_path: Path) -> None:
    meds = write(tmp_path, "meds.txt", FLAGGED)
    result = _rlsmed(["check", str(meds), "-o", os.devnull])
    assert result.returncode == 1, result.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


# Inputs that can be read only once: read once, their bytes kept in memory for a second reading.


def test_a_fifo_is_read_once(tmp_path: Path) -> None:
    fifo = tmp_path / "meds.fifo"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "wb") as f:
            f.write(FLAGGED.encode() * 3)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    result = _rlsmed(["check", str(fifo), "-f", "json"])
    thread.join(timeout=10)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["records"] == 6
    assert [r["line"] for r in report["recognized"]] == [2, 4, 6]
    assert {f["source"] for f in report["findings"]} == {str(fifo)}


def test_dev_stdin_on_a_pipe_is_read_once() -> None:
    result = _rlsmed(["check", "/dev/stdin", "-f", "json"], input=FLAGGED.encode())
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["records"] == 2
    assert [r["line"] for r in report["recognized"]] == [2]


def test_output_permission_checks_and_a_directory_that_allows_no_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meds = write(tmp_path, "meds.txt", FLAGGED)
    assert "is a directory" in run_cli(["check", str(meds), "-o", str(tmp_path)]).stderr
    # A file open() could not write is not replaced either (faked: root may write anything).
    locked = write(tmp_path, "locked.txt", "keep\n")
    real_access, real_open = os.access, os.open

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        return (mode != os.W_OK or path != str(locked)) and real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    result = run_cli(["check", str(meds), "-o", str(locked)])
    assert result.exit_code == 2 and result.stderr == f"rlsmed: --output {locked}: Permission denied\n"
    assert locked.read_text(encoding="utf-8") == "keep\n"

    # A writable file in a directory where no file can be created: written in place, emptied on failure.
    def no_new_file(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if ".rlsmed-" in os.fspath(path):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_new_file)
    report = write(tmp_path, "report.txt", "old\n")
    assert run_cli(["check", str(meds), "-o", str(report)]).exit_code == 1
    assert "sertraline" in report.read_text(encoding="utf-8")
    assert run_cli(["check", str(tmp_path / "missing.txt"), "-o", str(report)]).exit_code == 2
    assert report.read_text(encoding="utf-8") == ""  # no partial report that could pass for a whole one
    result = run_cli(["check", str(meds), "-o", str(tmp_path / "new.txt")])
    assert result.exit_code == 2 and result.stderr == f"rlsmed: --output {tmp_path / 'new.txt'}: Permission denied\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked.txt", "meds.txt", "report.txt"]
