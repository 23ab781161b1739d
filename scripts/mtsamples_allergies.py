#!/usr/bin/env python3
"""No drug named in an allergy section may be flagged: a check on the real MTSamples sections.

Usage: python scripts/mtsamples_allergies.py [--cmd "rlsmed check --format json"]

Every section of ../shared/bench/mtsamples_medications.jsonl whose `section_kind` is "allergy" is
screened on its own, written as the report wrote it ("ALLERGIES TO MEDICATIONS: Naprosyn."). Prints,
per section, the drugs flagged and the drugs mentioned with the status rlsmed gave them (a report
without statuses counts every mention as current), then one summary line. Exits 1 when a drug of an
allergy section is flagged or read as current. MTSamples is for measurement only: never shipped.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"


def _status(mention: dict[str, object]) -> str:
    """The status rlsmed gave a mention; "current" in a report that has none (before issue 10)."""
    status = mention.get("status")
    return status if status in ("current", "not_current", "allergy", "past", "family") else "current"  # type: ignore[return-value]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--cmd", default="rlsmed check --format json")
    ap.add_argument("--data", default=str(BENCH / "mtsamples_medications.jsonl"))
    args = ap.parse_args()
    with open(args.data, encoding="utf-8") as f:
        sections = [r for r in map(json.loads, f) if r["section_kind"] == "allergy"]
    flagged = current = mentions = 0
    for section in sections:
        text = f"{section['section']}: {section['text']}\n"
        proc = subprocess.run([*shlex.split(args.cmd), "-"], input=text, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            print(f"{section['id']}: the command exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
            return 2
        report = json.loads(proc.stdout)
        named = [(x["ingredient"], _status(x), True) for x in report["findings"]]
        named += [(i, _status(x), False) for x in report["recognized"] for i in x["ingredients"]]
        named += [(x["ingredient"], _status(x), True) for x in report.get("not_current", [])]
        counted = [(n, s, f) for n, s, f in named if n]
        mentions += len(counted)
        flagged += sum(1 for _, s, f in counted if f and s == "current")
        current += sum(1 for _, s, _ in counted if s == "current")
        described = ", ".join(f"{n} ({s}{', flagged' if f and s == 'current' else ''})" for n, s, f in counted)
        print(f"{section['id']:<22} {section['section'][:28]:<28} {described or '-'}")
    print(f"{len(sections)} allergy sections, {mentions} drug mentions: {flagged} flagged, {current} read as current")
    return 1 if flagged or current else 0


if __name__ == "__main__":
    sys.exit(main())
