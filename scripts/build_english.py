#!/usr/bin/env python3
"""Build data/english.txt: ordinary English words, so that the fuzzy matcher never reads a real word
("moderate", "ability", "quite") or a near-miss of one ("alleries") as a misspelt drug name.

Source: SCOWL's American English word list as Debian ships it (package wamerican,
/usr/share/dict/american-english; copyright Kevin Atkinson and others, free to use and redistribute with
its notice, which data/english.NOTICE carries). Kept: lowercase words of 4 or more letters a-z, one a line,
sorted. Drug names are left in the list; the matcher never lets a word guard against a flagged name it is.

Usage: python scripts/build_english.py [--source /usr/share/dict/american-english]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "english.txt"
_WORD = re.compile(r"[a-z]{4,}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default="/usr/share/dict/american-english")
    args = ap.parse_args()
    text = Path(args.source).read_text(encoding="utf-8", errors="replace")
    words = sorted({w for w in text.split() if _WORD.fullmatch(w)})
    OUT.write_text("\n".join(words) + "\n", encoding="ascii")
    print(f"{OUT}: {len(words)} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
