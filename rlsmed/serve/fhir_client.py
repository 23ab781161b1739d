"""Searches of the CDS client's FHIR server, when a call brings no prefetched data but gives `fhirServer`
and `fhirAuthorization`: the only network requests rlsmed ever makes, and only then.

The token goes to that server alone: redirects are not followed, and pages of results are fetched only
from under the same base URL. Plain http is refused except to this machine (tests, a local sandbox).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from ..readers.fhir_json import Json, kind_of, objs, string_of
from .config import local_url

__all__ = ["FhirAccess", "FhirUnavailable", "search"]

TIMEOUT = 5.0  # seconds for each request; a CDS call is expected to answer within a few
MAX_PAGES = 10  # pages of one search followed
MAX_PAGE_BYTES = 16 << 20


class FhirUnavailable(Exception):
    """The FHIR server could not give the data (the reason names no patient data)."""


class FhirAccess(NamedTuple):
    """Where and how to search: the CDS client's FHIR base URL and the bearer token it gave for the call."""

    server: str
    token: str

    def usable(self) -> str:
        """Why this server may not be searched ("" when it may)."""
        parts = urlsplit(self.server)
        if parts.scheme == "https" and parts.hostname:
            return ""
        if parts.scheme == "http" and local_url(self.server):
            return ""
        return "fhirServer must be an https URL"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx becomes an error: the token never follows a redirect elsewhere


_OPENER = urllib.request.build_opener(_NoRedirects())


def search(access: FhirAccess, query: str) -> list[Json]:
    """The resources a search finds (`query` is relative, e.g. "Condition?patient=123"), every page."""
    reason = access.usable()
    if reason:
        raise FhirUnavailable(reason)
    base = access.server.rstrip("/") + "/"
    url = base + query
    found: list[Json] = []
    for _ in range(MAX_PAGES):
        bundle = _get(url, access.token)
        if kind_of(bundle) == "OperationOutcome":
            raise FhirUnavailable("the FHIR server answered with an OperationOutcome")
        if kind_of(bundle) != "Bundle":
            raise FhirUnavailable("the FHIR server's answer is not a Bundle")
        found += [r for e in objs(bundle.get("entry")) if isinstance(r := e.get("resource"), dict)]
        url = next((string_of(x.get("url")) for x in objs(bundle.get("link")) if x.get("relation") == "next"), "")
        if not url:
            return found
        if not url.startswith(base):
            raise FhirUnavailable("the FHIR server's next page is not under its base URL")
    return found


def _get(url: str, token: str) -> Json:
    request = urllib.request.Request(
        url, headers={"Accept": "application/fhir+json", "Authorization": f"Bearer {token}"}
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            data = response.read(MAX_PAGE_BYTES + 1)
    except urllib.error.HTTPError as e:
        raise FhirUnavailable(f"the FHIR server answered {e.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or type(e).__name__
        raise FhirUnavailable(f"the FHIR server could not be reached ({reason})") from None
    if len(data) > MAX_PAGE_BYTES:
        raise FhirUnavailable("the FHIR server's answer is too large")
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        raise FhirUnavailable("the FHIR server's answer is not JSON") from None
    if not isinstance(value, dict):
        raise FhirUnavailable("the FHIR server's answer is not a FHIR resource")
    return value
