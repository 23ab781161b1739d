"""C-CDA documents, workbooks and compressed files through the command line: golden reports, detection,
and one-line errors (exit 2) for what cannot be read."""

from __future__ import annotations

import gzip
import json
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from rlsmed.readers import InputFormat, detect_format

from ..helpers import DATA, explain_failure, run_cli

INPUTS = DATA / "inputs"
# ccda.hl7-ccd.xml is HL7's CCD example (HL7/C-CDA-Examples, Documents/CCD/CCD 1, CC0), byte for byte;
# ccda.clinic.xml is made up for these tests.


@pytest.fixture
def in_inputs(monkeypatch: pytest.MonkeyPatch, tiny_kb: object) -> None:
    monkeypatch.chdir(INPUTS)


@pytest.mark.usefixtures("in_inputs")
@pytest.mark.parametrize(
    ("name", "fmt", "code"),
    [
        ("ccda.clinic.xml", "json", 1),
        ("ccda.clinic.xml", "table", 1),
        ("ccda.hl7-ccd.xml", "json", 0),
        ("excel.report.xlsx", "json", 1),
        ("excel.report.xlsx", "table", 1),
    ],
)
def test_golden(name: str, fmt: str, code: int, golden: Callable[[str, str], None]) -> None:
    result = run_cli(["check", name, "--format", fmt, "--width", "160"])
    assert result.exit_code == code, explain_failure(result)
    golden(f"{name}.{fmt}", result.stdout)


@pytest.mark.usefixtures("in_inputs")
def test_ccda_statuses_decide_what_is_screened() -> None:
    report = json.loads(run_cli(["check", "ccda.clinic.xml", "-f", "json"]).stdout)
    flagged = sorted(f["ingredient"] for f in report["findings"])
    # Zoloft and Benadryl are current; Ultram ended in 2021, trazodone is "Discontinued" in the narrative,
    # and Atarax is an allergy: none of those three is a finding.
    assert flagged == ["diphenhydramine", "sertraline"]
    assert [f["record"] for f in report["findings"]] == ["medication 2", "medication 1"] or [
        f["record"] for f in report["findings"]
    ] == ["medication 1", "medication 2"]
    # Each is a mention that is not current, with the reader's reason.
    assert [(m["ingredient"], m["status"], m["status_reason"]) for m in report["not_current"]] == [
        ("hydroxyzine", "allergy", "in the Allergies section"),
        ("tramadol", "not_current", "'Completed' in the narrative's Status column"),
        ("trazodone", "not_current", "'Discontinued' in the narrative's Status column"),
    ]
    assert report["left_out"] == []
    everything = json.loads(run_cli(["check", "ccda.clinic.xml", "-f", "json", "--all-statuses"]).stdout)
    assert sorted((f["ingredient"], f["status"]) for f in everything["findings"]) == [
        ("diphenhydramine", "current"),
        ("hydroxyzine", "allergy"),
        ("sertraline", "current"),
        ("tramadol", "not_current"),
        ("trazodone", "not_current"),
    ]  # every mention, each with its status


@pytest.mark.usefixtures("in_inputs")
@pytest.mark.parametrize("name", ["excel.report.xls", "excel.report.ods"])
def test_xls_and_ods_report_as_xlsx_does(name: str) -> None:
    def findings(path: str) -> list[tuple[str, int, str]]:
        report = json.loads(run_cli(["check", path, "-f", "json"]).stdout)
        return [(f["input"], f["line"], f["ingredient"]) for f in report["findings"]]

    assert findings(name) == findings("excel.report.xlsx")


