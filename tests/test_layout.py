"""The pieces of the terminal report: lines wrapped and tables sized within a width, and a written line
shortened to what identifies its medicine. Property-based where the input is anything a list may hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from rlsmed.writers.layout import Column, Styler, table, wrap
from rlsmed.writers.written import identifying

TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=200)
WIDTH = st.integers(min_value=4, max_value=120)


@settings(max_examples=300, deadline=None)
@given(TEXT, WIDTH)
def test_wrap_fits_and_keeps_every_character(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join("".join(line.split()) for line in lines) == "".join(text.split())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, st.text("abcdefghij", min_size=1, max_size=15)), max_size=8), WIDTH)
def test_a_table_fits_its_width_or_says_it_cannot(rows: list[tuple[str, str, str]], width: int) -> None:
    columns = [Column("Line", wrap=False), Column("Written"), Column("Drug", wrap=False)]
    cells = [[[(a, "")], [(b, "dim")], [(c, "bold")]] for a, b, c in rows]
    lines = table(columns, cells, width + 30, Styler(False))
    if lines is None:
        # Only when the columns that are never broken leave the other less than its narrowest (12 cells).
        fixed = [max([cell_len(h), *(cell_len(r[i]) for r in rows)]) for i, h in ((0, "Line"), (2, "Drug"))]
        written = min(12, max([cell_len("Written"), *(cell_len(b) for _, b, _ in rows)]))
        assert 2 + 4 + sum(fixed) + written > width + 30
        return
    assert all(cell_len(line) <= width + 30 for line in lines)
    assert all(line == line.rstrip() for line in lines)
    for _, _, drug in rows:  # a name that is never broken is whole on a line
        assert any(drug in line for line in lines)


def test_colour_codes_wrap_only_the_text() -> None:
    style = Styler(True)
    assert style("strong", "bold red") == "\x1b[1;31mstrong\x1b[0m"
    assert style("", "bold") == "" and Styler(False)("x", "red") == "x"


NAMES = st.sampled_from(["Zoloft", "sertraline", "TYLENOL PM", "Benedryl", "traZODone"])


@settings(max_examples=300, deadline=None)
@given(TEXT, NAMES, TEXT)
def test_the_identifying_part_keeps_the_name_and_invents_nothing(before: str, name: str, after: str) -> None:
    text = f"{before} {name} {after}"
    shown = identifying(text, [name])
    assert name.lower() in shown.lower()
    words = text.split()
    assert all(word in words for word in shown.removeprefix("…").split())


def test_what_identifies_a_line() -> None:
    cases = {
        "sertraline (ZOLOFT) 100 MG tablet\tTake 1.5 tablets (150 mg total) by mouth daily.": (
            ["sertraline"],
            "sertraline (ZOLOFT) 100 MG",
        ),
        "TYLENOL PM EXTRA STRENGTH 25-500 MG per tablet\tTake 2 tablets by mouth nightly": (
            ["TYLENOL PM"],
            "TYLENOL PM EXTRA STRENGTH 25-500 MG",
        ),
        "Benedryl 25 mg at bedtime for allergies (patient-reported)": (["Benedryl"], "Benedryl 25 mg"),
        "Tylenol PM 2 caplets at bedtime": (["Tylenol PM"], "Tylenol PM"),  # how many, not how strong
        "Meds: sertraline 50, trazodone 50 qhs, melatonin 3mg": (
            ["sertraline", "trazodone"],
            "Meds: sertraline 50, trazodone 50",
        ),
        "carbidopa-levodopa (SINEMET) 25-100 MG tablet": (["levodopa"], "carbidopa-levodopa (SINEMET) 25-100 MG"),
        "Patient takes several things including at night the Benadryl 25mg tablets": (["Benadryl"], "…Benadryl 25mg"),
        "RxNorm 1049630": (["Zoloft"], "RxNorm 1049630"),  # matched by its code: the whole line
        "SérTraline 50mg daily": (["sertraline"], "SérTraline 50mg"),
    }
    for text, (names, shown) in cases.items():
        assert identifying(text, names) == shown, text
