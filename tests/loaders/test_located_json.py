"""`load_located_json` gives each object the line of its opening brace (loaders/associations.py)."""

from __future__ import annotations

import bisect
import json
import random
import re

from mastgraph.loaders.associations import LocatedDict, load_located_json


def lines_of(value, text: str, newlines: list[int], found: list) -> None:
    if isinstance(value, dict):
        assert isinstance(value, LocatedDict)
        found.append(value.line)
        for item in value.values():
            lines_of(item, text, newlines, found)
    elif isinstance(value, list):
        for item in value:
            lines_of(item, text, newlines, found)


def brace_lines(text: str) -> list[int]:
    """The line of every object's "{" (outside strings), in the order of the text."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    return [bisect.bisect_left(newlines, m.start()) + 1
            for m in re.finditer(r'"(?:[^"\\]|\\.)*"|\{', text) if m.group() == "{"]


def random_value(rng: random.Random, depth: int = 0):
    kind = rng.random()
    if depth > 3 or kind < 0.3:
        return rng.choice([1, 2.5, "a{b}", "x\ny", None, True, "", "{", "}"])
    if kind < 0.6:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {f"k{i}{{": random_value(rng, depth + 1) for i in range(rng.randint(0, 4))}


def test_every_object_has_the_line_of_its_brace() -> None:
    rng = random.Random(3)
    for _ in range(300):
        value = random_value(rng)
        text = json.dumps(value, indent=rng.choice([None, 1, 2]))
        found: list = []
        doc = load_located_json(text)
        assert doc == value
        lines_of(doc, text, [], found)
        assert found == brace_lines(text)
