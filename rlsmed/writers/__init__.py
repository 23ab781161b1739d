"""Output formats: one writer per module, chosen with --format."""

from __future__ import annotations

from ..formats import OutputFormat
from .base import ResultSource, Writer

__all__ = ["OutputFormat", "ResultSource", "Writer", "build_writer"]


def build_writer(fmt: OutputFormat, *, color: bool = False, width: int | None = None) -> Writer:
    """The writer for `fmt`; each module is imported only when its format is asked for."""
    if fmt is OutputFormat.TABLE:
        from .table import TableWriter

        return TableWriter(color=color, width=width)
    if fmt is OutputFormat.JSON:
        from .json import JsonWriter

        return JsonWriter()
    if fmt is OutputFormat.JSONL:
        from .jsonl import JsonlWriter

        return JsonlWriter()
    if fmt is OutputFormat.CSV:
        from .csv import CsvWriter

        return CsvWriter()
    if fmt is OutputFormat.MARKDOWN:
        from .markdown import MarkdownWriter

        return MarkdownWriter()
    raise AssertionError(f"unhandled output format {fmt}")
