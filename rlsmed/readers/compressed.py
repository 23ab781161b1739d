"""Compressed inputs: a .gz file read as a stream (any format inside), a .zip read when it holds one
medication file; otherwise a message that says what the archive holds."""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO, NamedTuple, cast

from ..errors import InputError
from .base import HEAD, Opener, Rewound

__all__ = ["MAX_ZIP", "READABLE", "Opened", "Unpacking", "archive_kind", "decompress", "unpacked", "workbook_kind"]

MAX_ZIP = 256 << 20  # bytes of a .zip, held in memory to find its members (a stream cannot seek)
# Extensions of the files rlsmed reads: in an archive with several files, the one file so named is read.
READABLE = frozenset(
    ".csv .tsv .tab .psv .txt .text .md .json .ndjson .jsonl .fhir .xml .ccd .cda .xlsx .xlsm .xls .ods".split()
)
_JUNK = ("__MACOSX/", "Thumbs.db", "desktop.ini")
_GZIP = b"\x1f\x8b"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # an archive, or an empty one


class Opened(NamedTuple):
    """The decompressed stream, and the name that tells its format ("meds.csv" inside "meds.csv.gz")."""

    stream: BinaryIO
    name: str


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and other Office 97 files)
_ODS = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


def workbook_kind(head: bytes) -> str | None:
    """The kind of workbook ("xlsx", "ods", "xls") whose first bytes these are, else None.

    An .xlsx and an .ods are zip archives: what tells them from others is the names of their first parts.
    """
    if head.startswith(_OLE2):
        return "xls"
    if not head.startswith(b"PK\x03\x04"):
        return None
    if _ODS in head[:200]:
        return "ods"
    if b"xl/workbook." in head or b"xl/worksheets/" in head or b"xl/_rels/" in head:
        return "xlsx"
    if b"[Content_Types].xml" in head[:100] and b"word/" not in head and b"ppt/" not in head:
        return "xlsx"
    return None


def archive_kind(head: bytes) -> str | None:
    """The kind of archive ("gzip", "zip", "tar", "bzip2", "xz", "7z") whose first bytes these are, else
    None. A workbook (.xlsx and .ods are zip archives) is no archive here."""
    if head.startswith(_GZIP):
        return "gzip"
    if head.startswith(_ZIP):
        return "zip" if workbook_kind(head) is None else None
    if head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    return None


class _Guarded(io.RawIOBase):
    """A decompressing stream whose faults (damaged or cut-short data) become one-line InputErrors."""

    def __init__(self, inner: Any, source: str, kind: str, faults: tuple[type[Exception], ...]) -> None:
        self._inner = inner
        self._source = source
        self._kind = kind
        self._faults = faults

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        try:
            data: bytes = self._inner.read(-1 if size is None else size)
        except EOFError:
            raise InputError(self._source, f"the {self._kind} data is cut short (an incomplete download?)") from None
        except self._faults as e:
            raise InputError(self._source, f"damaged {self._kind} data ({_short(e)})") from None
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def _short(error: BaseException) -> str:
    return str(error).split(":")[0][:80] or type(error).__name__


def decompress(head: bytes, stream: BinaryIO, source: str) -> Opened | None:
    """The decompressed content of a .gz or .zip input whose first bytes are `head` (the stream goes on
    after them); None when the input is not compressed. InputError for an archive rlsmed does not read:
    one with no file or several medication files, an encrypted member, tar, bzip2, xz or 7z."""
    kind = archive_kind(head)
    if kind is None:
        return None
    if kind == "gzip":
        import gzip  # only now: most inputs are not compressed

        unzipped = gzip.GzipFile(fileobj=Rewound(head, stream), mode="rb")
        inner = io.BufferedReader(_Guarded(unzipped, source, "gzip", (OSError, zlib.error)))
        start = inner.read(512)
        if archive_kind(start) == "tar":
            raise InputError(source, "a tar archive: extract it first, then name the medication file")
        name = source[:-3] if source.lower().endswith(".gz") else source
        return Opened(cast(BinaryIO, io.BufferedReader(Rewound(start, cast(BinaryIO, inner)))), name)
    if kind == "zip":
        return _zip_member(head, stream, source)
    raise InputError(source, f"a {kind} archive: extract it first, then name the medication file")


