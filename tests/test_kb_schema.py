"""Knowledge-base validation: every problem reported at once, each naming its entry; hostile YAML rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlsmed.errors import KnowledgeBaseError
from rlsmed.kb import load_knowledge_base, validate_file
from rlsmed.models import Effect, Evidence

from .helpers import TINY_KB, write

ENTRY = """
  - name: {name}
    class: test class
    effect: worsens
    evidence: weak
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
    from rlsmed.kb.loader import builtin_path, read_document
    from rlsmed.kb.schema import from_compiled, parse_document, to_compiled

    raw, problems = parse_document(read_document(builtin_path()), overlay=False)
    assert problems == []
    again = from_compiled(json.loads(json.dumps(to_compiled(raw))))
    assert again.drugs == raw.drugs
    assert again.products == raw.products
    assert again.sources == raw.sources
    assert (again.kb_version, again.updated) == (raw.kb_version, raw.updated)
