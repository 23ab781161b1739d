"""Errors rlsmed raises and the exit codes they map to."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

__all__ = [
    "ConfigError",
    "ExitCode",
    "InputError",
    "KnowledgeBaseError",
    "OutputError",
    "RlsmedError",
    "UsageError",
]


class ExitCode(IntEnum):
    """Process exit codes: 0, 1 and 2 as grep and ruff use them; 3 when there was nothing to screen (an empty
    export must not read as a clean list; osv-scanner likewise exits apart when it finds nothing to scan)."""

    OK = 0
    FLAGGED = 1
    ERROR = 2
    NOTHING_TO_SCREEN = 3
    HUNG_UP = 129  # SIGHUP: the terminal closed (128 + the signal's number, as a shell reports it)
    INTERRUPTED = 130  # Ctrl-C (SIGINT)
    TERMINATED = 143  # SIGTERM: kill, timeout, systemctl stop, a cancelled job


class RlsmedError(Exception):
    """Base class: every error the tool reports as one line and exit code 2."""


class UsageError(RlsmedError):
    """The command line asks for something that cannot be done."""


class ConfigError(UsageError):
    """A configuration file (rlsmed.toml) that cannot be read or holds what rlsmed does not take; the message
    names the file and every problem."""


class InputError(RlsmedError):
    """Input that cannot be read; the message starts with where (file, and line or row)."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


class KnowledgeBaseError(RlsmedError):
    """A knowledge base file that is invalid; carries every problem found, each naming its entry.

    A file that cannot be read at all (`unreadable`) is reported in one line: "FILE: no such file".
    """

    def __init__(self, origin: str, problems: Iterable[str], *, unreadable: bool = False) -> None:
        self.origin = origin
        self.problems = list(problems)
        self.unreadable = unreadable
        if unreadable:
            # The file could not be read at all (missing, a directory, no permission): one line, like
            # InputError's, since there is nothing in it to list.
            super().__init__(f"{origin}: " + "; ".join(self.problems))
            return
        super().__init__("\n".join((self.headline, *self.lines())))

    @property
    def headline(self) -> str:
        """The first line of the message: "FILE: invalid knowledge base (N problems)"."""
        count = len(self.problems)
        return f"{self.origin}: invalid knowledge base ({count} {'problem' if count == 1 else 'problems'})"

    def lines(self) -> list[str]:
        """One indented line per problem, each naming the file."""
        return [f"  {self.origin}: {problem}" for problem in self.problems]


class OutputError(RlsmedError):
    """The report cannot be written (a full disk, an I/O error): exit 2."""
