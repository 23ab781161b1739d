"""Faults end cleanly: bytes that are no text late in a file, read errors, inputs that change while read
twice, --jobs beyond reason, SIGTERM and SIGHUP, headerless rows in messages, long --output names.

Each case is one defect of the robustness audit (../shared/reference/audits/robustness.md, issue 16).
"""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rlsmed import parallel, pipeline
from rlsmed.api import Input, Screening
from rlsmed.errors import InputError, UsageError
from rlsmed.formats import JOBS_MAX
from rlsmed.inputs import CHANGED, RawReader
from rlsmed.options import CheckOptions
from rlsmed.writers.base import RunEnd
from rlsmed.writers.json import JsonWriter

from .helpers import ROOT, run_cli, write
from .test_signals import _alive, _children, _start, _wait_for

pytestmark = pytest.mark.usefixtures("tiny_kb")
POSIX = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs POSIX signals and /proc")


# (1) NUL and a non-ASCII byte after an all-ASCII first 64 KiB: the file and line, exit 2.


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"metformin\n" * 6554 + b"\x00\x80", 6555),  # the audit's reproduction
        (b"metformin\r\n" * 6000 + b"Zoloft\r" * 3 + b"\xff\xfe\x00\x00", 6004),  # a UTF-32 BOM, CR line ends
        (b"Zoloft 50 mg\n" * 5100 + b"caf\xc3\xa9\n\x00", 5102),  # UTF-8 text, then NUL
    ],
)
def test_nul_after_an_ascii_first_chunk_names_the_file_and_line(tmp_path: Path, content: bytes, line: int) -> None:
    path = write(tmp_path, "meds.txt", content)
    result = run_cli(["check", str(path), "-f", "json"])
    assert result.exit_code == 2
    assert result.stderr == f"rlsmed: {path}:{line}: NUL byte in text; is this a binary file?\n"


def test_windows_1252_after_an_ascii_first_chunk_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "meds.txt", b"metformin\n" * 6554 + b"\x93Zoloft\x94 50 mg\n")
    result = run_cli(["check", str(path), "-f", "csv"])
    assert result.exit_code == 1, result.stderr
    assert "\u201cZoloft\u201d 50 mg" in result.stdout


# (2) --jobs: refused above JOBS_MAX; never more workers than cores or batches.


def test_absurd_jobs_are_refused_before_anything_starts(tmp_path: Path) -> None:
    path = write(tmp_path, "meds.txt", "metformin\n")
    result = run_cli(["check", str(path), "-j", "99999999999999999999"])
    assert result.exit_code == 2
    assert f"1<=x<={JOBS_MAX}" in result.stderr and "Traceback" not in result.stderr
    for jobs in (0, JOBS_MAX + 1, 10**20, True, 2.0):
        with pytest.raises(UsageError, match="--jobs"):
            Screening([Input.from_text("metformin")], CheckOptions(jobs=jobs))  # type: ignore[arg-type]


