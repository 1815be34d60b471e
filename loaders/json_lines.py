"""JSON read with the line where each object opens: one reader for every JSON format of the loaders.

- `load_located_json` (association and EDB documents): the whole document as `json.loads` gives
  it, every object a `LocatedDict` that knows the 1-based line of its ``{``.
- `JsonRecords` (MAST JSON tables): the records of ``[records...]``, ``{"data": [records...]}``
  or ``{"<obs_id>": [records...]}`` one at a time, each with the line of its ``{``; members named
  in `JSON_METADATA` are skipped.

Both walk the containers themselves and hand every other value (and a whole record) to the
standard library's `json.JSONDecoder.raw_decode`, which does the work in C; `LineCounter` turns
positions into lines. `load_located_json` first tries `orjson` on the whole document and takes each
object's line from the text with its strings blanked (`_quick_located`): the same document, read in
a third of the time; where orjson would read it otherwise (a repeated key, NaN, a very large integer,
a fault) the walk reads it. A fault is reported as the standard library reports it (its message and
line): `load_located_json` raises `json.JSONDecodeError`, `JsonRecords` a `LoadError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from mastgraph.loaders.records import LoadError, origin

#: Top-level members of a MAST JSON object that are metadata, not records.
JSON_METADATA = frozenset({"status", "msg", "fields", "paging", "info", "columns", "request", "meta"})
_WS = re.compile(r"[ \t\n\r]*")


#: A surrogate's escape (``\ud800``-``\udfff``): JSON may pair a high and a low one into one
#: character; alone, it decodes to no character (UTF-8 cannot hold it, nor the importer, nor Neo4j).
_SURROGATE = re.compile(r"\\u[dD]([89a-fA-F])[0-9a-fA-F]{2}")
#: Why a document nested past the decoder's recursion limit is refused.
TOO_DEEP = "bad JSON: nested too deeply (lists or objects inside one another past the reader's limit)"


def half_pair(text: str, at: int) -> str:
    """What is wrong with the lone surrogate escape at `at` (`lone_surrogate`)."""
    return f"{text[at:at + 6]} is half of a surrogate pair, not a character"


def lone_surrogate(text: str, pos: int = 0, end: int | None = None) -> int | None:
    """The position of the first surrogate escape in `text[pos:end]` that is not one half of a
    pair (a high one followed by a low one), else None. An escape preceded by an odd number of
    backslashes is text (``\\\\ud800``), not an escape."""
    end = len(text) if end is None else end
    if text.find("\\u", pos, end) < 0:  # (the common case: no escape at all)
        return None
    paired_low = -1
    for match in _SURROGATE.finditer(text, pos, end):
        start = match.start()
        slashes = 0
        while start - slashes - 1 >= 0 and text[start - slashes - 1] == "\\":
            slashes += 1
        if slashes % 2:
            continue  # an escaped backslash, then text
        if start == paired_low:
            continue
        if match[1] in "89abAB":  # a high half: a low half must follow at once
            after = _SURROGATE.match(text, match.end(), end)
            if after is not None and after[1] not in "89abAB":
                paired_low = after.start()
                continue
        return start
    return None


#: A JSON string, or a number (its fraction and exponent grouped): where `long_integer` looks.
_STRING_OR_NUMBER = re.compile(r'"(?:[^"\\]|\\.)*"|-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?')


def long_integer(text: str, pos: int = 0, end: int | None = None) -> tuple[int, int, str] | None:
    """(start, end, reason) of the first integer in `text[pos:end]` with more digits than Python's `int`
    reads (`sys.get_int_max_str_digits`: 4300), which the decoder refuses with a bare ValueError
    (no position, not a `JSONDecodeError`); None when there is none."""
    import sys

    limit = sys.get_int_max_str_digits()
    end = len(text) if end is None else end
    for match in _STRING_OR_NUMBER.finditer(text, pos, end):
        token = match[0]
        if token[0] != '"' and match[1] is None and match[2] is None and len(token.lstrip("-")) > limit:
            return match.start(), match.end(), (f"an integer of {len(token.lstrip('-'))} digits (the JSON reader "
                                   f"takes at most {limit})")
    return None


class LineCounter:
    """1-based line of a character position; cheapest when positions are asked in increasing order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def __call__(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


class LocatedDict(dict):
    """A JSON object that remembers the 1-based line where its ``{`` is."""

    __slots__ = ("line",)


class _Fault(Exception):
    """The text is not JSON here; the standard decoder says how."""


def load_located_json(text: str) -> Any:
    """`json.loads`, with every object a `LocatedDict` (raises `json.JSONDecodeError`, also for a
    lone surrogate escape, which decodes to no character; `RecursionError` past the nesting limit)."""
    lone = lone_surrogate(text)
    if lone is not None:
        raise json.JSONDecodeError(half_pair(text, lone), text, lone)
    quick = _quick_located(text)
    if quick is not None:
        return quick[0]
    decode = json.JSONDecoder().raw_decode
    line_at = LineCounter(text)

    def value(pos: int) -> tuple[Any, int]:
        opening = text[pos:pos + 1]
        if opening == "{":
            located = LocatedDict()
            located.line = line_at(pos)
            pos = _WS.match(text, pos + 1).end()
            if text.startswith("}", pos):
                return located, pos + 1
            while True:
                if not text.startswith('"', pos):
                    raise _Fault
                key, pos = decode(text, pos)
                pos = _WS.match(text, pos).end()
                if not text.startswith(":", pos):
                    raise _Fault
                located[key], pos = value(_WS.match(text, pos + 1).end())
                pos = _WS.match(text, pos).end()
                if text.startswith(",", pos):
                    pos = _WS.match(text, pos + 1).end()
                elif text.startswith("}", pos):
                    return located, pos + 1
                else:
                    raise _Fault
        if opening == "[":
            items: list[Any] = []
            pos = _WS.match(text, pos + 1).end()
            if text.startswith("]", pos):
                return items, pos + 1
            while True:
                item, pos = value(pos)
                items.append(item)
                pos = _WS.match(text, pos).end()
                if text.startswith(",", pos):
                    pos = _WS.match(text, pos + 1).end()
                elif text.startswith("]", pos):
                    return items, pos + 1
                else:
                    raise _Fault
        return decode(text, pos)  # a string, number or literal

    try:
        try:
            document, end = value(_WS.match(text, 0).end())
            if _WS.match(text, end).end() != len(text):
                raise _Fault
        except (_Fault, json.JSONDecodeError):
            json.JSONDecoder().decode(text)  # raises the standard error: message, position, line
            raise json.JSONDecodeError("not read as the standard decoder reads it", text, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # (an integer past `int`'s digit limit: no position given)
        found = long_integer(text)
        if found is None:
            raise
        raise json.JSONDecodeError(found[2], text, found[0]) from None
    return document


#: A JSON string (its text holds no line break: JSON has none in strings, the readers refuse one).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
#: An integer part of 19 or more digits: orjson makes a float of one past 64 bits, json an int.
_LONG_NUMBER = re.compile(r"[0-9]{19}")


def _quick_located(text: str) -> tuple[Any] | None:
    """(the located document,) read by orjson; None where its reading could differ from `json.loads`'s.

    With every string blanked, the text keeps its lines and its structure: each ``{`` left opens an
    object and each ``:`` follows a key. orjson gives the objects, in the order of their braces when
    no key is repeated (json keeps a repeated key where it first came, with its last value): so the
    document is taken only when it holds as many keys as the text has colons."""
    import orjson

    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    bare = _STRING.sub('""', text)
    if _LONG_NUMBER.search(bare):
        return None
    lines = iter(_brace_lines(bare, bare.count("{")))
    try:
        located, keys = _located(document, lines)
    except RecursionError:  # (the walk says what it says of it)
        return None
    if keys != bare.count(":") or next(lines, None) is not None:
        return None
    return (located,)


def _brace_lines(bare: str, count: int) -> list[int]:
    """The line of each of the `count` braces of `bare`, in order."""
    lines = []
    pos, line = 0, 1
    find, newlines = bare.find, bare.count
    for _ in range(count):
        brace = find("{", pos)
        line += newlines("\n", pos, brace)
        lines.append(line)
        pos = brace + 1
    return lines


#: The line of an object past the braces found (the document is then read by the walk).
_NO_LINE = 0


def _located(value: Any, lines: Iterator[int]) -> tuple[Any, int]:
    """`value` with each dict in it a `LocatedDict` given the next of `lines` (`_NO_LINE` once they
    run out), and the number of keys in it."""
    keys = 0
    if type(value) is dict:
        located = LocatedDict(value)
        located.line = next(lines, _NO_LINE)
        keys = len(value)
        for key, item in value.items():
            if type(item) is dict or type(item) is list:
                located[key], more = _located(item, lines)
                keys += more
        return located, keys
    if type(value) is not list:
        return value, 0
    items = list(value)
    for number, item in enumerate(value):
        if type(item) is dict or type(item) is list:
            items[number], more = _located(item, lines)
            keys += more
    return items, keys


#: Characters `JsonRecords` reads at a time: its window holds the record being read and at most
#: about this much text more (or the record, when one is longer).
BLOCK = 1 << 20
#: A value decoded, or a decoding fault, this far before the window's end is the text's own: what
#: follows cannot change it (but an unterminated string's fault, reported where the string starts).
_FAULT_MARGIN = 64


class JsonRecords:
    """The record objects of a MAST JSON document, in order, each with the line of its opening brace.

    Read from a file, the text goes through a window: `BLOCK` characters are read at a time and the
    text before the record being read is let go, so memory holds about one block and one record
    however long the document is. A value the window cuts short is decoded again once more text is
    in (the window grows by what it holds, so a record longer than a block costs linear time)."""

    def __init__(self, path: Path, source: str | TextIO, block: int = BLOCK) -> None:
        self.path = path
        self.block = block
        self.decode = json.JSONDecoder().raw_decode
        if isinstance(source, str):
            self.text, self.source, self.ended = source, None, True
        else:
            self.text, self.source, self.ended = "", source, False
        self.first_line = 1  # the line of text[0]
        self._lists = 0  # the record lists of a document that is an object
        self._line_pos, self._line = 0, 1  # a position of the window and its line (counted on from there)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """(origin, value) of each record; `LoadError` at the first fault."""
        path = self.path
        pos = self._ws(0)
        if pos >= len(self.text):
            raise LoadError(str(path), "empty JSON document")
        if self.text[pos] == "[":
            end = yield from self._array(pos)
        elif self.text[pos] == "{":
            self._lists = 0
            end = yield from self._object(pos)
            if not self._lists:  # (an empty list is a table of no rows; no list at all is no table)
                raise LoadError(self._at(pos), "a JSON object with no list of records (MAST's tables are "
                                               "{\"data\": [...]}, {\"<obs_id>\": [...]} or a list)")
        else:
            raise LoadError(self._at(pos), "expected a JSON object or list of records")
        if self._ws(end) != len(self.text):
            raise LoadError(self._at(end), "extra data after the JSON document")

    # -- the window --------------------------------------------------------------------------
    def _more(self, pos: int) -> bool:
        """Read on (a block, or as much as the window holds after `pos`); False at the end of the text."""
        if self.ended:
            return False
        read = self.source.read(max(self.block, len(self.text) - pos))
        if not read:
            self.ended = True
            return False
        self.text += read
        return True

    def _let_go(self, pos: int) -> int:
        """Drop the text before `pos` once it is more than a block (nothing before it is read again);
        returns `pos` in the window that is left."""
        if pos < self.block or self.source is None:
            return pos
        text = self.text
        if self._line_pos <= pos:
            self._line += text.count("\n", self._line_pos, pos)
            self._line_pos = 0
        else:
            self._line_pos -= pos
        self.first_line += text.count("\n", 0, pos)
        self.text = text[pos:]
        return 0

    def _line_at(self, pos: int) -> int:
        """The 1-based line of window position `pos` (cheapest in increasing order)."""
        if pos < self._line_pos:
            self._line_pos, self._line = 0, self.first_line
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def _ws(self, pos: int) -> int:
        """The position after the whitespace at `pos` (reading on while the window ends in it)."""
        while True:
            end = _WS.match(self.text, pos).end()
            if end < len(self.text) or not self._more(end):
                return end

    def _at(self, pos: int) -> str:
        return origin(self.path, self._line_at(pos))

    def _decode(self, pos: int) -> tuple[Any, int]:
        while True:
            try:
                value, end = self.decode(self.text, pos)
            except RecursionError:
                raise LoadError(self._at(pos), TOO_DEEP) from None
            except json.JSONDecodeError as exc:
                cut_short = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.text) - _FAULT_MARGIN
                if cut_short and self._more(pos):
                    continue
                line = self.first_line + self.text.count("\n", 0, exc.pos)
                raise LoadError(origin(self.path, line), f"bad JSON: {exc.msg}") from None
            except ValueError:  # (an integer past `int`'s digit limit: no position given)
                found = long_integer(self.text, pos)
                if found is None:
                    raise
                if found[1] >= len(self.text) - _FAULT_MARGIN and self._more(pos):
                    continue  # (the window may cut it: its digits counted once it is all in)
                raise LoadError(self._at(found[0]), f"bad JSON: {found[2]}") from None
            # (a number the window cuts reads as a shorter one: "1." or "1e" is read as 1)
            if end < len(self.text) - _FAULT_MARGIN or not self._more(pos):
                lone = lone_surrogate(self.text, pos, end)
                if lone is not None:
                    raise LoadError(self._at(lone), f"bad JSON: {half_pair(self.text, lone)}")
                return value, end

    # -- the document ------------------------------------------------------------------------
    def _array(self, pos: int):
        """Records of the array starting at `pos` (which must be '['); returns the end position."""
        pos = self._ws(pos + 1)
        if self.text.startswith("]", pos):
            return pos + 1
        while True:
            pos = self._let_go(pos)
            value, end = self._decode(pos)
            yield self._at(pos), value
            pos = self._ws(end)
            if self.text.startswith(",", pos):
                pos = self._ws(pos + 1)
                continue
            if self.text.startswith("]", pos):
                return pos + 1
            raise LoadError(self._at(pos), "bad JSON: expected ',' or ']' in the record list")

    def _object(self, pos: int):
        """Records of every list-valued member (but metadata members); returns the end position."""
        pos = self._ws(pos + 1)
        if self.text.startswith("}", pos):
            return pos + 1
        while True:
            pos = self._let_go(pos)
            if not self.text.startswith('"', pos):
                raise LoadError(self._at(pos), "bad JSON: expected a member name")
            key, pos = self._decode(pos)
            pos = self._ws(pos)
            if not self.text.startswith(":", pos):
                raise LoadError(self._at(pos), "bad JSON: expected ':' after a member name")
            pos = self._ws(pos + 1)
            if self.text.startswith("[", pos) and key not in JSON_METADATA:
                self._lists += 1
                pos = yield from self._array(pos)
            else:
                pos = self._decode(pos)[1]
            pos = self._ws(pos)
            if self.text.startswith(",", pos):
                pos = self._ws(pos + 1)
                continue
            if self.text.startswith("}", pos):
                return pos + 1
            raise LoadError(self._at(pos), "bad JSON: expected ',' or '}'")
