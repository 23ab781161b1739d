#!/usr/bin/env python3
"""What reading context costs: the same export screened to JSON with and without it, in one process.

Usage: python benchmarks/context.py [--lines 1000000] [--runs 3]   (after pip install .; needs ../shared/bench)

"Without" replaces the step that gives mentions their status (rlsmed.mentions.MentionReader.apply) by
one that passes batches through, and stops the matcher marking cue words: the rest of the run is the
same code. Runs alternate, and the median of each is printed with the ratio. A rough figure unless the
machine is otherwise idle.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rlsmed import mentions
from rlsmed.api import Input, Screening
from rlsmed.engine import engine
from rlsmed.writers.json import JsonWriter

GEN = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "gen_export.py"


class _Null(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def _run(path: Path) -> float:
    start = time.perf_counter()
    with Screening([Input.from_path(path)]) as screening:
        screening.write(JsonWriter(), _Null())
    return time.perf_counter() - start


def _export(folder: Path, lines: int) -> Path:
    """The benchmark's export (gen_export.py, seed 7), written into `folder`."""
    path = folder / "export.txt"
    text = subprocess.run([sys.executable, str(GEN), str(lines), "--seed", "7"], capture_output=True, text=True)
    path.write_text(text.stdout)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rlsmed-context-") as scratch:
        path = _export(Path(scratch), args.lines)
        gc.collect()
        reading = mentions.MentionReader.apply

        def passing(self: mentions.MentionReader, batch: object, *, sections: bool) -> list[object]:
            return [batch]

        matcher = engine().matcher
        watched = matcher._watched
        with_context: list[float] = []
        without: list[float] = []
        _run(path)  # warm: the engine, the lexicon tries, the fuzzy cache
        for _ in range(args.runs):
            mentions.MentionReader.apply = reading  # type: ignore[method-assign]
            with_context.append(_run(path))
            mentions.MentionReader.apply = passing  # type: ignore[method-assign,assignment]
            matcher._watched = frozenset()  # no marks: match_many as before context reading
            without.append(_run(path))
            matcher._watched = watched
        mentions.MentionReader.apply = reading  # type: ignore[method-assign]
    a, b = statistics.median(with_context), statistics.median(without)
    print(f"{args.lines:,} lines to JSON, median of {args.runs}: with context {a:.2f} s, without {b:.2f} s")
    print(f"context reading costs {a - b:+.2f} s ({(a - b) / b:+.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
