"""`rlsmed check`: options into a library screening, the report to its destination, the summary to stderr."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UsageError
from ..formats import FERRITIN_MAX, JOBS_MAX, TSAT_MAX, FailOn, InputFormat, OutputFormat
from .app import KbOption, app, kb_files
from .destination import check_output
from .destination import output as destination
from .handling import handled, say
from .progress import progress
from .streams import isatty

if TYPE_CHECKING:
    from ..inputs import Input

__all__ = ["check"]


@app.command()
@handled
def check(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Medication lists: text, CSV/TSV or FHIR JSON. '-' or none reads stdin.", metavar="[FILE]..."
        ),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to FILE.", metavar="FILE")
    ] = None,
    kb: KbOption = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            help="An ingredient already reviewed: still listed, marked ignored (repeatable).",
            metavar="DRUG",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 only for findings with at least this evidence.")
    ] = FailOn.ANY,
    ferritin: Annotated[
        float | None,
        typer.Option(
            "--ferritin",
            help="Patient's serum ferritin (ng/mL), for specific iron advice.",
            min=0,
            max=FERRITIN_MAX,
        ),
    ] = None,
    tsat: Annotated[
        float | None,
        typer.Option(
            "--tsat", help="Patient's transferrin saturation (%), for specific iron advice.", min=0, max=TSAT_MAX
        ),
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            "--country",
            help="ISO 3166-1 code (GB, US, DE ...): read brands as that market's products, name ingredients "
            "as it does (paracetamol). Without it, a brand that differs by market stands for every market's.",
            metavar="CC",
        ),
    ] = None,
    input_format: Annotated[InputFormat, typer.Option("--input-format", help="Input format.")] = InputFormat.AUTO,
    column: Annotated[
        str | None, typer.Option("--column", help="CSV: the column holding the medication.", metavar="NAME")
    ] = None,
    patient_column: Annotated[
        str | None,
        typer.Option("--patient-column", help="CSV: the column holding the patient id.", metavar="NAME"),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="Excel and OpenDocument: the sheet to read (default: the first).", metavar="NAME"),
    ] = None,
    all_statuses: Annotated[
        bool,
        typer.Option(
            "--all-statuses",
            help="Screen every drug named as a finding, also those not taken now (stopped, held, an allergy, "
            "past use, a relative's), each marked with its status.",
        ),
    ] = False,
    width: Annotated[int | None, typer.Option("--width", help="Table width in characters.", min=40, max=1000)] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Worker processes for matching, up to 256; never more than the cores (default: one per core for"
            " inputs of 8 MB or more).",
            min=1,
            max=JOBS_MAX,
        ),
    ] = None,
) -> None:
    """Screen medication lists and report every drug that may provoke or worsen RLS."""
    from ..options import CheckOptions, fail_on_evidence
    from ..pipeline import Screening
    from ..readers import ReadOptions
    from ..report import summary_line
    from ..writers import build_writer

    files = files or ["-"]
    kb_list = kb_files(kb)
    if output is None and sys.stdout is None:
        raise UsageError("stdout is closed: give --output FILE")
    if output is not None:
        check_output(os.fspath(output), files, kb_list)
    inputs = _inputs(files)
    options = CheckOptions(
        ignore=tuple(ignore or ()),
        fail_on=fail_on_evidence(fail_on),
        ferritin=ferritin,
        tsat=tsat,
        input_format=input_format,
        read=ReadOptions(column=column, patient_column=patient_column, all_statuses=all_statuses, sheet=sheet),
        kb_files=kb_list,
        jobs=jobs,
        country=country or "",
    )
    screening = Screening(inputs, options)
    to_terminal = output is None and isatty(sys.stdout)
    color = to_terminal and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    if width is None and not to_terminal:
        width = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 160
    writer = build_writer(fmt, color=color, width=width)
    with screening, progress(screening, inputs), destination(output, files, kb_list) as out:
        summary = screening.write(writer, out)
    say(*(f"rlsmed: {note}" for note in summary.notes), summary_line(summary, screening.meta))
    raise typer.Exit(int(summary.exit_code))


def _inputs(files: list[str]) -> "list[Input]":
    from ..inputs import Input

    inputs: list[Input] = []
    for name in files:
        if name != "-":
            inputs.append(Input.from_path(name))
            continue
        if sys.stdin is None or sys.stdin.closed:
            raise UsageError("no input: give a FILE, or pipe a medication list to stdin")
        if sys.stdin.isatty():
            say("Paste the medication list, then press Ctrl-D on a new line:")
        inputs.append(Input.from_stream(sys.stdin.buffer))
    return inputs
