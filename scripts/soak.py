#!/usr/bin/env python3
"""A soak run of the installed console script: many runs with random inputs, options and a signal at a
random moment, each checked for what a fault must never leave behind.

Usage: python scripts/soak.py [--runs N] [--seed S] [--keep]      (default 1,000 runs; Linux: reads /proc)

Each run gets a directory of its own (its working directory, TMPDIR and HOME), an input drawn from
text lists in five encodings, CSV exports with and without a header, FHIR NDJSON and Bundles, binary
and broken files, missing files and stdin, and options drawn from every format, --output (new, existing,
a 240-character name), --jobs (1 to 40, and values that must be refused), --all-statuses, --fail-on,
--column and --input-format. Most runs are sent SIGINT (to the process group, as a terminal does),
SIGTERM or SIGHUP (to the process or the whole group) at a random moment. After each run:

- the exit code is one that README "Exit codes" documents (a death by a signal counts as a shell shows
  it, 128 + the signal), and it is the signal's when one stopped the run;
- stderr holds no traceback and no "internal error", and every line of it starts "rlsmed: ";
- no temporary file is left (no `.rlsmed-` name, nothing in TMPDIR or HOME, nothing new in /dev/shm),
  no partial report, and an existing --output file that the run did not finish is as it was;
- no process of the run is left (its process group is empty);
- a report that was finished parses (JSON, JSON Lines, CSV).

It prints the figures and every failure with what reproduces it, and exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGGED = ["Zoloft 50 mg daily", "sertraline 100 mg", "Tylenol PM 2 caplets", "Reglan 10 mg", "haloperidol 5 mg"]
OTHER = ["metformin 500 mg bid", "Lipitor 20 mg", "lisinopril 10 mg", "levothyroxine 50 mcg", "aspirin 81 mg"]
ODD = ["sertaline 50", "Benedryl", "mystery pill", "", "  ", "=1+1", "[bold]x", "\u202eZoloft", "café au lait"]
STATUSES = ["active", "active", "stopped", "completed", "entered-in-error", "on-hold", ""]
SIGNALS = [(signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGTERM, True), (signal.SIGHUP, True)]
TIMEOUT = 90.0  # seconds a run may take before it counts as a hang


@dataclass
class Run:
    """One run: what it was given, and what it left."""

    number: int
    folder: Path
    args: list[str]
    stdin: bytes | None = None  # fed through a pipe, when not None
    signum: int | None = None  # the signal sent, if the run had not ended by its moment
    group: bool = False
    delay: float = 0.0
    output: str | None = None  # --output, relative to the folder
    kept: bytes | None = None  # an existing --output file's content before the run
    fmt: str = "table"
    returncode: int = 0
    stderr: str = ""
    stdout: bytes = b""
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def reproduce(self) -> str:
        to = "group" if self.group else "process"
        sent = f"; {signal.Signals(self.signum).name} to the {to} after {self.delay:.3f} s" if self.signum else ""
        return f"cd {self.folder} && rlsmed {' '.join(map(_quote, self.args))}" + sent


def _quote(arg: str) -> str:
    return arg if re.fullmatch(r"[\w./=,+:-]+", arg) else repr(arg)


# Inputs.


def _lines(rng: random.Random, count: int) -> list[str]:
    pool = FLAGGED + OTHER + ODD
    return [f"{rng.choice(pool)} {i}" if rng.random() < 0.5 else rng.choice(pool) for i in range(count)]


def _size(rng: random.Random, big: bool) -> int:
    """Lines of an input: a few, a clinic's list of lists, or an export that takes seconds (not for the
    table and Markdown reports, which take a second per few hundred flagged lines)."""
    return rng.choice([rng.randint(1, 40), rng.randint(500, 3_000), rng.randint(20_000, 60_000) if big else 40])


def _text(rng: random.Random, count: int) -> tuple[str, bytes]:
    text = "\n".join(_lines(rng, count)) + "\n"
    encoding = rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1252", "crlf"])
    if encoding == "crlf":
        return "meds.txt", text.replace("\n", "\r\n").encode()
    return "meds.txt", text.encode(encoding, "replace")


def _csv(rng: random.Random, count: int) -> tuple[str, bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=rng.choice([",", ";", "\t"]))
    if rng.random() < 0.8:
        writer.writerow(["patient", "medication", "dose", "status"])
    for i, line in enumerate(_lines(rng, count)):
        writer.writerow([f"P{i % 97:04d}", line, "1 tab", rng.choice(STATUSES)])
    return rng.choice(["export.csv", "export.tsv", "export.txt"]), buffer.getvalue().encode()


def _fhir(rng: random.Random, count: int) -> tuple[str, bytes]:
    resources = [
        {
            "resourceType": "MedicationStatement",
            "id": f"m{i}",
            "status": rng.choice(["active", "active", "stopped", "entered-in-error"]),
            "subject": {"reference": f"Patient/p{i % 13}"},
            "medicationCodeableConcept": {"text": line},
        }
        for i, line in enumerate(_lines(rng, count))
    ]
    if rng.random() < 0.5:
        return "meds.ndjson", "".join(json.dumps(r) + "\n" for r in resources).encode()
    bundle = {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}
    return "bundle.json", json.dumps(bundle).encode()


def _broken(rng: random.Random, count: int) -> tuple[str, bytes]:
    prefix = ("\n".join(_lines(rng, count)) + "\n").encode()
    tail = rng.choice(
        [
            b"\x00\x80",  # NUL and a non-ASCII byte after ASCII text (audit defect 1)
            bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))),
            b"\xff\xfe\x00\x00Zoloft",
            b"a" * (1 << 20) + b"\n",  # a line over 1 MiB
            b'"unbalanced, quote\n',
            b'{"resourceType": ',
        ]
    )
    name = rng.choice(["meds.txt", "export.csv", "meds.ndjson", "meds"])
    return name, (prefix if rng.random() < 0.7 else b"") + tail


INPUTS = [(_text, 5), (_csv, 3), (_fhir, 2), (_broken, 2)]


def _input(rng: random.Random, run: Run) -> list[str]:
    """The input of a run, written into its folder (or kept for stdin); the arguments that name it."""
    big = run.fmt not in ("table", "markdown")
    roll = rng.random()
    if roll < 0.05:
        return [rng.choice(["missing.txt", ".", "/dev/null"])]
    make = rng.choices([m for m, _ in INPUTS], weights=[w for _, w in INPUTS])[0]
    name, data = make(rng, _size(rng, big))
    if roll < 0.25:
        run.stdin = data
        return ["-"] if rng.random() < 0.5 else []
    (run.folder / name).write_bytes(data)
    names = [name]
    if rng.random() < 0.1:  # a second input
        other, more = _text(rng, _size(rng, big))
        (run.folder / f"2-{other}").write_bytes(more)
        names.append(f"2-{other}")
    return names


def _options(rng: random.Random, run: Run) -> list[str]:
    args: list[str] = []
    args += ["-f", run.fmt]
    if rng.random() < 0.5:
        stem = "r" * 236 if rng.random() < 0.15 else "report"
        run.output = f"{stem}.{ {'table': 'txt', 'markdown': 'md'}.get(run.fmt, run.fmt) }"
        if rng.random() < 0.3:
            run.kept = b"an earlier report\n"
            (run.folder / run.output).write_bytes(run.kept)
        args += ["-o", run.output]
    roll = rng.random()
    if roll < 0.45:
        args += ["-j", rng.choice(["1", "2", "2", "3", "40"])]
    elif roll < 0.5:
        args += ["-j", rng.choice(["0", "257", "99999999999999999999", "two"])]  # refused: exit 2
    for option, chance in (("--all-statuses", 0.15), ("--ignore=sertraline", 0.1)):
        if rng.random() < chance:
            args.append(option)
    if rng.random() < 0.15:
        args += ["--fail-on", rng.choice(["any", "moderate", "strong", "never"])]
    if rng.random() < 0.1:
        args += ["--column", rng.choice(["medication", "Medication", "drug", "nope"])]
    if rng.random() < 0.1:
        args += ["--input-format", rng.choice(["auto", "text", "csv", "fhir"])]
    return args


# Checks.


def documented_exit_codes() -> set[int]:
    """The exit codes in README "Exit codes"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Exit codes", 1)[1].split("\n## ", 1)[0]
    return {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}


