"""Where a report goes: stdout, or the file --output names, written so that a failure never costs a file.

An --output file is written under a temporary name beside it and renamed onto it only when the report
is complete; a run that fails or is interrupted leaves an existing file as it was and no file of its own.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO, cast

from ..errors import OutputError, UsageError
from ..signals import deliver, stops_held
from .streams import fd_stream, stdout

__all__ = ["check_output", "output"]


@contextlib.contextmanager
def output(path: Path | None, files: list[str], kb_files: tuple[str, ...]) -> Iterator[TextIO]:
    """The report's destination: stdout, or --output FILE.

    A regular file is written under a temporary name beside it (".NAME.rlsmed-XXXXXXXX.tmp", readable by
    its owner only) and renamed onto it only when the report is complete: a run that fails or is
    interrupted leaves an existing file as it was and no file of its own. Anything else (a device such as
    /dev/null, a FIFO, a terminal) is written directly, and never removed.
    """
    if path is None:
        yield from _to_stdout()
        return
    target = os.fspath(path)
    name = f"--output {target}"
    info = check_output(target, files, kb_files)
    if info is not None and not stat.S_ISREG(info.st_mode):
        device = fd_stream(_open_output(target), name)
        try:
            yield device
            device.flush()
        finally:
            with contextlib.suppress(Exception):
                device.close()
        return
    final = os.path.realpath(target)  # a symbolic link stays, and the file it names is replaced
    created: tuple[int, str] | None = None
    file: TextIO | None = None
    try:
        # A Ctrl-C (or SIGTERM, SIGHUP) between creating the temporary file and this `try` would leave it.
        with stops_held() as held:
            created = _temporary(target, final, info)
        deliver(held)
        if created is None:  # no file can be made beside it (a directory without write permission)
            yield from _in_place(target)
            return
        file = fd_stream(created[0], name)
        yield file
        file.close()
        try:
            _finished(created[1], info)
            os.replace(created[1], final)
        except OSError as e:
            raise OutputError(f"{name}: {e.strerror or type(e).__name__}") from None
    except BaseException:
        if created is not None:
            with contextlib.suppress(Exception):
                if file is None:
                    os.close(created[0])
                else:
                    file.close()
            with contextlib.suppress(OSError):
                os.unlink(created[1])
        raise


def _to_stdout() -> Iterator[TextIO]:
    """stdout for a report. A pipe or a file gets the report through its own buffered stream (fast; the
    errors of writing become `_Sink`'s); a terminal, or a stream without a file descriptor (a test's),
    through sys.stdout, where a progress bar may be keeping it apart from the bar."""
    out = stdout()
    try:
        fd = out.fileno()
        direct = not os.isatty(fd)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        direct = False
    if not direct:
        yield cast(TextIO, out)
        out.flush()
        return
    out.flush()  # what sys.stdout holds comes first
    stream = fd_stream(fd, "stdout", closefd=False, encoding=out.encoding or "utf-8", errors=out.errors)
    try:
        yield stream
        stream.flush()
    finally:
        with contextlib.suppress(Exception):
            stream.close()  # not fd 1 itself (closefd=False)


def check_output(target: str, files: list[str], kb_files: tuple[str, ...]) -> os.stat_result | None:
    """What --output names (None: nothing yet), when it can take the report: not a directory, and not a
    file the run reads (an input, stdin, a --kb file)."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise UsageError(f"--output {target}: {getattr(e, 'strerror', None) or 'cannot be written'}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"--output {target}: is a directory")
    if stat.S_ISREG(info.st_mode):
        _refuse_an_input(target, info, files, kb_files)
        # The report replaces the file rather than writing into it: refuse as open(target, "w") would.
        if not os.access(target, os.W_OK):
            raise UsageError(f"--output {target}: Permission denied")
    return info


def _refuse_an_input(target: str, info: os.stat_result, files: list[str], kb_files: tuple[str, ...]) -> None:
    same = (info.st_dev, info.st_ino)
    for name in files:
        if name == "-":
            with contextlib.suppress(OSError):
                if _identity(os.fstat(0)) == same:
                    raise UsageError(f"--output {target}: is the input (stdin); the report would overwrite it")
            continue
        with contextlib.suppress(OSError, ValueError):
            if _identity(os.stat(name)) == same:
                raise UsageError(f"--output {target}: is an input; the report would overwrite it")
    for name in kb_files:
        with contextlib.suppress(OSError, ValueError):
            if _identity(os.stat(name)) == same:
                raise UsageError(f"--output {target}: is a knowledge base (--kb); the report would overwrite it")


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _open_output(target: str) -> int:
    """`target` opened as open(target, "w") would: created with the umask's permissions, or emptied."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        return os.open(target, flags, 0o666)
    except OSError as e:
        raise UsageError(f"--output {target}: {e.strerror or 'cannot be written'}") from None


def _temporary(target: str, final: str, info: os.stat_result | None) -> tuple[int, str] | None:
    """A new file beside `final` for the report, readable by its owner only while it is written (it
    takes the report's permissions when renamed, `_finished`); None when the directory does not allow
    it but `target` itself is writable. A name too long to take the temporary name's 23 more characters
    gets a short one (".rlsmed-XXXXXXXX.tmp")."""
    directory, base = os.path.split(final)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    prefix = f".{base}"
    for _ in range(100):
        path = os.path.join(directory, f"{prefix}.rlsmed-{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as e:
            if e.errno == errno.ENAMETOOLONG and prefix:
                prefix = ""
                continue
            if info is not None and os.access(target, os.W_OK):
                return None
            raise UsageError(f"--output {target}: {e.strerror or 'cannot be written'}") from None
        if info is not None and hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
            with contextlib.suppress(OSError):
                os.fchown(fd, info.st_uid, info.st_gid)
        return fd, path
    raise UsageError(f"--output {target}: no temporary name is free beside it")


def _finished(path: str, info: os.stat_result | None) -> None:
    """The complete report takes the permissions `open(target, "w")` would give: those of the file it
    replaces, or the umask's for a new file."""
    if info is not None:
        mode = stat.S_IMODE(info.st_mode)
    else:
        umask = os.umask(0o077)  # read by setting it: 077 meanwhile lets no file be more open
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(path, mode)


def _in_place(target: str) -> Iterator[TextIO]:
    """The report written over `target` itself; emptied again if the run fails (its directory allows no
    other file, and so no removal)."""
    file = fd_stream(_open_output(target), f"--output {target}")
    try:
        yield file
        file.close()
    except BaseException:
        with contextlib.suppress(Exception):
            file.close()
        with contextlib.suppress(OSError):
            os.truncate(target, 0)
        raise
