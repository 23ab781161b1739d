"""Knowledge-base validation: every problem reported at once, each naming its entry; hostile YAML rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from rlsmed.errors import KnowledgeBaseError
from rlsmed.kb import load_knowledge_base, validate_file
from rlsmed.models import Effect, Evidence

from .helpers import TINY_KB, write

ENTRY = """
  - name: {name}
    class: test class
    effect: worsens
    evidence: weak
    evidence_kinds: [case_report]
    evidence_basis: basis
    mechanism: mechanism
    rationale: rationale
    considerations: considerations
    names: [{names}]
    sources: [TEST1]
"""
HEADER = """schema_version: 1
kb_version: "9.9.9"
updated: 2026-02-03
sources:
  TEST1: {citation: "A citation.", doi: "10.1000/x"}
drugs:
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    return validate_file(write(tmp_path, "kb.yaml", text))


def test_the_test_knowledge_base_loads() -> None:
    kb = load_knowledge_base(builtin=TINY_KB)
    assert kb.version == "test-1" and kb.updated == "2026-01-01"
    assert kb.drugs["levodopa"].effect is Effect.AUGMENTATION
    assert kb.drugs["sertraline"].evidence is Evidence.WEAK
    assert (
        kb.drugs["sertraline"].sources[0].reference
        == "Example A. A test citation. J Test 2020;1:1-2. doi:10.1000/test.1"
    )


def test_a_valid_file(tmp_path: Path) -> None:
    assert problems_of(tmp_path, HEADER + ENTRY.format(name="foo", names="Foobrand")) == []


def test_every_problem_is_reported_with_its_entry(tmp_path: Path) -> None:
    text = HEADER + (
        "  - name: Foo\n    class: 3\n    effect: sometimes\n    evidence: great\n    sources: [NOPE]\n"
        "    colour: blue\n    atc: [XYZ]\n    rxcui: abc\n"
        "  - just text\n"
    )
    problems = problems_of(tmp_path, text)
    expected = [
        "drug 'Foo': unknown field 'colour'",
        "drug 'Foo': name must be the lowercase generic (ingredient) name",
        "drug 'Foo': field 'class' must be text, not int",
        "drug 'Foo': effect must be one of worsens, augmentation, mixed, lower_risk, rls_treatment, information",
        "drug 'Foo': evidence must be one of expert, weak, moderate, strong",
        "drug 'Foo': missing field 'evidence_basis'",
        "drug 'Foo': ATC code 'XYZ' is not of the form N06AB06",
        "drug 'Foo': rxcui must be digits, or empty when not verified",
        "drug 'Foo': cites unknown source 'NOPE'",
        "drug #2: must be a mapping, not str",
    ]
    for problem in expected:
        assert problem in problems
    assert len(problems) >= len(expected)


def test_duplicate_names_are_rejected(tmp_path: Path) -> None:
    text = HEADER + ENTRY.format(name="foo", names="Shared") + ENTRY.format(name="bar", names="SHARED")
    assert problems_of(tmp_path, text) == ["drug 'bar': name 'SHARED' is also a name of drug 'foo'"]


def test_sources_need_an_identifier(tmp_path: Path) -> None:
    text = HEADER.replace('{citation: "A citation.", doi: "10.1000/x"}', '{citation: "A citation."}')
    problems = problems_of(tmp_path, text + ENTRY.format(name="foo", names="Foobrand"))
    assert problems == ["source 'TEST1': needs a doi, pmid or url so the claim can be checked"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("drugs: [\n", "YAML syntax error"),
        ("x: !!python/object/apply:os.system ['echo hi']\n", "unsupported or unsafe YAML tag"),
        ("- 1\n- 2\n", "the file must be a mapping with 'drugs', not list"),
        ("", "the file must be a mapping with 'drugs', not NoneType"),
    ],
)
def test_hostile_or_broken_yaml(tmp_path: Path, text: str, message: str) -> None:
    problems = problems_of(tmp_path, text)
    assert len(problems) >= 1
    assert message in problems[0]


