"""What every response of the server shares: security headers, a limit on request bodies, an access log
that holds no health data, and errors that never quote one.

Pure ASGI middleware (no response is buffered), and responses made here with the headers they need.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..writers.safety import printable
from .refused import Refused

__all__ = ["AccessLog", "BodyLimit", "BodyTooLarge", "SecurityHeaders", "guarded", "html", "json_response"]

# Every response: nothing loads from anywhere, nothing runs, nothing frames it; HTML pages add the
# hashes of their own style sheets (`html`).
_CSP = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)


class BodyTooLarge(Exception):
    """A request body over the limit (raised while it is read)."""


class _Middleware:
    """ASGI middleware for HTTP requests (`http`); anything else (lifespan) passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.http(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class SecurityHeaders(_Middleware):
    """Adds the security headers to every response, and the strict Content-Security-Policy where the
    response has none of its own."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                csp = [v for k, v in message.get("headers", []) if k.lower() == b"content-security-policy"]
                headers += [*_HEADERS, (b"content-security-policy", csp[0] if csp else _CSP.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_OURS = frozenset({k for k, _ in _HEADERS} | {b"content-security-policy"})


class BodyLimit(_Middleware):
    """Refuses a request whose body is over `limit` bytes: at once when Content-Length says so, else
    (raising BodyTooLarge from `receive`) as soon as the body read grows past it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        super().__init__(app)
        self.limit = limit

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        for key, value in scope.get("headers", []):
            if key == b"content-length" and (not value.isdigit() or int(value) > self.limit):
                await too_large(self.limit)(scope, receive, send)
                return
        size = 0

        async def limited() -> Message:
            nonlocal size
            message = await receive()
            size += len(message.get("body", b""))
            if size > self.limit:
                raise BodyTooLarge
            return message

        await self.app(scope, limited, send)


def too_large(limit: int) -> Response:
    return json_response({"error": f"the request body is over the limit of {limit:,} bytes"}, 413)


class AccessLog(_Middleware):
    """One line on stderr per request: method, path (never the query string or the body), status and
    time. Paths name services and drugs in the knowledge base, never a patient's list."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        start = time.perf_counter()
        status = 0

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            ms = (time.perf_counter() - start) * 1000
            log(f"{scope['method']} {printable(scope['path'])[:200]} {status or '-'} {ms:.1f} ms")


def log(line: str) -> None:
    """A line on stderr, best effort (a closed stderr is no error)."""
    try:
        sys.stderr.write(f"rlsmed: {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def json_response(value: Any, status: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status, media_type="application/json")


def html(page: str, status: int = 200) -> Response:
    """An HTML page whose Content-Security-Policy allows its own style sheets (by their hashes) and
    nothing else: no script, no inline style attribute, nothing loaded from elsewhere."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in dict.fromkeys(_STYLE.findall(page))
    )
    csp = _CSP + (f"; style-src {hashes}" if hashes else "")
    return Response(page, status, media_type="text/html", headers={"content-security-policy": csp})


Endpoint = Callable[[Request], Awaitable[Response]]


def guarded(error: Callable[[Request, int, str], Response]) -> Callable[[Endpoint], Endpoint]:
    """An endpoint whose failures become `error(request, status, reason)`: a refusal its own status, a body over the
    limit 413, anything unexpected 500, logged by its type alone (a message could quote the data). With
    `debug` (the command line's --debug) the traceback is printed as well."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def run(request: Request) -> Response:
            try:
                return await endpoint(request)
            except Refused as e:
                response = error(request, e.status, e.reason)
                if e.status == 401:
                    response.headers["www-authenticate"] = "Bearer"
                return response
            except BodyTooLarge:
                return error(
                    request, 413, f"the request body is over the limit of {request.app.state.max_body:,} bytes"
                )
            except Exception as e:
                if request.app.state.debug:
                    import traceback

                    traceback.print_exc()
                log(f"internal error ({type(e).__name__}) in {request.method} {printable(request.url.path)[:200]}")
                return error(request, 500, "internal error")

        return run

    return decorate
