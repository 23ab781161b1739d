"""The ASGI application of `rlsmed serve`: routes, and the middleware every response passes through."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute

from .cds import cds_routes
from .config import ServeConfig
from .http import AccessLog, BodyLimit, SecurityHeaders
from .orders import warm
from .page import kb_routes, page_routes
from .trust import Trust

__all__ = ["build_app"]


def build_app(config: ServeConfig, *, debug: bool = False) -> Starlette:
    """The application for a checked configuration, with its knowledge base loaded and its callers' keys
    read (UsageError or KnowledgeBaseError when either cannot be)."""
    config = config.checked()
    trust = Trust(config.issuers, config.jwks) if config.verifies_callers else None
    warm(config.kb_files, config.country)
    routes: list[BaseRoute] = [*cds_routes(), *kb_routes()]
    if config.page:
        routes += page_routes()
    middleware = [Middleware(SecurityHeaders), Middleware(BodyLimit, limit=config.max_body)]
    if config.access_log:
        middleware.insert(0, Middleware(AccessLog))
    if config.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=[o.rstrip("/") for o in config.cors_origins],
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    app = Starlette(routes=routes, middleware=middleware)
    app.state.config = config
    app.state.trust = trust
    app.state.max_body = config.max_body
    app.state.debug = debug
    return app
