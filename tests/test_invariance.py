"""The same list gives the same outcomes however it is written (Hypothesis): in UTF-8, UTF-8 with a BOM,
UTF-16 and with CRLF line ends; as text, a one-column CSV and NDJSON; wherever it falls in a file (a
line's outcome does not depend on the lines before it, across the 64 KiB chunk borders); and any bytes
after an ASCII start give records or a clean error (exit 2 with one line), never another exception.

These are the robustness audit's properties (issue 16). scripts/fuzz.py runs them with many examples.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from typing import NamedTuple

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rlsmed.api import Input, Screening
from rlsmed.errors import RlsmedError
from rlsmed.formats import InputFormat
from rlsmed.models import LineResult
from rlsmed.options import CheckOptions
from rlsmed.readers.decode import CHUNK

# scripts/fuzz.py sets RLSMED_FUZZ_EXAMPLES to run these properties on many more examples.
EXAMPLES = int(os.environ.get("RLSMED_FUZZ_EXAMPLES", "25"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)


class Seen(NamedTuple):
    """What a line amounts to, as these properties compare it: its state, the ingredients found, and the
    drugs named but not current with their status (issue 10)."""

    status: str
    flagged: tuple[str, ...]
    recognized: tuple[str, ...]
    not_current: tuple[tuple[str, str], ...]


def seen(result: LineResult) -> Seen:
    return Seen(
        result.status.value,
        tuple(sorted(f.drug.name for f in result.findings)),
        tuple(sorted(r.ingredient for r in result.recognized)),
        tuple(sorted((m.ingredient, m.status.value) for m in result.mentions)),
    )


def _structured(found: list[Seen] | None) -> bool:
    """True when a text list has a heading: its lines' statuses then depend on the lines before them,
    which a CSV cell or a FHIR resource, each a record of its own, never does."""
    return found is not None and any(s.status == "heading" for s in found)


def outcomes(data: bytes, name: str, fmt: InputFormat = InputFormat.AUTO) -> list[Seen] | None:
    """Each record's outcome, in input order; None when the input is refused with a message (exit 2)."""
    opened = Input(name, lambda: io.BytesIO(data), size=len(data))
    try:
        with Screening([opened], CheckOptions(input_format=fmt)) as screening:
            return [seen(r) for r in screening]
    except RlsmedError:
        return None


# Lines as people write them: real names, misspellings, doses, punctuation and letters of any script;
# no control characters or line breaks (which would make them other lines) and no blank lines.
NAMES = ["Zoloft 50 mg", "sertaline", "Tylenol PM", "hydrALAZINE", "Benedryl", "co-careldopa", "Lipitor 20"]
_LETTERS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf", "Co", "Cn"))
LINE = (
    st.one_of(
        st.sampled_from(NAMES),
        st.builds(lambda a, b: f"{a} {b}", st.sampled_from(NAMES), st.sampled_from(["50 mg", "qhs", "(stopped)", "½"])),
        st.text(_LETTERS, min_size=1, max_size=40),
    )
    .map(str.strip)
    .filter(bool)
)
LINES = st.lists(LINE, min_size=1, max_size=12)
PRECEDING = st.lists(LINE, max_size=6)  # lines before the ones looked at


def _text(lines: list[str], encoding: str = "utf-8", end: str = "\n") -> bytes:
    return end.join(lines).encode(encoding) + end.encode(encoding)


ENCODINGS: dict[str, Callable[[list[str]], bytes]] = {
    "UTF-8": _text,
    "UTF-8 with BOM": lambda lines: _text(lines, "utf-8-sig"),
    "UTF-16": lambda lines: _text(lines, "utf-16"),
    "UTF-16 without BOM": lambda lines: _text(lines, "utf-16-le"),
    "CRLF": lambda lines: _text(lines, end="\r\n"),
    "UTF-16 with CRLF": lambda lines: _text(lines, "utf-16", "\r\n"),
}


