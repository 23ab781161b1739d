"""`rlsmed serve` as a command: its options, its start, its refusals, and that nothing of the server
stack loads for any other command."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..helpers import ROOT, run_cli
from .conftest import RLS, SERTRALINE_ORDER, Server, bundle, call

STACK = ("starlette", "uvicorn", "multipart", "python_multipart", "jwt", "anyio", "httpx", "h11")


def test_every_option_is_in_the_readme() -> None:
    result = run_cli(["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    options = set(re.findall(r"(--[a-z][a-z-]+)", result.stdout)) - {"--help"}
    assert {"--host", "--port", "--every-patient", "--issuer", "--jwks", "--public-url"} <= options
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Point of care", 1)[1].split("\n## ", 1)[0]
    for option in options:
        assert f"`{option}" in section, f"{option} is not in the README's Point of care"


def test_other_commands_load_no_server_stack() -> None:
    # Not the server's libraries, nor even the serve command's options (the root group adds it lazily).
    modules = (*STACK, "rlsmed.cli.serve", "rlsmed.serve")
    code = (
        "import sys; from rlsmed.cli.main import main; "
        "code = main(['check', '-f', 'json', 'examples/medications.txt']); "
        f"print(code, [m for m in {modules!r} if m in sys.modules], file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stderr.splitlines()[-1] == "1 []"


def test_a_missing_extra_is_one_line_saying_how_to_install_it() -> None:
    code = "import sys; sys.modules['uvicorn'] = None; from rlsmed.cli.main import main; sys.exit(main(['serve']))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == "rlsmed: rlsmed serve needs its optional extra: pip install 'rlsmed[serve]'\n"


def test_an_invalid_site_knowledge_base_stops_the_start(tmp_path: Any) -> None:
    result = run_cli(["serve", "--port", "0", "--kb", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert result.stderr.startswith("rlsmed: ") and "missing.yaml" in result.stderr


def test_a_port_in_use_is_one_line(server: Server) -> None:
    port = server.url.rsplit(":", 1)[1]
    result = run_cli(["serve", "--port", port])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"rlsmed: cannot listen on 127.0.0.1:{port}: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("signum", "code", "said"), [(signal.SIGTERM, 143, "terminated (SIGTERM)"), (signal.SIGINT, 130, "interrupted")]
)
def test_the_server_stops_on_a_signal_as_every_command_does(signum: int, code: int, said: str) -> None:
    running = Server(["--quiet"])
    assert running.client.get("/cds-services").status_code == 200
    running.client.close()
    running.process.send_signal(signum)
    assert running.process.wait(timeout=30) == code
    running.stop()
    assert running.log[-1] == f"rlsmed: {said}"


# Any JSON, in the places a call has its parts: the service answers it or refuses it, never fails.
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
_valid = call("order-sign-r4", SERTRALINE_ORDER, conditions=bundle(RLS))


@st.composite
def _calls(draw: st.DrawFn) -> Any:
    body = draw(st.sampled_from([_valid, _valid["context"], _valid["context"]["draftOrders"], {}]))
    body = _replace(body, draw(st.lists(st.text(max_size=3), max_size=4)), draw(_json))
    return body


def _replace(value: Any, path: list[str], new: Any) -> Any:
    """`value` with the part at `path` (keys; each picks among the keys present) replaced by `new`."""
    if not path or not isinstance(value, dict) or not value:
        return new
    key = sorted(value)[len(path[0]) % len(value)]
    return {**value, key: _replace(value[key], path[1:], new)}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_calls())
def test_any_call_is_answered_or_refused_never_failed(server: Server, body: Any) -> None:
    for path in ("/cds-services/rlsmed-order-sign", "/cds-services/rlsmed-order-select"):
        response = server.client.post(path, json=body)
        assert response.status_code in (200, 400, 412), response.text
        assert ("cards" if response.status_code == 200 else "error") in response.json()
