"""JSON as the standard defines it: a key given twice in one object, and NaN or Infinity, are errors.

Python's json module keeps the last of two equal keys, so `"status": "active", …, "status":
"entered-in-error"` would decide a record by whichever came last, and it reads NaN and Infinity, which
are not JSON. A FHIR file with either is refused, naming the key or value. The check costs about a third
more time in json.loads (a dict built per object from its pairs, then compared in size).
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

__all__ = ["StrictJsonError", "loads"]


class StrictJsonError(ValueError):
    """Valid for Python's json module, but not JSON: the message says what (a key given twice, NaN)."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                shown = key if len(key) <= 40 else key[:40] + "…"
                raise StrictJsonError(f"key {shown!r} given twice in one object")
            seen.add(key)
    return found


def _constant(name: str) -> NoReturn:
    raise StrictJsonError(f"{name} is not a JSON value")


def loads(text: str) -> Any:
    """json.loads, raising StrictJsonError for duplicate keys and NaN/Infinity (json.JSONDecodeError,
    RecursionError and ValueError as json.loads raises them)."""
    return json.loads(text, object_pairs_hook=_unique, parse_constant=_constant)
