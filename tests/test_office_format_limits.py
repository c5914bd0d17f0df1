"""bundle.json's size and depth limits (``format._check_depth_and_strings``,
made faster for the office's import): the same verdicts as the plain
depth-first walk it replaced, on the edges and on generated trees."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from branchtool.bundles import format as fmt


def reference(value: Any) -> str | None:
    """The original walk: the field it rejects, or None."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > fmt.MAX_DEPTH:
            return "depth"
        if isinstance(item, dict):
            for key, child in item.items():
                if len(key) > 200:
                    return "key"
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and len(item) > fmt.MAX_STRING:
            return "string"
    return None


def verdict(value: Any) -> str | None:
    try:
        fmt._check_depth_and_strings(value)
    except fmt.BundleRejected as exc:
        return str(exc.params["field"])
    return None


def nested(depth: int, leaf: Any = 1, as_dict: bool = False) -> Any:
    value = leaf
    for _ in range(depth):
        value = {"k": value} if as_dict else [value]
    return value


@pytest.mark.parametrize("as_dict", [False, True])
@pytest.mark.parametrize("leaf", [1, "s", None, [], {}])
def test_depth_edges(as_dict: bool, leaf: Any) -> None:
    for depth in (fmt.MAX_DEPTH - 1, fmt.MAX_DEPTH, fmt.MAX_DEPTH + 1, fmt.MAX_DEPTH + 2):
        value = nested(depth, leaf, as_dict)
        assert verdict(value) == reference(value), depth


def test_keys_and_strings() -> None:
    long_string = "x" * (fmt.MAX_STRING + 1)
    for value in (long_string, [long_string], {"a": {"b": long_string}}, {"k" * 201: 1},
                  [{"k" * 200: "x" * fmt.MAX_STRING}], {"k" * 201: {}}):
        assert verdict(value) == reference(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner,
                                                                 max_size=3),
    max_leaves=60)


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(min_value=0, max_value=fmt.MAX_DEPTH + 2))
def test_generated_trees_get_the_same_verdict(value: Any, wrap: int) -> None:
    deep = nested(wrap, value)
    assert verdict(deep) == reference(deep)
