"""Make input text safe to show: no terminal control sequences, no spreadsheet formulas."""

from __future__ import annotations

import re

__all__ = ["csv_cell", "printable"]

# C0 and C1 controls (ESC among them), DEL, and the bidirectional overrides that can disguise text.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """Text with control characters replaced by U+FFFD, so it cannot move the cursor or recolour a terminal."""
    if text.isprintable():
        return text
    return _UNSAFE.sub("\ufffd", text.replace("\n", " ").replace("\t", " "))


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading =, +, -, @ (a formula) gets a quote in front."""
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text
