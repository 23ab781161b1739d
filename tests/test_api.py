"""The library: rlsmed.check works without the command line and returns a typed report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rlsmed
from rlsmed.errors import ExitCode, InputError, UsageError
from rlsmed.models import Evidence, LineStatus, MatchKind
from rlsmed.readers import ReadOptions

from .helpers import write

pytestmark = pytest.mark.usefixtures("tiny_kb")


def test_check_text() -> None:
    report = rlsmed.check("Zoloft 50 mg\nLipitor 20 mg\nsomething else\n")
    assert isinstance(report, rlsmed.Report)
    assert [f.drug.name for f in report.findings] == ["sertraline"]
    assert report.findings[0].record.line == 1
    assert [r.record.text for r in report.recognized] == ["Lipitor 20 mg"]
    assert [r.text for r in report.unrecognized] == ["something else"]
    assert report.exit_code is ExitCode.FLAGGED
    assert report.summary.records == 3
    assert report.advice[0].topic == "iron"
    assert report.kb_version == "test-1"


def test_check_lines_and_options() -> None:
    report = rlsmed.check(["Benedryl 25 mg", "Zoloft"], ignore=("Zoloft",), fail_on=Evidence.MODERATE)
    first, second = report.results
    assert first.status is LineStatus.FLAGGED
    assert first.findings[0].match is MatchKind.FUZZY
    assert second.findings[0].ignored
    assert report.exit_code is ExitCode.OK  # expert-opinion evidence is below the threshold


def test_check_files(tmp_path: Path) -> None:
    path = write(tmp_path, "meds.txt", "Tylenol PM\n")
    report = rlsmed.check_files([path])
    assert report.findings[0].product == "Tylenol PM"
    with pytest.raises(InputError):
        rlsmed.check_files([tmp_path / "missing.txt"])
    with pytest.raises(UsageError):
        rlsmed.check_files([])


def test_unknown_option_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        rlsmed.check("x", colour="red")


def test_knowledge_base_is_loadable_directly() -> None:
    kb = rlsmed.load_knowledge_base()
    assert "sertraline" in kb.drugs


def test_options_accept_plain_values() -> None:
    report = rlsmed.check("Zoloft\nBenadryl", ignore=["Zoloft"], fail_on="moderate")
    assert report.findings[0].ignored
    assert report.exit_code is ExitCode.OK
    with pytest.raises(UsageError, match="fail_on must be one of"):
        rlsmed.check("x", fail_on="sometimes")


def test_ignore_accepts_one_name_as_a_string() -> None:
    report = rlsmed.check("Zoloft 50 mg", ignore="sertraline")
    assert [f.ignored for f in report.findings] == [True]
    assert report.exit_code == 0


def _request(status: str, drug: str) -> dict[str, object]:
    return {
        "resourceType": "MedicationRequest",
        "id": f"{status}-{drug}",
        "status": status,
        "subject": {"reference": "Patient/p1"},
        "medicationCodeableConcept": {"text": drug},
    }


def test_stopped_records_are_mentions_not_current_and_all_statuses_makes_them_findings() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": _request(status, drug)}
            for status, drug in [
                ("active", "Zoloft"),
                ("stopped", "Benadryl"),
                ("entered-in-error", "Sinemet"),
                ("not-taken", "Sinemet"),
            ]
        ],
    }
    text = json.dumps(bundle)
    current = rlsmed.check(text)
    assert [f.drug.name for f in current.findings] == ["sertraline"]
    assert current.exit_code == 1 and current.summary.findings == 1
    # Stopped and not taken: named, not current, each with its reason; entered in error: left out.
    assert [(m.ingredient, m.status.value, m.reason) for m in current.mentions] == [
        ("diphenhydramine", "not_current", "status 'stopped' in the input"),
        ("levodopa", "not_current", "status 'not-taken' in the input"),
        ("carbidopa", "not_current", "status 'not-taken' in the input"),  # Sinemet's other ingredient
    ]
    assert (current.summary.skipped, current.summary.skipped_never) == (0, 1)  # entered in error
    every = rlsmed.check(text, read=ReadOptions(all_statuses=True))
    assert [f.drug.name for f in every.findings] == ["sertraline", "diphenhydramine", "levodopa"]
    assert [f.status.value for f in every.findings] == ["current", "not_current", "not_current"]
    assert [f.record.status for f in every.findings] == ["active", "stopped", "not-taken"]
    assert every.summary.skipped_never == 1 and not every.mentions
