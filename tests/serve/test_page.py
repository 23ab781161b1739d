"""The pharmacists' page over HTTP: the form, the HTML report (the same as `rlsmed check --format html`),
uploads in the formats rlsmed reads, its refusals, and what it never keeps."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import rlsmed
from rlsmed.inputs import Input
from rlsmed.serve.app import build_app
from rlsmed.serve.config import ServeConfig
from rlsmed.serve.page import PASTED

from ..helpers import ROOT, run_cli
from .conftest import Server, write_json

LIST = "Zoloft 50 mg daily\nBenadryl 25 mg at bedtime\nlisinopril 10 mg\n"


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # Its own temporary folder, to show that no upload is spooled to a file there.
    tmp = tmp_path_factory.mktemp("server-tmp")
    with Server(env={"TMPDIR": str(tmp)}) as running:
        running.tmp = tmp  # type: ignore[attr-defined]
        yield running


def test_the_form(page_server: Server) -> None:
    response = page_server.client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<form method="post" action="/check" enctype="multipart/form-data">' in page
    assert '<textarea id="medications" name="medications"' in page
    assert '<input id="file" name="file" type="file">' in page
    assert "<script" not in page and "style=" not in page


def _style_hashes(page: str) -> set[str]:
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in re.findall(r"<style[^>]*>(.*?)</style>", page, re.S)
    }


@pytest.mark.parametrize("path", ["/", "/kb", "/kb/sertraline"])
def test_pages_carry_a_strict_policy_that_allows_their_own_styles(page_server: Server, path: str) -> None:
    response = page_server.client.get(path)
    policy = dict(p.strip().split(" ", 1) for p in response.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'" and "script-src" not in policy
    assert set(policy["style-src"].split()) == _style_hashes(response.text)
    assert "unsafe" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_a_pasted_list_gives_the_html_report(page_server: Server) -> None:
    response = page_server.client.post("/check", data={"medications": LIST}, files={"file": ("", b"")})
    assert response.status_code == 200, response.text
    expected = rlsmed.render(rlsmed.api.check_inputs([Input.from_text(LIST, PASTED)]), "html")
    assert response.text == expected  # the library's report, in the same writer as `check --format html`
    assert "sertraline" in response.text and "diphenhydramine" in response.text
    policy = response.headers["content-security-policy"]
    assert set(policy.split("style-src ", 1)[1].split(";")[0].split()) == _style_hashes(response.text)


def test_a_form_sent_without_multipart_is_read_too(page_server: Server) -> None:
    response = page_server.client.post("/check", data={"medications": LIST})
    assert response.status_code == 200 and "sertraline" in response.text


@pytest.mark.parametrize("name", ["export.csv", "bundle.json", "medications.txt", "summary.xml", "report.xlsx"])
def test_a_file_in_any_format_rlsmed_reads(page_server: Server, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = (ROOT / "examples" / name).read_bytes()
    response = page_server.client.post("/check", files={"file": (name, data, "application/octet-stream")})
    assert response.status_code == 200, response.text
    monkeypatch.chdir(ROOT / "examples")
    cli = run_cli(["check", "--format", "html", name])
    assert cli.exit_code == 1, cli.stderr
    assert response.text == cli.stdout  # the report `rlsmed check --format html` writes for that file


def test_a_list_and_a_file_together_with_iron_studies(page_server: Server) -> None:
    data = (ROOT / "examples" / "export.csv").read_bytes()
    response = page_server.client.post(
        "/check",
        data={"medications": "metoclopramide 10 mg", "ferritin": "30", "tsat": ""},
        files={"file": ("clinic/export.csv", data, "text/csv")},
    )
    assert response.status_code == 200
    assert "metoclopramide" in response.text and "quetiapine" in response.text
    assert "Ferritin 30 ng/mL is &lt;= 75 ng/mL" in response.text


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"medications": "  \n"}, 400, "Paste a medication list or choose a file."),
        ({"medications": LIST, "ferritin": "lots"}, 400, "Ferritin must be a number from 0 to 100000."),
        ({"medications": LIST, "tsat": "120"}, 400, "Transferrin saturation must be a number from 0 to 100."),
    ],
)
def test_what_cannot_be_screened_is_said_on_the_page(
    page_server: Server, fields: dict[str, str], status: int, message: str
) -> None:
    response = page_server.client.post("/check", data=fields, files={"file": ("", b"")})
    assert response.status_code == status
    assert message in response.text and 'href="/"' in response.text


def test_an_unreadable_file_is_one_sentence(page_server: Server) -> None:
    response = page_server.client.post(
        "/check", files={"file": ("meds.json", b'{"resourceType": ', "application/json")}
    )
    assert response.status_code == 400
    assert "meds.json" in response.text and "not valid JSON" in response.text


def test_other_requests_are_refused(page_server: Server) -> None:
    assert page_server.client.post("/check", json={"medications": LIST}).status_code == 415
    assert page_server.client.get("/check").status_code == 405
    assert page_server.client.get("/check?medications=Zoloft").status_code == 405
    big = page_server.client.post("/check", files={"file": ("big.txt", b"Zoloft 50 mg\n" * 500_000)})
    assert big.status_code == 413 and "over the limit" in big.text


def test_nothing_is_kept_on_disk_or_in_the_log(page_server: Server) -> None:
    upload = b"".join(b"sertraline %d mg\n" % i for i in range(200_000))  # over 3 MB: larger than any spool
    response = page_server.client.post("/check", files={"file": ("long-list.txt", upload, "text/plain")})
    assert response.status_code == 200
    assert list(page_server.tmp.iterdir()) == []  # type: ignore[attr-defined]
    log = "\n".join(page_server.log)
    assert "rlsmed: POST /check 200" in log
    assert "sertraline" not in log.replace("/kb/sertraline", "") and "Zoloft" not in log


def test_the_page_is_not_served_beyond_loopback(tmp_path: Path) -> None:
    jwt = pytest.importorskip("jwt", reason="the jwt extra is not installed")
    from cryptography.hazmat.primitives.asymmetric import ec

    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()).public_key()))
    keys = write_json(tmp_path / "jwks.json", {"keys": [{**public, "kid": "k"}]})
    config = ServeConfig(
        host="0.0.0.0", issuers=("https://ehr.example.org",), jwks=(str(keys),), public_url="https://cds.example.org"
    )
    paths = {getattr(route, "path", "") for route in build_app(config).routes}
    assert "/cds-services" in paths and "/kb" in paths
    assert "/" not in paths and "/check" not in paths
