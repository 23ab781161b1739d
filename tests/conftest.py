"""Shared fixtures: a small knowledge base, fresh engines per test, golden files."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from rlsmed.engine import forget_engines
from rlsmed.kb import loader

from .helpers import GOLDEN, TINY_KB

# Property tests draw the same examples on every run ("ci", the default), so the suite a change passed here
# is the suite CI runs; `pytest --hypothesis-profile=explore` draws new ones on each run, to hunt.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    # A job started in the background (`cmd &` in a script, some CI runners) or under nohup has Ctrl-C or
    # SIGHUP ignored, and a process keeps a signal ignored that it starts with (rlsmed does, as Python
    # does): the tests that send them to rlsmed need them handled.
    for number, handler in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, signal.SIG_DFL)):
        if signal.getsignal(number) is signal.SIG_IGN:
            signal.signal(number, handler)
    if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
        signal.signal(signal.SIGHUP, signal.SIG_DFL)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from current output.")


@pytest.fixture(autouse=True)
def _fresh_engines(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Each test builds its knowledge base anew, so a test that swaps it cannot leak into others.
    forget_engines()
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    # No user's rlsmed.toml: the user configuration folder is an empty one.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-home")))
    yield


@pytest.fixture
def tiny_kb(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the small test knowledge base the shipped one."""
    monkeypatch.setattr(loader, "builtin_path", lambda: TINY_KB)
    return TINY_KB


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Any:
    """Compare text with tests/golden/NAME; `pytest --update-golden` rewrites it."""
    update = request.config.getoption("--update-golden")

    def compare(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.write_text(text, encoding="utf-8")
        if not path.exists():
            pytest.fail(f"missing golden file {path} (run pytest --update-golden to create it)")
        assert text == path.read_text(encoding="utf-8"), f"output differs from {path} (run pytest --update-golden)"

    return compare