def _zip_member(head: bytes, stream: BinaryIO, source: str) -> Opened:
    import zipfile  # only now: most inputs are not compressed

    parts = [head]
    size = len(head)
    while chunk := stream.read(1 << 20):
        size += len(chunk)
        if size > MAX_ZIP:
            raise InputError(source, f"a zip archive larger than {MAX_ZIP >> 20} MiB: extract it first")
        parts.append(chunk)
    try:
        archive = zipfile.ZipFile(io.BytesIO(b"".join(parts)))
    except (zipfile.BadZipFile, EOFError, ValueError) as e:
        raise InputError(source, f"a damaged zip archive ({_short(e)})") from None
    members = [
        m
        for m in archive.infolist()
        if not m.is_dir() and not m.filename.startswith(_JUNK[0]) and not _hidden(m.filename)
    ]
    if not members:
        raise InputError(source, "a zip archive with no file in it")
    tops = {m.filename.split("/", 1)[0] for m in members}
    for folder, what in (("word", "a Word document"), ("ppt", "a PowerPoint presentation")):
        if folder in tops and "[Content_Types].xml" in tops:
            raise InputError(source, f"{what}: save the medication list from it as text or CSV")
    chosen = members
    if len(members) > 1:
        chosen = [m for m in members if os.path.splitext(m.filename)[1].lower() in READABLE]
    if len(chosen) != 1:
        names = ", ".join(m.filename for m in members[:5]) + (", …" if len(members) > 5 else "")
        which = "medication files" if len(chosen) > 1 else "files, none of a kind rlsmed reads"
        raise InputError(
            source,
            f"a zip archive of {len(members)} {which} ({names}); extract it and name the medication file to check",
        )
    member = chosen[0]
    if member.flag_bits & 0x1:
        raise InputError(source, f"{member.filename} is encrypted in the zip archive: extract it first")
    try:
        inner = archive.open(member)
    except (NotImplementedError, zipfile.BadZipFile) as e:
        raise InputError(source, f"cannot read {member.filename} in the zip archive ({_short(e)})") from None
    name = member.filename.rsplit("/", 1)[-1]
    faults = (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError)
    return Opened(cast(BinaryIO, io.BufferedReader(_Guarded(inner, source, "zip", faults))), name)


def _hidden(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith(".") or base in _JUNK[1:]


def unpacked(stream: BinaryIO, name: str, progress: Callable[[int], None] | None = None) -> tuple[BinaryIO, bytes, str]:
    """The content of an input (decompressed when it is a .gz, or a .zip of one medication file), its
    first HEAD bytes (read from it, to be put back), and the name that tells its format ("meds.csv"
    inside "meds.csv.gz"). `progress` is told the bytes read from the input itself."""
    if progress is not None:
        stream = Rewound(b"", stream, progress)  # type: ignore[assignment]
    head = stream.read(HEAD)
    opened = decompress(head, stream, name)
    if opened is not None:
        return opened.stream, opened.stream.read(HEAD), opened.name
    return stream, head, name


class Unpacking(NamedTuple):
    """A compressed input as a reader's `prepare` sees it: opened, it gives the decompressed content."""

    name: str
    item: Opener

    @property
    def opener(self) -> Callable[[], BinaryIO]:
        def open_inner() -> BinaryIO:
            outer = self.item.opener()
            stream, head, _ = unpacked(outer, self.item.name)
            return _Unpacked(head, stream, outer)  # type: ignore[return-value]

        return open_inner


class _Unpacked(Rewound):
    """Decompressed content that closes the input it comes from when it is closed."""

    def __init__(self, head: bytes, rest: BinaryIO, outer: BinaryIO) -> None:
        super().__init__(head, rest)
        self._outer = outer

    def close(self) -> None:
        try:
            self._rest.close()
        finally:
            self._outer.close()
            super().close()
