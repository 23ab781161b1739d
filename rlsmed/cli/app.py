"""The Typer application: the root command and its options, and the options several commands share."""

# No `from __future__ import annotations` in the command modules: Typer would have to evaluate every
# annotation as a string on each start, which costs more than evaluating them once at import.
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from .handling import debug

__all__ = ["KbOption", "app", "kb_app", "kb_files"]

app = typer.Typer(
    name="rlsmed",
    help="Screen a medication list for drugs that may provoke or worsen restless legs syndrome (RLS).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,  # locals would be a patient's medication list
    context_settings={"help_option_names": ["-h", "--help"]},
)
kb_app = typer.Typer(help="Inspect and validate knowledge bases.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")

KbOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--kb",
        help="A site knowledge-base file to add on top of the shipped one (repeatable).",
        metavar="FILE",
    ),
]


def kb_files(kb: list[Path] | None) -> tuple[str, ...]:
    """The --kb files as the library takes them."""
    return tuple(str(p) for p in kb or ())


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rlsmed {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug_: Annotated[bool, typer.Option("--debug", help="Show full tracebacks (for developers).")] = False,
) -> None:
    """Screen a medication list for drugs that may provoke or worsen restless legs syndrome (RLS)."""
    debug(debug_)
