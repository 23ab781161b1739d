"""The run's stdout and stderr, guarded: a report that cannot be written is one line and exit 2, a reader
that went away (a broken pipe) is no error, and messages on stderr are best effort."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Any, TextIO

from ..errors import OutputError, UsageError

__all__ = ["Stderr", "StdoutGuard", "fd_stream", "flush_stdout", "isatty", "stdout"]


def isatty(stream: Any) -> bool:
    try:
        return stream is not None and bool(stream.isatty())
    except (OSError, ValueError):
        return False


def _failure(name: str, error: OSError) -> OutputError:
    """A destination that cannot be written, said in one line: its name and the system's reason."""
    return OutputError(f"{name}: {error.strerror or type(error).__name__}")


class _Proxy(io.TextIOBase):
    """A text stream standing for another (`_stream`, perhaps gone): its encoding, terminal and descriptor."""

    _stream: TextIO | None

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream.encoding if self._stream is not None else "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._stream.errors if self._stream is not None else "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return isatty(self._stream)

    def fileno(self) -> int:
        if self._stream is None:
            raise io.UnsupportedOperation("the stream is closed")
        return self._stream.fileno()

    def close(self) -> None:
        """Nothing: the standard streams are not this object's to close."""


class StdoutGuard(_Proxy):
    """stdout around the stream that writes it, for all that prints there (a report on a terminal,
    listings, Click's help); a report to a pipe or a file goes through `fd_stream`, to the same effect.

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

    def write(self, text: str) -> int:
        if self.gone or self._stream is None:
            return self._discard(len(text))
        try:
            return self._stream.write(text)
        except OSError as e:
            self._failed(e)
            return len(text)

    def flush(self) -> None:
        if self.gone or self._stream is None:
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

    def _failed(self, error: OSError) -> None:
        # Nothing more goes to this stream, and what it holds is discarded, not written again at exit.
        self.gone = True
        with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.fileno())
            os.close(devnull)
        if isinstance(error, BrokenPipeError):
            return
        self._error = _failure(self._name, error)
        raise self._error from None


class Stderr(_Proxy):
    """stderr for the run: messages are best effort, so a closed, full or broken stderr is no error."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._stream = stream

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


def flush_stdout() -> None:
    """Write out what a command printed while its errors can still be reported."""
    if sys.stdout is not None:
        stdout().flush()


def stdout() -> StdoutGuard:
    """stdout, as a destination for a report or a listing."""
    if isinstance(sys.stdout, StdoutGuard):
        return sys.stdout
    if sys.stdout is None:
        raise UsageError("stdout is closed")
    return StdoutGuard(sys.stdout, "stdout")


class _Sink(io.RawIOBase):
    """The end of a report's stream: a file descriptor, written as StdoutGuard writes (a write that fails
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
            self._error = _failure(self._name, e)
            raise self._error from None

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        if self._closefd:
            os.close(self._fd)


def fd_stream(
    fd: int, name: str, *, closefd: bool = True, encoding: str = "utf-8", errors: str | None = None
) -> TextIO:
    """A buffered text stream onto a file descriptor, whose failures are `name`'s (see _Sink)."""
    sink = _Sink(fd, name, closefd=closefd)
    newline = "" if closefd else None  # stdout ends lines as sys.stdout does
    return io.TextIOWrapper(io.BufferedWriter(sink, 1 << 16), encoding=encoding, errors=errors, newline=newline)
