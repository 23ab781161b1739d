"""Turn free text into the lowercase word tokens that names are matched on.

Case (including Tall Man lettering such as hydrOXYzine), punctuation and accents are normalised here;
strengths, units, dose forms, routes, directions and salts are recognised by `rlsmed.vocabulary`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["TOKEN", "fold", "name_key", "tokens"]

# Letters run together, and numbers (with a decimal point or comma) stand alone: "50mg" -> "50", "mg".
TOKEN = re.compile(r"[a-z]+|[0-9]+(?:[.,][0-9]+)*")


def fold(text: str) -> str:
    """Lowercase text and strip accents (Sérénace -> serenace); other scripts drop out of the tokens."""
    low = text.lower()
    if low.isascii():
        return low
    decomposed = unicodedata.normalize("NFKD", low)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


def tokens(text: str) -> list[str]:
    """The word and number tokens of `text`, lowercase and without accents."""
    low = text.lower()
    if not low.isascii():
        low = fold(low)
    return TOKEN.findall(low)


@lru_cache(maxsize=8192)  # the knowledge base's names are normalised at load and again for the matcher
def name_key(name: str) -> str:
    """The normalised form of a drug or product name: its tokens joined by single spaces.

    >>> name_key("Chlor-Trimeton")
    'chlor trimeton'
    >>> name_key("hydrOXYzine HCl")
    'hydroxyzine hcl'
    """
    return " ".join(tokens(name))
