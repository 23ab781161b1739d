"""The one place where exceptions become exit codes and one-line messages on stderr (never a traceback)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec

import typer

from ..errors import ExitCode, KnowledgeBaseError, RlsmedError
from ..signals import exit_code, stop_message
from .streams import flush_stdout

__all__ = ["debug", "error", "handled", "say", "stop_said"]

P = ParamSpec("P")


class _Settings:
    debug = False  # --debug: tracebacks instead of one-line messages
    stop_said = False  # a command said that it was stopped (Ctrl-C, SIGTERM, SIGHUP)


def debug(on: bool | None = None) -> bool:
    """Whether --debug was given (and set it, when `on` is given)."""
    if on is not None:
        _Settings.debug = on
    return _Settings.debug


def stop_said() -> bool:
    """Whether a command has said that it was stopped (see `handled`)."""
    return _Settings.stop_said


def say(*lines: str) -> None:
    """The one place where messages reach stderr: each line with the characters that could act on a
    terminal (escape sequences, line breaks, invisible and bidirectional format characters) replaced,
    since messages quote file names and input. Best effort: a closed or full stderr is no error."""
    from ..writers.safety import printable

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


def error(e: RlsmedError) -> None:
    """An error as one line "rlsmed: ..."; an invalid knowledge base adds a line for each problem."""
    if isinstance(e, KnowledgeBaseError) and not e.unreadable:
        say(f"rlsmed: {e.headline}", *e.lines())
        return
    say(f"rlsmed: {e}")


def handled(command: Callable[P, None]) -> Callable[P, None]:
    """A command whose exceptions become exit codes and one-line messages."""

    @functools.wraps(command)
    def handled_command(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            try:
                command(*args, **kwargs)
            except typer.Exit:
                flush_stdout()
                raise
            flush_stdout()
        except typer.Exit:
            raise
        except RlsmedError as e:
            if debug():
                raise
            error(e)
            raise typer.Exit(ExitCode.ERROR) from None
        except KeyboardInterrupt as e:  # Ctrl-C, or Stopped by SIGTERM or SIGHUP
            say(f"rlsmed: {stop_message(e)}")
            _Settings.stop_said = True
            raise typer.Exit(exit_code(e)) from None
        except Exception as e:
            if debug():
                raise
            # The message could quote patient data; the type is enough to report a bug.
            say(f"rlsmed: internal error ({type(e).__name__}); run 'rlsmed --debug ...' for details")
            raise typer.Exit(ExitCode.ERROR) from None

    return handled_command
