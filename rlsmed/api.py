"""The library's face: `check` a medication list (or files) into a typed Report, and `render` a Report in
any output format, as the command line would write it.

>>> import rlsmed
>>> report = rlsmed.check("Zoloft 50 mg daily")  # doctest: +SKIP
>>> print(rlsmed.render(report, "markdown"))  # doctest: +SKIP
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import UsageError
from .formats import OutputFormat
from .inputs import Input
from .models import (
    FIRST_RECOGNITION_STATE,
    FLAGGED_STATE,
    HEADING_STATE,
    NOT_CURRENT_STATE,
    UNRECOGNIZED_STATE,
    InputRecord,
    LineResult,
    LineStatus,
    Outcome,
    Recognition,
    ResultBatch,
)
from .options import CheckOptions, check_options
from .pipeline import Screening
from .readers.base import BATCH
from .report import Report
from .writers import RunEnd, build_writer

__all__ = ["CheckOptions", "Input", "Screening", "check", "check_files", "check_inputs", "render"]


def check(medications: str | Iterable[str], **options: object) -> Report:
    """Screen a medication list given as text (one medication or more a line) or as a list of lines.

    Keyword options are those of CheckOptions, e.g. `check("Zoloft 50 mg", ignore=("sertraline",))`;
    `fail_on` takes the words of --fail-on ("any", "moderate", "never" …), an Evidence, or None.

    >>> check("Benadryl 25 mg at bedtime").findings[0].drug.name  # doctest: +SKIP
    'diphenhydramine'
    """
    text = medications if isinstance(medications, str) else "\n".join(medications)
    return _collect(Screening([Input.from_text(text)], check_options(options)))


def check_files(paths: Iterable[str | Path], **options: object) -> Report:
    """Screen medication files (text, CSV or FHIR JSON)."""
    inputs = [Input.from_path(p) for p in paths]
    if not inputs:
        raise UsageError("no files to check")
    return _collect(Screening(inputs, check_options(options)))


def check_inputs(inputs: Iterable[Input], **options: object) -> Report:
    """Screen inputs of any kind: `Input.from_text(text, name)`, `Input.from_path`, or bytes held in memory
    (`Input(name, opener, size=...)`, as `rlsmed serve` holds an upload; the name's extension tells the
    format, as a file's does)."""
    listed = list(inputs)
    if not listed:
        raise UsageError("no inputs to check")
    return _collect(Screening(listed, check_options(options)))


def _collect(screening: Screening) -> Report:
    with screening:
        reread = screening.replay()  # the records left out by their status are read again at the end
        results = tuple(screening)
        summary = screening.finish()
        left_out: tuple[InputRecord, ...] = ()
        if reread and (summary.skipped or summary.skipped_never):
            left_out = tuple(r for batch in screening.left_out_batches() for r in batch)
    return Report(results, summary, screening.advice(), screening.meta, left_out)


def render(report: Report, fmt: OutputFormat | str = OutputFormat.TABLE, *, width: int | None = None) -> str:
    """A report as the command line writes it in `fmt` ("table", "json", "jsonl", "csv", "markdown", "html");
    the table is `width` characters wide (default: the COLUMNS environment variable, or 80), without colour.
    The HTML report is one complete, self-contained document, to save or to serve as a page."""
    try:
        chosen = OutputFormat(fmt)
    except ValueError:
        raise UsageError(f"unknown format {fmt!r}; one of {', '.join(f.value for f in OutputFormat)}") from None
    writer = build_writer(chosen, width=width)
    out = io.StringIO()
    writer.start(report.meta, out)
    sets: dict[tuple[Recognition, ...], int] = {}
    for batch in _batches(report.results, sets):
        writer.add(batch)
    by_state = {state: found for found, state in sets.items()}
    left_out = [list(report.left_out)]
    writer.finish(RunEnd(report.summary, report.advice, None, by_state.__getitem__, lambda: iter(left_out)))
    return out.getvalue()


def _batches(results: tuple[LineResult, ...], sets: dict[tuple[Recognition, ...], int]) -> Iterator[ResultBatch]:
    """A report's results as the batches a screening gives writers (outcomes numbered as it numbers them)."""
    for start in range(0, len(results), BATCH):
        chunk = results[start : start + BATCH]
        outcomes = []
        for r in chunk:
            if r.status is LineStatus.FLAGGED:
                state = FLAGGED_STATE
            elif r.status is LineStatus.UNRECOGNIZED:
                state = UNRECOGNIZED_STATE
            elif r.status is LineStatus.NOT_CURRENT:
                state = NOT_CURRENT_STATE
            elif r.status is LineStatus.HEADING:
                state = HEADING_STATE
            else:
                state = sets.setdefault(r.recognized, len(sets) + FIRST_RECOGNITION_STATE)
            flagged = tuple((f.drug, i) for i, f in enumerate(r.findings))
            outcomes.append(Outcome(r.status, r.recognized, flagged, state))
        findings = {i: r.findings for i, r in enumerate(chunk) if r.status is LineStatus.FLAGGED}
        mentions = {i: r.mentions for i, r in enumerate(chunk) if r.mentions}
        headings = {i: r.heading for i, r in enumerate(chunk) if r.heading is not None}
        yield ResultBatch([r.record for r in chunk], outcomes, findings, mentions, headings)
