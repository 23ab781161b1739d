"""Problems of a knowledge-base file as they are collected: each with the entry it is about, values quoted
on one short line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["Collector", "entry_label", "entry_name", "label", "quote", "type_name"]

# Problems about the items of one list field, beyond which they are counted instead of listed (a list of
# 100,000 numbers is one mistake, not 100,000).
_MAX_ITEM_PROBLEMS = 10
_QUOTE_LENGTH = 60


def type_name(value: object) -> str:
    # Never echo the value itself: it may be huge (alias bombs) or patient data.
    return type(value).__name__


def quote(value: object) -> str:
    """A value from the file as problems echo it: on one line (escaped) and cut short."""
    text = str(value)[: _QUOTE_LENGTH + 1]
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= _QUOTE_LENGTH else text[:_QUOTE_LENGTH] + "..."


class Collector:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def text(self, where: str, entry: Mapping[str, Any], key: str, *, required: bool = True) -> str:
        value = entry.get(key)
        if value is None:
            if required:
                self.add(where, f"missing field '{key}'")
            return ""
        if not isinstance(value, str):
            self.add(where, f"field '{key}' must be text, not {type_name(value)}")
            return ""
        if required and not value.strip():
            self.add(where, f"field '{key}' is empty")
        return self._visible(where, key, " ".join(value.split()))

    def _visible(self, where: str, key: str, text: str) -> str:
        # Reports print this text: a control or invisible character could recolour a terminal or
        # disguise what a clinician reads.
        if not text.isprintable() and any(not ch.isprintable() and not ch.isspace() for ch in text):
            self.add(where, f"field '{key}' holds a control or invisible character")
            return "".join(ch if ch.isprintable() else " " for ch in text)
        return text

    def text_list(self, where: str, entry: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = entry.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            # Not wrapped into a list: `names: Lexapro, Cipralex` would become one name.
            self.add(where, f"field '{key}' must be a list, like [{quote(value)}], not a single text")
            return ()
        if not isinstance(value, list):
            self.add(where, f"field '{key}' must be a list of text, not {type_name(value)}")
            return ()
        out: list[str] = []
        bad = 0
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                bad += 1
                if bad <= _MAX_ITEM_PROBLEMS:
                    what = "empty text" if isinstance(item, str) else type_name(item)
                    self.add(where, f"field '{key}' item {i + 1} must be non-empty text, not {what}")
                continue
            out.append(self._visible(where, key, " ".join(item.split())))
        if bad > _MAX_ITEM_PROBLEMS:
            self.add(where, f"field '{key}': {bad - _MAX_ITEM_PROBLEMS} more items are not non-empty text")
        return tuple(out)


def entry_name(entry: object) -> str:
    """An entry's name as its problems are labelled with, or "" when it has none that is text."""
    if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
        return " ".join(entry["name"].split())
    return ""


def label(index: int, entry: object, kind: str) -> str:
    name = entry_name(entry)
    return f"{kind} '{quote(name)}'" if name else f"{kind} #{index + 1}"


def entry_label(index: int, name: object, kind: str) -> str:
    """The label of a drug, product or source entry, from its position and its `name` (for the YAML loader)."""
    return label(index, {"name": name}, kind)
