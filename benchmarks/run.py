#!/usr/bin/env python3
"""rlsmed benchmarks: start-up, throughput and peak memory. One command: python benchmarks/run.py

Measures the `rlsmed` on PATH; install it first, not editable (`pip install .`), so that the
knowledge base is read as a user's install reads it. Inputs are generated with the team's
../shared/bench/gen_export.py (the same N and seed always give the same bytes) into a scratch
folder that is removed afterwards. Prints a Markdown report (machine, commands, date, figures).
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

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "bench" / "gen_export.py"
LABELS = ROOT.parent / "shared" / "bench" / "labels"
SCORE = ROOT.parent / "shared" / "bench" / "score.py"
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


def run(cmd: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB, and exit code of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def interpreter() -> str:
    """The Python that runs the installed `rlsmed` (from its script's first line)."""
    script = Path(shutil.which("rlsmed") or "rlsmed")
    first = script.read_text(errors="replace").splitlines()[0] if script.is_file() else ""
    return first[2:].strip() if first.startswith("#!") and " " not in first[2:].strip() else sys.executable


def startup(runs: int, ten: Path) -> tuple[float, float]:
    """Median wall time of `rlsmed check` on 10 lines and of importing our own stack, interleaved."""
    ours = [interpreter(), "-c", "import typer, rich, rapidfuzz, yaml"]
    check = ["rlsmed", "check", "--format", "json", str(ten)]
    for _ in range(3):  # warm the file cache
        run(ours)
        run(check)
    floor, tool = [], []
    for _ in range(runs):
        floor.append(run(ours)[0])
        tool.append(run(check)[0])
    return statistics.median(floor), statistics.median(tool)


def generate(lines: int, path: Path, csv: bool) -> None:
    with path.open("w") as f:
        subprocess.run(
            [sys.executable, str(GEN), str(lines), "--seed", "7", *(["--csv"] if csv else [])], stdout=f, check=True
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="start-up runs of each command (at least 10)")
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--jobs", default="1,auto", help="--jobs values to measure, comma-separated ('auto': default)")
    ap.add_argument("--skip-accuracy", action="store_true")
    args = ap.parse_args()
    if shutil.which("rlsmed") is None:
        print("rlsmed is not on PATH: pip install . first", file=sys.stderr)
        return 2
    if not GEN.exists():
        print(f"{GEN} not found: the benchmarks need ../shared/bench beside the repository", file=sys.stderr)
        return 2
    version = subprocess.run(["rlsmed", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    scratch = Path(tempfile.mkdtemp(prefix="rlsmed-bench-"))
    try:
        ten = scratch / "ten.txt"
        ten.write_text(TEN)
        floor, tool = startup(max(10, args.runs), ten)
        out = ["# rlsmed benchmarks", ""]
        out.append(f"- date: {dt.date.today().isoformat()}; {version}; Python {platform.python_version()}")
        out.append(f"- machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
        out.append("")
        out.append(f"## Start-up (median of {max(10, args.runs)} interleaved runs each)")
        out.append("")
        out.append("| command | median |")
        out.append("|---|---:|")
        out.append(f'| `python -c "import typer, rich, rapidfuzz, yaml"` | {floor * 1000:.0f} ms |')
        out.append(f"| `rlsmed check --format json ten.txt` (10 lines) | {tool * 1000:.0f} ms |")
        out.append(f"| **ratio** | **{tool / floor:.2f}** |")
        out.append("")
        text, csv_file = scratch / "export.txt", scratch / "export.csv"
        small = scratch / "export-100k.txt"
        generate(args.lines, text, csv=False)
        generate(args.lines, csv_file, csv=True)
        generate(args.lines // 10, small, csv=False)
        out.append(f"## Throughput and memory ({args.lines:,} lines from gen_export.py --seed 7)")
        out.append("")
        out.append("| input | command | jobs | wall | lines/s | peak RSS |")
        out.append("|---|---|---:|---:|---:|---:|")
        cases = [
            (text, "text", ["--format", "json"]),
            (text, "text, the report for people", ["--format", "table"]),
            (csv_file, "CSV, per patient", ["--format", "jsonl"]),
            (small, "text (a tenth)", ["--format", "json"]),
        ]
        for path, label, fmt in cases:
            for jobs in args.jobs.split(","):
                extra = [] if jobs == "auto" else ["--jobs", jobs]
                cmd = ["rlsmed", "check", str(path), *fmt, *extra, "-o", str(scratch / "out")]
                wall, rss, code = run(cmd)
                if code not in (0, 1):
                    out.append(f"| {label} | `{' '.join(cmd[1:])}` | {jobs} | failed (exit {code}) | | |")
                    continue
                count = args.lines // 10 if path is small else args.lines
                shown = " ".join(["rlsmed", "check", path.name, *fmt, *extra, "-o", "out"])
                out.append(f"| {label} | `{shown}` | {jobs} | {wall:.1f} s | {count / wall:,.0f} | {rss} MB |")
        out.append("")
        if not args.skip_accuracy:
            out.append("## Accuracy (`python ../shared/bench/score.py LABELS.tsv`)")
            out.append("")
            for name in ("lookalikes", "synthea_displays", "fda_products"):
                result = subprocess.run(
                    [sys.executable, str(SCORE), str(LABELS / f"{name}.tsv"), "--show", "0"],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                out.append(f"- {name}: {result.stdout.strip().splitlines()[-1]}")
            out.append("")
        print("\n".join(out))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
