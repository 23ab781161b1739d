#!/usr/bin/env python3
"""rlsmed benchmarks: every performance target, its figure and whether it is met. One command:
python benchmarks/run.py

Measures the `rlsmed` on PATH; install it first, not editable (`pip install .`), so that the
knowledge base is read as a user's install reads it. Inputs are written by benchmarks/generate.py (the
same N and seed always give the same bytes) into a scratch folder that is removed afterwards; the
Synthea-like export repeats ../shared/bench/synthea_output_medications.csv with new patient ids (that
case, and the accuracy check, are skipped with a reason when ../shared is not beside the repository).
Prints a Markdown report: machine, date, commands, figures, and a table of targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT / "benchmarks" / "generate.py"
SHARED = ROOT.parent / "shared" / "bench"
SYNTHEA = SHARED / "synthea_output_medications.csv"
LABELS = SHARED / "labels"
SCORE = SHARED / "score.py"
TEN = """amLODIPine (NORVASC) 5 MG tablet
sertraline (ZOLOFT) 100 MG tablet
traZODone 50 MG tablet nightly
Tylenol PM 2 caplets at bedtime
levothyroxine 88 MCG tablet
metFORMIN 500 MG tablet
rOPINIRole 0.5 MG tablet nightly
gabapentin 300 MG capsule
Benedryl 25 mg at bedtime
melatonin 3 MG tablet
"""
FORMATS = ("json", "jsonl", "csv", "table", "markdown", "html")


class Run(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its children
    rss: int  # peak resident set, MB (the largest process)
    code: int


class Target(NamedTuple):
    what: str
    goal: str
    figure: str
    met: bool | None  # None: not measured


def run(cmd: list[str]) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status))


def in_turns(cmds: list[list[str]], repeat: int) -> list[Run]:
    """Each command's median run by wall time over `repeat` rounds, the commands taken in turns (the
    order reversed every other round): the machine's speed drifts, and ratios between commands must
    not depend on when each ran."""
    runs: list[list[Run]] = [[] for _ in cmds]
    for round_ in range(repeat):
        order = list(range(len(cmds)))
        for i in order if round_ % 2 == 0 else reversed(order):
            runs[i].append(run(cmds[i]))
    return [sorted(r, key=lambda x: x.wall)[len(r) // 2] for r in runs]


def interpreter() -> str:
    """The Python that runs the installed `rlsmed` (from its script's first line)."""
    script = Path(shutil.which("rlsmed") or "rlsmed")
    first = script.read_text(errors="replace").splitlines()[0] if script.is_file() else ""
    return first[2:].strip() if first.startswith("#!") and " " not in first[2:].strip() else sys.executable


def startup(runs: int, ten: Path) -> tuple[float, float]:
    """Median wall time of importing our own stack and of `rlsmed check` on 10 lines, interleaved."""
    floor_cmd = [interpreter(), "-c", "import typer, rich, rapidfuzz, yaml"]
    check = ["rlsmed", "check", "--format", "json", str(ten)]
    for _ in range(3):  # warm the file cache
        run(floor_cmd)
        run(check)
    floor, tool = [], []
    for _ in range(runs):
        floor.append(run(floor_cmd).wall)
        tool.append(run(check).wall)
    return statistics.median(floor), statistics.median(tool)


def generate(args: list[str], path: Path) -> None:
    with path.open("w") as f:
        subprocess.run([sys.executable, str(GEN), *args], stdout=f, check=True)


def met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="start-up runs of each command (at least 10)")
    ap.add_argument("--lines", type=int, default=1_000_000, help="lines (and rows) of the large exports")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of the large cases, in turns; medians kept")
    ap.add_argument("--skip-accuracy", action="store_true")
    args = ap.parse_args()
    if shutil.which("rlsmed") is None:
        print("rlsmed is not on PATH: pip install . first", file=sys.stderr)
        return 2
    version = subprocess.run(["rlsmed", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    n = args.lines
    scratch = Path(tempfile.mkdtemp(prefix="rlsmed-bench-"))
    targets: list[Target] = []
    out = ["# rlsmed benchmarks", ""]
    out.append(f"- date: {dt.date.today().isoformat()}; {version}; Python {platform.python_version()}")
    out.append(f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    out.append(f"- load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    out.append("")
    try:
        ten = scratch / "ten.txt"
        ten.write_text(TEN)
        runs = max(10, args.runs)
        floor, tool = startup(runs, ten)
        ratio = tool / floor
        out += [f"## Start-up (median of {runs} interleaved runs each)", "", "| command | median |", "|---|---:|"]
        out.append(f'| `python -c "import typer, rich, rapidfuzz, yaml"` (the floor) | {floor * 1000:.0f} ms |')
        out.append(f"| `rlsmed check --format json ten.txt` (10 lines, one misspelt) | {tool * 1000:.0f} ms |")
        out += ["", f"Ratio: {ratio:.2f}", ""]
        targets.append(
            Target("start-up against the import floor", "≤ 1.1 times the floor", f"{ratio:.2f} times", ratio <= 1.1)
        )

        text, small = scratch / "export.txt", scratch / "export-small.txt"
        generate([str(n), "--seed", "7"], text)
        generate([str(n // 10), "--seed", "7"], small)
        out += [f"## Text export: {n:,} lines (`benchmarks/generate.py {n} --seed 7`), one process", ""]
        out += ["| command | wall | CPU | lines/s | peak RSS |", "|---|---:|---:|---:|---:|"]
        timed: dict[str, Run] = {}

        def show(label: str, result: Run, count: int) -> None:
            if result.code not in (0, 1):
                out.append(f"| `{label}` | failed (exit {result.code}) | | | |")
            else:
                rate = f"{count / result.wall:,.0f}"
                out.append(f"| `{label}` | {result.wall:.2f} s | {result.cpu:.2f} s | {rate} | {result.rss} MB |")

        o = str(scratch / "out")
        cases = [
            (
                f"rlsmed check export.txt -f {f} -j 1 -o out",
                ["rlsmed", "check", str(text), "-f", f, "-j", "1", "-o", o],
                n,
            )
            for f in FORMATS
        ]
        cases.append(
            (
                "rlsmed check export.txt -f json -o out (default --jobs)",
                ["rlsmed", "check", str(text), "-f", "json", "-o", o],
                n,
            )
        )
        cases.append(
            (
                f"rlsmed check export-small.txt -f json -j 1 -o out ({n // 10:,} lines)",
                ["rlsmed", "check", str(small), "-f", "json", "-j", "1", "-o", o],
                n // 10,
            )
        )
        results = in_turns([c[1] for c in cases], args.repeat)
        for (label, _, count), result in zip(cases, results, strict=True):
            show(label, result, count)
        timed = dict(zip(FORMATS, results, strict=False))
        default_text, small_run = results[len(FORMATS)], results[len(FORMATS) + 1]
        out.append("")
        j = timed["json"]
        targets.append(
            Target(
                f"{n:,}-line text export to JSON, one process",
                "≥ 250,000 lines/s",
                f"{n / j.wall:,.0f} lines/s",
                n / j.wall >= 250_000,
            )
        )
        for fmt, limit in (("table", 1.5), ("csv", 1.3)):
            r = timed[fmt].wall / j.wall
            targets.append(
                Target(
                    f"{fmt} report against JSON, same lines", f"≤ {limit} times the time", f"{r:.2f} times", r <= limit
                )
            )

        synthea_runs: dict[str, Run] = {}
        if SYNTHEA.exists():
            csv_file = scratch / "synthea.csv"
            generate([str(n), "--synthea", str(SYNTHEA)], csv_file)
            out += [f"## Synthea-like CSV export: {n:,} rows (Synthea's medications.csv repeated, new patient ids)", ""]
            out += ["| command | wall | CPU | rows/s | peak RSS |", "|---|---:|---:|---:|---:|"]
            pair = [["rlsmed", "check", str(csv_file), "-f", "jsonl", *extra, "-o", o] for extra in (["-j", "1"], [])]
            synthea_runs = dict(zip(("1", "default"), in_turns(pair, args.repeat), strict=True))
            show("rlsmed check synthea.csv -f jsonl -j 1 -o out", synthea_runs["1"], n)
            show("rlsmed check synthea.csv -f jsonl -o out (default --jobs)", synthea_runs["default"], n)
            out.append("")
            s = synthea_runs["1"]
            targets.append(
                Target(
                    f"{n:,}-row Synthea-like CSV to JSON Lines per patient, one process",
                    "≥ 250,000 rows/s",
                    f"{n / s.wall:,.0f} rows/s",
                    n / s.wall >= 250_000,
                )
            )
        else:
            out += [f"Synthea-like export skipped: {SYNTHEA} not found.", ""]
            targets.append(Target("Synthea-like CSV to JSON Lines", "≥ 250,000 rows/s", "not measured", None))

        peaks = [(f"text -f {fmt}", r.rss) for fmt, r in timed.items()] + [("text, default --jobs", default_text.rss)]
        peaks += [(f"Synthea -j {k}", r.rss) for k, r in synthea_runs.items()]
        top = max(peaks, key=lambda p: p[1])
        targets.append(
            Target("peak memory, every format above", "≤ 100 MB", f"{top[1]} MB at most ({top[0]})", top[1] <= 100)
        )
        flat = f"{small_run.rss} MB for {n // 10:,} lines, {j.rss} MB for {n:,}"
        targets.append(Target("memory flat with input size (JSON)", "no growth", flat, j.rss <= small_run.rss * 1.25))
        slower = [(f"text {default_text.wall:.2f} s against {j.wall:.2f} s", default_text.wall / j.wall)]
        if synthea_runs:
            d, one = synthea_runs["default"], synthea_runs["1"]
            slower.append((f"Synthea {d.wall:.2f} s against {one.wall:.2f} s", d.wall / one.wall))
        worst = max(r for _, r in slower)
        targets.append(
            Target(
                "default --jobs against one process",
                "never slower (≤ 1.05 times, for noise)",
                "; ".join(w for w, _ in slower),
                worst <= 1.05,
            )
        )

        if not args.skip_accuracy and SCORE.exists():
            out += ["## Accuracy (`python ../shared/bench/score.py LABELS.tsv`)", ""]
            for name in ("lookalikes", "synthea_displays", "fda_products"):
                scored = subprocess.run(
                    [sys.executable, str(SCORE), str(LABELS / f"{name}.tsv"), "--show", "0"],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                last = scored.stdout.strip().splitlines()[-1] if scored.stdout.strip() else scored.stderr.strip()
                out.append(f"- {name}: {last}")
            out.append("")

        out += ["## Targets", "", "| target | goal | measured | |", "|---|---|---|---|"]
        for t in targets:
            verdict = "not measured" if t.met is None else met(t.met)
            out.append(f"| {t.what} | {t.goal} | {t.figure} | {verdict} |")
        print("\n".join(out))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
