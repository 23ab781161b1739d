"""Properties over generated input (Hypothesis): nothing is lost in any input format, every writer's output
is well formed and safe, and matching a batch is matching its lines one by one.

scripts/fuzz.py runs the same kinds of properties with many more examples.
"""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlsmed.api import Input, Screening
from rlsmed.engine import engine
from rlsmed.errors import InputError
from rlsmed.writers import OutputFormat, build_writer

NAMES = ["Zoloft 50 mg", "sertaline", "Lipitor", "Tylenol PM", "hydrALAZINE", "Benedryl", "Sinemet 25/100"]
TEXT = st.one_of(
    st.sampled_from(NAMES),
    st.text(max_size=40),
    st.sampled_from(["", " ", "[bold]x", "\x1b[2J", "=1+1", "@x", "\u202eZoloft", "Zo\u200bloft", "\ud800"]),
)
# scripts/fuzz.py sets RLSMED_FUZZ_EXAMPLES to run these properties on many more examples.
EXAMPLES = int(os.environ.get("RLSMED_FUZZ_EXAMPLES", "60"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _screen(inputs: list[Input], fmt: OutputFormat = OutputFormat.JSON) -> str | None:
    out = io.StringIO()
    try:
        with Screening(inputs) as screening:
            screening.write(build_writer(fmt, width=120), out)
    except InputError:
        return None  # refused with a message: never half-done
    return out.getvalue()


def _places(report: dict[str, list[dict[str, object]]]) -> list[object]:
    """Every record the JSON report accounts for, by its record name (or line)."""
    flagged = {(f["record"] or f["line"]) for f in report["findings"]}
    # A record naming drugs of which none is current is accounted for by its mentions (one or more).
    mentioned = {(m["record"] or m["line"]) for m in report["not_current"]} - flagged
    mentioned -= {r["record"] or r["line"] for r in report["recognized"]}
    return sorted(
        [*flagged, *mentioned, *(r["record"] or r["line"] for r in report["recognized"])]
        + [r["record"] or r["line"] for r in report["unrecognized"]]
        + [r["record"] or r["line"] for r in report["headings"]],
        key=str,
    )


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(["P1", "P2", "=P3"]), TEXT), max_size=15), st.sampled_from([",", "\t", ";"]))
def test_csv_rows_are_each_accounted_for_once(rows: list[tuple[str, str]], sep: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")  # quotes fields with CR or LF
    writer.writerow(["patient", "medication"])
    texts = [text.replace("\ud800", "") for _, text in rows]
    writer.writerows((patient, text) for (patient, _), text in zip(rows, texts, strict=True))
    out = _screen([Input.from_text(buffer.getvalue(), "rows.csv")])
    if out is None:
        return
    report = json.loads(out)
    assert _places(report) == sorted((f"row {i}" for i in range(1, len(rows) + 1)), key=str)


RESOURCE = st.fixed_dictionaries(
    {"resourceType": st.just("MedicationRequest"), "status": st.sampled_from(["active", "on-hold", "unknown"])},
    optional={
        "medicationCodeableConcept": st.one_of(
            st.fixed_dictionaries({"text": TEXT}), st.just({}), st.just("Zoloft"), st.none()
        ),
        "medicationReference": st.fixed_dictionaries({"reference": st.sampled_from(["Medication/m1", "#x", ""])}),
        "subject": st.fixed_dictionaries({"reference": st.sampled_from(["Patient/a", "Patient/b"])}),
    },
)


@PROPERTY
@given(st.lists(RESOURCE, max_size=10), st.booleans())
def test_fhir_resources_are_each_accounted_for_once(resources: list[dict[str, object]], ndjson: bool) -> None:
    for i, resource in enumerate(resources):
        resource["id"] = f"r{i}"
    if ndjson:
        text = "\n".join(json.dumps(r) for r in resources)
        name = "export.ndjson"
    else:
        text = json.dumps(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}
        )
        name = "bundle.json"
    out = _screen([Input.from_text(text, name)])
    if out is None:
        return
    report = json.loads(out)
    assert _places(report) == sorted((f"MedicationRequest/r{i}" for i in range(len(resources))), key=str)


@PROPERTY
@given(st.lists(TEXT, max_size=12), st.sampled_from(list(OutputFormat)))
def test_every_writer_gives_well_formed_safe_output(lines: list[str], fmt: OutputFormat) -> None:
    text = "\n".join(line.replace("\ud800", "\ufffd") for line in lines)  # text input is decoded UTF-8
    out = _screen([Input.from_text(text, "list.txt")], fmt)
    if out is None:
        return
    out.encode("utf-8")  # no half of a UTF-16 pair anywhere
    if fmt is OutputFormat.JSON:
        json.loads(out)
    elif fmt is OutputFormat.JSONL:
        for line in out.splitlines():
            json.loads(line)
    elif fmt is OutputFormat.CSV:
        for row in list(csv.reader(io.StringIO(out)))[1:]:
            assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for cell in row), row
    else:  # table and Markdown are read by people, on terminals
        assert all(ch == "\n" or ch.isprintable() for ch in out), repr(out)


@pytest.fixture(scope="module")
def matcher():  # type: ignore[no-untyped-def]
    return engine().matcher


@PROPERTY
@given(texts=st.lists(TEXT, min_size=1, max_size=10))
def test_matching_a_batch_is_matching_each_line(matcher, texts: list[str]) -> None:  # type: ignore[no-untyped-def]
    texts = [t.replace("\n", " ").replace("\r", " ") for t in texts]
    assert matcher.match_many(texts) == [matcher.match(t) for t in texts]
