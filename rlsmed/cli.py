"""The command line: parse options, call the library, write the report, return an exit code."""

# No `from __future__ import annotations` here: Typer would have to evaluate every annotation as a
# string on each start, which costs more than evaluating them once at import.
import contextlib
import functools
import gc
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TextIO, cast

import typer

from . import __version__
from .entry import deliver_sigint, sigint_held
from .errors import ExitCode, KnowledgeBaseError, RlsmedError, UsageError
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


class OutputError(RlsmedError):
    """The report cannot be written (a full disk, an I/O error): exit 2."""


def _say(*lines: str) -> None:
    """The one place where messages reach stderr: each line with the characters that could act on a
    terminal (escape sequences, line breaks, invisible and bidirectional format characters) replaced,
    since messages quote file names and input. Best effort: a closed or full stderr is no error."""
    from .writers.safety import printable

    text = "".join(_one_line(printable(line)) + "\n" for line in lines)
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):  # ValueError: closed
        pass


def _one_line(text: str) -> str:
    # printable() is the report's rule; this makes sure, whatever it lets through, that a message stays
    # one line of visible characters.
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


def _error(e: RlsmedError) -> None:
    """An error as one line "rlsmed: ..."; an invalid knowledge base adds a line for each problem."""
    if isinstance(e, KnowledgeBaseError) and not e.unreadable:
        count = len(e.problems)
        head = f"rlsmed: {e.origin}: invalid knowledge base ({count} {'problem' if count == 1 else 'problems'})"
        _say(head, *(f"  {e.origin}: {problem}" for problem in e.problems))
        return
    _say(f"rlsmed: {e}")


