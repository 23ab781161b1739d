"""`rlsmed explain` and `rlsmed kb validate | list | search`: the knowledge base, looked up and checked."""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ExitCode, KnowledgeBaseError
from .app import ConfigOption, KbOption, NoConfigOption, app, configuration, kb_app, kb_files
from .handling import handled, say
from .streams import isatty, stdout

__all__ = ["explain", "kb_list", "kb_search", "kb_validate"]


@app.command()
@handled
def explain(
    name: Annotated[str, typer.Argument(help="A drug name: generic, brand, synonym, or a misspelling.")],
    kb: KbOption = None,
    config: ConfigOption = None,
    no_config: NoConfigOption = False,
) -> None:
    """Show what the knowledge base says about a drug, with its sources."""
    from ..engine import engine
    from ..explain import explain as explain_name

    stdout().write(explain_name(name, engine(kb_files(kb, configuration(config, no_config)))))


@kb_app.command("validate")
@handled
def kb_validate(
    files: Annotated[list[Path], typer.Argument(help="Knowledge-base files to check.", metavar="FILE...")],
) -> None:
    """Check knowledge-base files; list every problem, each naming its entry."""
    from ..kb import validate_file

    out = stdout()
    bad = 0
    for path in files:
        problems = validate_file(path)
        if problems and not path.is_file():  # missing, or a directory: one line, as with --kb
            bad += 1
            say(f"rlsmed: {path}: {problems[-1]}")
            continue
        if problems:
            bad += 1
            noun = "problem" if len(problems) == 1 else "problems"
            say(f"{path}: invalid ({len(problems)} {noun})", *KnowledgeBaseError(str(path), problems).lines())
        else:
            out.write(f"{path}: valid\n")
    raise typer.Exit(int(ExitCode.ERROR if bad else ExitCode.OK))


class ListFormat(str, Enum):
    TABLE = "table"
    JSON = "json"


@kb_app.command("list")
@handled
def kb_list(
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Listing format.")] = ListFormat.TABLE,
    kb: KbOption = None,
    config: ConfigOption = None,
    no_config: NoConfigOption = False,
) -> None:
    """List every knowledge-base entry with its class, effect and evidence."""
    from ..engine import engine
    from ..explain import listing

    out = stdout()
    out.write(listing(engine(kb_files(kb, configuration(config, no_config))).kb, fmt.value, color=isatty(out)))


@kb_app.command("search")
@handled
def kb_search(
    text: Annotated[str, typer.Argument(help="Text to look for in names, classes and rationales.")],
    kb: KbOption = None,
    config: ConfigOption = None,
    no_config: NoConfigOption = False,
) -> None:
    """Find knowledge-base entries by name, class or wording."""
    from ..engine import engine
    from ..explain import listing, search

    knowledge = engine(kb_files(kb, configuration(config, no_config))).kb
    found = search(text, knowledge)
    if not found:
        say(f"rlsmed: no knowledge-base entry mentions '{text}'")
        return
    out = stdout()
    out.write(listing(knowledge, "table", only=found, color=isatty(out)))
