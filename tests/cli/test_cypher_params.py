"""`--param k=v` reads v as JSON, and only JSON: NaN and Infinity stay text (no database needed)."""

from __future__ import annotations

import pytest

from mastgraph.graph.runner import parse_param


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "[1, NaN]", "1e400"])
def test_non_json_constants_stay_text(raw):
    assert parse_param(f"x={raw}") == ("x", raw)


def test_json_values_are_still_read():
    assert parse_param("x=1e3") == ("x", 1000.0)
    assert parse_param('x=[1, "a", null]') == ("x", [1, "a", None])
