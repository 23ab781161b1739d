"""The Typer application: the root command and its options, and the options several commands share."""

# No `from __future__ import annotations` in the command modules: Typer would have to evaluate every
# annotation as a string on each start, which costs more than evaluating them once at import.
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from .. import __version__
from .handling import debug

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["ConfigOption", "KbOption", "NoConfigOption", "app", "configuration", "kb_app", "kb_files"]

# Commands whose options are built, and whose module is imported, only when they run or help lists
# them: every other command starts as fast as if they did not exist. Each module has a one-command
# Typer app named `command`.
_LAZY = {"serve": "rlsmed.cli.serve"}


class _Commands(TyperGroup):
    """The root group, with the commands of _LAZY added when first asked for."""

    # Context and Command are Click's, which Typer vendors: typed Any here, so as not to name its modules.
    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in _LAZY and cmd_name not in self.commands:
            module = importlib.import_module(_LAZY[cmd_name])
            self.add_command(typer.main.get_command(module.command), cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in _LAZY if name not in self.commands)]


app = typer.Typer(
    cls=_Commands,
    name="rlsmed",
    help="Screen a medication list for drugs that may provoke or worsen restless legs syndrome (RLS).",
    epilog="Start with: rlsmed check meds.txt (or paste a list: rlsmed check). Each command's --help has examples.",
    add_completion=True,  # --install-completion, --show-completion (bash, zsh, fish, PowerShell)
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
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Read this configuration file instead of the rlsmed.toml found.", metavar="FILE"),
]
NoConfigOption = Annotated[bool, typer.Option("--no-config", help="Read no configuration file.")]


def configuration(config: Path | None, no_config: bool) -> "Config":
    """The configuration of a command: --config FILE, else the rlsmed.toml found (none with --no-config)."""
    from ..config import read_config

    return read_config(config, search=not no_config)


def kb_files(kb: list[Path] | None, config: "Config | None" = None) -> tuple[str, ...]:
    """The knowledge-base files of a command as the library takes them: the configuration's, then --kb's."""
    return (*(config.kb_files if config is not None else ()), *(str(p) for p in kb or ()))


def _version(value: bool) -> None:
    if value:
        from ..kb import load_knowledge_base

        kb = load_knowledge_base()
        typer.echo(f"rlsmed {__version__} (knowledge base {kb.version}, {kb.updated})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and the knowledge base's."
        ),
    ] = False,
    debug_: Annotated[bool, typer.Option("--debug", help="Show full tracebacks (for developers).")] = False,
) -> None:
    """Screen a medication list for drugs that may provoke or worsen restless legs syndrome (RLS)."""
    debug(debug_)
