"""Turn free text into the lowercase word tokens that names are matched on.

Case (including Tall Man lettering such as hydrOXYzine), punctuation and accents are normalised here.
Tokens are runs of letters: digits separate words but are never part of a name, so "Zoloft 50mg",
"Stalevo 100" and "co-careldopa 25/100" match on their words alone, and a list that differs only in
its numbers is matched once. Strengths, units, forms, routes, directions and salts are words that
`rlsmed.vocabulary` sets aside.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["TOKEN", "fold", "name_key", "tokens"]

# A token is a run of letters; digits and punctuation only separate tokens: "50mg" -> "mg".
TOKEN = re.compile(r"[a-z]+")
# Terminal escape sequences (colour codes pasted from a terminal, titles, hyperlinks): not text.
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def fold(text: str) -> str:
    """Lowercase text and strip accents (Sérénace -> serenace); other scripts drop out of the tokens.

    Terminal escape sequences and invisible format characters (soft hyphen, zero-width space, bidi
    marks) are removed, so that "Ser\u00adtraline" and a colour-coded name still read as the name.
    """
    low = text.lower()
    if "\x1b" in low:
        low = ANSI.sub("", low)
    if low.isascii():
        return low
    decomposed = unicodedata.normalize("NFKD", low)
    kept = (ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    return "".join(kept).replace("ß", "ss")


def tokens(text: str) -> list[str]:
    """The word tokens of `text`, lowercase and without accents."""
    low = text.lower()
    if not low.isascii() or "\x1b" in low:
        low = fold(low)
    return TOKEN.findall(low)


@lru_cache(maxsize=8192)  # the knowledge base's names are normalised at load and again for the matcher
def name_key(name: str) -> str:
    """The normalised form of a drug or product name: its word tokens joined by single spaces.

    >>> name_key("Chlor-Trimeton")
    'chlor trimeton'
    >>> name_key("hydrOXYzine HCl 25 mg")
    'hydroxyzine hcl mg'
    """
    return " ".join(tokens(name))
