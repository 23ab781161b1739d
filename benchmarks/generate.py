#!/usr/bin/env python3
"""Write large, realistic medication exports for the benchmarks, from this repository's own data.

Usage: python benchmarks/generate.py N [--seed S] [--csv] > export.txt
       python benchmarks/generate.py N --synthea FILE > export.csv

Text (the default): one medication a line, as EHR exports and pasted lists write them: a name from the
lexicon of ordinary drugs and the knowledge base (data/), in upper, title or lower case, in one of
four layouts, with random strengths, forms and directions, and about 3 % of names misspelt by one
edit. --csv: the same lines as rows of patient_id,start_date,medication,sig (12 rows a patient).
--synthea FILE: a Synthea medications.csv repeated, each copy with new patient ids, up to N rows.
The same N and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"
FORMS = ["tablet", "TABLET", "capsule", "Oral Tablet", "ER tablet", "24 hr capsule", "ODT", "oral solution", "patch"]
SIGS = [
    "Take 1 tablet by mouth daily.",
    "Take 1 tablet (50 mg total) by mouth 2 times daily.",
    "1 tab PO QHS",
    "po bid",
    "qd",
    "Take 2 tablets by mouth every 6 hours as needed for pain",
    "nightly as needed for sleep",
    "Take 1 capsule by mouth every morning.",
    "q8h prn",
    "Apply 1 patch to skin daily",
    "",
]
UNITS = ["mg", "MG", "mcg", "MCG", "mg/mL", "units"]
STRENGTHS = [0.5, 1, 2, 5, 10, 20, 25, 50, 75, 100, 150, 200, 300, 500]


def names() -> list[str]:
    """Ordinary drug names (the lexicon) and every name of the knowledge base, as written there."""
    lexicon = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))["names"]
    kb = yaml.safe_load((DATA / "drugs.yaml").read_text(encoding="utf-8"))
    written = [n for d in kb["drugs"] for n in (d["name"], *d.get("names", []))]
    written += [p["name"] for p in kb.get("products", [])]
    return sorted(lexicon) + written


def typo(rng: random.Random, s: str) -> str:
    if len(s) < 6:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.randrange(3)
    if op == 0:
        return s[:i] + s[i + 1 :]
    if op == 1:
        return s[:i] + s[i] + s[i:]
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def line(rng: random.Random, pool: list[str]) -> str:
    name = rng.choice(pool)
    if rng.random() < 0.03:
        name = typo(rng, name)
    style = rng.randrange(4)
    name = (name.upper, name.title, name.lower, str)[rng.randrange(4)]()
    strength = f"{rng.choice(STRENGTHS)} {rng.choice(UNITS)}"
    if style == 0:
        return f"{name} {strength} {rng.choice(FORMS)} {rng.choice(SIGS)}".strip()
    if style == 1:
        return f"{name} {strength} {rng.choice(SIGS)}".strip()
    if style == 2:
        return name
    return f"{rng.randrange(1, 20)}. {name} {strength} {rng.choice(SIGS)}".strip()


def synthea(n: int, path: Path, out: object) -> None:
    """A Synthea medications.csv repeated with new patient ids (PATIENT + "-" + copy) up to n rows."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    patient = header.index("PATIENT")
    writer = csv.writer(out, lineterminator="\n")  # type: ignore[arg-type]
    writer.writerow(header)
    for i in range(n):
        copy, row = divmod(i, len(rows))
        cells = list(rows[row])
        cells[patient] = f"{cells[patient]}-{copy}"
        writer.writerow(cells)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--csv", action="store_true")
    ap.add_argument("--synthea", type=Path, metavar="FILE")
    a = ap.parse_args()
    out = sys.stdout
    if a.synthea:
        synthea(a.n, a.synthea, out)
        return
    rng = random.Random(a.seed)
    pool = names()
    if a.csv:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["patient_id", "start_date", "medication", "sig"])
        for i in range(a.n):
            text = line(rng, pool)
            w.writerow([f"P{i // 12:07d}", f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}", text, ""])
    else:
        out.writelines(line(rng, pool) + "\n" for _ in range(a.n))


if __name__ == "__main__":
    main()