def test_an_alias_bomb_is_rejected_quickly(tmp_path: Path) -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(1, 12):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    bomb += "drugs: *l\n"
    problems = problems_of(tmp_path, bomb)
    assert problems and all(len(p) < 300 for p in problems)


def test_binary_and_missing_files(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "a: 1\x00") == ["contains NUL bytes; not a YAML text file"]
    assert validate_file(tmp_path / "missing.yaml") == ["no such file"]
    assert validate_file(tmp_path) == ["is a directory, not a YAML file"]


def test_site_file_extends_and_adds(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        "site.yaml",
        "sources:\n  LOCAL: {citation: 'Our committee.', url: 'https://example.org/x'}\ndrugs:\n"
        "  - name: sertraline\n    names: [Sertra-Local]\n"
        + ENTRY.format(name="newdrug", names="Newbrand").replace("TEST1", "LOCAL"),
    )
    kb = load_knowledge_base([site], builtin=TINY_KB)
    assert "Sertra-Local" in kb.drugs["sertraline"].names
    assert kb.drugs["newdrug"].sources[0].key == "LOCAL"
    assert kb.version == "test-1+site"


def test_site_file_may_not_replace_or_extend_what_is_not_there(tmp_path: Path) -> None:
    site = write(
        tmp_path, "site.yaml", "drugs:\n" + ENTRY.format(name="sertraline", names="X").replace("TEST1", "TEST1")
    )
    with pytest.raises(KnowledgeBaseError) as e:
        load_knowledge_base([site], builtin=TINY_KB)
    assert "already in the shipped knowledge base" in e.value.problems[0]
    site = write(tmp_path, "site2.yaml", "drugs:\n  - name: nosuch\n    names: [Y]\n")
    with pytest.raises(KnowledgeBaseError) as e:
        load_knowledge_base([site], builtin=TINY_KB)
    assert e.value.problems == ["drug 'nosuch': not in the knowledge base, so it cannot be extended"]


def test_error_message_lists_every_problem() -> None:
    error = KnowledgeBaseError("kb.yaml", ["drug 'a': one", "drug 'b': two"])
    assert (
        str(error) == "kb.yaml: invalid knowledge base (2 problems)\n  kb.yaml: drug 'a': one\n  kb.yaml: drug 'b': two"
    )


def test_the_compiled_copy_rebuilds_the_same_records() -> None:
    from rlsmed.kb.compiled import from_compiled, to_compiled
    from rlsmed.kb.loader import builtin_path, read_document
    from rlsmed.kb.schema import parse_document

    raw, problems = parse_document(read_document(builtin_path()), overlay=False)
    assert problems == []
    again = from_compiled(json.loads(json.dumps(to_compiled(raw))))
    assert again is not None
    assert again.drugs == raw.drugs
    assert again.products == raw.products
    assert again.sources == raw.sources
    assert (again.kb_version, again.updated) == (raw.kb_version, raw.updated)


# --- Every problem in one run (schema, duplicate keys, names), each naming its entry -------------------------------

SITE_SOURCES = "sources:\n  LOCAL: {citation: 'Our committee.', url: 'https://example.org/x'}\n"


def site_problems(tmp_path: Path, text: str, name: str = "site.yaml") -> list[str]:
    return validate_file(write(tmp_path, name, text), builtin=TINY_KB)


def test_schema_problems_and_name_conflicts_are_reported_together(tmp_path: Path) -> None:
    broken = ENTRY.format(name="baz", names="Bazbrand").replace("effect: worsens", "effect: sometimes")
    text = HEADER + ENTRY.format(name="foo", names="Shared") + ENTRY.format(name="bar", names="Shared") + broken
    problems = problems_of(tmp_path, text)
    assert "drug 'baz': effect must be one of" in problems[0]
    assert "drug 'bar': name 'Shared' is also a name of drug 'foo'" in problems
    # an entry that fails the schema still has its names checked
    text = HEADER + ENTRY.format(name="foo", names="Shared") + broken.replace("Bazbrand", "SHARED")
    problems = problems_of(tmp_path, text)
    assert "drug 'baz': name 'SHARED' is also a name of drug 'foo'" in problems
    assert len(problems) == 2


