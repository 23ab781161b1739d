"""A progress bar on stderr while a large input is screened, only when stderr is a terminal."""

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .streams import isatty

if TYPE_CHECKING:
    from ..inputs import Input
    from ..pipeline import Screening

__all__ = ["progress"]

PROGRESS_FROM = 4 << 20  # bytes of input before a progress bar is worth showing


@contextlib.contextmanager
def progress(screening: "Screening", inputs: "list[Input]") -> Iterator[None]:
    total = sum(i.size or 0 for i in inputs)
    if not isatty(sys.stderr) or total < PROGRESS_FROM or any(i.size is None for i in inputs):
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    columns = ("Screening", BarColumn(), DownloadColumn(), TimeRemainingColumn())
    # On a terminal, what is printed to stdout goes above the bar; when stdout is a file or a pipe it
    # must not be redirected, or the report would go to the terminal instead.
    with Progress(
        *columns,
        transient=True,
        console=Console(stderr=True),
        redirect_stdout=isatty(sys.stdout),
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("screening", total=total)
        screening.progress = lambda n: bar.advance(task, n)
        yield
