"""Screen the medication texts of a whole health system: each distinct text once, one row per text.

A warehouse holds prescriptions by the hundred million (OMOP `drug_exposure`, Epic Clarity), but the
texts repeat: a few thousand distinct descriptions cover them all. The engine that holds the table
takes the distinct texts (`SELECT DISTINCT`), rlsmed screens them here, and the engine joins the rows
back (README "Performance" → "Whole health systems" has DuckDB and Spark recipes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from .engine import engine
from .mentions import MentionReader
from .models import InputRecord, MatchKind
from .readers.base import BATCH
from .screen import Screener

__all__ = ["COLUMNS", "TextResult", "screen_frame", "screen_texts"]


class TextResult(NamedTuple):
    """What one distinct medication text amounts to."""

    text: str
    codes: tuple[str, ...]  # the RxNorm codes given with it, if any
    status: str  # "flagged", "recognized" or "unrecognized"
    ingredients: tuple[str, ...]  # every ingredient recognised, flagged or not
    flagged: tuple[str, ...]  # the flagged ingredients (their effects and evidence in the same order)
    effects: tuple[str, ...]
    evidence: tuple[str, ...]
    drug_classes: tuple[str, ...]
    match: str  # "exact"; "fuzzy" when a flagged name was read from a misspelling; "" when nothing is flagged
    needs_verification: bool
    # Drugs the text names as not taken now ("Zoloft - stopped", "allergic to Compazine"), with the
    # status of each (not_current, allergy, past, family), never among `flagged`.
    not_current: tuple[str, ...]
    not_current_statuses: tuple[str, ...]
    kb_version: str


COLUMNS = TextResult._fields

Text = str | tuple[str, Sequence[str]]


def screen_texts(
    texts: Iterable[Text | None], *, kb_files: Sequence[str] = (), ignore: Sequence[str] = ()
) -> Iterator[TextResult]:
    """One TextResult per distinct text (or text with its RxNorm codes: `(text, ["36437"])`), in the order
    first seen. Empty and missing texts (None, or a frame's NaN) are skipped: there is nothing in them to
    screen; so are missing codes."""
    run = engine(tuple(kb_files))
    screener = Screener(run.kb, run.matcher)
    mentions = MentionReader(screener)  # each text read as a record: its own phrases give its status
    version = run.kb.version
    batch: list[InputRecord] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for item in texts:
        text: object
        codes: tuple[str, ...] = ()
        if isinstance(item, tuple):
            text, codes = item[0], tuple(c for c in item[1] if isinstance(c, str) and c)
        else:
            text = item  # a missing value of a frame (None, NaN) is no text
        if not isinstance(text, str) or not text or (text, codes) in seen:
            continue
        seen.add((text, codes))
        batch.append(InputRecord("", len(seen), text, codes=codes))
        if len(batch) >= BATCH:
            yield from _results(mentions, batch, version)
            batch = []
    if batch:
        yield from _results(mentions, batch, version)


def _results(mentions: MentionReader, records: list[InputRecord], version: str) -> Iterator[TextResult]:
    (done,) = mentions.apply(mentions.screener.screen_batch(records, marks=True), sections=False)
    for i, (record, outcome) in enumerate(zip(records, done.outcomes, strict=True)):
        findings = done.findings.get(i, ())
        named = done.mentions.get(i, ())
        drugs = [f.drug for f in findings]
        recognized = tuple(r.ingredient for r in outcome.recognized)
        yield TextResult(
            text=record.text,
            codes=record.codes,
            status=outcome.status.value,
            ingredients=tuple(dict.fromkeys((*(d.name for d in drugs), *recognized))),
            flagged=tuple(d.name for d in drugs),
            effects=tuple(d.effect.value for d in drugs),
            evidence=tuple(d.evidence.value for d in drugs),
            drug_classes=tuple(d.drug_class for d in drugs),
            match=("fuzzy" if any(f.match is MatchKind.FUZZY for f in findings) else "exact") if findings else "",
            needs_verification=any(f.needs_verification for f in findings),
            not_current=tuple(m.ingredient for m in named),
            not_current_statuses=tuple(m.status.value for m in named),
            kb_version=version,
        )


def screen_frame(texts: Any, codes: Any = None, *, kb_files: Sequence[str] = ()) -> Any:
    """A pandas DataFrame with one row per distinct text (or text and code) of a column: a pandas Series,
    a pyarrow Array or ChunkedArray, or any iterable of strings. `codes`, when given, is a column of the
    same length holding each text's RxNorm code (the frame's `code` column holds it as given, for the
    join back). Tuples become lists. Needs pandas."""
    import pandas as pd

    values = _values(texts)
    items: Iterable[Text | None] = values
    if codes is not None:
        items = ((t, [] if _missing(c) else [str(c)]) for t, c in zip(values, _values(codes), strict=True))
    rows = []
    for r in screen_texts(items, kb_files=kb_files):
        row: list[Any] = [list(v) if isinstance(v, tuple) else v for v in r]
        rows.append([r.text, r.codes[0] if r.codes else None, *row[2:]])
    return pd.DataFrame(rows, columns=["text", "code", *COLUMNS[2:]])


def _values(column: Any) -> list[Any]:
    """The values of a column: pandas Series, pyarrow (Chunked)Array, or any iterable."""
    if hasattr(column, "to_pylist"):
        return list(column.to_pylist())
    if hasattr(column, "tolist"):
        return list(column.tolist())
    return list(column)


def _missing(value: Any) -> bool:
    """None, or a missing value as pandas and NumPy write it (NaN)."""
    return value is None or (isinstance(value, float) and value != value)
