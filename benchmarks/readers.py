"""Reader benchmarks: C-CDA documents a second and peak memory over ../shared/bench/ccda, and Excel rows a
second against the same rows as CSV.

    python benchmarks/readers.py [--repeat 5] [--rows 100000]

Each figure is taken in a fresh process (peak RSS is per process), the best of three runs. C-CDA is timed
over the whole folder once and `--repeat` times over, to show that memory does not grow with the number of
documents. Needs the excel and test extras (python-calamine, openpyxl) for the Excel part.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CCDA = ROOT.parent / "shared" / "bench" / "ccda"

_CCDA_CHILD = """
import io, json, resource, sys, time
from pathlib import Path
from rlsmed.errors import InputError
from rlsmed.readers.base import ReadOptions
from rlsmed.readers.ccda import CcdaReader
paths = sorted(p for p in Path(sys.argv[1]).rglob("*") if p.is_file())
repeat = int(sys.argv[2])
reader, options = CcdaReader(), ReadOptions()
start = time.perf_counter()
documents = records = refused = 0
for _ in range(repeat):
    for path in paths:
        documents += 1
        try:
            with open(path, "rb") as stream:
                records += sum(1 for _ in reader.read(stream, path.name, options))
        except InputError:
            refused += 1
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"documents": documents, "records": records, "refused": refused, "seconds": seconds, "rss_mb": rss}))
"""

_TABLE_CHILD = """
import json, resource, sys, time
from rlsmed.readers.base import ReadOptions
kind, path = sys.argv[1], sys.argv[2]
if kind == "excel":
    from rlsmed.readers.excel import ExcelReader as Reader
else:
    from rlsmed.readers.csv import CsvReader as Reader
start = time.perf_counter()
with open(path, "rb") as stream:
    rows = sum(len(b) for b in Reader().read_batches(stream, path, ReadOptions()))
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": seconds, "rss_mb": rss}))
"""


def child(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out)  # type: ignore[no-any-return]


def best(code: str, *args: str, runs: int = 3) -> dict[str, float]:
    results = [child(code, *args) for _ in range(runs)]
    return min(results, key=lambda r: r["seconds"])


def cli(*args: str, runs: int = 3) -> tuple[float, float]:
    """The best wall time of `rlsmed check ARGS --format json -o /dev/null` and its peak RSS (MB)."""
    import resource
    import time

    best_time, rss = float("inf"), 0.0
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run(
            [sys.executable, "-m", "rlsmed", "check", *args, "--format", "json", "-o", os.devnull],
            capture_output=True,
        ).returncode
        if code not in (0, 1):
            raise SystemExit(f"rlsmed exited {code} on {args[:2]}")
        best_time = min(best_time, time.perf_counter() - start)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return best_time, rss


def ccda_cli() -> None:
    sys.path.insert(0, str(ROOT))
    from rlsmed.readers.ccda import looks_like_ccda

    documents = [
        str(p)
        for p in sorted(CCDA.rglob("*"))
        if p.is_file() and looks_like_ccda(p.read_bytes()[:65536].decode("utf-8", "replace"))
    ]
    seconds, rss = cli(*documents)
    print("## C-CDA through the command line (all whole documents in one run, `--format json`)\n")
    rate = len(documents) / seconds
    print(f"{len(documents)} documents in {seconds:.2f} s: **{rate:,.0f} documents/s**, peak RSS {rss:.0f} MB\n")


def ccda(repeat: int) -> None:
    print("## C-CDA (reader only)\n")
    print("| documents | records | refused | seconds | documents/s | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|")
    for times in (1, repeat):
        r = best(_CCDA_CHILD, str(CCDA), str(times))
        print(
            f"| {r['documents']:,.0f} | {r['records']:,.0f} | {r['refused']:,.0f} | {r['seconds']:.2f} "
            f"| {r['documents'] / r['seconds']:,.0f} | {r['rss_mb']:.0f} MB |"
        )
    print()


def write_tables(rows: int, folder: Path) -> tuple[Path, Path]:
    import csv
    import datetime
    import random

    import openpyxl

    rng = random.Random(7)
    names = ["Sertraline 50 mg tablet", "metformin 500 mg", "Zoloft", "Benadryl 25mg", "lisinopril 10 mg"]
    header = ["Patient", "Medication", "Dose", "Status", "Start", "RxNorm"]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Medications")
    sheet.append(header)
    xlsx, csv_path = folder / "meds.xlsx", folder / "meds.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for i in range(rows):
            row = [
                f"P{i % 5000}",
                rng.choice(names),
                "1 tab daily",
                "active",
                datetime.date(2024, 1, 1 + i % 28),
                312940 + i % 7,
            ]
            sheet.append(row)
            writer.writerow([*row[:4], row[4].isoformat(), row[5]])
    book.save(xlsx)
    return xlsx, csv_path


def excel(rows: int) -> None:
    print("## Excel against the same rows as CSV (reader only)\n")
    print("| input | rows | seconds | rows/s | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        xlsx, csv_path = write_tables(rows, Path(folder))
        for kind, path in (("excel", xlsx), ("csv", csv_path)):
            r = best(_TABLE_CHILD, kind, str(path))
            name = f"{path.name} ({path.stat().st_size / 1e6:.1f} MB)"
            rate = r["rows"] / r["seconds"]
            print(f"| {name} | {r['rows']:,.0f} | {r['seconds']:.2f} | {rate:,.0f} | {r['rss_mb']:.0f} MB |")
        print()
        print("Through the command line (`--format json`, best of 3):\n")
        for path in (xlsx, csv_path):
            seconds, _ = cli(str(path))
            print(f"- {path.name}: {rows / seconds:,.0f} rows/s ({seconds:.2f} s)")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the C-CDA folder for the memory check")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the Excel and CSV tables")
    args = parser.parse_args()
    ccda(args.repeat)
    ccda_cli()
    excel(args.rows)


if __name__ == "__main__":
    main()
