"""The `rlsmed` console script and `python -m rlsmed`, and how a run handles Ctrl-C.

Importing the command line (Typer, Click, Rich) takes tens of milliseconds; a Ctrl-C in that time must
end the run like any other: exit 130 and one line, never a traceback. This module imports only small
standard modules, and installs the handler before anything heavy is imported.
"""

import contextlib
import os
import signal

__all__ = ["run"]

INTERRUPTED = 130  # as rlsmed.errors.ExitCode.INTERRUPTED, without importing it first


def run() -> None:
    """Run the command line; never returns."""
    _guard_standard_fds()
    with contextlib.suppress(ValueError, OSError):  # not the main thread
        signal.signal(signal.SIGINT, _interrupt)
    try:
        from .cli.main import run as run_cli

        run_cli()
    except KeyboardInterrupt:
        _interrupted()


def _interrupt(signum: int, frame: object) -> None:
    """The first Ctrl-C stops the run (KeyboardInterrupt); later ones would only interrupt the clean-up
    (removing a partial report, stopping worker processes), so they are ignored from then on."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _interrupted() -> None:
    with contextlib.suppress(OSError):
        os.write(2, b"rlsmed: interrupted\n")
    os._exit(INTERRUPTED)


def _guard_standard_fds() -> None:
    """Open /dev/null on stdin, stdout or stderr when it is closed (`>&-`): the files the run opens must
    not take their numbers, where anything written to "stderr" would land in a report or an input.
    Python has already seen them closed (sys.stdout is None), and the command line reports that."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                opened = os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one
            except OSError:
                return
            if opened != fd:
                os.close(opened)
