"""Inputs of a run: files, pipes, stdin and text, each with a name for messages and a way to open it.

A regular file can be opened again (a writer that keeps memory flat reads it twice); stdin, a pipe or a
FIFO is read once, and its bytes are kept as they are read only when a second reading was asked for.
"""

from __future__ import annotations

import io
import os
import stat
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO, NamedTuple

from .errors import InputError

__all__ = ["CHANGED", "STDIN", "Input", "Marks", "RawReader", "Reading", "open_file"]

CHANGED = "the input changed while it was read; check it again once it is no longer being written"

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
            return Input(name, lambda: open_file(name))
        if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):  # a directory: an error when opened
            return Input(name, lambda: open_file(name), size=info.st_size)
        once = _ReadOnce(lambda: open_file(name), close=True)  # opened only when read: a FIFO waits for a writer
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


class Reading(RawReader):
    """An input opened for one reading: its read errors (a failing disk, a network file system, EIO)
    become InputErrors naming it; with `watch`, it keeps a running checksum of the bytes read, and
    `identity` is what the file was when opened, so that a second reading can tell that it changed."""

    def __init__(self, item: Input, *, watch: bool = False) -> None:
        self.name = item.name
        self.done = 0  # bytes read so far
        self.crc = 0 if watch else -1  # of the bytes read so far (-1: not watched)
        self._stream = item.opener()  # its own errors on opening are InputErrors already
        self.identity = _identity(self._stream) if watch else None

    def read(self, size: int | None = -1) -> bytes:
        try:
            data = self._stream.read(-1 if size is None else size)
        except OSError as e:
            problem = f"read failed after {self.done:,} bytes: {e.strerror or type(e).__name__}"
            raise InputError(self.name, problem) from None
        self.done += len(data)
        if self.crc >= 0 and data:
            self.crc = zlib.crc32(data, self.crc)
        return data

    def mark(self) -> tuple[int, int]:
        """How much has been read, and its checksum."""
        return self.done, self.crc

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            super().close()


class Marks:
    """What a file was when first opened, and how many bytes had been read (with their checksum) as each
    batch of its records was given: a second reading must see the same, batch by batch."""

    def __init__(self, identity: tuple[int, ...] | None) -> None:
        self.identity = identity
        self.seen: list[tuple[int, int]] = []
        self._next = 0

    def check(self, stream: Reading, name: str, *, first: bool, end: bool = False) -> None:
        """Note the mark of the first reading; on a later one, InputError when it differs."""
        mark = stream.mark()
        if first:
            self.seen.append(mark)
            return
        at, self._next = self._next, self._next + 1
        if at >= len(self.seen) or self.seen[at] != mark or (end and self._next != len(self.seen)):
            raise InputError(name, CHANGED)

    def again(self, stream: Reading, name: str) -> None:
        """A new reading starts: InputError when the file is no longer what it was."""
        self._next = 0
        if stream.identity != self.identity:
            raise InputError(name, CHANGED)


def _identity(stream: BinaryIO) -> tuple[int, ...] | None:
    """A file's device, inode, size and modification time (None for a stream that is no file)."""
    try:
        info = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def open_file(name: str) -> BinaryIO:
    """A file opened for reading, or InputError naming it and saying why not."""
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