def _handled(command: Callable[P, None]) -> Callable[P, None]:
    """The one place where exceptions become exit codes and one-line messages (never a traceback)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            try:
                command(*args, **kwargs)
            except typer.Exit:
                _flush_stdout()
                raise
            _flush_stdout()
        except typer.Exit:
            raise
        except RlsmedError as e:
            if _DEBUG:
                raise
            _error(e)
            raise typer.Exit(ExitCode.ERROR) from None
        except KeyboardInterrupt:
            _say("rlsmed: interrupted")
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        except Exception as e:
            if _DEBUG:
                raise
            # The message could quote patient data; the type is enough to report a bug.
            _say(f"rlsmed: internal error ({type(e).__name__}); run 'rlsmed --debug ...' for details")
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

    files = files or ["-"]
    kb_files = tuple(str(p) for p in kb or ())
    if output is None and sys.stdout is None:
        raise UsageError("stdout is closed: give --output FILE")
    if output is not None:
        _check_output(os.fspath(output), files, kb_files)
    inputs = _inputs(files)
    options = CheckOptions(
        ignore=tuple(ignore or ()),
        fail_on=None if fail_on is FailOn.NEVER else Evidence("expert" if fail_on is FailOn.ANY else fail_on.value),
        ferritin=ferritin,
        tsat=tsat,
        input_format=input_format,
        read=ReadOptions(column=column, patient_column=patient_column, all_statuses=all_statuses),
        kb_files=kb_files,
        jobs=jobs,
    )
    screening = Screening(inputs, options)
    to_terminal = output is None and _isatty(sys.stdout)
    color = to_terminal and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    if width is None and not to_terminal:
        width = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 160
    writer = build_writer(fmt, color=color, width=width)
    # Screening allocates millions of short-lived, acyclic tuples: reference counting frees them, and
    # the cycle collector would only rescan the knowledge base over and over (a quarter of the time).
    gc.freeze()
    gc.disable()
    try:
        with screening, _progress(screening, inputs), _output(output, files, options.kb_files) as out:
            summary = writer.write(screening, out)
    finally:
        gc.enable()
    _say(summary_line(summary, screening.meta))
    raise typer.Exit(int(summary.exit_code))


def _inputs(files: list[str]) -> "list[Input]":
    from .api import Input

    inputs: list[Input] = []
    for name in files:
        if name != "-":
            inputs.append(Input.from_path(name))
            continue
        if sys.stdin is None or sys.stdin.closed:
            raise UsageError("no input: give a FILE, or pipe a medication list to stdin")
        if sys.stdin.isatty():
            _say("Paste the medication list, then press Ctrl-D on a new line:")
        inputs.append(Input.from_stream(sys.stdin.buffer))
    return inputs


def _isatty(stream: Any) -> bool:
    try:
        return stream is not None and bool(stream.isatty())
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def _progress(screening: "Screening", inputs: "list[Input]") -> Iterator[None]:
    """A progress bar on stderr for large inputs, only when stderr is a terminal."""
    total = sum(i.size or 0 for i in inputs)
    if not _isatty(sys.stderr) or total < _PROGRESS_FROM or any(i.size is None for i in inputs):
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
        redirect_stdout=_isatty(sys.stdout),
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("screening", total=total)
        screening.progress = lambda n: bar.advance(task, n)
        yield


def _stderr_console() -> "RichConsole":
    from rich.console import Console

    return Console(stderr=True)


class _Report(io.TextIOBase):
    """stdout around the stream that writes it, for all that prints there (a report on a terminal,
    listings, Click's help); a report to a pipe or a file goes through `_Sink`, to the same effect.

    A write that fails (a full disk, an I/O error) ends the run with one line naming the destination and
    the system's reason. A reader that went away (a broken pipe: `rlsmed check ... | head`) is no error:
    the rest of the output is discarded and the run goes on to the end, so that its exit code and
    summary line are those of the whole screening.
    """

    def __init__(self, stream: TextIO, name: str) -> None:
        super().__init__()
        self._stream = stream
        self._name = name
        self.gone = False  # the reader went away, or writing failed
        self._error: OutputError | None = None  # raised again by every write: a caller may swallow one

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._stream.errors

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return _isatty(self._stream)

    def fileno(self) -> int:
        return self._stream.fileno()

    def write(self, text: str) -> int:
        if self.gone:
            return self._discard(len(text))
        try:
            return self._stream.write(text)
        except OSError as e:
            self._failed(e)
            return len(text)

    def flush(self) -> None:
        if self.gone:
            self._discard(0)
            return
        try:
            self._stream.flush()
        except OSError as e:
            self._failed(e)

    def _discard(self, size: int) -> int:
        if self._error is not None:
            raise self._error
        return size

    def close(self) -> None:
        """Nothing: stdout is not this object's to close."""

    def _failed(self, error: OSError) -> None:
        # Nothing more goes to this stream, and what it holds is discarded, not written again at exit.
        self.gone = True
        with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        if isinstance(error, BrokenPipeError):
            return
        self._error = OutputError(f"{self._name}: {error.strerror or type(error).__name__}")
        raise self._error from None


class _Stderr(io.TextIOBase):
    """stderr for the run: messages are best effort, so a closed, full or broken stderr is no error."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._stream = stream

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding if self._stream is not None else "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._stream.errors if self._stream is not None else "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return _isatty(self._stream)

    def fileno(self) -> int:
        if self._stream is None:
            raise io.UnsupportedOperation("stderr is closed")
        return self._stream.fileno()

    def write(self, text: str) -> int:
        if self._stream is not None:
            try:
                self._stream.write(text)
            except (OSError, ValueError):
                self._stream = None
        return len(text)

    def flush(self) -> None:
        if self._stream is not None:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self._stream = None

    def close(self) -> None:
        """Nothing: stderr stays open."""


def _flush_stdout() -> None:
    """Write out what a command printed while its errors can still be reported."""
    if sys.stdout is not None:
        _stdout().flush()


def _stdout() -> _Report:
    """stdout, as a destination for a report or a listing."""
    if isinstance(sys.stdout, _Report):
        return sys.stdout
    if sys.stdout is None:
        raise UsageError("stdout is closed")
    return _Report(sys.stdout, "stdout")


class _Sink(io.RawIOBase):
    """The end of a report's stream: a file descriptor, written as `_Report` writes (a write that fails
    is one line naming the destination; a reader that went away is no error). Under a buffered text
    stream it is called once per buffer, so the report's many small writes stay in C."""

    def __init__(self, fd: int, name: str, *, closefd: bool) -> None:
        super().__init__()
        self._fd = fd
        self._name = name
        self._closefd = closefd
        self._gone = False  # the reader went away: what is left is discarded
        self._error: OutputError | None = None  # writing failed: raised again by every write

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: Any) -> int:
        if self._error is not None:
            raise self._error
        size = memoryview(data).nbytes
        if self._gone:
            return size
        try:
            return os.write(self._fd, data)
        except BrokenPipeError:
            self._gone = True
            return size
        except OSError as e:
            self._error = OutputError(f"{self._name}: {e.strerror or type(e).__name__}")
            raise self._error from None

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        if self._closefd:
            os.close(self._fd)


def _fd_stream(
    fd: int, name: str, *, closefd: bool = True, encoding: str = "utf-8", errors: str | None = None
) -> TextIO:
    sink = _Sink(fd, name, closefd=closefd)
    newline = "" if closefd else None  # stdout ends lines as sys.stdout does
    return io.TextIOWrapper(io.BufferedWriter(sink, 1 << 16), encoding=encoding, errors=errors, newline=newline)


