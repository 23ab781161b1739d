"""Decoding input bytes into numbered lines: encodings, BOMs, line ends, and bytes that are not text."""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlsmed.errors import InputError
from rlsmed.readers.decode import CHUNK, MAX_LINE, iter_lines, sniff_encoding

TEXT = "Zoloft 50 mg\nSérénace 5 mg\n\nLexapro – 10 mg\n"
LINES = [(1, "Zoloft 50 mg"), (2, "Sérénace 5 mg"), (3, ""), (4, "Lexapro – 10 mg")]


def lines(data: bytes) -> list[tuple[int, str]]:
    return list(iter_lines(io.BytesIO(data), "meds.txt"))


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),  # no BOM: recognised by its NUL bytes
        TEXT.encode("utf-16-be"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
        TEXT.replace("\n", "\r").encode("utf-8"),
        TEXT.encode("cp1252"),
        TEXT.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "crlf", "cr", "cp1252", "cp1252-crlf"],
)
def test_encodings_and_line_ends(data: bytes) -> None:
    assert lines(data) == LINES


def test_cp1252_decided_at_the_first_non_ascii_byte_even_after_the_first_chunk() -> None:
    data = b"aspirin\n" * (CHUNK // 8 + 10) + "Sérénace\n".encode("cp1252")
    assert lines(data)[-1] == (CHUNK // 8 + 11, "Sérénace")


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    data = b"x" * (CHUNK - 1) + b"\r\nZoloft\r\n"
    assert [n for n, _ in lines(data)] == [1, 2]


def test_last_line_without_newline() -> None:
    assert lines(b"a\nb") == [(1, "a"), (2, "b")]
    assert lines(b"") == []


def test_binary_data_is_an_input_error() -> None:
    with pytest.raises(InputError) as e:
        lines(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    assert str(e.value).startswith("meds.txt:3: binary data")


def test_nul_byte_after_the_first_chunk_names_its_line() -> None:
    with pytest.raises(InputError) as e:
        lines(b"aspirin\n" * (CHUNK // 8 + 3) + b"bad\x00line\n")
    assert str(e.value).startswith(f"meds.txt:{CHUNK // 8 + 4}: NUL byte")


@pytest.mark.parametrize("padding", [0, 10, CHUNK // 8 - 1, CHUNK // 8, CHUNK // 8 + 5, 3 * CHUNK // 8])
@pytest.mark.parametrize("cp1252_first", [False, True])
def test_each_line_is_decided_by_its_own_bytes_wherever_it_falls(padding: int, cp1252_first: bool) -> None:
    # Exports joined end to end, one in UTF-8 and one in Windows-1252: the same text whether the two
    # lines fall in one chunk or in different ones, and whichever comes first.
    utf8, cp1252 = "café 5 mg\n".encode(), "“Zoloft” 50 mg\n".encode("cp1252")
    first, second = (cp1252, utf8) if cp1252_first else (utf8, cp1252)
    data = b"aspirin\n" * padding + first + b"aspirin\n" * padding + second
    texts = [t for _, t in lines(data) if t != "aspirin"]
    expected = ["café 5 mg", "“Zoloft” 50 mg"]
    assert texts == (expected[::-1] if cp1252_first else expected)


def test_bytes_valid_in_neither_name_their_line_after_the_first_chunk() -> None:
    data = "Sérénace\n".encode() + b"aspirin\n" * (CHUNK // 8) + b"bad \x81\xff\n"
    with pytest.raises(InputError) as e:
        lines(data)
    assert str(e.value) == f"meds.txt:{CHUNK // 8 + 2}: bytes that are not valid Windows-1252 text"


def test_nul_with_non_ascii_after_an_ascii_first_chunk_is_a_one_line_error() -> None:
    data = b"metformin\n" * 6554 + b"\x00\x80"
    with pytest.raises(InputError) as e:
        lines(data)
    assert str(e.value).startswith("meds.txt:6555: NUL byte")


def test_a_byte_order_mark_inside_the_text_is_removed() -> None:
    # Files joined end to end: each one's BOM stays at the start of its first line.
    data = b"metformin\n\xef\xbb\xbfZoloft\n\xef\xbb\xbf\n" + b"aspirin\n" * CHUNK + b"\xef\xbb\xbfReglan\n"
    found = lines(data)
    assert found[:3] == [(1, "metformin"), (2, "Zoloft"), (3, "")]
    assert found[-1] == (CHUNK + 4, "Reglan")
    utf16 = "metformin\n\ufeffZoloft\n".encode("utf-16")
    assert lines(utf16) == [(1, "metformin"), (2, "Zoloft")]


def test_a_line_longer_than_the_limit_is_an_input_error() -> None:
    with pytest.raises(InputError) as e:
        lines(b"a" * (MAX_LINE + 10))
    assert str(e.value) == f"meds.txt:1: line longer than {MAX_LINE:,} characters"


def test_sniff() -> None:
    assert sniff_encoding(b"abc") == (None, 0)
    assert sniff_encoding(codecs.BOM_UTF8 + b"a") == ("utf-8", 3)
    assert sniff_encoding("é".encode()) == ("utf-8", 0)
    assert sniff_encoding("é".encode("cp1252")) == ("cp1252", 0)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00")), max_size=30
    ),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)
def test_any_text_round_trips(texts: list[str], newline: str, encoding: str) -> None:
    data = newline.join(texts).encode(encoding)
    expected = list(enumerate(texts, 1)) if texts and newline.join(texts) else []
    got = lines(data)
    if expected and expected[-1][1] == "" and len(texts) > 1:
        expected = expected[:-1]  # a trailing line end does not start a line
    assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_give_lines_or_an_input_error(data: bytes) -> None:
    try:
        for number, line in lines(data):
            assert number >= 1
            assert "\n" not in line and "\r" not in line
    except InputError as e:
        assert str(e).startswith("meds.txt")
