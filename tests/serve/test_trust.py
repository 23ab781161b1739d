"""Trusting CDS clients: JWT bearer tokens checked as CDS Hooks 2.0 asks (issuer, keys, audience,
expiry, jti), and a service that refuses to listen beyond loopback without them."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rlsmed.errors import UsageError
from rlsmed.serve.config import ServeConfig, is_loopback
from rlsmed.serve.refused import Refused

from ..helpers import run_cli
from .conftest import RLS, SERTRALINE_ORDER, JsonServer, Server, bundle, call, write_json

jwt = pytest.importorskip("jwt", reason="the jwt extra is not installed")
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402  (after the extra is known to be there)

ISSUER = "https://ehr.example.org/"
PUBLIC = "https://cds.example.org"
KID = "ehr-2026"


class Client:
    """A CDS client's signing key, and the JWTs it would send."""

    def __init__(self, kid: str = KID) -> None:
        self.key = ec.generate_private_key(ec.SECP384R1())
        self.kid = kid

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "ES384"}]}

    def token(self, aud: str | list[str], *, header: dict[str, Any] | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": aud, "exp": now + 300, "iat": now, "jti": str(uuid.uuid4()), **claims}
        payload = {k: v for k, v in payload.items() if v is not None}
        headers = {"kid": self.kid, "typ": "JWT", **(header or {})}
        return str(jwt.encode(payload, self.key, algorithm="ES384", headers=headers))


@pytest.fixture(scope="module")
def client() -> Client:
    return Client()


@pytest.fixture(scope="module")
def jwks_file(client: Client, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_json(tmp_path_factory.mktemp("keys") / "jwks.json", client.jwks())


@pytest.fixture(scope="module")
def trusted(jwks_file: Path) -> Iterator[Server]:
    running = Server(["--issuer", ISSUER, "--jwks", str(jwks_file), "--public-url", PUBLIC])
    yield running
    running.client.close()
    running.stop()


def _verify(jwks_file: Path, authorization: str, audience: str = f"{PUBLIC}/cds-services") -> None:
    from rlsmed.serve.trust import Trust

    asyncio.run(Trust((ISSUER,), (str(jwks_file),)).verify(authorization, audience))


def test_a_valid_token_is_accepted(client: Client, jwks_file: Path) -> None:
    _verify(jwks_file, f"Bearer {client.token(f'{PUBLIC}/cds-services')}")
    _verify(jwks_file, f"Bearer {client.token([f'{PUBLIC}/cds-services'])}")  # aud may be an array


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"aud": f"{PUBLIC}/cds-services/other"}, "aud must be"),
        ({"iss": "https://elsewhere.example.org/"}, "issuer is not one"),
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"exp": int(time.time()) + 86400}, "lives too long"),
        ({"iat": int(time.time()) + 3600}, "issued in the future"),
        ({"jti": None}, "no jti claim"),
        ({"header": {"kid": "unknown"}}, "kid is not a key"),
        ({"header": {"jku": "https://attacker.example/jwks"}}, "jku is not a JWK Set"),
        ({"header": {"typ": "at+jwt"}}, "typ must be JWT"),
    ],
)
def test_tokens_that_fail_a_check_are_refused(
    client: Client, jwks_file: Path, change: dict[str, Any], reason: str
) -> None:
    header = change.pop("header", None)
    token = client.token(change.pop("aud", f"{PUBLIC}/cds-services"), header=header, **change)
    with pytest.raises(Refused, match=reason) as refused:
        _verify(jwks_file, f"Bearer {token}")
    assert refused.value.status == 401


def test_unsigned_symmetric_and_foreign_tokens_are_refused(client: Client, jwks_file: Path) -> None:
    claims = {
        "iss": ISSUER,
        "aud": f"{PUBLIC}/cds-services",
        "exp": int(time.time()) + 60,
        "iat": int(time.time()),
        "jti": "x",
    }
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": KID})
    hmac = jwt.encode(claims, "a shared secret, long enough for HMAC-SHA256", algorithm="HS256", headers={"kid": KID})
    forged = Client().token(f"{PUBLIC}/cds-services")  # the right kid, another key
    for token, reason in ((unsigned, "asymmetric"), (hmac, "asymmetric"), (forged, "signature"), ("abc", "not a JWT")):
        with pytest.raises(Refused, match=reason):
            _verify(jwks_file, f"Bearer {token}")
    with pytest.raises(Refused, match="Bearer JWT is required"):
        _verify(jwks_file, f"Basic {client.token(f'{PUBLIC}/cds-services')}")


def test_a_token_is_accepted_once(client: Client, jwks_file: Path) -> None:
    from rlsmed.serve.trust import Trust

    trust = Trust((ISSUER,), (str(jwks_file),))
    token = f"Bearer {client.token(f'{PUBLIC}/cds-services')}"
    asyncio.run(trust.verify(token, f"{PUBLIC}/cds-services"))
    with pytest.raises(Refused, match="used before"):
        asyncio.run(trust.verify(token, f"{PUBLIC}/cds-services"))