def test_a_site_file_reports_schema_problems_and_clashes_with_the_shipped_file_together(tmp_path: Path) -> None:
    text = (
        SITE_SOURCES
        + "drugs:\n"
        + ENTRY.format(name="newdrug", names="Zoloft").replace("TEST1", "LOCAL")
        + "  - name: other\n    class: 3\n"
    )
    problems = site_problems(tmp_path, text)
    assert "drug 'other': field 'class' must be text, not int" in problems
    assert "drug 'newdrug': name 'Zoloft' is also a name of drug 'sertraline'" in problems


def test_duplicate_yaml_keys_are_rejected_and_all_listed(tmp_path: Path) -> None:
    entry = ENTRY.format(name="foo", names="Foobrand")
    text = HEADER + entry.replace("    effect: worsens\n", "    effect: worsens\n    effect: lower_risk\n")
    text = text.replace("    names: [Foobrand]\n", "    names: [Foobrand]\n    names: [Other]\n")
    text += "drugs: []\n"
    problems = problems_of(tmp_path, text)
    assert problems == [
        "key 'drugs' is given twice (lines 6 and 21)",
        "drug 'foo': key 'effect' is given twice (lines 10 and 11)",
        "drug 'foo': key 'names' is given twice (lines 18 and 19)",
    ]


def test_duplicate_keys_in_sources_and_products_name_their_entry(tmp_path: Path) -> None:
    text = HEADER.replace('doi: "10.1000/x"}', 'doi: "10.1000/x", doi: "10.1000/y"}') + ENTRY.format(
        name="foo", names="Foobrand"
    )
    text += "products:\n  - name: Foo PM\n    ingredients: [foo]\n    ingredients: [foo, bar]\n"
    problems = problems_of(tmp_path, text)
    assert problems == [
        "source 'TEST1': key 'doi' is given twice (lines 5 and 5)",
        "product 'Foo PM': key 'ingredients' is given twice (lines 21 and 22)",
    ]


def test_merge_keys_may_override_what_they_merge(tmp_path: Path) -> None:
    text = HEADER + (
        "  - &base\n    name: foo\n    class: test class\n    effect: worsens\n    evidence: weak\n"
        "    evidence_kinds: [case_report]\n"
        "    evidence_basis: basis\n    mechanism: mechanism\n    rationale: rationale\n"
        "    considerations: considerations\n    sources: [TEST1]\n"
        "  - <<: *base\n    name: bar\n    effect: mixed\n"
    )
    assert problems_of(tmp_path, text) == []
    kb = load_knowledge_base(builtin=write(tmp_path, "kb.yaml", text))
    assert kb.drugs["bar"].effect is Effect.MIXED and kb.drugs["foo"].effect is Effect.WORSENS


def test_a_drug_written_twice_in_a_site_file_says_so(tmp_path: Path) -> None:
    entry = ENTRY.format(name="newdrug", names="Newbrand").replace("TEST1", "LOCAL")
    problems = site_problems(tmp_path, SITE_SOURCES + "drugs:\n" + entry + entry)
    assert problems == ["drug 'newdrug': written twice in this file (entries #1 and #2)"]
    text = "drugs:\n  - name: sertraline\n    names: [A]\n  - name: escitalopram\n    names: [B]\n"
    problems = site_problems(tmp_path, text + "  - name: sertraline\n    names: [C]\n")
    assert problems == ["drug 'sertraline': written twice in this file (entries #1 and #3)"]


def test_a_drug_or_product_written_twice_in_a_complete_file_is_rejected(tmp_path: Path) -> None:
    entry = ENTRY.format(name="foo", names="Foobrand")
    text = HEADER + entry + entry + "products:\n" + "  - {name: Foo PM, ingredients: [foo]}\n" * 2
    assert problems_of(tmp_path, text) == [
        "drug 'foo': written twice in this file (entries #1 and #2)",
        "product 'Foo PM': written twice in this file (entries #1 and #2)",
    ]