@PROPERTY
@given(LINES)
def test_every_encoding_and_line_end_gives_the_same_outcomes(lines: list[str]) -> None:
    expected = outcomes(_text(lines), "meds.txt", InputFormat.TEXT)
    assert expected is not None and len(expected) == len(lines)
    latin = all(c < "\u0100" for line in lines for c in line)
    for encoding, encode in ENCODINGS.items():
        if encoding == "UTF-16 without BOM" and not latin:
            continue  # told from its NUL bytes, which other scripts do not have (README "Input formats")
        assert outcomes(encode(lines), "meds.txt", InputFormat.TEXT) == expected, encoding


def _one_column_csv(lines: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["medication"])
    writer.writerows([line] for line in lines)
    return buffer.getvalue().encode()


def _ndjson(lines: list[str]) -> bytes:
    statements = (
        {
            "resourceType": "MedicationStatement",
            "id": f"s{i}",
            "status": "active",
            "medicationCodeableConcept": {"text": t},
        }
        for i, t in enumerate(lines)
    )
    return "".join(json.dumps(s) + "\n" for s in statements).encode()


@PROPERTY
@given(LINES)
def test_text_csv_and_ndjson_give_the_same_outcomes(lines: list[str]) -> None:
    expected = outcomes(_text(lines), "meds.txt", InputFormat.TEXT)
    assume(not _structured(expected))
    assert outcomes(_one_column_csv(lines), "meds.csv", InputFormat.CSV) == expected
    assert outcomes(_ndjson(lines), "meds.ndjson", InputFormat.FHIR) == expected


FILLER = "-" * 99  # a line that names nothing, to move the lines looked at towards a chunk border


@PROPERTY
@given(PRECEDING, LINES, st.integers(0, 80), st.sampled_from(["UTF-8", "CRLF", "UTF-16", "UTF-16 with CRLF"]))
def test_a_lines_outcome_does_not_depend_on_the_lines_before_it(
    before: list[str], lines: list[str], shift: int, encoding: str
) -> None:
    encode = ENCODINGS[encoding]
    # A heading before the lines sets their status by design: the property is about all else before them.
    assume(not before or not _structured(outcomes(encode(before), "meds.txt", InputFormat.TEXT)))
    alone = outcomes(encode(lines), "meds.txt", InputFormat.TEXT)
    assert alone is not None
    # Filler lines put the first line looked at `shift` bytes before the first chunk border (or as near
    # as a filler line allows), so that it, a line end or a character is cut in two there.
    head = len(encode(before)) if before else 0
    per_line = len(encode([FILLER]))
    fill = max(0, (CHUNK - shift - head) // per_line)
    combined = outcomes(encode([*before, *[FILLER] * fill, *lines]), "meds.txt", InputFormat.TEXT)
    assert combined is not None
    assert combined[len(combined) - len(lines) :] == alone


ASCII_LINES = {
    "text": ["metformin 500 mg", "Zoloft 50 mg daily", "Lipitor", "aspirin 81"],
    "csv": ["patient,medication,dose", "P1,metformin,500 mg", "P2,Zoloft,50 mg"],
    "ndjson": [
        '{"resourceType":"MedicationStatement","status":"active","medicationCodeableConcept":{"text":"Zoloft"}}'
    ],
}
PREFIX_SIZES = st.one_of(
    st.sampled_from([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1]),
    st.integers(0, 140_000),
)


def _ascii_prefix(kind: str, size: int) -> bytes:
    """About `size` bytes of ASCII lines of one kind (a CSV's header first), cut at `size`."""
    lines = ASCII_LINES[kind]
    body = "\n".join(lines[1:] if kind == "csv" else lines) + "\n"
    start = lines[0] + "\n" if kind == "csv" else ""
    return (start + body * (size // len(body) + 1)).encode()[:size]


@PROPERTY
@given(
    st.sampled_from(sorted(ASCII_LINES)),
    PREFIX_SIZES,
    st.binary(min_size=1, max_size=300),
    st.sampled_from(["meds.txt", "meds.csv", "meds.tsv", "meds.json", "meds.ndjson", "meds.xml", "meds.gz", "meds"]),
)
def test_any_bytes_after_an_ascii_start_give_records_or_a_clean_error(
    kind: str, size: int, tail: bytes, name: str
) -> None:
    found = outcomes(_ascii_prefix(kind, size) + tail, name)  # None: a clean error
    assert found is None or isinstance(found, list)