@pytest.mark.usefixtures("in_inputs")
def test_sheet_by_name(tmp_path: Path) -> None:
    result = run_cli(["check", "excel.report.xlsx", "--sheet", "Notes", "-f", "json"])
    assert result.exit_code == 2
    assert result.stderr.startswith("rlsmed: excel.report.xlsx: no medication column")
    result = run_cli(["check", "excel.report.xlsx", "--sheet", "Missing"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "rlsmed: excel.report.xlsx: no sheet 'Missing'; the sheets are: Medications, Notes"


@pytest.mark.usefixtures("in_inputs")
def test_missing_excel_extra_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    result = run_cli(["check", "excel.report.xlsx"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "rlsmed: excel.report.xlsx: reading Excel and OpenDocument workbooks needs the excel extra: "
        "pip install 'rlsmed[excel]'"
    )


def copy(tmp_path: Path, name: str, as_name: str) -> Path:
    target = tmp_path / as_name
    shutil.copyfile(INPUTS / name, target)
    return target


@pytest.mark.usefixtures("tiny_kb")
@pytest.mark.parametrize("name", ["ccda.clinic.xml", "excel.report.xlsx", "csv.epic-export.csv"])
def test_detected_by_content_whatever_the_name(tmp_path: Path, name: str) -> None:
    expected = json.loads(run_cli(["check", str(INPUTS / name), "-f", "json"]).stdout)["findings"]
    renamed = copy(tmp_path, name, "export.dat")
    found = json.loads(run_cli(["check", str(renamed), "-f", "json"]).stdout)["findings"]
    assert [f["ingredient"] for f in found] == [f["ingredient"] for f in expected]


def test_format_detection() -> None:
    ccda = (INPUTS / "ccda.clinic.xml").read_bytes()
    assert detect_format("summary.xml", ccda) is InputFormat.CCDA
    assert detect_format("summary.txt", ccda) is InputFormat.CCDA  # content certain: the name does not matter
    assert detect_format("<stdin>", ccda) is InputFormat.CCDA
    assert detect_format("feed.xml", b'<?xml version="1.0"?><rss version="2.0"/>') is InputFormat.CCDA  # refused
    assert detect_format("notes.txt", b"<b>Zoloft</b> 50 mg\nReglan\n") is InputFormat.TEXT
    assert detect_format("meds.bin", (INPUTS / "excel.report.xls").read_bytes()) is InputFormat.EXCEL
    assert detect_format("meds.xlsx", b"Medication\nZoloft\n") is InputFormat.EXCEL  # and the reader says why not


@pytest.mark.usefixtures("tiny_kb")
def test_other_xml_is_refused_not_read_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?>\n<rss version="2.0"><item>Zoloft</item></rss>\n')
    result = run_cli(["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"rlsmed: {path}: XML, but not a C-CDA document: its root element is <rss>"


@pytest.mark.usefixtures("tiny_kb")
def test_hostile_xml_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "CCD.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        '<ClinicalDocument xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>\n'
    )
    result = run_cli(["check", str(path), "-f", "json"])
    assert result.exit_code == 2
    assert "root:" not in result.stdout  # a report starts streaming; it never holds the entity's content
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"rlsmed: {path}:2: XML with a DOCTYPE declaration: refused")
    assert "root:" not in result.stderr


@pytest.mark.usefixtures("tiny_kb")
def test_a_document_without_medicines_says_so(tmp_path: Path) -> None:
    path = copy(tmp_path, "ccda.clinic.xml", "empty.xml")
    text = path.read_text()
    start, end = (
        text.index('<component>\n        <section>\n          <templateId root="2.16.840.1.113883.10.20.22.2.1.1'),
        text.rindex("</section>"),
    )
    path.write_text(text[:start] + text[end + len("</section>\n      </component>") :])
    result = run_cli(["check", str(path), "-f", "json"])
    assert result.exit_code == 0, explain_failure(result)
    assert f"rlsmed: {path}: no Medications section in this document" in result.stderr


@pytest.mark.usefixtures("tiny_kb")
@pytest.mark.parametrize("name", ["csv.epic-export.csv", "ccda.clinic.xml", "excel.report.xlsx", "fhir.bulk.ndjson"])
def test_gzip_and_zip_give_the_same_report(tmp_path: Path, name: str) -> None:
    plain = json.loads(run_cli(["check", str(INPUTS / name), "-f", "json"]).stdout)
    data = (INPUTS / name).read_bytes()
    gz = tmp_path / f"{name}.gz"
    gz.write_bytes(gzip.compress(data))
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"export/{name}", data)
        archive.writestr("export/readme.pdf", b"%PDF-1.4")
    for path in (gz, zipped):
        result = run_cli(["check", str(path), "-f", "json"])
        assert result.exit_code == (1 if plain["findings"] else 0), explain_failure(result)
        report = json.loads(result.stdout)
        for item in report["findings"]:
            assert item.pop("source") == str(path)
        expected = [{k: v for k, v in f.items() if k != "source"} for f in plain["findings"]]
        assert report["findings"] == expected


@pytest.mark.usefixtures("tiny_kb")
def test_gzip_from_stdin() -> None:
    data = gzip.compress(b"Zoloft 50 mg\nmetformin\n")
    result = run_cli(["check", "-f", "json"], stdin=data)
    assert result.exit_code == 1, explain_failure(result)
    assert [f["input"] for f in json.loads(result.stdout)["findings"]] == ["Zoloft 50 mg"]


@pytest.mark.usefixtures("tiny_kb")
def test_zip_of_several_lists_says_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "lists.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "Zoloft\n")
        archive.writestr("b.csv", "Medication\nReglan\n")
    result = run_cli(["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"rlsmed: {path}: a zip archive of 2 medication files (a.txt, b.csv); extract it and name the "
        "medication file to check"
    )
