#!/usr/bin/env python3
"""Score a labelled set of medication lists with each list read as its own input.

Usage: python scripts/score_lists.py tests/data/context_lists.tsv [--show 10]

The TSV is the one ../shared/bench/score.py reads (text, expected, optional, category; a literal `\\n`
separates the lines of one list). score.py writes every list into one file, so a heading at the end of
one list (a "STOP taking" section) also covers the lists after it, as it would in one document; here
each list is screened on its own, as a pasted list is. Prints recall and the lists with a false flag.
"""

from __future__ import annotations

import argparse
import csv
import sys

import rlsmed


def _names(field: str | None) -> set[str]:
    return {x.strip() for x in (field or "").split("|") if x.strip()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("labels")
    ap.add_argument("--show", type=int, default=10)
    args = ap.parse_args()
    with open(args.labels, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    expected_total = found_total = false_lists = 0
    shown = 0
    for row in rows:
        report = rlsmed.check(row["text"].replace("\\n", "\n"))
        flagged = {finding.drug.name for finding in report.findings}
        expected, optional = _names(row["expected"]), _names(row.get("optional"))
        expected_total += len(expected)
        found_total += len(expected & flagged)
        wrong = flagged - expected - optional
        false_lists += bool(wrong)
        if (wrong or expected - flagged) and shown < args.show:
            shown += 1
            print(f"  missed {sorted(expected - flagged)} false {sorted(wrong)}: {row['text'][:100]}")
    recall = found_total / expected_total if expected_total else 1.0
    print(
        f"each list on its own: recall {recall:.1%} ({found_total}/{expected_total}), "
        f"lists with a false flag {false_lists} of {len(rows)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
