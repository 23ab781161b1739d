"""The warehouse path: each distinct text screened once, and the README's DuckDB and Spark recipes, run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import rlsmed
from rlsmed.warehouse import COLUMNS, screen_frame, screen_texts

from .helpers import ROOT, SHARED

README = (ROOT / "README.md").read_text(encoding="utf-8")
SYNTHEA = SHARED / "bench" / "synthea_output_medications.csv"


def _recipe(name: str) -> str:
    found = re.search(rf"<!-- warehouse-recipe: {name} -->\n```python\n(.*?)```", README, re.S)
    assert found, name
    return found.group(1)


def test_each_distinct_text_once_in_the_order_first_seen() -> None:
    rows = list(
        screen_texts(["Zoloft 50 mg", "Lipitor", None, "", "Zoloft 50 mg", "xyzzy", ("Zoloft 50 mg", ["36437"])])
    )
    assert [(r.text, r.codes, r.status) for r in rows] == [
        ("Zoloft 50 mg", (), "flagged"),
        ("Lipitor", (), "recognized"),
        ("xyzzy", (), "unrecognized"),
        ("Zoloft 50 mg", ("36437",), "flagged"),
    ]
    zoloft = rows[0]
    assert (zoloft.flagged, zoloft.match, zoloft.needs_verification) == (("sertraline",), "exact", False)
    assert zoloft.kb_version == rlsmed.load_knowledge_base().version


def test_a_code_alone_names_the_drug() -> None:
    (row,) = screen_texts([("Tablet 50 MG", ["36437"])])  # sertraline's RxNorm ingredient code
    assert row.flagged == ("sertraline",)


def test_the_same_verdicts_as_check() -> None:
    texts = ["Tylenol PM", "seroquell 25 mg", "hydrALAZINE 25 mg", "Benedryl", "metFORMIN 500 MG", "amitriptyline"]
    for row in screen_texts(texts):
        report = rlsmed.check(row.text)
        assert row.flagged == tuple(f.drug.name for f in report.findings), row.text
        assert row.needs_verification == any(f.needs_verification for f in report.findings)


def test_a_frame_from_pandas_or_arrow() -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    series = pd.Series(["Zoloft", None, "Zoloft", "Lipitor"])
    frame = screen_frame(series, pd.Series(["36437", None, "36437", float("nan")]))
    assert list(frame.columns) == ["text", "code", *COLUMNS[2:]]
    assert frame["text"].tolist() == ["Zoloft", "Lipitor"]
    assert frame["status"].tolist() == ["flagged", "recognized"]
    assert frame["code"].iloc[0] == "36437" and pd.isna(frame["code"].iloc[1])
    assert screen_frame(pa.chunked_array([["Benadryl"], ["Benadryl"]]))["flagged"].tolist() == [["diphenhydramine"]]


def _parquet(tmp_path: Path, copies: int) -> None:
    """medications.parquet: the Synthea export repeated, each copy with new patient ids."""
    duckdb = pytest.importorskip("duckdb")
    duckdb.sql(
        f"""COPY (
            SELECT m.* REPLACE (m.PATIENT || '-' || c.range AS PATIENT)
            FROM read_csv('{SYNTHEA}', all_varchar = true) m, range({copies}) c
        ) TO '{tmp_path / "medications.parquet"}'"""
    )


def _expected(copies: int) -> set[tuple[str, str, str]]:
    """(patient, description, ingredient) of every flagged row, from `rlsmed check` on the CSV itself."""
    report = rlsmed.check_files([SYNTHEA])
    flagged = {(f.record.patient or "", f.record.text, f.drug.name) for f in report.findings}
    return {(f"{p}-{c}", text, drug) for p, text, drug in flagged for c in range(copies)}


def test_the_duckdb_recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("pandas")
    _parquet(tmp_path, copies=3)
    monkeypatch.chdir(tmp_path)
    exec(compile(_recipe("duckdb"), "README.md", "exec"), {})
    rows = duckdb.sql("SELECT PATIENT, DESCRIPTION, flagged FROM 'rls_flags.parquet'").fetchall()
    found = {(patient, text, drug) for patient, text, drugs in rows for drug in drugs}
    assert found == _expected(3)
    assert len(rows) == 3 * len({f.record.line for f in rlsmed.check_files([SYNTHEA]).findings})


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_the_spark_recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark; it needs Java)")
    duckdb = pytest.importorskip("duckdb")
    _parquet(tmp_path, copies=1)
    monkeypatch.chdir(tmp_path)
    exec(compile(_recipe("spark"), "README.md", "exec"), {})
    rows = duckdb.sql("SELECT PATIENT, DESCRIPTION, flagged FROM 'rls_flags/*.parquet'").fetchall()
    assert {(patient, text, drug) for patient, text, drugs in rows for drug in drugs} == _expected(1)


def test_a_text_that_says_the_drug_is_not_taken() -> None:
    stopped, allergy = screen_texts(["Zoloft 50 mg - stopped", "Compazine (allergy)"])
    assert (stopped.status, stopped.flagged, stopped.not_current) == ("not_current", (), ("sertraline",))
    assert allergy.not_current_statuses == ("allergy",)


def test_missing_values_of_a_column_are_skipped() -> None:
    # A pandas column handed over as it is holds NaN (a float) where a value is missing.
    rows = list(screen_texts(["Zoloft", float("nan"), None, ("Lipitor", [None, float("nan"), "83367"])]))  # type: ignore[list-item]
    assert [(r.text, r.codes, r.status) for r in rows] == [
        ("Zoloft", (), "flagged"),
        ("Lipitor", ("83367",), "recognized"),
    ]
