"""Tokens and normalised names: case, Tall Man lettering, punctuation, accents, strengths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rlsmed.normalize import fold, name_key, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hydrOXYzine HCl 25 mg", ["hydroxyzine", "hcl", "mg"]),
        ("Chlor-Trimeton", ["chlor", "trimeton"]),
        ("sertraline 50mg PO qhs", ["sertraline", "mg", "po", "qhs"]),
        ("Levothyroxine 0.075 MG", ["levothyroxine", "mg"]),
        ("carbidopa/levodopa 25/100", ["carbidopa", "levodopa"]),
        ("Stalevo100", ["stalevo"]),  # digits separate words and are never part of a name
        ("Children's Advil", ["children", "s", "advil"]),
        ("Sérénace", ["serenace"]),
        ("p.r.n.", ["p", "r", "n"]),
        ("  ", []),
        ("Ｚｏｌｏｆｔ", ["zoloft"]),  # full-width letters fold too
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_name_key_joins_tokens() -> None:
    assert name_key("Tylenol PM") == "tylenol pm"
    assert name_key("co-careldopa") == "co careldopa"
    assert name_key("Zzz-Quil!!") == "zzz quil"


def test_fold_strips_accents_and_lowercases() -> None:
    assert fold("SÉROPLEX") == "seroplex"
    assert fold("Straße") == "strasse"


@given(st.text())
def test_tokens_are_lowercase_ascii_letters(text: str) -> None:
    for tok in tokens(text):
        assert tok
        assert tok.isascii() and tok.isalpha()
        assert tok == tok.lower()


@given(st.text())
def test_name_key_is_idempotent(text: str) -> None:
    assert name_key(name_key(text)) == name_key(text)


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)))
def test_case_never_matters(text: str) -> None:
    assert tokens(text.upper()) == tokens(text.lower()) == tokens(text.swapcase())
