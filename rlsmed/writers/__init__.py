"""Output formats: one writer per module, chosen with --format from the WRITERS registry.

Adding a format is a module with a Writer (see base.py) and one entry here; each module is imported only
when its format is asked for.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

from ..formats import OutputFormat
from .base import RunEnd, Writer

__all__ = ["WRITERS", "OutputFormat", "RunEnd", "Writer", "WriterSpec", "build_writer"]


class WriterSpec(NamedTuple):
    """A format in the registry."""

    writer: str  # "module:Class" in rlsmed.writers, imported when the format is asked for
    styled: bool = False  # its constructor takes `color`, `width` (a terminal's) and `verbose` (-v)


WRITERS: dict[OutputFormat, WriterSpec] = {
    OutputFormat.TABLE: WriterSpec("table:TableWriter", styled=True),
    OutputFormat.JSON: WriterSpec("json:JsonWriter"),
    OutputFormat.JSONL: WriterSpec("jsonl:JsonlWriter"),
    OutputFormat.CSV: WriterSpec("csv:CsvWriter"),
    OutputFormat.MARKDOWN: WriterSpec("markdown:MarkdownWriter"),
    OutputFormat.HTML: WriterSpec("html:HtmlWriter"),
}


def build_writer(
    fmt: OutputFormat | str, *, color: bool = False, width: int | None = None, verbose: bool = False
) -> Writer:
    """The writer for `fmt`; `color`, `width` and `verbose` apply to formats meant for a terminal."""
    spec = WRITERS[OutputFormat(fmt)]
    module, cls = spec.writer.split(":")
    factory = getattr(importlib.import_module(f"{__name__}.{module}"), cls)
    writer: Writer = factory(color=color, width=width, verbose=verbose) if spec.styled else factory()
    return writer
