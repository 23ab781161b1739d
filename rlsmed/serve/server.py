"""Running the application: the listening socket, Uvicorn, and the lines that say where to find it."""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn

from ..errors import UsageError
from .app import build_app
from .config import ServeConfig

__all__ = ["listen", "run"]


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (port 0: a free one); UsageError when it cannot be had.

    Made as a TCP socket by name (not protocol 0, as socket.create_server makes it): asyncio turns off
    Nagle's algorithm only on such sockets, and with it on, every response would wait 40 ms for the
    client's delayed acknowledgement of its headers before its body is sent."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(1024)
    except OSError as e:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or type(e).__name__}") from None
    return sock


def run(config: ServeConfig, *, debug: bool = False, say: Callable[..., None] = print) -> None:
    """Serve until stopped (Ctrl-C or SIGTERM)."""
    app = build_app(config, debug=debug)
    config = app.state.config
    sock = listen(config.host, config.port)
    host, port = sock.getsockname()[:2]
    scheme = "https" if config.certfile else "http"
    url = f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"
    lines = []
    if config.page:
        lines.append(f"rlsmed: the page is at {url}/")
    lines.append(
        f"rlsmed: CDS Hooks discovery is at {url}/cds-services"
        + (" (callers verified by JWT)" if config.verifies_callers else "")
    )
    if not config.loopback and not config.certfile:
        lines.append("rlsmed: no TLS here: CDS clients must reach this service through an HTTPS proxy")
    lines.append("rlsmed: Ctrl-C stops the server")
    say(*lines)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,  # our own access log holds no query string (rlsmed.serve.http.AccessLog)
            server_header=False,
            lifespan="off",
            timeout_keep_alive=5,
            ssl_certfile=config.certfile or None,
            ssl_keyfile=config.keyfile or None,
        )
    )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
