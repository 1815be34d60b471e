"""`load_located_json` gives each object the line of its opening brace (loaders/associations.py)."""

from __future__ import annotations

import bisect
import json
import random
import re

import pytest

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


def walked(text: str):
    """The document as the walk reads it (orjson's reading left out)."""
    from unittest import mock

    from mastgraph.loaders import json_lines

    with mock.patch.object(json_lines, "_quick_located", lambda text: None):
        return load_located_json(text)


def located_lines(doc) -> list:
    found: list = []
    lines_of(doc, "", [], found)
    return found


@pytest.mark.parametrize("text", [
    '{"a": {"x": 1},\n "b": 2,\n "a": {"y": 2}}',  # a repeated key holding objects: json keeps the last
    '{"a": 1,\n "b": {"c": 2},\n "a": {"d": 3}}',  # ... where it came first, before "b"'s object
    '{"a": [1, {"b": 2}],\n "a": 3}',
    '{"n": NaN,\n "m": {"i": -Infinity}}',  # json reads these, orjson does not
    '{"big": 123456789012345678901234567890,\n "o": {}}',  # json: an int; orjson: a float
    '{"u": 18446744073709551615,\n "o": {}}',
    '{"s": "\\ud83d\\ude00 \\\\ud800",\n "o": {}}',  # a surrogate pair (one character), an escaped backslash
    '[\n{"k": "{\\"}: ,"}, {"q": "a\\\\"},\n\n{"z": {"y": {}}}]',  # braces, colons and escapes in strings
    '"just text"', "12", "null", "[]", "{}",
])
def test_orjson_and_the_walk_read_alike(text) -> None:
    doc = load_located_json(text)
    assert doc == walked(text) == json.loads(text) or "NaN" in text
    assert located_lines(doc) == located_lines(walked(text))
    if not text.startswith('{"a"'):  # (a repeated key: an object the text has is not in the document)
        assert located_lines(doc) == brace_lines(text)
    assert json.dumps(doc) == json.dumps(json.loads(text))  # (the same types: an int stays an int)


@pytest.mark.parametrize("text, at", [('{"s": "\\ud800",\n "o": {}}', 7), ('{"o": {},\n "s": "a\\udc00"}', 18),
                                      ('["\\ud83d\\ude00", "\\ud83d x"]', 18)])
def test_a_lone_surrogate_escape_is_refused(text, at) -> None:
    """Half of a surrogate pair decodes to no character (UTF-8, the importer and Neo4j cannot hold
    it): refused where it is, as the decoder refuses a bad escape."""
    with pytest.raises(json.JSONDecodeError) as caught:
        load_located_json(text)
    assert caught.value.pos == at and caught.value.msg == f"{text[at:at + 6]} is half of a surrogate pair, not a character"


def test_numbers_read_as_json_reads_them() -> None:
    rng = random.Random(5)
    texts = [f"{rng.uniform(-1e6, 1e6):.{rng.randint(1, 20)}g}" for _ in range(2000)]
    texts += [f"{rng.randint(-10**18, 10**18)}" for _ in range(500)]
    texts += [f"{rng.random()}e{rng.randint(-320, 308)}" for _ in range(500)]
    text = "[" + ",\n".join('{"v": %s}' % t for t in texts) + "]"
    doc = load_located_json(text)
    assert [type(item["v"]) for item in doc] == [type(item["v"]) for item in json.loads(text)]
    assert [item["v"] for item in doc] == [item["v"] for item in json.loads(text)]
    assert located_lines(doc) == list(range(1, len(texts) + 1))


@pytest.mark.parametrize("text", ["", "  ", "{", '{"a": 1,}', '{"a": 1}\n x', '{\n"a": "x\ty"}', '\ufeff{}'])
def test_faults_are_reported_as_the_walk_reports_them(text) -> None:
    with pytest.raises(json.JSONDecodeError) as found:
        load_located_json(text)
    with pytest.raises(json.JSONDecodeError) as expected:
        walked(text)
    assert (found.value.msg, found.value.lineno) == (expected.value.msg, expected.value.lineno)


@pytest.mark.parametrize("number, line", [("1" + "0" * 5000, 3), ("-" + "9" * 4301, 3)])
def test_an_integer_past_the_readers_digit_limit_is_bad_json_at_its_line(number: str, line: int) -> None:
    """`int` refuses more than 4300 digits with a bare ValueError: refused as bad JSON, at its line (a
    string of as many digits, a long fraction or exponent are read as json reads them)."""
    text = '{"a": "' + "7" * 5000 + '",\n "b": 0.' + "5" * 5000 + ',\n "c": ' + number + "}"
    with pytest.raises(json.JSONDecodeError) as caught:
        load_located_json(text)
    digits = len(number.lstrip("-"))
    assert caught.value.lineno == line and caught.value.msg == f"an integer of {digits} digits (the JSON reader takes at most 4300)"
    assert load_located_json(text.replace(number, "1" * 4300))["c"] == int("1" * 4300)