def _group(pgid: int) -> list[int]:
    """Processes (not zombies) whose process group is `pgid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] not in "ZX" and int(fields[2]) == pgid:
                found.append(int(entry))
    return found


def _shm() -> set[str]:
    try:
        return set(os.listdir("/dev/shm"))
    except OSError:
        return set()


def _check(run: Run, codes: set[int], shm_before: set[str]) -> None:
    p = run.problems
    code = run.returncode if run.returncode >= 0 else 128 - run.returncode
    if code not in codes and not python_starting(run):
        p.append(f"exit code {code} is not documented in README 'Exit codes'")
    if run.returncode < 0 and (run.signum is None or -run.returncode != run.signum):
        p.append(f"killed by signal {-run.returncode}, which was not sent")
    stopped = code in (128 + signal.SIGINT, 128 + signal.SIGTERM, 128 + signal.SIGHUP)
    if stopped and run.signum is not None and code != 128 + run.signum:
        p.append(f"exit code {code} after {signal.Signals(run.signum).name}")
    if python_starting(run):
        pass  # Python's own Ctrl-C, before rlsmed's first line: counted apart (see python_starting)
    elif "Traceback" in run.stderr or "internal error" in run.stderr:
        frames = [line.strip() for line in run.stderr.splitlines() if line.strip().startswith("File ")]
        last = run.stderr.strip().splitlines()[-1][:200]
        p.append(f"a traceback or an internal error on stderr: {last} ({frames[-1] if frames else 'no frame'})")
    elif any(not line.startswith("rlsmed: ") for line in run.stderr.splitlines()):
        p.append(f"a line on stderr that is not rlsmed's: {run.stderr[:200]!r}")
    if code == 2 and run.stderr.count("\n") != 1:
        p.append(f"exit 2 with {run.stderr.count(chr(10))} lines on stderr")
    names = {q.name for q in run.folder.iterdir()}
    left = sorted(n for n in names if ".rlsmed-" in n or n.endswith(".tmp"))
    left += [f"TMPDIR/{q.name}" for q in (run.folder / "tmp").iterdir()]
    left += [f"HOME/{q.name}" for q in (run.folder / "home").iterdir()]
    left += [f"/dev/shm/{n}" for n in sorted(_shm() - shm_before)]
    if left:
        p.append(f"files left: {left[:5]}")
    finished = code in (0, 1) and not python_starting(run)
    if run.output is not None:
        target = run.folder / run.output
        if not finished and run.kept is None and target.exists():
            p.append("a partial report left at --output")
        if not finished and run.kept is not None and target.read_bytes() != run.kept:
            p.append("an existing --output file was changed by a run that did not finish")
        if finished:
            _parses(run, target.read_bytes() if target.exists() else b"")
    elif finished:
        _parses(run, run.stdout)


def python_starting(run: Run) -> bool:
    """True for Ctrl-C while Python itself starts, before rlsmed's handler is installed (tens of
    milliseconds: the interpreter, `site`, the console script's own `import re`): Python's default
    handler raises KeyboardInterrupt there and prints its traceback, with no frame of rlsmed's handler
    (rlsmed.signals.stop) in it. Nothing has been read or written by then. Counted apart."""
    return (
        run.signum == signal.SIGINT
        and run.stderr.rstrip().endswith("KeyboardInterrupt")
        and ", in stop\n" not in run.stderr
        and "rlsmed/cli/" not in run.stderr
    )


def _parses(run: Run, report: bytes) -> None:
    try:
        text = report.decode("utf-8")
        if run.fmt == "json":
            json.loads(text)
        elif run.fmt == "jsonl":
            for line in text.splitlines():
                json.loads(line)
        elif run.fmt == "csv":
            csv.field_size_limit(1 << 24)  # a line of the input can be 1 MiB long, and so a cell
            list(csv.reader(io.StringIO(text)))
        if not text and run.fmt != "jsonl":  # JSON Lines of an input without records is empty
            raise ValueError("empty")
    except (ValueError, csv.Error) as e:
        run.problems.append(f"the finished {run.fmt} report does not parse ({type(e).__name__})")


# Running.


def _feed(stream: io.BufferedWriter, data: bytes) -> None:
    try:
        for start in range(0, len(data), 1 << 16):
            stream.write(data[start : start + (1 << 16)])
        stream.close()
    except (OSError, ValueError):
        pass


def run_one(rng: random.Random, number: int, base: Path, console: str, codes: set[int]) -> Run:
    folder = base / f"run-{number:04d}"
    for sub in ("tmp", "home"):
        (folder / sub).mkdir(parents=True)
    run = Run(number, folder, [], fmt=rng.choice(["table", "json", "jsonl", "csv", "markdown"]))
    inputs = _input(rng, run)
    run.args = ["check", *inputs, *_options(rng, run)]
    signum: int | None = None
    if rng.random() < 0.7:
        signum, run.group = rng.choice(SIGNALS)
        run.delay = rng.uniform(0.0, 1.5)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RLSMED", "PYTHON"))},
        "TMPDIR": str(folder / "tmp"),
        "HOME": str(folder / "home"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "COLUMNS": "100",
    }
    shm_before = _shm()
    start = time.monotonic()
    proc = subprocess.Popen(
        [console, *run.args],
        cwd=folder,
        env=env,
        stdin=subprocess.PIPE if run.stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    feeder = None
    if run.stdin is not None:
        assert proc.stdin is not None
        feeder = threading.Thread(target=_feed, args=(proc.stdin, run.stdin), daemon=True)
        feeder.start()
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [
        threading.Thread(target=lambda s, into: into.append(s.read()), args=(stream, into), daemon=True)
        for stream, into in ((proc.stdout, out), (proc.stderr, err))
    ]
    for reader in readers:
        reader.start()
    if signum is not None:
        try:
            proc.wait(timeout=run.delay)
        except subprocess.TimeoutExpired:
            try:
                (os.killpg if run.group else os.kill)(proc.pid, signum)
                run.signum = signum
            except ProcessLookupError:
                pass
    try:
        proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        run.problems.append(f"no end after {TIMEOUT:.0f} s (a hang)")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    run.seconds = time.monotonic() - start
    for reader in readers:
        reader.join(10)
    if feeder is not None:
        feeder.join(10)
    run.returncode = proc.returncode
    run.stdout = b"".join(out)
    run.stderr = b"".join(err).decode("utf-8", "replace")
    # The run's own processes (worker processes) end before it does; a moment for the kernel to reap.
    deadline = time.monotonic() + 5
    while (left := _group(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if left:
        run.problems.append(f"{len(left)} process(es) of the run left")
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    _check(run, codes, shm_before)
    return run


def console_script() -> str:
    """The installed `rlsmed`: beside this Python first (a virtual environment's), else on PATH."""
    beside = Path(sys.executable).parent / "rlsmed"
    found = str(beside) if beside.exists() else shutil.which("rlsmed")
    if not found:
        sys.exit("soak.py: no installed rlsmed console script (pip install -e . first)")
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep every run's folder (failed runs' are always kept)")
    args = ap.parse_args()
    if not os.path.isdir("/proc/self"):
        sys.exit("soak.py: needs Linux (/proc) to find the processes a run leaves")
    rng = random.Random(args.seed)
    # A shell starts background jobs with Ctrl-C ignored (nohup: SIGHUP), and rlsmed (as Python) keeps a
    # signal ignored that it was started with: the runs must start with them handled to be sent one.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    console, codes = console_script(), documented_exit_codes()
    base = Path(tempfile.mkdtemp(prefix="rlsmed-soak-"))
    start = time.monotonic()
    exits: collections.Counter[int] = collections.Counter()
    sent: collections.Counter[str] = collections.Counter()
    failed: list[Run] = []
    kinds: collections.Counter[str] = collections.Counter()
    starting = 0  # Ctrl-C while Python itself was starting (python_starting)
    for number in range(1, args.runs + 1):
        run = run_one(rng, number, base, console, codes)
        exits[run.returncode if run.returncode >= 0 else 128 - run.returncode] += 1
        sent[signal.Signals(run.signum).name + (" (group)" if run.group else "") if run.signum else "none"] += 1
        if python_starting(run):
            starting += 1
        if run.problems:
            (run.folder / "stderr.txt").write_text(run.stderr, encoding="utf-8")
            if run.stdin is not None:
                (run.folder / "stdin.bin").write_bytes(run.stdin)
            failed.append(run)
            kinds.update(problem.split(":")[0].split("(")[0].strip() for problem in run.problems)
            print(f"run {number}: FAILED: {'; '.join(run.problems)}\n  {run.reproduce()}", flush=True)
        elif not args.keep:
            shutil.rmtree(run.folder)
        if number % 100 == 0:
            print(f"{number:,} runs, {len(failed)} failed ({time.monotonic() - start:.0f} s)", flush=True)
    seconds = time.monotonic() - start
    print(f"\n{args.runs:,} runs of {console} in {seconds:.0f} s (seed {args.seed})")
    print("exit codes: " + ", ".join(f"{code}: {n}" for code, n in sorted(exits.items())))
    print("signals sent: " + ", ".join(f"{name}: {n}" for name, n in sorted(sent.items())))
    print(f"documented exit codes: {sorted(codes)}")
    print(f"Ctrl-C while Python itself was starting, before rlsmed's first line (Python's own message): {starting}")
    print(f"failed runs: {len(failed)}" + "".join(f"; {kind}: {n}" for kind, n in kinds.most_common()))
    if not failed and not args.keep:
        shutil.rmtree(base)
    else:
        print(f"run folders kept in {base}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
