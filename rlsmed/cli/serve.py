"""`rlsmed serve`: the pharmacists' page and the CDS Hooks service (the optional extra `serve`).

A command of its own Typer app, which the root group adds only when `serve` is run or help lists it
(`app._LAZY`): building its options would otherwise cost every other command's start.
"""

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .app import KbOption, kb_files
from .handling import debug, handled, say

__all__ = ["command", "serve"]

# The modules of the extra: a missing one means the extra is not installed.
_EXTRA = frozenset({"starlette", "uvicorn", "multipart", "python_multipart", "anyio", "h11"})


command = typer.Typer(add_completion=False, pretty_exceptions_enable=False, pretty_exceptions_show_locals=False)


@command.command()
@handled
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; other than loopback needs --issuer.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0: any free port).", min=0, max=65535)] = 8000,
    kb: KbOption = None,
    country: Annotated[
        str | None,
        typer.Option(
            "--country", help="ISO 3166-1 code of the site's market (GB, US ...), as check takes it.", metavar="CC"
        ),
    ] = None,
    every_patient: Annotated[
        bool,
        typer.Option(
            "--every-patient", help="CDS Hooks: cards for every patient, not only those with RLS on the problem list."
        ),
    ] = False,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url", help="The service's base URL as CDS clients call it (the JWT audience).", metavar="URL"
        ),
    ] = None,
    issuer: Annotated[
        list[str] | None,
        typer.Option("--issuer", help="A CDS client's JWT issuer to trust (repeatable).", metavar="ISS"),
    ] = None,
    jwks: Annotated[
        list[str] | None,
        typer.Option(
            "--jwks", help="The issuers' public keys: a JWK Set file or https URL (repeatable).", metavar="FILE|URL"
        ),
    ] = None,
    certfile: Annotated[Path | None, typer.Option("--certfile", help="TLS certificate (PEM).", metavar="FILE")] = None,
    keyfile: Annotated[Path | None, typer.Option("--keyfile", help="TLS private key (PEM).", metavar="FILE")] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin", help="A browser-based CDS client's origin to allow (repeatable).", metavar="ORIGIN"
        ),
    ] = None,
    max_body: Annotated[
        int, typer.Option("--max-body", help="Largest request body accepted, in MB.", min=1, max=1024, metavar="MB")
    ] = 5,
    quiet: Annotated[bool, typer.Option("--quiet", help="No access log.")] = False,
) -> None:
    """Serve the page for pharmacists and the CDS Hooks service for the EHR (the serve extra)."""
    from ..serve.config import ServeConfig

    config = ServeConfig(
        host=host,
        port=port,
        kb_files=kb_files(kb),
        country=country or "",
        every_patient=every_patient,
        public_url=public_url or "",
        issuers=tuple(issuer or ()),
        jwks=tuple(jwks or ()),
        certfile=str(certfile or ""),
        keyfile=str(keyfile or ""),
        cors_origins=tuple(cors_origin or ()),
        max_body=max_body << 20,
        access_log=not quiet,
    ).checked()
    try:
        from ..serve.server import run
    except ImportError as e:
        if (e.name or "").split(".")[0] not in _EXTRA:
            raise
        raise UsageError("rlsmed serve needs its optional extra: pip install 'rlsmed[serve]'") from None
    # Ctrl-C, SIGTERM or SIGHUP: the calls under way are answered, then the run ends as every command
    # stopped by a signal does (exit 130, 143 or 129, and one line).
    run(config, debug=debug(), say=say)
