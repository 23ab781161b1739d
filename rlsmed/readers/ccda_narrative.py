"""The narrative (human-readable) part of a C-CDA section: what its entries' references point to, and the
row of a table a medicine is shown in, with its Status cell and the table's heading."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import NamedTuple

__all__ = ["NS", "Narrative", "Row", "V", "plain_text"]

NS = "urn:hl7-org:v3"
V = "{" + NS + "}"

_SPACE = re.compile(r"\s+")
_STATUS_HEADERS = frozenset({"status", "medicationstatus", "statusofmedication", "currentstatus", "rxstatus"})


def plain_text(element: ET.Element | None) -> str:
    """The element's text, its children's included, on one line."""
    return _SPACE.sub(" ", "".join(element.itertext())).strip() if element is not None else ""


def _key(header: str) -> str:
    return "".join(c for c in header.casefold() if c.isalnum())


class Row(NamedTuple):
    """What the narrative table says beside a medicine: its Status cell and the table's heading."""

    status: str = ""
    heading: str = ""


class Narrative:
    """A section's `text`, with an index of its elements by ID (built when first needed)."""

    def __init__(self, text: ET.Element | None) -> None:
        self.text = text
        self._ids: dict[str, ET.Element] | None = None
        self._parents: dict[ET.Element, ET.Element] = {}

    def find(self, reference: str | None) -> ET.Element | None:
        """The element a reference ("#Medication_6") points to."""
        if self.text is None or not reference:
            return None
        if self._ids is None:
            self._ids = {}
            for parent in self.text.iter():
                for child in parent:
                    self._parents[child] = parent
                    if ident := child.get("ID"):
                        self._ids.setdefault(ident.strip(), child)
        return self._ids.get(reference.strip().removeprefix("#"))

    def original_text(self, element: ET.Element | None) -> str:
        """The text of an originalText (or an entry's text): the narrative it refers to, else its own."""
        if element is None:
            return ""
        reference = element.find(V + "reference")
        if reference is not None and (found := plain_text(self.find(reference.get("value")))):
            return found
        return plain_text(element)

    def row(self, item: ET.Element) -> Row:
        """The Status cell and heading of the table row an administration refers to (by its own text or
        its drug's originalText); an empty Row when it refers to no table row."""
        paths = (
            f"{V}text/{V}reference",
            f"{V}consumable/{V}manufacturedProduct/{V}manufacturedMaterial/{V}code/{V}originalText/{V}reference",
        )
        for path in paths:
            reference = item.find(path)
            found = self.find(reference.get("value")) if reference is not None else None
            row = self._up(found, "tr")
            if row is None:
                continue
            table = self._up(row, "table")
            if table is None:
                return Row()
            return Row(_status_cell(table, row), self._heading(table))
        return Row()

    def _up(self, element: ET.Element | None, *tags: str) -> ET.Element | None:
        """The element itself or its nearest ancestor with one of these tags."""
        wanted = {V + t for t in tags}
        while element is not None and element.tag not in wanted:
            element = self._parents.get(element)
        return element

    def _heading(self, table: ET.Element) -> str:
        """A table's caption, or a header row of one cell ("Expired"); for a table without a header, that of
        a table just before it that is only a heading ("Past Medications on file")."""
        own = _caption(table)
        if own is not None:
            return own
        if any(_is_header(r) for r in _rows(table)):
            return ""
        parent = self._parents.get(table)
        if parent is None:
            return ""
        before = ""
        for sibling in parent:
            if sibling is table:
                return before
            if sibling.tag == V + "table":
                caption = _caption(sibling)
                if caption is not None and all(_is_header(r) or not plain_text(r) for r in _rows(sibling)):
                    before = caption
                elif caption is None:
                    before = ""
        return ""


def _rows(table: ET.Element) -> list[ET.Element]:
    """A table's own rows (not those of tables inside its cells)."""
    rows = []
    for child in table:
        if child.tag == V + "tr":
            rows.append(child)
        elif child.tag in (V + "thead", V + "tbody", V + "tfoot"):
            rows.extend(child.findall(V + "tr"))
    return rows


def _is_header(row: ET.Element) -> bool:
    return row.find(V + "th") is not None and row.find(V + "td") is None


def _cells(row: ET.Element) -> list[ET.Element]:
    """A row's cells, each repeated as many times as the columns it spans."""
    cells = []
    for cell in row:
        if cell.tag in (V + "td", V + "th"):
            span = cell.get("colspan", "1").strip()
            cells.extend([cell] * (min(int(span), 50) if span.isdigit() and span != "0" else 1))
    return cells


def _caption(table: ET.Element) -> str | None:
    """The table's caption, or the text of a header row holding one non-empty cell."""
    caption = plain_text(table.find(V + "caption"))
    if caption:
        return caption
    for row in _rows(table):
        if not _is_header(row):
            break
        texts = [t for cell in row if (t := plain_text(cell))]
        if len(texts) == 1:
            return texts[0]
    return None


def _status_cell(table: ET.Element, row: ET.Element) -> str:
    """The text of the row's cell under a "Status" header, or ""."""
    column = None
    for header in _rows(table):
        if _is_header(header):
            keys = [_key(plain_text(c)) for c in _cells(header)]
            column = next((i for i, k in enumerate(keys) if k in _STATUS_HEADERS), column)
    if column is None:
        return ""
    cells = _cells(row)
    return plain_text(cells[column]) if column < len(cells) else ""