@contextlib.contextmanager
def _output(path: Path | None, files: list[str], kb_files: tuple[str, ...]) -> Iterator[TextIO]:
    """The report's destination: stdout, or --output FILE.

    A regular file is written under a temporary name beside it (".NAME.rlsmed-XXXXXXXX.tmp") and renamed
    onto it only when the report is complete: a run that fails or is interrupted leaves an existing file
    as it was and no file of its own. Anything else (a device such as /dev/null, a FIFO, a terminal) is
    written directly, and never removed.
    """
    if path is None:
        yield from _to_stdout()
        return
    target = os.fspath(path)
    name = f"--output {target}"
    info = _check_output(target, files, kb_files)
    if info is not None and not stat.S_ISREG(info.st_mode):
        device = _fd_stream(_open_output(target), name)
        try:
            yield device
            device.flush()
        finally:
            with contextlib.suppress(Exception):
                device.close()
        return
    final = os.path.realpath(target)  # a symbolic link stays, and the file it names is replaced
    created: tuple[int, str] | None = None
    file: TextIO | None = None
    try:
        # A Ctrl-C between creating the temporary file and this `try` would leave it behind.
        with sigint_held() as held:
            created = _temporary(target, final, info)
        if held:
            deliver_sigint()
        if created is None:  # no file can be made beside it (a directory without write permission)
            yield from _in_place(target)
            return
        file = _fd_stream(created[0], name)
        yield file
        file.close()
        try:
            os.replace(created[1], final)
        except OSError as e:
            raise OutputError(f"{name}: {e.strerror or type(e).__name__}") from None
    except BaseException:
        if created is not None:
            with contextlib.suppress(Exception):
                if file is None:
                    os.close(created[0])
                else:
                    file.close()
            with contextlib.suppress(OSError):
                os.unlink(created[1])
        raise


def _to_stdout() -> Iterator[TextIO]:
    """stdout for a report. A pipe or a file gets the report through its own buffered stream (fast; the
    errors of writing become `_Sink`'s); a terminal, or a stream without a file descriptor (a test's),
    through sys.stdout, where a progress bar may be keeping it apart from the bar."""
    out = _stdout()
    try:
        fd = out.fileno()
        direct = not os.isatty(fd)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        direct = False
    if not direct:
        yield cast(TextIO, out)
        out.flush()
        return
    out.flush()  # what sys.stdout holds comes first
    stream = _fd_stream(fd, "stdout", closefd=False, encoding=out.encoding or "utf-8", errors=out.errors)
    try:
        yield stream
        stream.flush()
    finally:
        with contextlib.suppress(Exception):
            stream.close()  # not fd 1 itself (closefd=False)


def _check_output(target: str, files: list[str], kb_files: tuple[str, ...]) -> os.stat_result | None:
    """What --output names (None: nothing yet), when it can take the report: not a directory, and not a
    file the run reads (an input, stdin, a --kb file)."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise UsageError(f"--output {target}: {getattr(e, 'strerror', None) or 'cannot be written'}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"--output {target}: is a directory")
    if stat.S_ISREG(info.st_mode):
        _refuse_an_input(target, info, files, kb_files)
        # The report replaces the file rather than writing into it: refuse as open(target, "w") would.
        if not os.access(target, os.W_OK):
            raise UsageError(f"--output {target}: Permission denied")
    return info


def _refuse_an_input(target: str, info: os.stat_result, files: list[str], kb_files: tuple[str, ...]) -> None:
    same = (info.st_dev, info.st_ino)
    for name in files:
        if name == "-":
            with contextlib.suppress(OSError):
                if _identity(os.fstat(0)) == same:
                    raise UsageError(f"--output {target}: is the input (stdin); the report would overwrite it")
            continue
        with contextlib.suppress(OSError, ValueError):
            if _identity(os.stat(name)) == same:
                raise UsageError(f"--output {target}: is an input; the report would overwrite it")
    for name in kb_files:
        with contextlib.suppress(OSError, ValueError):
            if _identity(os.stat(name)) == same:
                raise UsageError(f"--output {target}: is a knowledge base (--kb); the report would overwrite it")


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _open_output(target: str) -> int:
    """`target` opened as open(target, "w") would: created with the umask's permissions, or emptied."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        return os.open(target, flags, 0o666)
    except OSError as e:
        raise UsageError(f"--output {target}: {e.strerror or 'cannot be written'}") from None


