"""Where the shipped data files are: inside the installed package, or in the source tree's data/ folder."""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_file"]

_PACKAGE = Path(__file__).resolve().parent


def data_file(name: str) -> Path:
    """The path of data/NAME: the installed copy (rlsmed/data/NAME) when there is one, else the source tree's."""
    installed = _PACKAGE / "data" / name
    if installed.is_file():
        return installed
    return _PACKAGE.parent / "data" / name