def test_a_site_file_may_not_redefine_shipped_products_or_sources(tmp_path: Path) -> None:
    text = (
        "sources:\n  TEST1: {citation: 'Mine.', url: 'https://example.org/x'}\n"
        "products:\n  - {name: Tylenol PM, ingredients: [diphenhydramine]}\n"
    )
    problems = site_problems(tmp_path, text)
    assert "source 'TEST1': already in the shipped knowledge base" in problems
    assert "product 'Tylenol PM': already in the shipped knowledge base" in problems


def test_a_second_site_file_names_the_first_one(tmp_path: Path) -> None:
    entry = ENTRY.format(name="newdrug", names="Newbrand").replace("TEST1", "LOCAL")
    one = write(tmp_path, "one.yaml", SITE_SOURCES + "drugs:\n" + entry)
    two = write(tmp_path, "two.yaml", "drugs:\n" + entry)
    with pytest.raises(KnowledgeBaseError) as e:
        load_knowledge_base([one, two], builtin=TINY_KB)
    assert e.value.origin == str(two)
    assert f"drug 'newdrug': already in {one}; to add names, give only name and names" in e.value.problems


@pytest.mark.parametrize(
    ("field", "line"),
    [
        ("names", "    names: Lexapro\n"),
        ("salts", "    salts: oxalate\n"),
        ("atc", "    atc: N06AB10\n"),
        ("sources", "    sources: TEST1\n"),
    ],
)
def test_a_single_text_where_a_list_belongs_is_rejected(tmp_path: Path, field: str, line: str) -> None:
    entry = ENTRY.format(name="foo", names="Foobrand")
    lines = [x for x in entry.splitlines(keepends=True) if not x.startswith(f"    {field}:")]
    problems = problems_of(tmp_path, HEADER + "".join(lines) + line)
    value = line.split(": ", 1)[1].strip()
    assert problems == [f"drug 'foo': field '{field}' must be a list, like [{value}], not a single text"]


def test_a_single_text_where_a_list_belongs_in_products_and_site_extensions(tmp_path: Path) -> None:
    text = HEADER + ENTRY.format(name="foo", names="X") + "products:\n  - {name: Foo PM, ingredients: foo}\n"
    assert problems_of(tmp_path, text) == [
        "product 'Foo PM': field 'ingredients' must be a list, like [foo], not a single text"
    ]
    problems = site_problems(tmp_path, "drugs:\n  - name: sertraline\n    names: Sertra-Local\n")
    assert problems == ["drug 'sertraline': field 'names' must be a list, like [Sertra-Local], not a single text"]


def test_missing_sources_and_bad_dates_are_problems_not_crashes(tmp_path: Path) -> None:
    entry = ENTRY.format(name="foo", names="X").replace("    sources: [TEST1]\n", "")
    assert problems_of(tmp_path, HEADER + entry) == ["drug 'foo': missing field 'sources'"]
    text = HEADER.replace("2026-02-03", "2026-13-45") + ENTRY.format(name="foo", names="X")
    assert problems_of(tmp_path, text) == ["line 3, column 10: invalid timestamp value '2026-13-45'"]
    text = HEADER.replace("2026-02-03", '"last week"') + ENTRY.format(name="foo", names="X")
    assert problems_of(tmp_path, text) == ["field 'updated' must be a date (YYYY-MM-DD)"]
    assert problems_of(tmp_path, "x: !!timestamp abc\n") == ["line 1, column 4: invalid timestamp value 'abc'"]
    assert problems_of(tmp_path, "x: !!int abc\n") == ["line 1, column 4: invalid int value 'abc'"]


def test_other_wrong_types_are_not_taken_as_empty(tmp_path: Path) -> None:
    text = HEADER + ENTRY.format(name="foo", names="X") + "products: ''\n"
    assert problems_of(tmp_path, text) == ["'products' must be a list, not str"]
    text = HEADER.replace('doi: "10.1000/x"', "pmid: true") + ENTRY.format(name="foo", names="X")
    assert problems_of(tmp_path, text) == ["source 'TEST1': pmid must be digits"]
    text = HEADER.replace('doi: "10.1000/x"', "url: www.example.org") + ENTRY.format(name="foo", names="X")
    assert problems_of(tmp_path, text) == ["source 'TEST1': url must start with https:// or http://"]


