"""The command line: parse options, call the library, write the report, return an exit code."""

# No `from __future__ import annotations` here: Typer would have to evaluate every annotation as a
# string on each start, which costs more than evaluating them once at import.
import contextlib
import functools
import gc
import os
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TextIO

import typer

from . import __version__
from .errors import ExitCode, RlsmedError, UsageError
from .formats import InputFormat, OutputFormat

if TYPE_CHECKING:
    from rich.console import Console as RichConsole

    from .api import Input, Screening

__all__ = ["app", "main", "run"]

P = ParamSpec("P")
_PROGRESS_FROM = 4 << 20  # bytes of input before a progress bar is worth showing

app = typer.Typer(
    name="rlsmed",
    help="Screen a medication list for drugs that may provoke or worsen restless legs syndrome (RLS).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,  # locals would be a patient's medication list
    context_settings={"help_option_names": ["-h", "--help"]},
)
kb_app = typer.Typer(help="Inspect and validate knowledge bases.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


class FailOn(str, Enum):
    """Which findings make `check` exit 1."""

    ANY = "any"
    WEAK = "weak"
    MODERATE = "moderate"
    STRONG = "strong"
    NEVER = "never"


KbOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--kb",
        help="A site knowledge-base file to add on top of the shipped one (repeatable).",
        metavar="FILE",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rlsmed {__version__}")
        raise typer.Exit()


_DEBUG = False


def _handled(command: Callable[P, None]) -> Callable[P, None]:
    """The one place where exceptions become exit codes and one-line messages (never a traceback)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except typer.Exit:
            raise
        except RlsmedError as e:
            if _DEBUG:
                raise
            sys.stderr.write(f"rlsmed: {e}\n")
            raise typer.Exit(ExitCode.ERROR) from None
        except KeyboardInterrupt:
            sys.stderr.write("rlsmed: interrupted\n")
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except BrokenPipeError:
            raise
        except Exception as e:
            if _DEBUG:
                raise
            # The message could quote patient data; the type is enough to report a bug.
            sys.stderr.write(f"rlsmed: internal error ({type(e).__name__}); run 'rlsmed --debug ...' for details\n")
            raise typer.Exit(ExitCode.ERROR) from None

    return run


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks (for developers).")] = False,
) -> None:
    """Screen a medication list for drugs that may provoke or worsen restless legs syndrome (RLS)."""
    global _DEBUG
    _DEBUG = debug


@app.command()
@_handled
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
            max=100000,
        ),
    ] = None,
    tsat: Annotated[
        float | None,
        typer.Option("--tsat", help="Patient's transferrin saturation (%), for specific iron advice.", min=0, max=100),
    ] = None,
    input_format: Annotated[InputFormat, typer.Option("--input-format", help="Input format.")] = InputFormat.AUTO,
    column: Annotated[
        str | None, typer.Option("--column", help="CSV: the column holding the medication.", metavar="NAME")
    ] = None,
    patient_column: Annotated[
        str | None,
        typer.Option("--patient-column", help="CSV: the column holding the patient id.", metavar="NAME"),
    ] = None,
    all_statuses: Annotated[
        bool,
        typer.Option(
            "--all-statuses", help="Also screen medicines no longer taken (stopped, completed, cancelled ...)."
        ),
    ] = False,
    width: Annotated[int | None, typer.Option("--width", help="Table width in characters.", min=40, max=1000)] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Worker processes for matching (default: one per core for inputs of 8 MB or more).",
            min=1,
        ),
    ] = None,
) -> None:
    """Screen medication lists and report every drug that may provoke or worsen RLS."""
    from .api import CheckOptions, Screening
    from .models import Evidence
    from .readers import ReadOptions
    from .writers import build_writer
    from .writers.labels import summary_line

    inputs = _inputs(files or [])
    options = CheckOptions(
        ignore=tuple(ignore or ()),
        fail_on=None if fail_on is FailOn.NEVER else Evidence("expert" if fail_on is FailOn.ANY else fail_on.value),
        ferritin=ferritin,
        tsat=tsat,
        input_format=input_format,
        read=ReadOptions(column=column, patient_column=patient_column, all_statuses=all_statuses),
        kb_files=tuple(str(p) for p in kb or ()),
        jobs=jobs,
    )
    screening = Screening(inputs, options)
    to_terminal = output is None and sys.stdout.isatty()
    color = to_terminal and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    if width is None and not to_terminal:
        width = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 160
    writer = build_writer(fmt, color=color, width=width)
    # Screening allocates millions of short-lived, acyclic tuples: reference counting frees them, and
    # the cycle collector would only rescan the knowledge base over and over (a quarter of the time).
    gc.freeze()
    gc.disable()
    try:
        with _progress(screening, inputs), _output(output, inputs) as out:
            summary = writer.write(screening, out)
    finally:
        gc.enable()
    sys.stderr.write(summary_line(summary, screening.meta) + "\n")
    raise typer.Exit(int(summary.exit_code))


def _inputs(files: list[str]) -> "list[Input]":
    from .api import Input

    if not files:
        files = ["-"]
    inputs: list[Input] = []
    for name in files:
        if name != "-":
            inputs.append(Input.from_path(name))
            continue
        if sys.stdin is None or sys.stdin.closed:
            raise UsageError("no input: give a FILE, or pipe a medication list to stdin")
        if sys.stdin.isatty():
            sys.stderr.write("Paste the medication list, then press Ctrl-D on a new line:\n")
        inputs.append(Input.from_stream(sys.stdin.buffer))
    return inputs


@contextlib.contextmanager
def _progress(screening: "Screening", inputs: "list[Input]") -> Iterator[None]:
    """A progress bar on stderr for large inputs, only when stderr is a terminal."""
    total = sum(i.size or 0 for i in inputs)
    if not sys.stderr.isatty() or total < _PROGRESS_FROM or any(i.size is None for i in inputs):
        yield
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    columns = ("Screening", BarColumn(), DownloadColumn(), TimeRemainingColumn())
    # On a terminal, what is printed to stdout goes above the bar; when stdout is a file or a pipe it
    # must not be redirected, or the report would go to the terminal instead.
    with Progress(
        *columns,
        transient=True,
        console=_stderr_console(),
        redirect_stdout=sys.stdout.isatty(),
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("screening", total=total)
        screening.progress = lambda n: bar.advance(task, n)
        yield


def _stderr_console() -> "RichConsole":
    from rich.console import Console

    return Console(stderr=True)


@contextlib.contextmanager
def _output(path: Path | None, inputs: "list[Input]") -> Iterator[TextIO]:
    """The report's destination: stdout, or --output FILE (removed again if the run fails)."""
    if path is None:
        yield sys.stdout
        return
    inputs_here = [i.name for i in inputs if i.replayable and os.path.exists(i.name)]
    if path.exists() and any(os.path.samefile(name, path) for name in inputs_here):
        raise UsageError(f"--output {path}: is an input; the report would overwrite it")
    try:
        file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by the with below
    except OSError as e:
        raise UsageError(f"--output {path}: {e.strerror or 'cannot be written'}") from None
    try:
        with file:
            yield file
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@app.command()
@_handled
def explain(
    name: Annotated[str, typer.Argument(help="A drug name: generic, brand, synonym, or a misspelling.")],
    kb: KbOption = None,
) -> None:
    """Show what the knowledge base says about a drug, with its sources."""
    from .api import engine
    from .explain import describe, lookup

    knowledge, matcher = engine(tuple(str(p) for p in kb or ()))
    found = lookup(name, matcher, knowledge)
    if found.target is None:
        raise UsageError(f"'{name}' is not a drug name rlsmed knows")
    if found.kind.value == "fuzzy":
        typer.echo(f"(closest match to '{name}': {found.target.display}, score {found.score:g}; please verify)")
    drugs = found.drugs(knowledge)
    for i, drug in enumerate(drugs):
        typer.echo(("\n" if i else "") + describe(drug, knowledge))
    if not drugs:
        ingredients = ", ".join(found.ingredients)
        typer.echo(f"{found.target.display}: {ingredients}. Not in the RLS knowledge base: no known RLS concern.")


@kb_app.command("validate")
@_handled
def kb_validate(
    files: Annotated[list[Path], typer.Argument(help="Knowledge-base files to check.", metavar="FILE...")],
) -> None:
    """Check knowledge-base files; list every problem, each naming its entry."""
    from .kb import validate_file

    bad = 0
    for path in files:
        problems = validate_file(path)
        if problems and not path.is_file():  # missing, or a directory: one line, as with --kb
            bad += 1
            sys.stderr.write(f"rlsmed: {path}: {problems[-1]}\n")
            continue
        if problems:
            bad += 1
            sys.stderr.write(f"{path}: invalid ({len(problems)} problem{'s' if len(problems) != 1 else ''})\n")
            for problem in problems:
                sys.stderr.write(f"  {path}: {problem}\n")
        else:
            typer.echo(f"{path}: valid")
    raise typer.Exit(int(ExitCode.ERROR if bad else ExitCode.OK))


class ListFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


@kb_app.command("list")
@_handled
def kb_list(
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Listing format.")] = ListFormat.TABLE,
    kb: KbOption = None,
) -> None:
    """List every knowledge-base entry with its class, effect and evidence."""
    from .kb_listing import print_listing

    print_listing(tuple(str(p) for p in kb or ()), fmt.value, sys.stdout)


@kb_app.command("search")
@_handled
def kb_search(
    text: Annotated[str, typer.Argument(help="Text to look for in names, classes and rationales.")],
    kb: KbOption = None,
) -> None:
    """Find knowledge-base entries by name, class or wording."""
    from .api import engine
    from .explain import search
    from .kb_listing import print_listing

    kb_files = tuple(str(p) for p in kb or ())
    found = search(text, engine(kb_files)[0])
    if not found:
        sys.stderr.write(f"rlsmed: no knowledge-base entry mentions '{text}'\n")
        return
    print_listing(kb_files, "table", sys.stdout, only=found)


def main(argv: list[str] | None = None) -> int:
    """The console script: run the app and return its exit code."""
    try:
        result = app(args=argv, prog_name="rlsmed", standalone_mode=False)
    except typer.TyperException as e:  # usage errors: unknown option, bad value, missing argument
        sys.stderr.write(f"rlsmed: {e.format_message()} (see rlsmed --help)\n")
        return e.exit_code
    except typer.Abort:
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return ExitCode.OK
    return result if isinstance(result, int) else ExitCode.OK


def run() -> None:
    """The `rlsmed` console script: run, flush, and leave without tearing down the interpreter.

    Freeing the knowledge base and lexicon object by object at exit would cost more than some short
    runs; everything the run wrote is flushed (and --output closed) before this point.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        _silence_stdout()
    os._exit(code)


def _silence_stdout() -> None:
    # The reader of our output went away (e.g. `| head`): don't complain when Python flushes at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
