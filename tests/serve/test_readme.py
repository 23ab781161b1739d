"""The README's "Point of care" shows real output: its discovery document and card are what a server
answers today (`pytest --update-golden` rewrites them from a live server)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ..helpers import ROOT
from .conftest import Server

README = ROOT / "README.md"
_BLOCK = re.compile(r"<!-- serve-(call|output): (GET|POST) (\S+) -->\n```json\n(.*?)```", re.S)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SHOWN_URL = "http://127.0.0.1:8000"


def _shown(value: Any, url: str) -> str:
    """JSON as the README shows it: indented, the server's URL as the default one."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace(url, SHOWN_URL) + "\n"


def _same(text: str) -> str:
    """Card ids are new on every call."""
    return _UUID.sub("(uuid)", text)


def test_readme_shows_real_discovery_and_cards(server: Server, request: pytest.FixtureRequest) -> None:
    text = README.read_text(encoding="utf-8")
    blocks = _BLOCK.findall(text)
    calls = {(method, path): json.loads(body) for kind, method, path, body in blocks if kind == "call"}
    outputs = [(method, path, body) for kind, method, path, body in blocks if kind == "output"]
    assert len(outputs) >= 2 and ("POST", "/cds-services/rlsmed-order-sign") in calls
    for method, path, shown in outputs:
        body = calls.get((method, path))
        response = server.client.post(path, json=body) if method == "POST" else server.client.get(path)
        assert response.status_code == 200
        real = _shown(response.json(), server.url)
        if request.config.getoption("--update-golden"):
            text = text.replace(
                f"<!-- serve-output: {method} {path} -->\n```json\n{shown}```",
                f"<!-- serve-output: {method} {path} -->\n```json\n{real}```",
            )
            README.write_text(text, encoding="utf-8")
            continue
        assert _same(shown) == _same(real), f"README's output of {method} {path} differs (pytest --update-golden)"
