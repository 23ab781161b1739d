"""The shipped lexicon: current with its sources, sorted as the matcher needs, free of sig words."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rlsmed.lexicon import load_lexicon
from rlsmed.vocabulary import SALTS, STOPWORDS

from .helpers import ROOT

LEXICON = load_lexicon()


def test_lexicon_is_built_from_its_sources() -> None:
    if not (ROOT.parent / "shared" / "bench" / "fda_products.tsv").exists():
        pytest.skip("../shared/bench is not beside the repository")
    result = subprocess.run(
        [sys.executable, "scripts/build_lexicon.py", "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_names_are_sorted_and_normalised() -> None:
    names = list(LEXICON.names)
    assert names == sorted(names)  # the matcher finds multi-word names by bisecting this order
    for name in names:
        assert name == " ".join(name.split()) and name.replace(" ", "").isalpha() and name.islower()


def test_no_name_starts_with_a_sig_word() -> None:
    # A sig word that started a name would make every line of an export look for it.
    for name in LEXICON.names:
        first = name.split(" ")[0]
        assert first not in STOPWORDS or first in SALTS, name


def test_index_agrees_with_the_names() -> None:
    assert LEXICON.starts == {n.split(" ")[0] for n in LEXICON.names}
    assert LEXICON.words == set(" ".join(LEXICON.names).split())
    assert len(LEXICON.names) > 8000
    assert LEXICON.names["lipitor"] == "atorvastatin"