def test_values_quoted_in_problems_are_one_short_line(tmp_path: Path) -> None:
    long_key = "k" * 5000  # longer than YAML allows a plain key: written as an explicit one
    text = HEADER + ENTRY.format(name="foo", names="X") + f'    "bad\\nkey": 1\n    ? {long_key}\n    : 2\n'
    problems = problems_of(tmp_path, text)
    assert "drug 'foo': unknown field 'bad\\nkey'" in problems
    assert len(problems) == 2
    assert all("\n" not in p and len(p) < 200 for p in problems)


# --- Hostile YAML: alias bombs, recursion, huge files ---------------------------------------------------------------


# PyYAML's pure-Python parser is many times slower than libyaml's: the time limits are for the C one.
SLOWER = 1 if hasattr(yaml, "CSafeLoader") else 20


def _bomb(levels: int = 12) -> str:
    text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        text += f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    return text


@pytest.mark.parametrize(
    "text",
    [
        _bomb() + "drugs: *l\n",
        _bomb() + "drugs:\n  - name: foo\n    names: *l\n",
        # the same through merge keys, which PyYAML copies into each mapping
        "a: &a {x: 1}\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} {{<<: [{', '.join([f'*{chr(97 + i)}'] * 9)}]}}\n" for i in range(11)),
        # one long text repeated many times
        "s: &s " + "y" * 1_000_000 + "\ndrugs:\n  - name: foo\n    names: [" + ",".join(["*s"] * 200_000) + "]\n",
    ],
    ids=["lists", "names", "merge-keys", "long-text"],
)
def test_an_alias_bomb_is_one_line_and_quick(tmp_path: Path, text: str) -> None:
    import time

    start = time.perf_counter()
    problems = problems_of(tmp_path, text)
    assert time.perf_counter() - start < 5 * SLOWER
    assert problems == ["too many aliases: the document would expand far beyond its size (an alias bomb?)"]


def test_a_recursive_alias_is_rejected(tmp_path: Path) -> None:
    text = HEADER + "  - &e\n    name: foo\n    names: [*e]\n"
    assert problems_of(tmp_path, text) == ["line 7, column 5: an alias refers to the node that contains it"]


def _word(i: int) -> str:
    """A distinct all-letter name for each number (digits do not count in a name's key)."""
    out = ""
    while True:
        i, r = divmod(i, 26)
        out += chr(ord("a") + r)
        if not i:
            return out


def test_many_legitimate_aliases_are_fine(tmp_path: Path) -> None:
    entries = [
        ENTRY.format(name=f"drug{_word(i)}", names=f"Brand{_word(i)}").replace(
            "sources: [TEST1]", "sources: *src" if i else "sources: &src [TEST1]"
        )
        for i in range(3000)
    ]
    assert problems_of(tmp_path, HEADER + "".join(entries)) == []


def test_a_very_large_entry_is_handled_quickly(tmp_path: Path) -> None:
    import time

    names = ", ".join(f"Brand{_word(i)}" for i in range(100_000))
    text = HEADER + ENTRY.format(name="foo", names=names)
    start = time.perf_counter()
    assert problems_of(tmp_path, text) == []
    kb = load_knowledge_base(builtin=write(tmp_path, "big.yaml", text))
    assert len(kb.drugs["foo"].names) == 100_000
    assert time.perf_counter() - start < 10 * SLOWER


def test_names_added_by_site_files_are_added_once_and_quickly(tmp_path: Path) -> None:
    import time

    # a second file gives one of the first file's names again, and extends another drug
    text = "drugs:\n  - {name: sertraline, names: [Sertraa]}\n  - {name: escitalopram, names: [Escita]}\n"
    many = "drugs:\n  - name: sertraline\n    names: [" + ", ".join(f"Sertra{_word(i)}" for i in range(50_000)) + "]\n"
    start = time.perf_counter()
    kb = load_knowledge_base([write(tmp_path, "site.yaml", many), write(tmp_path, "two.yaml", text)], builtin=TINY_KB)
    assert len(kb.drugs["sertraline"].names) == 50_002  # Zoloft, Lustral and the site's (one given twice)
    assert kb.drugs["escitalopram"].names[-1] == "Escita"
    assert time.perf_counter() - start < 10 * SLOWER


