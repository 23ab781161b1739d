"""`rlsmed check`: options (and the configuration file) into a library screening, the report to its
destination, the summary to stderr."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UsageError
from ..formats import FERRITIN_MAX, JOBS_MAX, TSAT_MAX, FailOn, InputFormat, OutputFormat
from .app import ConfigOption, KbOption, NoConfigOption, app, configuration, kb_files
from .destination import check_output
from .destination import output as destination
from .handling import handled, say
from .look import Color, report_format, use_color, width_for
from .progress import progress

if TYPE_CHECKING:
    from ..config import Config
    from ..inputs import Input
    from ..options import CheckOptions

__all__ = ["check"]

EXAMPLES = """Examples:
  rlsmed check meds.txt                  a list: text, CSV/TSV or FHIR JSON
  pbpaste | rlsmed check                 a pasted list (or paste, then Ctrl-D)
  rlsmed check meds.txt -o report.html   a printable HTML report
  rlsmed check export.csv -o out.jsonl   one JSON object per patient
  rlsmed check meds.txt --fail-on moderate --ignore sertraline

Exit codes: 0 nothing flagged, 1 flagged, 2 error, 3 nothing to screen.
Defaults and reviewed drugs can be kept in rlsmed.toml (README: Configuration)."""


@app.command(epilog=EXAMPLES)
@handled
def check(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Medication lists: text, CSV/TSV or FHIR JSON. '-' or none reads stdin.", metavar="[FILE]..."
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat | None,
        typer.Option("--format", "-f", help="Report format [default: from --output's extension, else table]."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to FILE (.json, .csv, .md, .html ...).", metavar="FILE"),
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
        FailOn | None,
        typer.Option("--fail-on", help="Exit 1 only for findings with at least this evidence [default: any]."),
    ] = None,
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
    conditions: Annotated[
        list[Path] | None,
        typer.Option(
            "--conditions",
            help="Patients' conditions (Synthea's conditions.csv, or FHIR Conditions): counts the patients with "
            "RLS on record who take a flagged drug (repeatable).",
            metavar="FILE",
        ),
    ] = None,
    rls_only: Annotated[
        bool,
        typer.Option("--rls-only", help="Screen only the patients with RLS on record (--conditions, FHIR Conditions)."),
    ] = False,
    width: Annotated[
        int | None,
        typer.Option("--width", help="Table width [default: the terminal's, else COLUMNS, else 80].", min=40, max=1000),
    ] = None,
    color: Annotated[Color, typer.Option("--color", help="Colour in the table report.")] = Color.AUTO,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="The report only: no summary line or notes on stderr.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Whole lines, dose and sources in the table; more on stderr.")
    ] = False,
    config: ConfigOption = None,
    no_config: NoConfigOption = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Worker processes for matching, up to 256; never more than the cores (default: one per core for"
            " inputs of 8 MB or more whose lines vary; an export that repeats its lines stays in one process).",
            min=1,
            max=JOBS_MAX,
        ),
    ] = None,
) -> None:
    """Screen medication lists and report every drug that may provoke or worsen RLS."""
    from ..pipeline import Screening
    from ..report import summary_line
    from ..writers import build_writer

    files = files or ["-"]
    settings = configuration(config, no_config)
    if verbose and settings.path:
        say(f"rlsmed: configuration {settings.path}")
    kb_list = kb_files(kb, settings)
    if output is None and sys.stdout is None:
        raise UsageError("stdout is closed: give --output FILE")
    chosen = report_format(fmt, os.fspath(output) if output is not None else None, settings.output_format)
    if output is not None:
        check_output(os.fspath(output), files, kb_list)
    inputs = _inputs(files, prompt=not quiet)
    options = _options(
        settings, ignore, fail_on, ferritin, tsat, country, input_format, column, patient_column, sheet, all_statuses
    )
    records = tuple(str(p) for p in conditions or ())
    screening = Screening(inputs, options._replace(kb_files=kb_list, jobs=jobs, conditions=records, rls_only=rls_only))
    stream = sys.stdout if output is None else None
    writer = build_writer(chosen, color=use_color(color, stream), width=width_for(width, stream), verbose=verbose)
    with screening, progress(screening, inputs), destination(output, files, kb_list) as out:
        summary = screening.write(writer, out)
    say(*(f"rlsmed: {warning}" for warning in summary.warnings))
    if not quiet:
        say(*(f"rlsmed: {note}" for note in summary.notes))
    if summary.nothing_to_screen:
        held = f"{inputs[0].name} holds" if len(inputs) == 1 else f"the {len(inputs)} inputs hold"
        say(f"rlsmed: nothing to screen: {held} no medication")
    elif not quiet:
        say(summary_line(summary, screening.meta))
    raise typer.Exit(int(summary.exit_code))


def _options(
    settings: "Config",
    ignore: list[str] | None,
    fail_on: FailOn | None,
    ferritin: float | None,
    tsat: float | None,
    country: str | None,
    input_format: InputFormat,
    column: str | None,
    patient_column: str | None,
    sheet: str | None,
    all_statuses: bool,
) -> "CheckOptions":
    """The screening's options: the command line's, over the configuration file's."""
    from ..options import CheckOptions, fail_on_evidence
    from ..readers import ReadOptions

    return CheckOptions(
        ignore=(*(ignore or ()), *settings.ignores),
        fail_on=fail_on_evidence(fail_on or settings.fail_on or FailOn.ANY),
        ferritin=ferritin,
        tsat=tsat,
        input_format=input_format,
        read=ReadOptions(column=column, patient_column=patient_column, all_statuses=all_statuses, sheet=sheet),
        country=country or settings.country or "",
    )


def _inputs(files: list[str], *, prompt: bool) -> "list[Input]":
    from ..inputs import Input

    inputs: list[Input] = []
    for name in files:
        if name != "-":
            inputs.append(Input.from_path(name))
            continue
        if sys.stdin is None or sys.stdin.closed:
            raise UsageError("no input: give a FILE, or pipe a medication list to stdin")
        if sys.stdin.isatty() and prompt:
            say("Paste the medication list, then press Ctrl-D on a new line:")
        inputs.append(Input.from_stream(sys.stdin.buffer))
    return inputs
