"""rlsmed.toml: a site's or a user's defaults for `rlsmed check`, and the drugs it has already reviewed.

The file is found in the current folder or the nearest parent that has one, else in the user's
configuration folder (`$XDG_CONFIG_HOME/rlsmed/rlsmed.toml`, `~/.config/rlsmed/rlsmed.toml`; on macOS
`~/Library/Application Support/rlsmed/`, on Windows `%APPDATA%\\rlsmed\\`), or named with --config. One file
is read, never merged with another. Command-line options win over it.

    country = "GB"                     # products as sold in this country (ISO 3166 code)
    fail-on = "moderate"               # as --fail-on
    format = "table"                   # as --format, when neither --format nor --output's extension says
    kb = ["site.yaml"]                 # site knowledge-base files, relative to this file's folder

    [[ignore]]
    ingredient = "sertraline"          # a generic, brand or synonym, as --ignore takes it
    reason = "reviewed with prescriber"   # required: shown with the finding in every format
    expires = 2027-06-30               # optional: not applied after this day (and the run says so)
    patient = "P0001"                  # optional: only this patient's findings
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from .errors import ConfigError
from .formats import FailOn, OutputFormat
from .ignores import Ignore

__all__ = ["CONFIG_NAME", "Config", "find_config", "load_config", "read_config", "user_config_dir"]

CONFIG_NAME = "rlsmed.toml"
_KEYS = ("country", "fail-on", "format", "kb", "ignore")
_IGNORE_KEYS = ("ingredient", "reason", "expires", "patient")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_MAX_SIZE = 1 << 20  # bytes: a configuration file is a few lines; anything this large is not one

E = TypeVar("E", FailOn, OutputFormat)


class Config(NamedTuple):
    """What a configuration file says (every field None or empty when it does not say, or there is none)."""

    path: str | None = None  # the file read
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    fail_on: FailOn | None = None
    output_format: OutputFormat | None = None
    kb_files: tuple[str, ...] = ()  # resolved against the file's folder
    ignores: tuple[Ignore, ...] = ()


def user_config_dir() -> Path | None:
    """The user's configuration folder for rlsmed, as the platform places it (None without a home)."""
    if sys.platform == "win32":
        base = os.environ.get("APPDATA")
        return Path(base) / "rlsmed" if base else None
    try:
        home = Path.home()
    except RuntimeError:
        home = None
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "rlsmed" if home else None
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "rlsmed"
    return home / ".config" / "rlsmed" if home else None


def find_config(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The configuration file that applies in `start` (default: the current folder): rlsmed.toml there or in
    the nearest parent, else in the user's configuration folder; None when there is none."""
    folder = Path(start if start is not None else os.getcwd()).absolute()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
    user = user_config_dir()
    if user is not None and (user / CONFIG_NAME).is_file():
        return user / CONFIG_NAME
    return None


def read_config(explicit: str | os.PathLike[str] | None = None, *, search: bool = True) -> Config:
    """The configuration of a run: `explicit` (--config FILE) when given, else the file found from the current
    folder (when `search`), else none."""
    if explicit is not None:
        return load_config(explicit)
    found = find_config() if search else None
    return load_config(found) if found is not None else Config()


def load_config(path: str | os.PathLike[str]) -> Config:
    """A configuration file, checked: ConfigError naming the file and every problem."""
    import tomllib  # only when there is a file to read

    name = os.fspath(path)
    try:
        with open(name, "rb") as file:
            data = file.read(_MAX_SIZE + 1)
    except OSError as e:
        raise ConfigError(f"{name}: {e.strerror or 'cannot be read'}") from None
    if len(data) > _MAX_SIZE:
        raise ConfigError(f"{name}: larger than 1 MiB: not a configuration file")
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{name}: invalid TOML: {e}") from None
    problems: list[str] = []
    config = _config(table, Path(name), problems)
    if problems:
        raise ConfigError(f"{name}: " + "; ".join(problems))
    return config


def _config(table: Mapping[str, Any], path: Path, problems: list[str]) -> Config:
    for key in table:
        if key not in _KEYS:
            problems.append(f"unknown key {key!r} (known: {', '.join(_KEYS)})")
    country = _text(table, "country", problems)
    if country is not None and not _COUNTRY.fullmatch(country):
        problems.append(f"country {country!r}: a two-letter ISO 3166 code (GB, US, DE ...)")
        country = None
    fail_on = _choice(table, "fail-on", FailOn, problems)
    fmt = _choice(table, "format", OutputFormat, problems)
    kb = table.get("kb", [])
    if isinstance(kb, str):
        kb = [kb]
    if not isinstance(kb, list) or not all(isinstance(k, str) and k for k in kb):
        problems.append("kb: a file name, or a list of file names")
        kb = []
    folder = path.parent
    kb_files = tuple(os.fspath(folder / Path(k).expanduser()) for k in kb)
    entries = table.get("ignore", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append("ignore: [[ignore]] tables, each with an ingredient and a reason")
        entries = []
    ignores = tuple(
        ignore for n, entry in enumerate(entries, 1) if (ignore := _ignore(entry, n, path.name, problems)) is not None
    )
    return Config(os.fspath(path), country.upper() if country else None, fail_on, fmt, kb_files, ignores)


def _ignore(entry: Mapping[str, Any], n: int, origin: str, problems: list[str]) -> Ignore | None:
    where = f"ignore {n}"
    before = len(problems)
    for key in entry:
        if key not in _IGNORE_KEYS:
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(_IGNORE_KEYS)})")
    ingredient = _text(entry, "ingredient", problems, where=where)
    reason = _text(entry, "reason", problems, where=where)
    if ingredient is None:
        problems.append(f"{where}: an ingredient is required")
    if reason is None:
        problems.append(f"{where}: a reason is required (it is shown with every ignored finding)")
    expires = entry.get("expires")
    if isinstance(expires, str):
        with contextlib.suppress(ValueError):  # left a string: reported below
            expires = dt.date.fromisoformat(expires)
    if isinstance(expires, dt.datetime) or not (expires is None or isinstance(expires, dt.date)):
        problems.append(f"{where}: expires: a date, as 2027-06-30")
        expires = None
    patient = entry.get("patient")
    if isinstance(patient, int) and not isinstance(patient, bool):
        patient = str(patient)
    if patient is not None and not (isinstance(patient, str) and patient.strip()):
        problems.append(f"{where}: patient: a patient id, as the input gives it")
        patient = None
    if len(problems) > before or ingredient is None or reason is None:
        return None
    return Ignore(ingredient, reason, expires, patient, origin)


def _text(table: Mapping[str, Any], key: str, problems: list[str], *, where: str = "") -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        problems.append(f"{where + ': ' if where else ''}{key}: a line of text")
        return None
    return value.strip()


def _choice(table: Mapping[str, Any], key: str, choices: type[E], problems: list[str]) -> E | None:
    value = table.get(key)
    if value is None:
        return None
    try:
        return choices(value)
    except ValueError:
        problems.append(f"{key} {value!r}: one of {', '.join(c.value for c in choices)}")
        return None
