"""How the report looks where it goes: its format (from --format, or the --output file's extension), colour
(--color, NO_COLOR, FORCE_COLOR, a terminal) and width (--width, the terminal's, COLUMNS, else 80)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from enum import Enum
from typing import TextIO

from ..errors import UsageError
from ..formats import PLAIN_TEXT, OutputFormat, format_of_name
from .streams import isatty

__all__ = ["Color", "report_format", "use_color", "width_for"]


class Color(str, Enum):
    """--color: auto (on a terminal, unless NO_COLOR; or when FORCE_COLOR), always, never."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def use_color(choice: Color, stream: TextIO | None, env: Mapping[str, str] = os.environ) -> bool:
    """Whether the report is coloured: --color always or never first; then NO_COLOR (when not empty, as
    no-color.org says) turns it off and FORCE_COLOR turns it on through a pipe (`| less -R`); else only on a
    terminal that is not "dumb"."""
    if choice is not Color.AUTO:
        return choice is Color.ALWAYS
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    return isatty(stream) and env.get("TERM") != "dumb"


def width_for(width: int | None, stream: TextIO | None) -> int | None:
    """The table's width: --width; else a terminal's own width; None otherwise (the writer then takes
    COLUMNS, or 80: a pipe's reader may be a pager of any width, and 80 is the width text files keep)."""
    if width is not None or not isatty(stream):
        return width
    return shutil.get_terminal_size((80, 24)).columns


def report_format(fmt: OutputFormat | None, output: str | None, default: OutputFormat | None) -> OutputFormat:
    """The report's format: --format; else what --output's extension names (report.json: JSON); else the
    configuration's; else the table. A --format that contradicts the extension is refused (a .txt file takes
    any format)."""
    if output is None:
        return fmt or default or OutputFormat.TABLE
    named = format_of_name(output)
    if fmt is None:
        return named or default or OutputFormat.TABLE
    if named is not None and named is not fmt and not output.lower().endswith(PLAIN_TEXT):
        raise UsageError(
            f"--output {output}: the name says {named.value}, but --format says {fmt.value}; "
            f"give a name ending {_extension(fmt)} or leave out --format"
        )
    return fmt


def _extension(fmt: OutputFormat) -> str:
    return {OutputFormat.TABLE: ".txt", OutputFormat.MARKDOWN: ".md"}.get(fmt, f".{fmt.value}")
