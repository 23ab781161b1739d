"""How a run stops on Ctrl-C, SIGTERM or SIGHUP, and those signals held back while steps that must not be
cut in two run (standard library only).

All three stop a run the same way: an exception (KeyboardInterrupt, or `Stopped`, a subclass of it, for
SIGTERM and SIGHUP) that every clean-up sees, so that a partial report is removed and worker processes
are stopped whichever signal came. The console script installs `stop` (rlsmed.entry); the command line's
output file and the worker pool hold the signals back around their critical steps. This module imports
nothing of rlsmed, so that any module may.
"""

import signal

# Not typing's TYPE_CHECKING, nor contextlib: the console script imports this module before it can handle
# a signal, and every millisecond of importing is a moment where Ctrl-C would print a traceback.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["STOPS", "Held", "Stopped", "deliver", "exit_code", "received", "stop", "stop_message", "stops_held"]

# The signals that stop a run: Ctrl-C; `kill`, `timeout`, `systemctl stop`, a cancelled CI job; a
# terminal closed.
STOPS: tuple[int, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
_SAID = {"SIGINT": "interrupted", "SIGTERM": "terminated (SIGTERM)", "SIGHUP": "hung up (SIGHUP)"}


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: the run stops as on Ctrl-C, with the signal's own exit code (128 + its number)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def stop(signum: int, frame: object) -> None:
    """The handler of the stop signals: the first one stops the run (KeyboardInterrupt, or Stopped);
    later ones would only interrupt the clean-up (removing a partial report, stopping worker processes),
    so they are ignored from then on."""
    for number in STOPS:
        try:  # noqa: SIM105 (contextlib costs milliseconds of start-up: see above)
            signal.signal(number, signal.SIG_IGN)
        except (ValueError, OSError):  # not the main thread
            pass
    _received.append(signum)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Stopped(signum)


_received: list[int] = []  # the signals `stop` acted on in this process


def received() -> KeyboardInterrupt | None:
    """The stop `stop` raised in this process, if any (also when a library, such as Typer, caught it)."""
    if not _received:
        return None
    return KeyboardInterrupt() if _received[0] == signal.SIGINT else Stopped(_received[0])


def exit_code(stopped: BaseException) -> int:
    """The exit code of a run stopped by a signal: 128 + its number (130 for Ctrl-C), as a shell reports it."""
    return 128 + getattr(stopped, "signum", signal.SIGINT)


def stop_message(stopped: BaseException) -> str:
    """What a stopped run says: "interrupted" (Ctrl-C), "terminated (SIGTERM)", "hung up (SIGHUP)"."""
    signum = getattr(stopped, "signum", signal.SIGINT)
    try:
        return _SAID.get(signal.Signals(signum).name, "stopped by a signal")
    except ValueError:
        return "stopped by a signal"


class Held:
    """Which stop signals were held back by `stops_held` (true when any was); the first is delivered."""

    def __init__(self) -> None:
        self.signums: list[int] = []

    def __call__(self, signum: int, frame: object) -> None:
        self.signums.append(signum)

    def __bool__(self) -> bool:
        return bool(self.signums)


def stops_held(*, ignore: bool = False) -> "_Holding":
    """The stop signals held back while a few steps that must not be cut in two run: `with stops_held()
    as held:`, then `deliver(held)` (see _Holding)."""
    return _Holding(ignore)


class _Holding:
    """The stop signals held back while a few steps that must not be cut in two run (a file created and
    its removal arranged; worker processes started); the caller acts on them afterwards with `deliver`.
    With `ignore`, they are ignored instead (during clean-up). Only the main thread can change signal
    handlers: elsewhere nothing changes, and neither does a signal not handled from Python or ignored."""

    def __init__(self, ignore: bool) -> None:
        self._ignore = ignore
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Held:
        held = Held()
        import threading  # only here: most runs never hold a signal back

        if threading.current_thread() is not threading.main_thread():
            return held
        for number in STOPS:
            handler = signal.getsignal(number)
            if handler is None or handler is signal.SIG_IGN:  # not set from Python, or ignored already
                continue
            self._previous[number] = handler
            signal.signal(number, signal.SIG_IGN if self._ignore else held)
        return held

    def __exit__(self, *exc: object) -> None:
        previous, self._previous = self._previous, {}
        for number, handler in previous.items():
            signal.signal(number, handler)


def deliver(held: Held) -> None:
    """Act on the first signal held back, as the handler in place would have (KeyboardInterrupt by
    default for Ctrl-C; the end of the process by default for SIGTERM and SIGHUP)."""
    if not held:
        return
    signum = held.signums[0]
    handler = signal.getsignal(signum)
    if callable(handler):
        handler(signum, None)
    elif handler is signal.SIG_DFL:
        signal.raise_signal(signum)
