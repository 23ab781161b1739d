"""Real servers for the tests: `rlsmed serve` started as a user starts it, on a free loopback port, and a
small FHIR server standing in for an EHR's (searches by patient, paging, bearer tokens)."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ..helpers import ROOT

pytest.importorskip("starlette", reason="the serve extra is not installed")
httpx = pytest.importorskip("httpx", reason="httpx (a test dependency) is not installed")

CDS = ROOT / "tests" / "data" / "cds"
STARTED = "CDS Hooks discovery is at "


class Server:
    """`python -m rlsmed serve --port 0 ARGS…` in a process of its own; `log` gathers what it writes on
    stderr (its start lines and access log)."""

    def __init__(self, args: Sequence[str] = (), env: dict[str, str] | None = None, verify: Any = True) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rlsmed", "serve", "--port", "0", *args],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.log: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()
        self.url = self._started()
        self.client = client(self.url, verify)

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log.append(line.rstrip("\n"))
            self._lines.put(line)
        self._lines.put(None)

    def _started(self) -> str:
        while True:
            try:
                line = self._lines.get(timeout=60)
            except queue.Empty:
                self.stop()
                raise RuntimeError("rlsmed serve did not start within 60 s") from None
            if line is None:
                raise RuntimeError("rlsmed serve stopped: " + " | ".join(self.log))
            if STARTED in line:
                return line.split(STARTED, 1)[1].split()[0].removesuffix("/cds-services")

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.stop()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        code = self.process.wait(timeout=30)
        self._drainer.join(timeout=30)
        if self.process.stderr is not None:
            self.process.stderr.close()
        return code


def client(url: str, verify: Any = True) -> Any:
    """An httpx client for `url` that sends small writes at once (no Nagle delay on loopback calls);
    `verify` as httpx takes it (an SSL context that trusts a test's own certificate)."""
    nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    transport = httpx.HTTPTransport(socket_options=nodelay, verify=verify)
    return httpx.Client(base_url=url, timeout=30, transport=transport)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.client.close()
    running.stop()


@pytest.fixture(scope="module")
def every_patient() -> Iterator[Server]:
    running = Server(["--every-patient", "--country", "gb", "--cors-origin", "https://sandbox.example.org", "--quiet"])
    yield running
    running.client.close()
    running.stop()


def example(name: str, **extra: Any) -> dict[str, Any]:
    """A CDS Hooks call around one of HL7's examples (tests/data/cds), with `extra` fields added."""
    value: dict[str, Any] = json.loads((CDS / f"{name}.json").read_text(encoding="utf-8"))
    hook = name.rsplit("-", 1)[0]
    return {"hook": hook, "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", **value, **extra}


def order(text: str, rid: str = "rx-1", *, rxnorm: str = "", status: str = "draft", **fields: Any) -> dict[str, Any]:
    """A draft MedicationRequest (R4) for `text` (and an RxNorm code)."""
    concept: dict[str, Any] = {"text": text}
    if rxnorm:
        concept["coding"] = [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": rxnorm, "display": text}]
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": concept,
        "subject": {"reference": "Patient/1288992"},
        **fields,
    }


def bundle(*resources: dict[str, Any], kind: str = "searchset") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def condition(text: str, *coding: tuple[str, str], status: str = "active") -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "clinicalStatus": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": status}]
        },
        "code": {"text": text, "coding": [{"system": s, "code": c} for s, c in coding]},
        "subject": {"reference": "Patient/1288992"},
    }


SERTRALINE_ORDER = order(
    "sertraline 50 MG Oral Tablet", rxnorm="312941", dosageInstruction=[{"text": "1 tablet daily"}]
)
RLS = condition("Restless legs syndrome", ("http://snomed.info/sct", "32914008"))
PARKINSON = condition("Parkinson's disease", ("http://snomed.info/sct", "49049000"))
HYPERTENSION = condition("Essential hypertension", ("http://snomed.info/sct", "59621000"))


def call(
    name: str, *orders: dict[str, Any], conditions: object = ..., medications: object = ..., **extra: Any
) -> dict[str, Any]:
    """HL7's example `name` with its draft orders replaced by `orders` (kept when none are given), and the
    prefetch given (a `...` key is left out; None is sent as null)."""
    body = example(name, **extra)
    if orders:
        body["context"]["draftOrders"]["entry"] = [{"resource": o} for o in orders]
        if "selections" in body["context"]:
            body["context"]["selections"] = [f"MedicationRequest/{o['id']}" for o in orders]
    prefetch = {k: v for k, v in (("conditions", conditions), ("medications", medications)) if v is not ...}
    if prefetch:
        body["prefetch"] = prefetch
    return body


class LocalServer:
    """An HTTP server on loopback whose GETs `answer(path, headers)` gives: (status, a JSON value)."""

    def __init__(self, answer: Callable[[str, dict[str, str]], tuple[int, object]], prefix: str = "") -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, value = answer(self.path, dict(self.headers))
                body = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{prefix}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class JsonServer(LocalServer):
    """Answers every GET with one JSON document (a JWK Set, say)."""

    def __init__(self, value: object) -> None:
        super().__init__(lambda path, headers: (200, value))


class FakeFhir(LocalServer):
    """A FHIR server that answers Condition and MedicationRequest searches by patient from `resources`,
    `page` resources a page, for one bearer token; it records each request's path and headers."""

    def __init__(self, token: str = "fhir-token") -> None:
        self.token = token
        self.resources: dict[str, list[dict[str, Any]]] = {"Condition": [], "MedicationRequest": []}
        self.page = 50
        self.status = 200
        self.requests: list[tuple[str, dict[str, str]]] = []
        super().__init__(self._answer, "/fhir")

    def _answer(self, path: str, headers: dict[str, str]) -> tuple[int, object]:
        self.requests.append((path, headers))
        kind, _, query = path.removeprefix("/fhir/").partition("?")
        params = dict(p.partition("=")[::2] for p in query.split("&") if p)
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"resourceType": "OperationOutcome"}
        if self.status != 200 or kind not in self.resources or params.get("patient") != "1288992":
            return (self.status if self.status != 200 else 404), {"resourceType": "OperationOutcome"}
        start = int(params.get("_offset", "0"))
        page = bundle(*self.resources[kind][start : start + self.page])
        if start + self.page < len(self.resources[kind]):
            rest = f"{self.url}/{kind}?{query.split('&_offset')[0]}&_offset={start + self.page}"
            page["link"] = [{"relation": "next", "url": rest}]
        return 200, page

    def access(self) -> dict[str, Any]:
        """The call fields that let rlsmed search this server."""
        return {
            "fhirServer": self.url,
            "fhirAuthorization": {
                "access_token": self.token,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "user/Condition.read user/MedicationRequest.read",
                "subject": "rlsmed",
            },
        }


@pytest.fixture
def fhir() -> Iterator[FakeFhir]:
    fake = FakeFhir()
    yield fake
    fake.close()


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path