class _Spy:
    """ParallelMatcher, noting how many workers each run asked for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.jobs: list[int] = []
        real = parallel.ParallelMatcher

        def made(*args: Any) -> parallel.ParallelMatcher:
            self.jobs.append(args[2])
            return real(*args)

        monkeypatch.setattr(parallel, "ParallelMatcher", made)


@pytest.mark.parametrize("lines", [1, 2000, 40_000])
def test_workers_are_never_more_than_the_cores_or_the_batches(monkeypatch: pytest.MonkeyPatch, lines: int) -> None:
    text = "Zoloft 50 mg\nmetformin\n" * (lines // 2) + "Lipitor\n" * (lines % 2)
    batches = sum(1 for _ in Screening([Input.from_text(text)]).record_batches())
    spy = _Spy(monkeypatch)
    with Screening([Input.from_text(text)], CheckOptions(jobs=40)) as screening:
        results = list(screening)
    assert len(results) == lines
    workers = min(40, pipeline.usable_cores(), batches)
    assert spy.jobs == ([workers] if workers > 1 else [])


# (3) A read error in the middle of a file: the file and the error, exit 2, no file left behind.


class _FailingDisk(RawReader):
    """A file whose reads fail with EIO after `good` bytes, as a failing disk or network mount does."""

    def __init__(self, data: bytes, good: int) -> None:
        self._data = io.BytesIO(data)
        self._good = good

    def read(self, size: int | None = -1) -> bytes:
        if self._data.tell() >= self._good:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return self._data.read(min(size if size is not None and size >= 0 else 1 << 30, self._good - self._data.tell()))


def test_a_read_error_mid_file_names_the_file_and_the_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"Zoloft 50 mg\nmetformin\n" * 40_000)
    from rlsmed import inputs

    monkeypatch.setattr(inputs, "open_file", lambda name: io.BufferedReader(_FailingDisk(path.read_bytes(), 500_000)))
    report = tmp_path / "report.json"
    result = run_cli(["check", str(path), "-f", "json", "-o", str(report)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"rlsmed: {path}: read failed after ")
    assert result.stderr.endswith(" bytes: Input/output error\n") and result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem")
def test_a_file_that_cannot_be_read_names_the_file() -> None:
    result = run_cli(["check", "/proc/self/mem"])
    assert result.exit_code == 2
    assert result.stderr == "rlsmed: /proc/self/mem: read failed after 0 bytes: Input/output error\n"


# (4) An input that changes between the readings of a JSON report.


class _Rewriting(JsonWriter):
    """The JSON writer, with the input rewritten between its two readings (as another program would)."""

    def __init__(self, change: Any) -> None:
        super().__init__()
        self._change = change

    def finish(self, end: RunEnd) -> list[str]:
        self._change()
        return super().finish(end)


def _json_report(path: Path, change: Any) -> str:
    out = io.StringIO()
    with Screening([Input.from_path(path)]) as screening:
        screening.write(_Rewriting(change), out)
    return out.getvalue()


def _alternating(path: Path, lines: int = 30_000) -> bytes:
    data = "".join(f"Zoloft {i}\n" if i % 2 else f"metformin {i}\n" for i in range(lines)).encode()
    path.write_bytes(data)
    return data


def _same_size_same_time(path: Path) -> None:
    # What stat cannot see: the same size, inode and modification time; only the bytes differ.
    before = path.stat()
    path.write_bytes(path.read_bytes().replace(b"metformin", b"Zoloft   "))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _shorter(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"metformin", b"Zoloft"))


def _replaced(path: Path) -> None:
    new = path.with_name("new.txt")
    new.write_bytes(path.read_bytes())  # the same bytes, another file (a new inode)
    new.replace(path)


@pytest.mark.parametrize("change", [_same_size_same_time, _shorter, _replaced])
def test_an_input_that_changes_between_readings_is_refused(tmp_path: Path, change: Any) -> None:
    path = tmp_path / "meds.txt"
    _alternating(path)
    with pytest.raises(InputError) as e:
        _json_report(path, lambda: change(path))
    assert str(e.value) == f"{path}: {CHANGED}"


def test_an_input_read_twice_unchanged_gives_its_report(tmp_path: Path) -> None:
    path = tmp_path / "meds.txt"
    _alternating(path)
    report = _json_report(path, lambda: None)
    assert report.count('"ingredient": "sertraline"') == 15_000


# (5) SIGTERM and SIGHUP are handled as Ctrl-C is: the partial report removed, workers stopped.

LINES = b"Zoloft 50 mg daily\nLipitor 20 mg\nmetformin 500 mg bid\nsertaline 50\nmystery pill\n" * 400


def _feeding(stream: Any) -> Iterator[None]:
    try:
        while True:
            stream.write(LINES)
            stream.flush()
            yield
    except (OSError, ValueError):
        return


@POSIX
@pytest.mark.parametrize(
    ("signum", "code", "said", "group"),
    [
        (signal.SIGTERM, 143, "terminated (SIGTERM)", False),  # kill PID, timeout
        (signal.SIGTERM, 143, "terminated (SIGTERM)", True),  # systemctl stop, a cancelled CI job: every process
        (signal.SIGHUP, 129, "hung up (SIGHUP)", True),  # the terminal closed
        (signal.SIGINT, 130, "interrupted", True),  # Ctrl-C
    ],
)
def test_a_stop_signal_removes_the_partial_report_and_stops_the_workers(
    tmp_path: Path, signum: int, code: int, said: str, group: bool
) -> None:
    proc = _start(["check", "--jobs", "2", "-f", "json", "-o", str(tmp_path / "report.json")], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    feed = _feeding(proc.stdin)
    try:
        temporary = _wait_for(lambda: next(feed, None) or list(tmp_path.iterdir()), "the temporary report")[0]
        workers = _wait_for(
            lambda: next(feed, None) or (len(_children(proc.pid)) >= 2 and _children(proc.pid)), "workers"
        )
        # Readable by its owner only while it is written: it holds a patient's medicines.
        assert stat.S_IMODE(temporary.stat().st_mode) == 0o600
        (os.killpg if group else os.kill)(proc.pid, signum)
        _, err = proc.communicate(timeout=30)  # closes stdin
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert (proc.returncode, err.decode()) == (code, f"rlsmed: {said}\n")
    assert list(tmp_path.iterdir()) == []
    _wait_for(lambda: not any(map(_alive, workers)), "the workers to end", timeout=10)


@POSIX
def test_a_worker_killed_alone_is_one_line_and_exit_2() -> None:
    # The out-of-memory killer, or `kill -9` on one process: never a hang (multiprocessing.Pool would wait).
    proc = _start(["check", "--jobs", "2", "-f", "json"], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    feed = _feeding(proc.stdin)
    try:
        workers = _wait_for(
            lambda: next(feed, None) or (len(_children(proc.pid)) >= 2 and _children(proc.pid)), "workers"
        )
        os.kill(workers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=30)  # closes stdin
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 2
    assert (
        err.decode()
        == "rlsmed: a worker process ended unexpectedly (killed by signal 9); run again, or with --jobs 1\n"
    )
    _wait_for(lambda: not any(map(_alive, workers)), "the other worker to end", timeout=10)


# (6) A headerless CSV: the message counts the columns and echoes no patient data.


def test_a_headerless_csv_is_never_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "MRN0012345,Jane Q Public,1961-02-03,Zoloft 50 mg,HIV positive\n")
    result = run_cli(["check", "--column", "medication", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"rlsmed: {path}: no column 'medication'; the first row (5 columns) does not read as a header line\n"
    )


# (7) A valid long --output name: the temporary name falls back to a short one.


@pytest.mark.parametrize("length", [240, 255])
def test_a_long_output_name_is_written(tmp_path: Path, length: int) -> None:
    meds = write(tmp_path, "meds.txt", "Zoloft 50 mg\n")
    name = "r" * (length - 5) + ".json"
    try:
        (tmp_path / name).touch()
        (tmp_path / name).unlink()
    except OSError:
        pytest.skip(f"this file system refuses {length}-character names")
    result = run_cli(["check", str(meds), "-f", "json", "-o", str(tmp_path / name)])
    assert result.exit_code == 1, result.stderr
    assert '"ingredient": "sertraline"' in (tmp_path / name).read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meds.txt", name]


@POSIX
@pytest.mark.parametrize(("signum", "said"), [(signal.SIGTERM, "terminated (SIGTERM)"), (signal.SIGINT, "interrupted")])
def test_a_stop_while_the_options_are_read_says_so(signum: int, said: str) -> None:
    # Typer turns a KeyboardInterrupt outside the command into a silent exit 130; rlsmed says which stop
    # it was. The signal arrives while --version is being handled, inside Typer's own parsing.
    program = (
        "import os, signal, sys, typer\n"
        "from rlsmed.entry import run\n"
        f"typer.echo = lambda *a, **k: os.kill(os.getpid(), {int(signum)})\n"
        "sys.argv = ['rlsmed', '--version']\n"
        "run()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert (result.returncode, result.stderr) == (128 + signum, f"rlsmed: {said}\n")


@pytest.mark.parametrize("cores", [1, 2, 8])
def test_the_default_jobs_use_workers_only_for_large_inputs_of_known_size(
    monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    monkeypatch.setattr(pipeline, "usable_cores", lambda: cores)
    large = Input("export.txt", lambda: io.BytesIO(b""), size=64 << 20)
    small = Input("meds.txt", lambda: io.BytesIO(b""), size=1 << 10)
    assert pipeline._default_jobs([large]) == cores
    assert pipeline._default_jobs([small]) == 1
    assert pipeline._default_jobs([Input.from_stream(io.BytesIO(b""))]) == 1  # stdin: size unknown


@pytest.mark.parametrize(("varied", "workers"), [(False, []), (True, [2])])
def test_by_default_a_repetitive_export_stays_in_one_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, varied: bool, workers: list[int]
) -> None:
    # Repeated texts: the line cache in one process beats workers; varied texts go to the workers.
    monkeypatch.setattr(pipeline, "usable_cores", lambda: 2)
    monkeypatch.setattr(pipeline, "_LARGE", 1)
    lines = 40_000
    text = "".join(
        # lines as long as real ones: the reader's batches (cut by bytes) hold fewer than 2,048 of them
        f"Zoloft 50 mg {''.join(chr(97 + int(d)) for d in str(i * 7919))} take one tablet by mouth daily {'x' * 40}\n"
        if varied
        else "Zoloft 50 mg\n"
        for i in range(lines)
    )
    path = write(tmp_path, "export.txt", text)
    spy = _Spy(monkeypatch)
    with Screening([Input.from_path(path)], CheckOptions(jobs=None)) as screening:  # None: the default
        assert sum(1 for _ in screening) == lines
    assert spy.jobs == workers