def test_a_server_verifies_every_call(trusted: Server, client: Client) -> None:
    refused = trusted.client.get("/cds-services")
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert "Bearer JWT is required" in refused.json()["error"]
    auth = {"Authorization": f"Bearer {client.token(f'{PUBLIC}/cds-services')}"}
    assert trusted.client.get("/cds-services", headers=auth).status_code == 200
    assert trusted.client.get("/cds-services", headers=auth).status_code == 401  # replayed
    path = "/cds-services/rlsmed-order-sign"
    body = call("order-sign-r4", SERTRALINE_ORDER, conditions=bundle(RLS))
    wrong = {"Authorization": f"Bearer {client.token(f'{PUBLIC}/cds-services')}"}  # discovery's audience
    assert trusted.client.post(path, json=body, headers=wrong).status_code == 401
    right = {"Authorization": f"Bearer {client.token(f'{PUBLIC}{path}')}"}
    response = trusted.client.post(path, json=body, headers=right)
    assert response.status_code == 200
    [card] = response.json()["cards"]
    assert card["links"][0]["url"] == f"{PUBLIC}/kb/sertraline"  # links use the public URL


def test_feedback_is_verified_too(trusted: Server, client: Client) -> None:
    path = "/cds-services/rlsmed-order-sign/feedback"
    feedback = {"feedback": [{"card": "c", "outcome": "overridden", "outcomeTimestamp": "2026-12-02T10:00:00Z"}]}
    assert trusted.client.post(path, json=feedback).status_code == 401
    for aud in (f"{PUBLIC}{path}", f"{PUBLIC}/cds-services/rlsmed-order-sign"):
        auth = {"Authorization": f"Bearer {client.token(aud)}"}
        assert trusted.client.post(path, json=feedback, headers=auth).status_code == 200


def test_https_with_a_certificate(tmp_path: Path) -> None:
    import datetime as dt
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    trusting = ssl.create_default_context(cafile=str(certfile))
    with Server(["--certfile", str(certfile), "--keyfile", str(keyfile)], verify=trusting) as running:
        assert running.url.startswith("https://127.0.0.1:")
        assert running.client.get("/cds-services").status_code == 200


def test_the_page_is_served_on_loopback_even_with_verified_callers(trusted: Server) -> None:
    assert trusted.client.get("/").status_code == 200


def test_keys_from_a_jwks_url(client: Client) -> None:
    keys = JsonServer(client.jwks())
    not_keys = JsonServer({"resourceType": "Bundle"})
    try:
        with Server(["--issuer", ISSUER, "--jwks", f"{keys.url}/jwks.json", "--public-url", PUBLIC]) as running:
            auth = {"Authorization": f"Bearer {client.token(f'{PUBLIC}/cds-services')}"}
            assert running.client.get("/cds-services", headers=auth).status_code == 200
        # A JWK Set URL that gives no keys stops the service from starting.
        result = run_cli(["serve", "--issuer", ISSUER, "--jwks", not_keys.url, "--public-url", PUBLIC])
        assert result.exit_code == 2 and "not a JWK Set" in result.stderr
    finally:
        keys.close()
        not_keys.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.9.9", "::1", "[::1]", "localhost"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "cds.example.org", ""])
def test_other_addresses_need_verified_callers(host: str, jwks_file: Path) -> None:
    assert not is_loopback(host)
    with pytest.raises(UsageError, match="not a loopback address"):
        ServeConfig(host=host).checked()
    ServeConfig(host=host, issuers=(ISSUER,), jwks=(str(jwks_file),), public_url=PUBLIC).checked()
    assert not ServeConfig(host=host, issuers=(ISSUER,), jwks=(str(jwks_file),), public_url=PUBLIC).page


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (ServeConfig(issuers=(ISSUER,)), "--issuer and --jwks go together"),
        (ServeConfig(issuers=(ISSUER,), jwks=("keys.json",), public_url=PUBLIC), "no such file"),
        (ServeConfig(issuers=(ISSUER,), jwks=("http://keys.example.org/jwks",), public_url=PUBLIC), "must be https"),
        (ServeConfig(public_url="http://cds.example.org"), "must be https"),
        (ServeConfig(public_url="cds.example.org"), "give the base URL"),
        (ServeConfig(certfile="cert.pem"), "go together"),
        (ServeConfig(cors_origins=("*",)), "give an origin"),
        (ServeConfig(country="UK"), "did you mean GB"),
    ],
)
def test_configurations_that_cannot_work_are_refused(config: ServeConfig, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        config.checked()


def test_the_command_refuses_a_public_address_in_one_line() -> None:
    result = run_cli(["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "not a loopback address" in result.stderr and "--issuer" in result.stderr
