"""The page in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright fills the form,
submits it and reads the report, as a pharmacist would, with no JavaScript of the page's own and no
Content-Security-Policy violation. Skipped, with the reason, where no Chromium is installed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..helpers import ROOT
from .conftest import Server

BROWSERS = ("chromium", "chromium-headless-shell", "chromium-browser", "google-chrome")
CHROMIUM = next((path for name in BROWSERS if (path := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (Debian: apt-get install chromium)")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (a test dependency) is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context(java_script_enabled=False)  # the page must work without it
    opened = context.new_page()
    opened.problems = []
    opened.on("console", lambda message: opened.problems.append(message.text) if message.type == "error" else None)
    opened.goto(f"{server.url}/")
    yield opened
    context.close()


def test_paste_a_list_and_read_the_report(page: Any, tmp_path: Path) -> None:
    page.fill("#medications", "Zoloft 50 mg daily\nBenadryl 25 mg at bedtime\nlisinopril 10 mg")
    page.fill("input[name=ferritin]", "40")
    with page.expect_navigation():
        page.click("button[type=submit]")
    text = page.inner_text("body")
    assert "sertraline" in text.lower() and "diphenhydramine" in text.lower()
    assert "Ferritin 40 ng/mL is <= 75 ng/mL" in text
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert page.problems == []  # no Content-Security-Policy violation, nothing that failed to load


def test_upload_a_file_and_read_the_report(page: Any) -> None:
    page.set_input_files("#file", str(ROOT / "examples" / "export.csv"))
    with page.expect_navigation():
        page.click("button[type=submit]")
    text = page.inner_text("body").lower()
    assert "quetiapine" in text and "export.csv" in text
    assert page.problems == []


def test_an_empty_form_says_what_to_do(page: Any) -> None:
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "Paste a medication list or choose a file." in page.inner_text("body")
    page.click("text=Back to the form")
    assert page.locator("#medications").count() == 1