def _temporary(target: str, final: str, info: os.stat_result | None) -> tuple[int, str] | None:
    """A new file beside `final` for the report, with the permissions `open(target, "w")` would give
    (those of the file it replaces, or the umask's for a new file); None when the directory does not
    allow it but `target` itself is writable."""
    directory, base = os.path.split(final)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = os.path.join(directory, f".{base}.rlsmed-{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(path, flags, 0o600 if info is not None else 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            if info is not None and os.access(target, os.W_OK):
                return None
            raise UsageError(f"--output {target}: {e.strerror or 'cannot be written'}") from None
        if info is not None:
            try:
                if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                    with contextlib.suppress(OSError):
                        os.fchown(fd, info.st_uid, info.st_gid)
                os.chmod(path, stat.S_IMODE(info.st_mode))
            except BaseException:
                os.close(fd)
                os.unlink(path)
                raise
        return fd, path
    raise UsageError(f"--output {target}: no temporary name is free beside it")


def _in_place(target: str) -> Iterator[TextIO]:
    """The report written over `target` itself; emptied again if the run fails (its directory allows no
    other file, and so no removal)."""
    file = _fd_stream(_open_output(target), f"--output {target}")
    try:
        yield file
        file.close()
    except BaseException:
        with contextlib.suppress(Exception):
            file.close()
        with contextlib.suppress(OSError):
            os.truncate(target, 0)
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
    out = _stdout()
    if found.kind.value == "fuzzy":
        out.write(f"(closest match to '{name}': {found.target.display}, score {found.score:g}; please verify)\n")
    drugs = found.drugs(knowledge)
    for i, drug in enumerate(drugs):
        out.write(("\n" if i else "") + describe(drug, knowledge) + "\n")
    if not drugs:
        ingredients = ", ".join(found.ingredients)
        out.write(f"{found.target.display}: {ingredients}. Not in the RLS knowledge base: no known RLS concern.\n")


@kb_app.command("validate")
@_handled
def kb_validate(
    files: Annotated[list[Path], typer.Argument(help="Knowledge-base files to check.", metavar="FILE...")],
) -> None:
    """Check knowledge-base files; list every problem, each naming its entry."""
    from .kb import validate_file

    out = _stdout()
    bad = 0
    for path in files:
        problems = validate_file(path)
        if problems and not path.is_file():  # missing, or a directory: one line, as with --kb
            bad += 1
            _say(f"rlsmed: {path}: {problems[-1]}")
            continue
        if problems:
            bad += 1
            noun = "problem" if len(problems) == 1 else "problems"
            _say(f"{path}: invalid ({len(problems)} {noun})", *(f"  {path}: {problem}" for problem in problems))
        else:
            out.write(f"{path}: valid\n")
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

    print_listing(tuple(str(p) for p in kb or ()), fmt.value, cast(TextIO, _stdout()))


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
        _say(f"rlsmed: no knowledge-base entry mentions '{text}'")
        return
    print_listing(kb_files, "table", cast(TextIO, _stdout()), only=found)


def main(argv: list[str] | None = None) -> int:
    """The console script: run the app and return its exit code.

    For the run, stdout is a `_Report` (a write error is one line and exit 2; a reader that went away
    is no error) and stderr a `_Stderr` (messages are best effort): whatever writes to them, Click,
    Rich or the writers.
    """
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None and not isinstance(sys.stdout, _Report):
        sys.stdout = _Report(sys.stdout, "stdout")
    if not isinstance(sys.stderr, _Stderr):
        sys.stderr = _Stderr(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = saved


def _main(argv: list[str] | None) -> int:
    try:
        result = app(args=argv, prog_name="rlsmed", standalone_mode=False)
    except typer.TyperException as e:  # usage errors: unknown option, bad value, missing argument
        _say(f"rlsmed: {e.format_message()} (see rlsmed --help)")
        return e.exit_code
    except typer.Abort:  # Ctrl-C while the options were read
        _say("rlsmed: interrupted")
        return ExitCode.INTERRUPTED
    except RlsmedError as e:  # writing --help or --version failed
        if _DEBUG:
            raise
        _error(e)
        return ExitCode.ERROR
    return result if isinstance(result, int) else ExitCode.OK


def run() -> None:
    """Run, flush, and leave without tearing down the interpreter (`rlsmed.entry.run` calls this).

    Freeing the knowledge base and lexicon object by object at exit would cost more than some short
    runs; everything the run wrote is flushed (and --output closed) before this point.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    os._exit(code)
