"""Make text safe to show: no terminal control sequences, no invisible characters, no spreadsheet formulas."""

from __future__ import annotations

import unicodedata

__all__ = ["csv_cell", "printable"]

_FORMULA_START = ("=", "+", "-", "@")


def _shown(ch: str) -> str:
    if ch.isprintable():
        return ch
    if ch in "\n\t" or unicodedata.category(ch) == "Zs":  # line ends, tabs and other spaces
        return " "
    # Controls (ESC among them), format characters (zero-width, bidirectional overrides and marks),
    # line and paragraph separators, halves of UTF-16 pairs, unassigned and private code points.
    return "\ufffd"


def printable(text: str) -> str:
    """Text on one line with every character that is not plainly visible replaced: control characters
    cannot move the cursor or recolour a terminal, and invisible ones cannot disguise the text."""
    if text.isprintable():
        return text
    return "".join(map(_shown, text))


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text, safe to print: a leading =, +, -, @ (a formula) gets a quote in
    front, and control characters are replaced as `printable` does."""
    text = printable(text)
    if text.lstrip().startswith(_FORMULA_START):  # some spreadsheets skip leading blanks
        return "'" + text
    return text
