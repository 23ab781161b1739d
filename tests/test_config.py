"""rlsmed.toml: where it is found, what it may say, and how reviewed drugs (ignores) are reported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

import rlsmed
from rlsmed.config import Config, find_config, load_config
from rlsmed.errors import ConfigError
from rlsmed.ignores import Ignore

from .helpers import TINY_KB, explain_failure, run_cli, write

pytestmark = pytest.mark.usefixtures("tiny_kb")

LIST = "Zoloft 50 mg\nBenadryl 25 mg\n"
FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()
PAST = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def _ignore(ingredient: str = "sertraline", **extra: str) -> str:
    lines = [f'ingredient = "{ingredient}"', 'reason = "reviewed with prescriber"']
    lines += [f"{key} = {value}" for key, value in extra.items()]
    return "[[ignore]]\n" + "\n".join(lines) + "\n"


def test_found_in_the_folder_or_a_parent_else_the_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    user = tmp_path / "xdg"
    (user / "rlsmed").mkdir(parents=True)
    write(user / "rlsmed", "rlsmed.toml", 'format = "json"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(user))
    assert find_config(deep) == user / "rlsmed" / "rlsmed.toml"
    write(tmp_path / "a", "rlsmed.toml", 'format = "csv"\n')
    assert find_config(deep) == tmp_path / "a" / "rlsmed.toml"
    write(deep, "rlsmed.toml", 'format = "markdown"\n')
    assert find_config(deep) == deep / "rlsmed.toml"


def test_the_command_line_reads_it_and_wins_over_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "rlsmed.toml", 'format = "json"\nfail-on = "moderate"\n')
    meds = write(tmp_path, "meds.txt", LIST)  # weak and expert-opinion findings
    monkeypatch.chdir(tmp_path)
    result = run_cli(["check", "meds.txt"])
    assert result.exit_code == 0, explain_failure(result)  # fail-on moderate: neither counts
    assert json.loads(result.stdout)["summary"]["findings"] == 2
    result = run_cli(["check", str(meds), "--fail-on", "any", "-f", "csv"])
    assert result.exit_code == 1 and result.stdout.startswith("source,line")
    assert run_cli(["check", "meds.txt", "-o", "r.md"]).exit_code == 0  # the extension wins over the file
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# rlsmed report")
    no_config = run_cli(["check", "meds.txt", "--no-config"])
    assert no_config.exit_code == 1 and no_config.stdout.startswith("2 of 2 medicines")


def test_site_knowledge_base_files_are_relative_to_the_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write(site, "local.yaml", "drugs:\n  - name: sertraline\n    names: [Sertra-Local]\n")
    write(site, "rlsmed.toml", 'kb = ["local.yaml"]\n')
    meds = write(tmp_path, "meds.txt", "Sertra-Local 50 mg\n")
    result = run_cli(["check", str(meds), "-f", "json", "--config", str(site / "rlsmed.toml")])
    assert result.exit_code == 1, explain_failure(result)
    assert json.loads(result.stdout)["findings"][0]["ingredient"] == "sertraline"
    explained = run_cli(["explain", "Sertra-Local", "--config", str(site / "rlsmed.toml")])
    assert explained.exit_code == 0 and "sertraline" in explained.stdout


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "markdown", "html", "table"])
def test_an_ignored_finding_is_listed_with_its_reason_in_every_format(tmp_path: Path, fmt: str) -> None:
    config = write(tmp_path, "rlsmed.toml", _ignore(expires=FUTURE))
    meds = write(tmp_path, "meds.txt", "Zoloft 50 mg\n")
    result = run_cli(["check", str(meds), "-f", fmt, "--config", str(config), "--width", "100"])
    assert result.exit_code == 0, explain_failure(result)  # an ignored finding does not set the exit code
    assert "reviewed with prescriber" in result.stdout
    if fmt == "json":
        finding = json.loads(result.stdout)["findings"][0]
        assert (finding["ignored"], finding["ignore_reason"]) == (True, "reviewed with prescriber")
    if fmt == "csv":
        row = next(csv.DictReader(io.StringIO(result.stdout)))
        assert (row["status"], row["ignored"], row["ignore_reason"]) == ("ignored", "yes", "reviewed with prescriber")


def test_an_expired_ignore_is_not_applied_and_is_named(tmp_path: Path) -> None:
    config = write(tmp_path, "rlsmed.toml", _ignore(expires=PAST))
    meds = write(tmp_path, "meds.txt", "Zoloft 50 mg\n")
    result = run_cli(["check", str(meds), "-f", "json", "--config", str(config), "-q"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["ignored"] is False
    # Named on stderr even with -q: a drug that was reviewed counts again.
    assert result.stderr == f"rlsmed: the ignore of sertraline (rlsmed.toml) expired on {PAST}: not applied\n"


def test_an_ignore_for_one_patient_leaves_the_others(tmp_path: Path) -> None:
    config = write(tmp_path, "rlsmed.toml", _ignore(patient='"P1"'))
    meds = write(tmp_path, "meds.csv", "patient_id,medication\nP1,Zoloft 50 mg\nP2,Zoloft 50 mg\n")
    result = run_cli(["check", str(meds), "-f", "json", "--config", str(config)])
    assert result.exit_code == 1  # P2's finding counts
    ignored = {f["patient"]: f["ignored"] for f in json.loads(result.stdout)["findings"]}
    assert ignored == {"P1": True, "P2": False}


def test_the_command_lines_ignore_stays(tmp_path: Path) -> None:
    meds = write(tmp_path, "meds.txt", "Zoloft 50 mg\n")
    result = run_cli(["check", str(meds), "--ignore", "Zoloft", "-f", "json"])
    assert result.exit_code == 0
    finding = json.loads(result.stdout)["findings"][0]
    assert (finding["ignored"], finding["ignore_reason"]) == (True, None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("fail_on = 'any'\n", "unknown key 'fail_on' (known: country, fail-on, format, kb, ignore)"),
        ("fail-on = 'sometimes'\n", "fail-on 'sometimes': one of any, weak, moderate, strong, never"),
        ("format = 'pdf'\n", "format 'pdf': one of table, json, jsonl, csv, markdown, html"),
        ("country = 'Britain'\n", "country 'Britain': a two-letter ISO 3166 code (GB, US, DE ...)"),
        ("kb = 3\n", "kb: a file name, or a list of file names"),
        ("[[ignore]]\ningredient = 'sertraline'\n", "ignore 1: a reason is required"),
        ("[[ignore]]\nreason = 'x'\n", "ignore 1: an ingredient is required"),
        ("[[ignore]]\ningredient = 'a'\nreason = 'b'\nexpires = 'soon'\n", "ignore 1: expires: a date, as 2027-06-30"),
        ("[[ignore]]\ningredient = 'a'\nreason = 'b'\nuntil = 2027-01-01\n", "ignore 1: unknown key 'until'"),
        ("format = \n", "invalid TOML: Invalid value (at line 1, column 10)"),
    ],
)
def test_a_bad_file_is_one_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    config = write(tmp_path, "rlsmed.toml", content)
    meds = write(tmp_path, "meds.txt", "Zoloft\n")
    result = run_cli(["check", str(meds), "--config", str(config)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"rlsmed: {config}: ")
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_an_unknown_ignore_names_the_file(tmp_path: Path) -> None:
    config = write(tmp_path, "rlsmed.toml", _ignore("notadrug"))
    result = run_cli(["check", str(write(tmp_path, "meds.txt", "Zoloft\n")), "--config", str(config)])
    assert result.exit_code == 2
    assert result.stderr == "rlsmed: rlsmed.toml: ignore notadrug: not a drug in the knowledge base\n"


def test_a_missing_config_file_is_an_error(tmp_path: Path) -> None:
    result = run_cli(["check", "--config", str(tmp_path / "none.toml")], stdin="Zoloft\n")
    assert result.exit_code == 2
    assert result.stderr == f"rlsmed: {tmp_path / 'none.toml'}: No such file or directory\n"


def test_the_loader_is_a_typed_library_api(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "rlsmed.toml",
        f'country = "gb"\nfail-on = "strong"\nkb = "{TINY_KB}"\n' + _ignore(expires="2027-06-30", patient='"P1"'),
    )
    config = load_config(path)
    assert config == Config(
        path=str(path),
        country="GB",
        fail_on=rlsmed.formats.FailOn.STRONG,
        output_format=None,
        kb_files=(str(TINY_KB),),
        ignores=(Ignore("sertraline", "reviewed with prescriber", dt.date(2027, 6, 30), "P1", "rlsmed.toml"),),
    )
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, "bad.toml", "[[ignore]]\n"))
    # The library takes the same ignores.
    report = rlsmed.check("Zoloft\nBenadryl\n", ignore=(*config.ignores, Ignore("Benadryl", "known")))
    # P1's ignore does not apply to a list naming no patient; Benadryl's applies to everyone.
    assert [(f.ignored, f.ignore_reason) for f in report.findings] == [(False, ""), (True, "known")]
