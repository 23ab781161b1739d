"""Compressed inputs: .gz streamed, .zip with one medication file, and messages for other archives."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest

from rlsmed.errors import InputError
from rlsmed.readers.compressed import Opened, archive_kind, decompress

from ..helpers import CountingStream

MEDS = b"Medication,Dose\nZoloft,50 mg\nReglan,10 mg\n"


def opened(data: bytes, name: str) -> Opened | None:
    stream = io.BytesIO(data)
    head = stream.read(1 << 16)
    return decompress(head, stream, name)


def content(data: bytes, name: str) -> tuple[bytes, str]:
    result = opened(data, name)
    assert result is not None
    return result.stream.read(), result.name


def error(data: bytes, name: str) -> InputError:
    with pytest.raises(InputError) as e:
        found = opened(data, name)
        assert found is not None
        found.stream.read()
    return e.value


def zipped(*members: tuple[str, bytes], **kwargs: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def test_not_compressed_is_left_alone() -> None:
    assert opened(MEDS, "meds.csv") is None
    assert opened(b"", "empty.txt") is None


def test_gzip_streamed_with_the_inner_name() -> None:
    assert content(gzip.compress(MEDS), "meds.csv.gz") == (MEDS, "meds.csv")
    assert content(gzip.compress(MEDS), "meds.CSV.GZ") == (MEDS, "meds.CSV")
    assert content(gzip.compress(MEDS), "<stdin>") == (MEDS, "<stdin>")  # the format is told by content


def test_gzip_larger_than_the_head_and_concatenated_members() -> None:
    big = MEDS + b"".join(b"metformin %d mg,%d\n" % (i, i * 7919 % 10007) for i in range(40_000))
    data = gzip.compress(big) + gzip.compress(b"Zoloft,25 mg\n")
    assert len(data) > 1 << 16
    assert content(data, "big.csv.gz")[0] == big + b"Zoloft,25 mg\n"


def test_gzip_reads_as_a_stream() -> None:
    lines = b"".join(b"%d metformin %x\n" % (i, (i * 2654435761) % 2**32) for i in range(400_000))
    data = gzip.compress(lines)
    stream = CountingStream(data)
    result = decompress(stream.read(1 << 16), stream, "big.txt.gz")
    assert result is not None
    assert result.stream.read(100_000) == lines[:100_000]  # whole reads, not the 512 bytes looked at first
    assert stream.consumed < len(data) // 4  # only as much as needed was read


def test_damaged_and_cut_short_gzip() -> None:
    data = gzip.compress(MEDS * 1000)
    assert error(data[: len(data) // 2], "meds.csv.gz").message == (
        "the gzip data is cut short (an incomplete download?)"
    )
    damaged = data[:20] + bytes(b ^ 0xFF for b in data[20:60]) + data[60:]
    assert error(damaged, "meds.csv.gz").message.startswith("damaged gzip data")


def test_zip_with_one_file() -> None:
    assert content(zipped(("export/meds.csv", MEDS)), "meds.zip") == (MEDS, "meds.csv")


def test_zip_with_one_medication_file_beside_others() -> None:
    # A patient portal's download: the document, its stylesheet and a page to view it.
    data = zipped(("CCD.xml", b"<ClinicalDocument/>"), ("CDA.xsl", b"<xsl/>"), ("HTML/CCD.html", b"<html/>"))
    assert content(data, "record.zip") == (b"<ClinicalDocument/>", "CCD.xml")


def test_os_junk_in_a_zip_is_not_a_file() -> None:
    data = zipped(("meds.csv", MEDS), ("__MACOSX/._meds.csv", b"x"), (".DS_Store", b"x"), ("dir/", b""))
    assert content(data, "meds.zip") == (MEDS, "meds.csv")


def test_zip_with_several_medication_files_says_what_it_holds() -> None:
    e = error(zipped(("a.csv", MEDS), ("b.csv", MEDS), ("notes.pdf", b"%PDF")), "meds.zip")
    assert e.where == "meds.zip"
    assert e.message == (
        "a zip archive of 3 medication files (a.csv, b.csv, notes.pdf); extract it and name the medication "
        "file to check"
    )


def test_zip_with_nothing_readable() -> None:
    e = error(zipped(("scan.pdf", b"%PDF"), ("photo.jpg", b"\xff\xd8")), "scans.zip")
    assert e.message.startswith("a zip archive of 2 files, none of a kind rlsmed reads (scan.pdf, photo.jpg)")


def test_office_documents_are_named() -> None:
    docx = zipped(("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>"))
    assert error(docx, "meds.docx").message == "a Word document: save the medication list from it as text or CSV"


def test_empty_and_damaged_zip() -> None:
    assert error(zipped(), "empty.zip").message == "a zip archive with no file in it"
    data = zipped(("meds.csv", MEDS * 100))
    assert error(data[:-30], "meds.zip").message.startswith("a damaged zip archive")


def test_zip_member_with_a_bad_checksum() -> None:
    data = bytearray(zipped(("meds.csv", MEDS * 50)))
    at = data.index(b"meds.csv") + len("meds.csv") + 10  # inside the compressed data
    data[at] ^= 0xFF
    assert error(bytes(data), "meds.zip").message.startswith("damaged zip data")


def test_encrypted_zip_member() -> None:
    data = bytearray(zipped(("meds.csv", MEDS)))
    # Set the "encrypted" flag in the local header and the central directory.
    for start in (0, data.index(b"PK\x01\x02")):
        flag_at = start + (6 if start == 0 else 8)
        data[flag_at] |= 1
    assert error(bytes(data), "meds.zip").message == "meds.csv is encrypted in the zip archive: extract it first"


def test_other_archives_named() -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        info = tarfile.TarInfo("meds.csv")
        info.size = len(MEDS)
        archive.addfile(info, io.BytesIO(MEDS))
    tar = out.getvalue()
    assert archive_kind(tar) == "tar"
    assert error(tar, "meds.tar").message == "a tar archive: extract it first, then name the medication file"
    assert error(gzip.compress(tar), "meds.tgz").message.startswith("a tar archive")
    import bz2
    import lzma

    assert error(bz2.compress(MEDS), "meds.csv.bz2").message.startswith("a bzip2 archive")
    assert error(lzma.compress(MEDS), "meds.csv.xz").message.startswith("a xz archive")
