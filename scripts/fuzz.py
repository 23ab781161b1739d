#!/usr/bin/env python3
"""A long fuzz run: generated input for every reader, the normaliser, the matcher, every writer and the
whole pipeline.

Usage: python scripts/fuzz.py [--examples N] [--only NAME]   (N per target; default 12,000: 120,000 in all)

Each target is a Hypothesis property run with many examples: whatever the bytes, a reader yields
records or raises InputError; the normaliser never fails; matching a batch is matching each of its
lines; a whole screening either succeeds with every non-blank line, row or resource in exactly one
state, or stops with InputError; every writer's output is well formed (JSON parses, CSV cells are
never formulas, table and Markdown hold no control character). Any other exception or a broken
property is a failure: Hypothesis shrinks it to a minimal example and this script exits 1.
The test suite runs the same properties with few examples (tests/test_properties.py, tests/test_safety.py,
tests/readers/).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from rlsmed.api import Input, Screening  # noqa: E402
from rlsmed.engine import engine  # noqa: E402
from rlsmed.errors import InputError  # noqa: E402
from rlsmed.formats import InputFormat  # noqa: E402
from rlsmed.models import InputRecord, LineStatus  # noqa: E402
from rlsmed.normalize import name_key, tokens  # noqa: E402
from rlsmed.readers import ReadOptions, reader_for  # noqa: E402

NAMES = ["Zoloft 50 mg", "sertaline", "Tylenol PM", "hydrALAZINE", "Benedryl", "co-careldopa", "Lipitor"]
TEXT = st.one_of(st.text(), st.sampled_from(NAMES), st.text(alphabet="\r\n\t ,;|\"'{}[]:0123456789abcxyz"))
FHIR_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from(NAMES),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "resourceType",
                    "entry",
                    "resource",
                    "medicationCodeableConcept",
                    "medicationReference",
                    "coding",
                    "text",
                    "display",
                    "code",
                    "system",
                    "status",
                    "subject",
                    "reference",
                    "contained",
                    "id",
                    "type",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=30,
)


def read_all(fmt: InputFormat, data: bytes, name: str) -> int:
    try:
        return sum(1 for _ in reader_for(fmt).read(io.BytesIO(data), name, ReadOptions()))
    except InputError:
        return -1


def targets(examples: int) -> dict[str, object]:
    fast = settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)

    @fast
    @given(st.binary(max_size=400))
    def text_bytes(data: bytes) -> None:
        read_all(InputFormat.TEXT, data, "meds.txt")

    @fast
    @given(st.lists(st.lists(TEXT, max_size=5), max_size=8), st.sampled_from([",", "\t", ";", "|"]))
    def csv_rows(rows: list[list[str]], sep: str) -> None:
        data = ("medication" + sep + "patient\n" + "\n".join(sep.join(r) for r in rows)).encode()
        read_all(InputFormat.CSV, data, "meds.csv")
        read_all(InputFormat.CSV, data[: len(data) // 2], "meds.csv")

    @fast
    @given(FHIR_VALUES, st.booleans())
    def fhir_shapes(value: object, ndjson: bool) -> None:
        text = json.dumps(value)
        data = (text + "\n" + text).encode() if ndjson else text.encode()
        read_all(InputFormat.FHIR, data, "bundle.ndjson" if ndjson else "bundle.json")

    @fast
    @given(st.binary(max_size=300))
    def fhir_bytes(data: bytes) -> None:
        read_all(InputFormat.FHIR, data, "bundle.json")

    @fast
    @given(st.text(max_size=200))
    def normaliser(text: str) -> None:
        for token in tokens(text):
            assert token.isascii() and token.isalpha()
        assert name_key(name_key(text)) == name_key(text)

    @fast
    @given(st.lists(TEXT, max_size=12))
    def pipeline(lines: list[str]) -> None:
        text = "\n".join(lines)
        screening = Screening([Input.from_text(text, "fuzz.txt")])
        try:
            results = list(screening)
        except InputError:
            return
        states = [r.status for r in results]
        assert all(s in (LineStatus.FLAGGED, LineStatus.RECOGNIZED, LineStatus.UNRECOGNIZED) for s in states)
        assert all(isinstance(r.record, InputRecord) for r in results)

    os.environ["RLSMED_FUZZ_EXAMPLES"] = str(examples)  # the test suite's properties, with many examples
    from tests import test_invariance as same
    from tests import test_properties as props

    matcher = engine().matcher

    def batches_match_lines() -> None:
        props.test_matching_a_batch_is_matching_each_line(matcher)

    return {
        "text reader (bytes)": text_bytes,
        "CSV reader (rows)": csv_rows,
        "FHIR reader (shapes)": fhir_shapes,
        "FHIR reader (bytes)": fhir_bytes,
        "normaliser": normaliser,
        "pipeline (lists)": pipeline,
        "matcher (a batch is its lines)": batches_match_lines,
        "CSV rows accounted for": props.test_csv_rows_are_each_accounted_for_once,
        "FHIR resources accounted for": props.test_fhir_resources_are_each_accounted_for_once,
        "writers (every format)": props.test_every_writer_gives_well_formed_safe_output,
        "same outcomes: encodings, line ends": same.test_every_encoding_and_line_end_gives_the_same_outcomes,
        "same outcomes: text, CSV, NDJSON": same.test_text_csv_and_ndjson_give_the_same_outcomes,
        "same outcome: what precedes, chunks": same.test_a_lines_outcome_does_not_depend_on_the_lines_before_it,
        "bytes after an ASCII start": same.test_any_bytes_after_an_ascii_start_give_records_or_a_clean_error,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=12_000, help="examples per target")
    ap.add_argument("--only", help="run the targets whose name contains this text")
    args = ap.parse_args()
    failed = 0
    tests = {k: v for k, v in targets(args.examples).items() if not args.only or args.only in k}
    for name, test in tests.items():
        start = time.perf_counter()
        try:
            test()  # type: ignore[operator]
            print(f"{name}: {args.examples:,} inputs, no crash ({time.perf_counter() - start:.0f} s)")
        except Exception as e:  # a crash: Hypothesis has shrunk it to a minimal example
            failed += 1
            print(f"{name}: CRASH {type(e).__name__}: {e}")
    total = args.examples * len(tests)
    print(f"{total:,} generated inputs in all; {failed} target(s) crashed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
