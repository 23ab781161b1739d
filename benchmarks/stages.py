#!/usr/bin/env python3
"""Where the time goes: each stage of a one-process screening timed on its own, then cProfile's busiest
functions.

Usage: python benchmarks/stages.py [--lines 1000000] [--synthea FILE]   (after pip install .)

The input is benchmarks/generate.py's text export (or, with --synthea, Synthea's medications.csv
repeated to --lines rows, screened per patient as JSON Lines). Stages are run one after another over
batches held in memory, so their sum is a little more than a real run, which overlaps nothing but
also keeps nothing.
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
from rlsmed.options import CheckOptions
from rlsmed.writers import build_writer

GEN = Path(__file__).resolve().parent / "generate.py"


class _Null(io.StringIO):
    def write(self, text: str) -> int:
        return len(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--synthea", type=Path, metavar="FILE", help="Synthea's medications.csv, repeated")
    args = ap.parse_args()
    fmt = "jsonl" if args.synthea else "json"
    with tempfile.TemporaryDirectory(prefix="rlsmed-profile-") as scratch:
        path = Path(scratch) / ("export.csv" if args.synthea else "export.txt")
        how = ["--synthea", str(args.synthea)] if args.synthea else ["--seed", "7"]
        with path.open("w") as f:
            subprocess.run([sys.executable, str(GEN), str(args.lines), *how], stdout=f, check=True)
        gc.freeze()
        gc.disable()  # as a screening does

        def screening() -> Screening:
            return Screening([Input.from_path(path)], CheckOptions(jobs=1))

        s = screening()
        start = time.process_time()
        batches = list(s.record_batches(count_skipped=True))
        read = time.process_time() - start
        lines = sum(map(len, batches))
        sections = list(s._sections)

        def per_line(seconds: float) -> str:
            return f"{seconds / lines * 1e6:5.2f} µs a record"

        texts = [[r.text for r in batch] for batch in batches]
        start = time.process_time()
        for words in texts:
            s.matcher.match_many(words)
        match = time.process_time() - start
        start = time.process_time()
        screened = [s.screener.screen_batch(batch, marks=True) for batch in batches]
        screen = time.process_time() - start
        start = time.process_time()
        applied = [
            b for batch, sec in zip(screened, sections, strict=False) for b in s.mentions.apply(batch, sections=sec)
        ]
        applied += s.mentions.flush()
        mentions = time.process_time() - start
        start = time.process_time()
        for batch in applied:
            s.tally.add_batch(batch)
        tally = time.process_time() - start
        del batches, texts, screened, applied
        start = time.process_time()
        with screening() as whole:
            whole.write(build_writer(fmt), _Null())
        total = time.process_time() - start
        cached = "" if not args.synthea else " (the line cache answers repeated texts)"
        print(f"# Where the time goes ({lines:,} records, --format {fmt}, one process)\n")
        print(f"- reading and decoding:                  {per_line(read)}")
        print(f"- screening{cached}:    {per_line(screen)}")
        print(f"    of which finding names (matcher, no cache): {per_line(match)}")
        print(f"- context (mention statuses):            {per_line(mentions)}")
        print(f"- counting (summary):                    {per_line(tally)}")
        rest = total - read - screen - mentions - tally
        print(f"- writing {fmt} (and the second reading):  {per_line(rest)}")
        print(f"- whole run:                             {per_line(total)} = {lines / total:,.0f} records/s\n")
        profiler = cProfile.Profile()
        profiler.enable()
        with screening() as whole:
            whole.write(build_writer(fmt), _Null())
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
        print("```text\n" + "\n".join(out.getvalue().strip().splitlines()[4:]) + "\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
