"""The console script: the standard streams guarded for the run, the app run, its exit code returned."""

import contextlib
import os
import sys

import typer

from ..errors import ExitCode, RlsmedError
from ..signals import exit_code, received, stop_message
from . import check, knowledge  # noqa: F401  (importing them adds their commands to the app)
from .app import app
from .handling import debug, error, say, stop_said
from .streams import Stderr, StdoutGuard

__all__ = ["main", "run"]


def main(argv: list[str] | None = None) -> int:
    """Run the app and return its exit code.

    For the run, stdout is a StdoutGuard (a write error is one line and exit 2; a reader that went away
    is no error) and stderr a Stderr (messages are best effort): whatever writes to them, Click, Rich or
    the writers.
    """
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None and not isinstance(sys.stdout, StdoutGuard):
        sys.stdout = StdoutGuard(sys.stdout, "stdout")
    if not isinstance(sys.stderr, Stderr):
        sys.stderr = Stderr(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = saved


def _main(argv: list[str] | None) -> int:
    try:
        result = app(args=argv, prog_name="rlsmed", standalone_mode=False)
    except typer.TyperException as e:  # usage errors: unknown option, bad value, missing argument
        if type(e).__name__ == "NoArgsIsHelpError":  # `rlsmed`, `rlsmed kb`: the help was printed, no error
            return ExitCode.OK
        # The help of the command that was given: `rlsmed check --bogus` points to `rlsmed check --help`.
        context = getattr(e, "ctx", None)
        command = getattr(context, "command_path", "") or "rlsmed"
        say(f"rlsmed: {e.format_message()} (see {command} --help)")
        return e.exit_code
    except typer.Abort as e:  # Ctrl-C (or SIGTERM, SIGHUP) while the options were read (older Click)
        return _stopped(e.__cause__ if isinstance(e.__cause__, KeyboardInterrupt) else KeyboardInterrupt())
    except RlsmedError as e:  # writing --help or --version failed
        if debug():
            raise
        error(e)
        return ExitCode.ERROR
    # Typer turns a stop outside the command itself (while the options are read) into a silent 130.
    stopped = received()
    if stopped is not None and not stop_said():
        return _stopped(stopped)
    return result if isinstance(result, int) else ExitCode.OK


def _stopped(stopped: KeyboardInterrupt) -> int:
    say(f"rlsmed: {stop_message(stopped)}")
    return exit_code(stopped)


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
