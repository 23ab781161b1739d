"""The printable HTML report: one self-contained file, everything escaped, semantic tables, readable colours,
and, in a real browser (headless Chromium), a screenshot and a PDF on A4 and on Letter paper."""

from __future__ import annotations

import html.parser
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

import rlsmed
from rlsmed.models import Source
from rlsmed.writers.digest import headline
from rlsmed.writers.html import source_link
from rlsmed.writers.html_style import COLOURS

from .helpers import ROOT, explain_failure, run_cli, write

EXAMPLE = ROOT / "examples" / "medications.txt"
HOSTILE = (
    "Zoloft 50 mg <script>alert(1)</script>\n"
    'Benadryl "><img src=x onerror=alert(2)> 25 mg\n'
    "</td></tr></table><h1>forged</h1>\n"
    "Lipitor &amp; <b>bold</b>\n"
    "\u202eevil\x1b[31m\n"
)


class _Elements(html.parser.HTMLParser):
    """The elements and attributes of a document, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _elements(document: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(document)
    return parser.tags


def _example_html() -> str:
    return rlsmed.render(rlsmed.check_files([EXAMPLE]), "html")


def test_one_self_contained_file_with_no_script_and_nothing_loaded() -> None:
    document = _example_html()
    tags = _elements(document)
    names = {tag for tag, _ in tags}
    assert {"script", "img", "link", "iframe", "object", "embed", "base"}.isdisjoint(names)
    assert not [attrs for _, attrs in tags if "src" in attrs or any(k.startswith("on") for k in attrs)]
    assert "url(" not in document and "@import" not in document
    links = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert links and all(str(href).startswith(("https://", "http://")) for href in links)  # sources, as links
    assert document.count("<style>") == 1


def test_it_has_what_a_chart_copy_needs() -> None:
    document = _example_html()
    text = re.sub(r"<[^>]+>", "", document)
    for part in (
        "Medication screening for restless legs syndrome",
        headline(rlsmed.check_files([EXAMPLE]).summary),
        "Medicines that may provoke or worsen RLS",
        "Why, and what to consider",
        "Medicines to verify",
        "Not recognised: please review",
        "Recognised, no RLS concern",
        "Iron",
        "Knowledge base ",
        "rlsmed supports, and does not replace, clinical judgement",
        "Signature",
    ):
        assert part in text, part
    tags = _elements(document)
    fields = {attrs.get("name") for tag, attrs in tags if tag == "input"}
    assert fields == {"patient", "dob", "date", "reviewer"}
    assert ("html", {"lang": "en"}) in tags
    # Column headers are headers of columns; each finding's drug heads its row.
    assert sum(1 for tag, attrs in tags if tag == "th" and attrs.get("scope") == "col") >= 5
    assert sum(1 for tag, attrs in tags if tag == "th" and attrs.get("scope") == "row") >= 7


def test_everything_from_the_input_is_escaped(tmp_path: Path) -> None:
    meds = write(tmp_path, "meds.txt", HOSTILE)
    result = run_cli(["check", str(meds), "-f", "html"])
    assert result.exit_code == 1, explain_failure(result)
    names = [tag for tag, _ in _elements(result.stdout)]
    assert "script" not in names and "img" not in names and "b" not in names
    assert names.count("h1") == 1 and names.count("table") == names.count("tbody")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout
    assert "&amp;amp;" in result.stdout
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


def test_a_source_link_is_only_ever_to_a_web_address() -> None:
    assert source_link(Source("S", "A site note.", url="javascript:alert(1)")) == "A site note. javascript:alert(1)"
    doi = source_link(Source("S", "Paper <i>x</i>.", doi="10.1000/a<b>"))
    assert doi == 'Paper &lt;i&gt;x&lt;/i&gt;. <a href="https://doi.org/10.1000/a%3Cb%3E">doi:10.1000/a&lt;b&gt;</a>'
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/20191944/"' in source_link(Source("S", "Paper.", pmid="20191944"))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize(("name", "colour"), COLOURS.items())
def test_every_text_colour_has_a_contrast_of_at_least_4_5_on_white(name: str, colour: str) -> None:
    assert (1.05) / (_luminance(colour) + 0.05) >= 4.5, name


def test_the_library_renders_what_the_command_line_writes(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = run_cli(["check", str(EXAMPLE), "-o", str(report)])
    assert result.exit_code == 1
    assert report.read_text(encoding="utf-8") == rlsmed.render(rlsmed.check_files([EXAMPLE]), "html")


# A real browser: Debian's chromium (or chromium-headless-shell), installed by .ci/run.

BROWSER = next(
    (p for p in map(shutil.which, ("chromium-headless-shell", "chromium", "google-chrome")) if p is not None), None
)
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium installed (apt-get install chromium)")


def _browser(*args: str) -> None:
    assert BROWSER is not None
    command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args]
    subprocess.run(command, capture_output=True, timeout=120, check=True)


def _png(path: Path) -> tuple[int, int, bytes]:
    """A PNG's width, height and decompressed pixel rows (the stdlib is enough for a check)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, at = [], 8
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8 : at + 8 + size])
        at += size + 12
    return width, height, zlib.decompress(b"".join(chunks))


def _pdf_pages(path: Path) -> list[tuple[float, float]]:
    """Each page's size in points, from the PDF's MediaBoxes (Chromium writes them in the clear)."""
    text = path.read_bytes().decode("latin-1")
    boxes = re.findall(r"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", text)
    return [(float(w), float(h)) for w, h in boxes]


@pytest.mark.slow
@needs_browser
def test_a_browser_shows_it_as_one_page_that_fits_its_window(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(_example_html(), encoding="utf-8")
    shot = tmp_path / "report.png"
    _browser(f"--screenshot={shot}", "--window-size=900,1400", page.as_uri())
    width, height, pixels = _png(shot)
    assert (width, height) == (900, 1400)
    assert len(set(pixels[: len(pixels) // 2])) > 16  # text and colours drawn, not a blank page
    narrow = tmp_path / "narrow.png"
    _browser(f"--screenshot={narrow}", "--window-size=420,900", page.as_uri())  # a phone: still a page
    assert _png(narrow)[0] == 420


@pytest.mark.slow
@needs_browser
@pytest.mark.parametrize(("paper", "size"), [("A4", (595.92, 842.88)), ("letter", (612.0, 792.0))])
def test_it_prints_on_a4_and_letter_paper(tmp_path: Path, paper: str, size: tuple[float, float]) -> None:
    # The report leaves the paper to the printer; here each size is chosen as a print dialog would.
    document = _example_html().replace("</style>", f"@page{{size:{paper}}}</style>", 1)
    page = tmp_path / "report.html"
    page.write_text(document, encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    _browser("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    pages = _pdf_pages(pdf)
    assert 2 <= len(pages) <= 5
    assert all(abs(w - size[0]) < 2 and abs(h - size[1]) < 2 for w, h in pages), pages
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "of 16 medicines may provoke or worsen RLS" in text
        assert "Reviewed by (name)" in text.split("\f")[-2 if text.endswith("\f") else -1]  # on the last page
        for line in text.splitlines():  # nothing runs off the page's right edge
            assert len(line) < 160, line
