#!/usr/bin/env python3
"""The README's DuckDB recipe, timed on a large table: python benchmarks/warehouse.py [ROWS]

Builds medications.parquet of ROWS rows (default 10,000,000) by repeating Synthea's medications.csv
(../shared/bench) with new patient ids, then runs the recipe exactly as the README writes it (DISTINCT,
rlsmed.warehouse.screen_frame, the join, COPY to Parquet) and prints the time of each step and the peak
memory. Needs `pip install . duckdb pandas`.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYNTHEA = ROOT.parent / "shared" / "bench" / "synthea_output_medications.csv"


def recipe() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- warehouse-recipe: duckdb -->\n```python\n(.*?)```", readme, re.S)
    if not found:
        raise SystemExit("the DuckDB recipe is not in README.md")
    return found.group(1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rows", type=int, nargs="?", default=10_000_000)
    args = ap.parse_args()
    import duckdb

    if not SYNTHEA.exists():
        print(f"{SYNTHEA} not found: the benchmark needs ../shared/bench beside the repository", file=sys.stderr)
        return 2
    base = sum(1 for _ in SYNTHEA.open(encoding="utf-8")) - 1
    copies = -(-args.rows // base)
    scratch = Path(tempfile.mkdtemp(prefix="rlsmed-warehouse-"))
    try:
        os.chdir(scratch)
        start = time.perf_counter()
        duckdb.sql(
            f"""COPY (
                SELECT m.* REPLACE (m.PATIENT || '-' || c.range AS PATIENT)
                FROM read_csv('{SYNTHEA}', all_varchar = true) m, range({copies}) c
                LIMIT {args.rows}
            ) TO 'medications.parquet'"""
        )
        built = time.perf_counter() - start
        size = Path("medications.parquet").stat().st_size
        code = compile(recipe(), "README.md (DuckDB recipe)", "exec")
        start = time.perf_counter()
        exec(code, {"__name__": "__recipe__"})
        took = time.perf_counter() - start
        con = duckdb.connect()
        flagged = con.sql("SELECT count(*) FROM 'rls_flags.parquet'").fetchall()[0][0]
        distinct = con.sql(
            "SELECT count(*) FROM (SELECT DISTINCT DESCRIPTION, CODE FROM 'medications.parquet')"
        ).fetchall()[0][0]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"- table: {args.rows:,} rows, {size / 1e6:,.0f} MB of Parquet (built in {built:.1f} s)")
        print(f"- distinct (text, code) pairs screened: {distinct:,}")
        print(f"- flagged rows written to rls_flags.parquet: {flagged:,}")
        print(f"- the recipe (distinct, screen, join, write): {took:.1f} s, {args.rows / took:,.0f} rows/s")
        print(f"- peak RSS of this process: {peak} MB")
    finally:
        os.chdir(ROOT)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
