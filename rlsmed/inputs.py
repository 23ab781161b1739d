"""Inputs of a run: files, pipes, stdin and text, each with a name for messages and a way to open it.

A regular file can be opened again (a writer that keeps memory flat reads it twice); stdin, a pipe or a
FIFO is read once, and its bytes are kept as they are read only when a second reading was asked for.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable
from typing import Any, BinaryIO, NamedTuple

from .errors import InputError

__all__ = ["STDIN", "Input", "RawReader"]

STDIN = "<stdin>"


class RawReader(io.RawIOBase):
    """A readable raw stream defined by its `read`, for BufferedReader and TextIOWrapper to wrap."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class Input(NamedTuple):
    """One input: a name for messages and a way to open it (again, when `replayable`)."""

    name: str
    opener: Callable[[], BinaryIO]
    replayable: bool = True
    size: int | None = None  # bytes, when known
    keep: Callable[[], None] | None = None  # makes a stream replayable: its bytes are kept as it is read

    @staticmethod
    def from_path(path: str | os.PathLike[str]) -> Input:
        """A file, read again when a writer asks; a path that is not a regular file (a pipe such as
        `<(cmd)`, a FIFO, /dev/stdin on a pipe, a terminal) is read once, as stdin is."""
        name = os.fspath(path)
        try:
            info = os.stat(name)
        except (OSError, ValueError):
            # Reported properly when the file is opened.
            return Input(name, lambda: _open_file(name))
        if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):  # a directory: an error when opened
            return Input(name, lambda: _open_file(name), size=info.st_size)
        once = _ReadOnce(lambda: _open_file(name), close=True)  # opened only when read: a FIFO waits for a writer
        return Input(name, once.open, replayable=False, keep=once.keep)

    @staticmethod
    def from_text(text: str, name: str = "<text>") -> Input:
        data = text.encode("utf-8")
        return Input(name, lambda: io.BytesIO(data), size=len(data))

    @staticmethod
    def from_stream(stream: BinaryIO, name: str = STDIN) -> Input:
        once = _ReadOnce(lambda: stream)
        return Input(name, once.open, replayable=False, keep=once.keep)


class _ReadOnce:
    """A stream (stdin, a pipe) that can be read once; when asked beforehand, the chunks it returns are
    kept as they are read, in memory only, so that a writer can read the input a second time.

    `opener` gives the stream on the first reading; with `close`, it is closed once read to its end.
    """

    def __init__(self, opener: Callable[[], BinaryIO], *, close: bool = False) -> None:
        self._opener = opener
        self._close = close
        self._opened = False
        self._kept: list[bytes] | None = None

    def keep(self) -> None:
        if not self._opened:
            self._kept = []

    def open(self) -> BinaryIO:
        if not self._opened:
            stream = self._opener()
            self._opened = True
            return _EndOnce(stream, self._kept, close=self._close)  # type: ignore[return-value]
        if self._kept is None:
            raise RuntimeError("this input (stdin or a pipe) cannot be read twice")
        return io.BufferedReader(_Chunks(self._kept))


class _Chunks(io.RawIOBase):
    """The kept chunks read again, without joining them (which would hold the input twice)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks
        self._next = 0
        self._rest = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest and self._next < len(self._chunks):
            self._rest = memoryview(self._chunks[self._next])
            self._next += 1
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


class _EndOnce(RawReader):
    """A buffered stream that stays at its end once it has reached it, keeping what it reads in `kept`.

    A terminal's end of input (Ctrl-D) ends one read only: reading again would wait for more typing.
    A buffered read that returns fewer bytes than asked for has met the end.
    """

    def __init__(self, stream: BinaryIO, kept: list[bytes] | None = None, *, close: bool = False) -> None:
        self._stream = stream
        self._kept = kept
        self._ended = False
        self._close = close  # close `stream` at its end (a pipe opened by name, not stdin)

    def read(self, size: int | None = -1) -> bytes:
        if self._ended:
            return b""
        data = self._stream.read(-1 if size is None else size)
        if size is None or size < 0 or len(data) < size:
            self._ended = True
            if self._close:
                self._stream.close()
        if self._kept is not None and data:
            self._kept.append(data)
        return data


def _open_file(name: str) -> BinaryIO:
    try:
        if os.path.isdir(name):
            raise InputError(name, "is a directory, not a file")
        return open(name, "rb")
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "permission denied") from None
    except OSError as e:
        raise InputError(name, e.strerror or "cannot be read") from None
