#!/usr/bin/env python3
"""Where the time goes: each stage of screening timed on its own, then cProfile's busiest functions.

Usage: python benchmarks/stages.py [--lines 1000000]   (after pip install .; needs ../shared/bench)
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rlsmed.api import Input, Screening
from rlsmed.writers.json import JsonWriter

GEN = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "gen_export.py"


class _Null(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rlsmed-profile-") as scratch:
        path = Path(scratch) / "export.txt"
        with path.open("w") as f:
            subprocess.run([sys.executable, str(GEN), str(args.lines), "--seed", "7"], stdout=f, check=True)
        gc.freeze()
        gc.disable()  # as the command line does
        screening = Screening([Input.from_path(path)])
        batches = list(screening.record_batches())
        lines = sum(map(len, batches))

        def per_line(seconds: float) -> str:
            return f"{seconds / lines * 1e6:5.2f} µs a line"

        start = time.process_time()
        for _ in screening.record_batches():
            pass
        read = time.process_time() - start
        start = time.process_time()
        hits = [screening.matcher.match_many([r.text for r in batch]) for batch in batches]
        match = time.process_time() - start
        start = time.process_time()
        results = [screening.screener.apply(batch, found) for batch, found in zip(batches, hits, strict=True)]
        apply = time.process_time() - start
        start = time.process_time()
        for batch in results:
            screening.tally.add_batch(batch)
        tally = time.process_time() - start
        del hits, results, batches
        start = time.process_time()
        JsonWriter().write(Screening([Input.from_path(path)]), _Null())
        total = time.process_time() - start
        print(f"# Where the time goes ({lines:,} lines, --format json, one process)\n")
        print(f"- reading and decoding:            {per_line(read)}")
        print(f"- finding names (matcher):         {per_line(match)}")
        print(f"- findings and recognitions:       {per_line(apply)}")
        print(f"- counting (summary):              {per_line(tally)}")
        print(f"- writing JSON, second read:       {per_line(total - read - match - apply - tally)}")
        print(f"- whole run (--format json):       {per_line(total)} = {lines / total:,.0f} lines/s\n")
        profiler = cProfile.Profile()
        profiler.enable()
        JsonWriter().write(Screening([Input.from_path(path)]), _Null())
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
        print("```text\n" + "\n".join(out.getvalue().strip().splitlines()[4:]) + "\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
