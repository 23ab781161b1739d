"""Decode input bytes into numbered lines: UTF-8 (with or without BOM), UTF-16 (with a BOM, or plainly
UTF-16 text without one) and Windows-1252, with CRLF, CR or LF line ends."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

from ..errors import InputError

__all__ = ["MAX_LINE", "iter_chunks", "iter_lines", "looks_like_json", "sniff_encoding"]

CHUNK = 1 << 16
MAX_LINE = 1 << 20  # a "line" longer than 1 MiB is not a medication list
_NUL = "NUL byte in text; is this a binary file?"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def sniff_encoding(head: bytes, *, final: bool = True) -> tuple[str | None, int]:
    """(encoding, BOM length) from the first bytes; encoding None means "ASCII so far, decide later".

    `final` says the bytes are the whole input, so a multi-byte sequence cut off at the end is invalid.

    Raises ValueError for bytes that are not text (NUL bytes that are not UTF-16).
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    if b"\x00" in head:
        sample = head[:4096]
        even = sample[0::2].count(0) / max(1, len(sample[0::2]))
        odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
        if odd > 0.6 and even < 0.05:
            return "utf-16-le", 0
        if even > 0.6 and odd < 0.05:
            return "utf-16-be", 0
        raise ValueError("binary data (NUL bytes), not text")
    if head.isascii():
        return None, 0
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=final)
    except UnicodeDecodeError:
        return "cp1252", 0
    return "utf-8", 0


def looks_like_json(text: str) -> bool:
    """True when text starts as a JSON object or an array of objects does: `{` then `"`, or `[` then `{`
    (whitespace allowed between them). NDJSON starts so too. `[ ] Zoloft` or `{Zoloft}` is no JSON."""
    text = text.lstrip().removeprefix("\ufeff").lstrip()
    if not text or text[0] not in "{[":
        return False
    second = text[1:].lstrip()[:1]
    return second == '"' if text[0] == "{" else second == "{"


def _line_number(done: int, text: str) -> int:
    """The number of the line that ends `text`, after `done` lines (CRLF, CR and LF each end a line)."""
    text = text.replace("\r\n", "\n")
    return done + text.count("\n") + text.count("\r") + 1


def iter_lines(stream: BinaryIO, where: str) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without its line end) for every line of the stream."""
    for first, lines in iter_chunks(stream, where):
        yield from zip(range(first, first + len(lines)), lines, strict=True)


def _cut(data: bytes) -> int:
    """Where bytes of one-byte-based text end on a line boundary: after the last LF (or, for CR-only line
    ends, the last CR that is not the final byte, which may be half of a CRLF); 0 when there is none."""
    cut = data.rfind(b"\n") + 1
    if not cut:
        cut = data.rfind(b"\r", 0, len(data) - 1) + 1
    return cut


def _decode_lines(data: bytes, where: str, lineno: int) -> str:
    """Text in UTF-8 or Windows-1252, ending on a line boundary. Each line is UTF-8 when its bytes are
    valid UTF-8, else Windows-1252: the decision is the line's own, wherever in the input it falls (a file
    made of exports in both encodings reads right throughout)."""
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    texts = []
    for k, line in enumerate(data.split(b"\n")):
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                texts.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                at = lineno + 1 + k
                raise InputError(f"{where}:{at}", "bytes that are not valid Windows-1252 text") from None
    return "\n".join(texts)


def iter_chunks(stream: BinaryIO, where: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (number of the first line, lines without their line ends) for each chunk of the stream.

    A byte-order mark inside the text (files joined end to end) is removed, as the one at the start is."""
    head = stream.read(CHUNK)
    try:
        encoding, skip = sniff_encoding(head, final=len(head) < CHUNK)
    except ValueError as e:
        nul = head.find(b"\x00")
        place = f"{where}:{_line_number(0, head[:nul].decode('latin-1'))}" if nul >= 0 else where
        raise InputError(place, f"{e}; is this a medication list?") from None
    # UTF-16 and UTF-32 go through an incremental decoder; one-byte-based text (ASCII, UTF-8, Windows-1252)
    # is cut at line ends and decoded a line's bytes at a time when it must be (_decode_lines).
    wide = encoding is not None and encoding.startswith(("utf-16", "utf-32"))
    decoder = codecs.getincrementaldecoder(encoding)("strict") if wide and encoding else None
    carry = b""  # one-byte-based text: the bytes of a line the last chunk did not end
    pending = ""
    lineno = 0
    chunk = head[skip:]
    while True:
        final = not chunk
        try:
            if decoder is None:
                data = carry + chunk if carry else chunk
                cut = len(data) if final else _cut(data)
                data, carry = data[:cut], data[cut:]
                if len(carry) > MAX_LINE:
                    raise InputError(f"{where}:{lineno + 1}", f"line longer than {MAX_LINE:,} characters")
                text = _decode_lines(data, where, lineno + pending.count("\n"))
            else:
                text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError as e:
            at = _line_number(lineno, pending + e.object[: e.start].decode(e.encoding, "replace"))
            label = {"cp1252": "Windows-1252", "charmap": "Windows-1252"}.get(e.encoding, e.encoding)
            if e.encoding.startswith("utf") and "8" in e.encoding:
                label = "UTF-8"
            raise InputError(f"{where}:{at}", f"bytes that are not valid {label} text") from None
        if "\x00" in text:
            at = _line_number(lineno, pending + text[: text.index("\x00")])
            raise InputError(f"{where}:{at}", _NUL)
        if "\ufeff" in text:
            text = text.replace("\ufeff", "")
        text = pending + text
        if not final and text.endswith("\r"):
            text, pending = text[:-1], "\r"  # a CRLF may be split across chunks
        else:
            pending = ""
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        tail = lines.pop()
        if lines:
            yield lineno + 1, lines
            lineno += len(lines)
        pending = tail + pending if pending else tail
        if len(pending) > MAX_LINE:
            raise InputError(f"{where}:{lineno + 1}", f"line longer than {MAX_LINE:,} characters")
        if final:
            if pending:
                yield lineno + 1, [pending]
            return
        chunk = stream.read(CHUNK)
