"""The `rlsmed` console script and `python -m rlsmed`, and how a run handles Ctrl-C.

Importing the command line (Typer, Click, Rich) takes tens of milliseconds; a Ctrl-C in that time must
end the run like any other: exit 130 and one line, never a traceback. This module imports only small
standard modules, and installs the handler before anything heavy is imported.
"""

import contextlib
import os
import signal
from collections.abc import Iterator

__all__ = ["deliver_sigint", "run", "sigint_held"]

INTERRUPTED = 130  # as rlsmed.errors.ExitCode.INTERRUPTED, without importing it first


def run() -> None:
    """Run the command line; never returns."""
    _guard_standard_fds()
    with contextlib.suppress(ValueError, OSError):  # not the main thread
        signal.signal(signal.SIGINT, _interrupt)
    try:
        from .cli import run as run_cli

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


class Held:
    """How many Ctrl-Cs were held back by `sigint_held` (true when any was)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, signum: int, frame: object) -> None:
        self.count += 1

    def __bool__(self) -> bool:
        return self.count > 0


@contextlib.contextmanager
def sigint_held(*, ignore: bool = False) -> Iterator[Held]:
    """Ctrl-C held back while a few steps that must not be cut in two run (a file created and its
    removal arranged; worker processes started); the caller acts on it afterwards with
    `deliver_sigint`. With `ignore`, a Ctrl-C is ignored instead (during clean-up). Only the main
    thread can change signal handlers: elsewhere, and when SIGINT is ignored already, nothing changes."""
    held = Held()
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield held
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is None or previous is signal.SIG_IGN:  # not set from Python, or ignored already
        yield held
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN if ignore else held)
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)


def deliver_sigint() -> None:
    """Act on a Ctrl-C held back, as the handler in place would have (KeyboardInterrupt by default)."""
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, None)
    elif handler is signal.SIG_DFL:
        signal.raise_signal(signal.SIGINT)
