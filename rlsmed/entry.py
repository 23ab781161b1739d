"""The `rlsmed` console script and `python -m rlsmed`, and how a run handles Ctrl-C, SIGTERM and SIGHUP.

Importing the command line (Typer, Click, Rich) takes tens of milliseconds; a signal in that time must
end the run like any other: its exit code (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP) and one
line, never a traceback. This module imports only small standard modules, and installs the handler
before anything heavy is imported.
"""

import os
import signal

from .signals import STOPS, exit_code, stop, stop_message

__all__ = ["run"]


def run() -> None:
    """Run the command line; never returns."""
    _guard_standard_fds()
    for signum in STOPS:
        try:
            if signal.getsignal(signum) is not signal.SIG_IGN:  # `nohup` ignores SIGHUP: so do we
                signal.signal(signum, stop)
        except (ValueError, OSError):  # not the main thread
            pass
    try:
        from .cli.main import run as run_cli

        run_cli()
    except KeyboardInterrupt as e:  # Stopped (SIGTERM, SIGHUP) too
        _stopped(e)


def _stopped(e: KeyboardInterrupt) -> None:
    try:  # noqa: SIM105 (no contextlib: it costs milliseconds before signals are handled)
        os.write(2, f"rlsmed: {stop_message(e)}\n".encode())
    except OSError:
        pass
    os._exit(exit_code(e))


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
