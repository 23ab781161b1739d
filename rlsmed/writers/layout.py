"""Text laid out for a terminal or a text file: words wrapped (a word is broken only when it is longer than
the line), tables whose columns fit their content within a width, and Rich's colour codes when colour is on.

Laid out here rather than with Rich's Table so that a report of a million lines takes seconds: a row is a
few string operations. Widths are counted in terminal cells (a CJK character takes two).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich.cells import cell_len as _rich_cell_len
from rich.cells import chop_cells
from rich.color import ColorSystem
from rich.style import Style

__all__ = ["Cell", "Column", "Styler", "cell_len", "table", "wrap"]

# A cell: paragraphs, each with its style ("" for none), each wrapped on its own lines.
Cell = Sequence[tuple[str, str]]
_MIN_WRAPPED = 12  # the narrowest a wrapped column is made before the table is said not to fit


def cell_len(text: str) -> int:
    """The cells `text` takes on a terminal (ASCII, most text, in C: one cell a character)."""
    return len(text) if text.isascii() else _rich_cell_len(text)


class Column(NamedTuple):
    header: str
    wrap: bool = True  # False: never broken (a drug's name): the column is as wide as its longest cell
    right: bool = False  # right-aligned (numbers)
    most: int = 0  # the widest a wrapped column grows, however long its lines (0: no limit)


class Styler:
    """Text wrapped in the terminal codes of a style ("bold red"), when colour is on; else left as it is."""

    def __init__(self, color: bool) -> None:
        self.color = color
        self._codes: dict[str, tuple[str, str]] = {}

    def __call__(self, text: str, style: str) -> str:
        if not (self.color and style and text):
            return text
        codes = self._codes.get(style)
        if codes is None:
            before, _, after = Style.parse(style).render("\0", color_system=ColorSystem.STANDARD).partition("\0")
            codes = self._codes[style] = (before, after)
        return codes[0] + text + codes[1]


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, broken between words (where it is broken, runs of blanks
    become one space)."""
    if len(text) <= width and cell_len(text) <= width:
        return [text]
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for word in text.split():
        size = cell_len(word)
        if size > width:  # longer than a line: broken
            if current:
                lines.append(" ".join(current))
            *whole, rest = chop_cells(word, width)
            lines.extend(whole)
            current, used = [rest], cell_len(rest)
        elif current and used + 1 + size > width:
            lines.append(" ".join(current))
            current, used = [word], size
        else:
            used += size + (1 if current else 0)
            current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines or [""]


def _widths(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], room: int) -> list[int] | None:
    """Each column's width: its longest line, the wrapped columns narrowed (widest first) when the table is
    wider than `room`; None when it cannot fit even then."""
    widths = [cell_len(c.header) for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            for text, _ in cell:
                size = cell_len(text)
                if size > widths[i]:
                    widths[i] = size
    for i, c in enumerate(columns):
        if c.wrap and c.most:
            widths[i] = min(widths[i], max(c.most, cell_len(c.header)))
    over = sum(widths) - room
    while over > 0:
        narrowable = [i for i, c in enumerate(columns) if c.wrap and widths[i] > _MIN_WRAPPED]
        if not narrowable:
            return None
        widest = max(narrowable, key=lambda i: widths[i])
        others = [widths[i] for i in narrowable if i != widest]
        step = min(over, widths[widest] - max([_MIN_WRAPPED, *others]) or 1)
        widths[widest] -= step
        over -= step
    return widths


def table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    width: int,
    style: Styler,
    *,
    indent: int = 2,
    gap: int = 2,
) -> list[str] | None:
    """A table's lines (a header, a rule, the rows), at most `width` cells wide and without trailing blanks;
    None when its columns cannot fit (the caller lays the rows out otherwise)."""
    room = width - indent - gap * (len(columns) - 1)
    widths = _widths(columns, rows, room)
    if widths is None:
        return None
    pad, space = " " * indent, " " * gap
    header = [(c.header, "bold") for c in columns]
    lines = [_line(pad, space, header, widths, columns, style)]
    lines.append(pad + space.join(style("─" * w, "dim") for w in widths))
    for row in rows:
        wrapped = [[(line, s) for text, s in cell for line in wrap(text, widths[i])] for i, cell in enumerate(row)]
        for depth in range(max(map(len, wrapped), default=0)):
            cells = [cell[depth] if depth < len(cell) else ("", "") for cell in wrapped]
            lines.append(_line(pad, space, cells, widths, columns, style))
    return lines


def _line(
    pad: str, space: str, cells: list[tuple[str, str]], widths: list[int], columns: Sequence[Column], style: Styler
) -> str:
    last = max((i for i, (text, _) in enumerate(cells) if text), default=-1)
    parts: list[str] = []
    for i in range(last + 1):
        text, s = cells[i]
        fill = " " * (widths[i] - cell_len(text)) if text else " " * widths[i]
        if columns[i].right:
            parts.append(fill + style(text, s))
        else:
            parts.append(style(text, s) + (fill if i < last else ""))
    return (pad + space.join(parts)).rstrip()
