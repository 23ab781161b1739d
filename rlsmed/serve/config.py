"""The settings of `rlsmed serve`, checked: where it listens, whom it trusts, and what it answers.

Free of the server stack's imports, so that a refused configuration is reported before anything heavy
is loaded (and without the optional extra).
"""

from __future__ import annotations

import ipaddress
import os
from typing import NamedTuple
from urllib.parse import urlsplit

from ..countries import country_code
from ..errors import UsageError

__all__ = ["DEFAULT_MAX_BODY", "ServeConfig", "is_loopback", "local_url"]

DEFAULT_MAX_BODY = 5 << 20  # bytes: a medication list, or a CDS Hooks call with its prefetched resources


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach: 127.0.0.0/8, ::1, or the name localhost."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


def local_url(url: str) -> bool:
    """True for an http(s) URL on this machine (plain http is let through only to such an address)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and is_loopback(parts.hostname or "")


class ServeConfig(NamedTuple):
    """How `rlsmed serve` runs. Without `issuers`, callers are not verified, which only loopback allows."""

    host: str = "127.0.0.1"
    port: int = 8000
    kb_files: tuple[str, ...] = ()
    country: str = ""  # ISO 3166-1 code of the site's market ("" for every market), as `check --country`
    every_patient: bool = False  # cards whether or not RLS is on the problem list
    public_url: str = ""  # the base URL callers use (https://cds.example.org); the JWT audience is built on it
    issuers: tuple[str, ...] = ()  # JWT issuers trusted (`iss`)
    jwks: tuple[str, ...] = ()  # their public keys: JWK Set files or https URLs
    certfile: str = ""  # TLS, when the service is not behind a proxy that provides it
    keyfile: str = ""
    cors_origins: tuple[str, ...] = ()  # browser-based CDS clients allowed to call
    max_body: int = DEFAULT_MAX_BODY
    access_log: bool = True  # one line per request: method, path (never a query or body), status, time

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def verifies_callers(self) -> bool:
        return bool(self.issuers)

    @property
    def page(self) -> bool:
        """The pharmacists' page is served on loopback only: a browser cannot present a CDS client's JWT."""
        return self.loopback

    @property
    def base_url(self) -> str:
        """The service's base URL, without a trailing slash ("" when it is taken from each request)."""
        return self.public_url.rstrip("/")

    def checked(self) -> ServeConfig:
        """This configuration, or UsageError saying (in one line) what is missing or wrong."""
        if self.country:
            try:
                code = country_code(self.country)
            except ValueError as e:
                raise UsageError(f"--country {e}") from None
            if code != self.country:
                return self._replace(country=code).checked()
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port {self.port}: must be from 0 to 65535")
        if self.max_body < 1024:
            raise UsageError("--max-body must be at least 1 KB")
        if bool(self.issuers) != bool(self.jwks):
            raise UsageError("--issuer and --jwks go together: the issuers trusted, and where their keys are")
        if self.issuers and not self.public_url:
            raise UsageError("--issuer needs --public-url: the JWT audience is the service's URL as callers use it")
        if self.public_url:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise UsageError(f"--public-url {self.public_url}: give the base URL, e.g. https://cds.example.org")
            if parts.scheme == "http" and not is_loopback(parts.hostname):
                raise UsageError(f"--public-url {self.public_url}: must be https (CDS Hooks calls carry health data)")
        for source in self.jwks:
            if "://" in source:
                if urlsplit(source).scheme != "https" and not local_url(source):
                    raise UsageError(f"--jwks {source}: a URL must be https")
            elif not os.path.isfile(source):
                raise UsageError(f"--jwks {source}: no such file")
        if bool(self.certfile) != bool(self.keyfile):
            raise UsageError("--certfile and --keyfile go together")
        for name, path in (("--certfile", self.certfile), ("--keyfile", self.keyfile)):
            if path and not os.path.isfile(path):
                raise UsageError(f"{name} {path}: no such file")
        for origin in self.cors_origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
                raise UsageError(f"--cors-origin {origin}: give an origin, e.g. https://sandbox.example.org")
        if not self.loopback and not self.verifies_callers:
            raise UsageError(
                f"--host {self.host} is not a loopback address: callers must then be verified; give --issuer, "
                "--jwks and --public-url (README, 'Point of care')"
            )
        return self