# --- Unreadable files: one line ----------------------------------------------------------------------------------


def test_an_unreadable_site_file_is_a_one_line_error(tmp_path: Path) -> None:
    from .helpers import run_cli

    for path, message in [(tmp_path / "missing.yaml", "no such file"), (tmp_path, "is a directory, not a YAML file")]:
        with pytest.raises(KnowledgeBaseError) as e:
            load_knowledge_base([path], builtin=TINY_KB)
        assert str(e.value) == f"{path}: {message}"
        assert e.value.problems == [message]
    result = run_cli(["check", "--kb", str(tmp_path / "missing.yaml")], stdin="Zoloft\n")
    assert result.exit_code == 2
    assert result.stderr == f"rlsmed: {tmp_path / 'missing.yaml'}: no such file\n"


def test_duplicate_keys_label_entries_as_the_schema_does(tmp_path: Path) -> None:
    text = HEADER + "  - name: 123\n    class: a\n    class: b\n"
    problems = problems_of(tmp_path, text)
    assert problems[:2] == [
        "drug #1: key 'class' is given twice (lines 8 and 9)",
        "drug #1: field 'name' must be text, not int",
    ]


def test_duplicate_keys_are_listed_with_the_other_problems(tmp_path: Path) -> None:
    entry = ENTRY.format(name="foo", names="Foobrand")
    text = HEADER + entry.replace("    effect: worsens\n", "    effect: worsens\n    effect: often\n")
    assert problems_of(tmp_path, text) == [
        "drug 'foo': key 'effect' is given twice (lines 10 and 11)",
        "drug 'foo': effect must be one of worsens, augmentation, mixed, lower_risk, rls_treatment, information",
    ]
    problems = problems_of(tmp_path, text + "x: !!python/object/apply:os.system ['echo hi']\n")
    assert problems[0] == "drug 'foo': key 'effect' is given twice (lines 10 and 11)"
    assert "unsupported or unsafe YAML tag" in problems[1] and len(problems) == 2


PRODUCT_HEADER = HEADER + ENTRY.format(name="foo", names="Foobrand") + "products:\n"


def test_a_brand_may_mean_different_products_in_different_markets(tmp_path: Path) -> None:
    text = PRODUCT_HEADER + (
        "  - name: Barbrand\n    ingredients: [foo]\n    markets: [US, CA]\n    source: TEST1\n"
        '  - name: Barbrand\n    ingredients: [other]\n    markets: [GB]\n    source: "https://example.org/leaflet"\n'
    )
    assert problems_of(tmp_path, text) == []


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("    markets: [GB, US]\n", "written twice for market US"),
        ("", "written twice in this file"),
    ],
)
def test_a_brand_written_twice_needs_markets_that_do_not_overlap(tmp_path: Path, second: str, message: str) -> None:
    text = PRODUCT_HEADER + (
        "  - name: Barbrand\n    ingredients: [foo]\n    markets: [US]\n"
        "  - name: Barbrand\n    ingredients: [other]\n" + second
    )
    assert any(message in p for p in problems_of(tmp_path, text))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("    markets: [UK]\n", "market 'UK' is not an ISO 3166-1 alpha-2 country code"),
        ("    markets: [SE, NO]\n", "quote country codes like NO"),
        ("    markets: [GB, GB]\n", "a market is listed twice"),
        ("    source: NOPE\n", "source 'NOPE' is neither a key of 'sources' nor a URL"),
    ],
)
def test_product_markets_and_sources_are_checked(tmp_path: Path, line: str, message: str) -> None:
    text = PRODUCT_HEADER + "  - name: Barbrand\n    ingredients: [foo]\n" + line
    assert any(message in p for p in problems_of(tmp_path, text)), problems_of(tmp_path, text)
