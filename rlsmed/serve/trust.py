"""Trusting CDS clients (CDS Hooks 2.0): every call carries a JWT signed by the client, which the service
verifies before it reads anything else.

Checked: an asymmetric algorithm (never `none` or HMAC), a key from the configured JWK Sets (found by
`kid`; a `jku` header must name one of them, since no other URL is ever fetched), a trusted issuer, the
audience (the URL the client called), expiry and issue time, and a `jti` never seen before while the
token lives. Verified with PyJWT (the `jwt` extra).
"""

from __future__ import annotations

import asyncio
import heapq
import json
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .refused import Refused

if TYPE_CHECKING:
    import jwt

__all__ = ["ALGORITHMS", "Trust"]

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY = 30  # seconds of clock difference allowed
MAX_LIFETIME = 3600  # seconds: a token living longer is refused (replay protection holds jti that long)
MAX_SEEN = 1_000_000  # jti values held at once
REFRESH_AFTER = 60  # seconds between fetches of a JWK Set URL for a key not yet seen
_JWKS_BYTES = 1 << 20


def _unauthorized(reason: str) -> Refused:
    return Refused(401, reason)


class Trust:
    """The issuers trusted and their keys; `verify` checks one call's Authorization header."""

    def __init__(self, issuers: tuple[str, ...], sources: tuple[str, ...]) -> None:
        try:
            import jwt
        except ImportError:
            raise UsageError("verifying callers needs the jwt extra: pip install 'rlsmed[serve,jwt]'") from None
        self._jwt = jwt
        self.issuers = frozenset(issuers)
        self.sources = sources
        self._urls = frozenset(s for s in sources if "://" in s)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched = 0.0
        self._seen: dict[str, float] = {}  # jti -> when it may be forgotten
        self._expiry: list[tuple[float, str]] = []
        self.load()

    def load(self) -> None:
        """Read every JWK Set (UsageError when one cannot be read: the service must not start without it)."""
        keys: dict[str, jwt.PyJWK] = {}
        for source in self.sources:
            for key in self._key_set(source).keys:
                if key.key_id:
                    keys.setdefault(key.key_id, key)
        if not keys:
            raise UsageError("--jwks: no usable signing key with a kid in the JWK Sets given")
        self._keys = keys
        self._fetched = time.monotonic()

    def _key_set(self, source: str) -> jwt.PyJWKSet:
        try:
            if "://" in source:
                with urllib.request.urlopen(source, timeout=10) as response:  # https (or loopback), checked in config
                    data = response.read(_JWKS_BYTES)
            else:
                with open(source, "rb") as f:
                    data = f.read(_JWKS_BYTES)
            return self._jwt.PyJWKSet.from_dict(json.loads(data))
        except (OSError, urllib.error.URLError, ValueError, self._jwt.PyJWTError) as e:
            raise UsageError(f"--jwks {source}: not a JWK Set that can be read ({type(e).__name__})") from None

    async def verify(self, authorization: str, audience: str | tuple[str, ...]) -> None:
        """Refused(401) unless `authorization` is "Bearer <JWT>" from a trusted client, for `audience` (or
        one of them)."""
        audiences = (audience,) if isinstance(audience, str) else audience
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("an Authorization: Bearer JWT is required")
        token = token.strip()
        jwt = self._jwt
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _unauthorized("the bearer token is not a JWT") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS:
            raise _unauthorized("the JWT must be signed with an asymmetric algorithm (ES384 or RS384 recommended)")
        if str(header.get("typ", "JWT")).upper() != "JWT":
            raise _unauthorized("the JWT header's typ must be JWT")
        if "jku" in header and header["jku"] not in self._urls:
            raise _unauthorized("the JWT's jku is not a JWK Set this service trusts")
        if not isinstance(kid, str) or not kid:
            raise _unauthorized("the JWT header has no kid")
        key = self._keys.get(kid) or await self._refreshed(kid)
        if key is None:
            raise _unauthorized("the JWT's kid is not a key this service trusts")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=audiences,
                issuer=self.issuers,
                leeway=LEEWAY,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise _unauthorized("the JWT has expired") from None
        except jwt.ImmatureSignatureError:
            raise _unauthorized("the JWT was issued in the future") from None
        except jwt.InvalidAudienceError:
            raise _unauthorized(f"the JWT's aud must be {audiences[0]}") from None
        except jwt.InvalidIssuerError:
            raise _unauthorized("the JWT's issuer is not one this service trusts") from None
        except jwt.MissingRequiredClaimError as e:
            raise _unauthorized(f"the JWT has no {e.claim} claim") from None
        except jwt.PyJWTError:
            raise _unauthorized("the JWT's signature or claims are not valid") from None
        self._once(claims)

    def _once(self, claims: dict[str, Any]) -> None:
        """Replay protection: each jti is accepted once while its token lives."""
        now = time.time()
        jti, exp, iat = claims["jti"], claims["exp"], claims["iat"]
        if not isinstance(jti, str) or not jti:
            raise _unauthorized("the JWT's jti must be a string")
        if not isinstance(iat, (int, float)) or iat > now + LEEWAY:
            raise _unauthorized("the JWT was issued in the future")
        if exp - now > MAX_LIFETIME:
            raise _unauthorized(f"the JWT lives too long (at most {MAX_LIFETIME} seconds are accepted)")
        while self._expiry and self._expiry[0][0] < now:
            _, old = heapq.heappop(self._expiry)
            if self._seen.get(old, now + 1) < now:
                del self._seen[old]
        if jti in self._seen:
            raise _unauthorized("the JWT has been used before (jti)")
        if len(self._seen) >= MAX_SEEN:
            raise Refused(429, "too many calls at once; try again shortly")
        forget = float(exp) + LEEWAY
        self._seen[jti] = forget
        heapq.heappush(self._expiry, (forget, jti))

    async def _refreshed(self, kid: str) -> jwt.PyJWK | None:
        """The key after fetching the JWK Set URLs again (a client's new key), at most once a minute."""
        if not self._urls or time.monotonic() - self._fetched < REFRESH_AFTER:
            return None
        self._fetched = time.monotonic()
        try:
            await asyncio.to_thread(self.load)
        except UsageError:
            return None  # keep the keys known; the call is refused
        return self._keys.get(kid)
