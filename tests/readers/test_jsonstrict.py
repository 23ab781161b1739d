"""Strict JSON: duplicate keys and NaN/Infinity refused, everything else as json.loads reads it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rlsmed.readers.jsonstrict import StrictJsonError, loads


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"status": "active", "status": "entered-in-error"}', "key 'status' given twice in one object"),
        ('{"a": {"b": 1, "c": 2, "b": 3}}', "key 'b' given twice in one object"),
        ('[{"x": 1}, {"y": 2, "y": 2}]', "key 'y' given twice in one object"),
        ('{"text": NaN}', "NaN is not a JSON value"),
        ('{"id": Infinity}', "Infinity is not a JSON value"),
        ('{"id": -Infinity}', "-Infinity is not a JSON value"),
        ('{"' + "k" * 60 + '": 1, "' + "k" * 60 + '": 2}', f"key '{'k' * 40}…' given twice in one object"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(StrictJsonError) as e:
        loads(text)
    assert str(e.value) == message


def test_same_key_in_different_objects_is_fine() -> None:
    assert loads('[{"id": 1}, {"id": 2, "x": {"id": 3}}]') == [{"id": 1}, {"id": 2, "x": {"id": 3}}]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON)
def test_property_standard_json_reads_as_json_loads_reads_it(value: object) -> None:
    text = json.dumps(value)
    assert loads(text) == json.loads(text)
