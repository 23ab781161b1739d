"""Ctrl-C held back while steps that must not be cut in two run, then acted on (standard library only).

The command line's output file and the worker pool both use it; it imports nothing of rlsmed, so that
any module may.
"""

import contextlib
import signal
from collections.abc import Iterator

__all__ = ["Held", "deliver_sigint", "sigint_held"]


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
    import threading  # only here: most runs never hold a signal back

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
