#!/usr/bin/env python3
"""Knowledge-base maintenance: which Drugs@FDA products with a flagged ingredient does the KB itself name?

The shipped lexicon already maps every Drugs@FDA product name to its ingredients, so `rlsmed check`
finds them all; this script asks a stricter question for the knowledge base's own names and products:
screening each FDA product name with the knowledge base alone (an empty lexicon), which rows that
contain a flagged ingredient are not found? Those are candidates for `names:` or `products:`.

Usage: python scripts/kb_candidates.py [--fda ../shared/bench/fda_products.tsv] [--kb data/drugs.yaml]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rlsmed.kb import load_knowledge_base  # noqa: E402
from rlsmed.lexicon import Lexicon  # noqa: E402
from rlsmed.matcher import Matcher  # noqa: E402
from rlsmed.models import InputRecord  # noqa: E402
from rlsmed.normalize import name_key, tokens  # noqa: E402
from rlsmed.screen import Screener  # noqa: E402
from rlsmed.vocabulary import SALTS  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fda", type=Path, default=ROOT.parent / "shared" / "bench" / "fda_products.tsv")
    ap.add_argument("--kb", type=Path, default=ROOT / "data" / "drugs.yaml")
    args = ap.parse_args()
    kb = load_knowledge_base(builtin=args.kb)
    flagged = {name_key(n) for n, d in kb.drugs.items() if d.flagged}
    screener = Screener(kb, Matcher(kb, Lexicon.from_names({})))
    rows = missing = 0
    with args.fda.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            ingredients = {
                " ".join(t for t in tokens(p) if t not in SALTS) for p in row["active_ingredients"].split(";")
            }
            wanted = ingredients & flagged
            if not wanted:
                continue
            rows += 1
            found = {name_key(x.drug.name) for x in screener.screen(InputRecord("fda", 0, row["drug_name"])).findings}
            if wanted - found:
                missing += 1
                print(f"{row['drug_name']}\t{'|'.join(sorted(wanted - found))}\t{row['marketing_status']}")
    print(f"{rows - missing} of {rows} FDA products with a flagged ingredient are named by the knowledge base")
    return 0


if __name__ == "__main__":
    sys.exit(main())
