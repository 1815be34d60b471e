"""The bulk importer's CSV format, and how mastgraph's property values are written in it.

Each node file holds one label set (``Product`` + ``L2b``), each relationship file one
(type, start label, end label); every file of a group shares one header file:

    uri:ID(Product),filename:string,size:long,t_min:double,listed:boolean,...,:LABEL
    :START_ID(Association),:END_ID(Product),:TYPE,exptype:string,product:string

The ID space of each keyed label is its label (`model.vocabulary.KEYS`), so relationship ends name
their node by key exactly as the online writer's ``MERGE (a:Label {key: ...})`` does.

A column's type is the one most values of that property have (collected while spilling). A value
the CSV cannot hold exactly is not written there but kept as a *residual* and set afterwards with
Cypher (``SET n += row.props``, as the online writer does): a value of another type than its
column, an empty list or ``[""]`` (the importer reads both as "no value"), a list of mixed types,
a string list element containing the array delimiter, a property name the header cannot carry.
Strings with line breaks are written as they are; their files are listed for the importer's
``--multiline-fields``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

#: Between array elements (and between labels in the `:LABEL` column): a control character that
#: no JWST/MAST text contains; an element that does contain it is written as a residual instead.
ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_OPTION = "U+001F"

SCALAR_TYPES: dict[type, str] = {str: "string", bool: "boolean", int: "long", float: "double"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Unquoted non-finite floats in a CSV batch (Python writes nan/inf; the importer reads NaN/Infinity).
_NON_FINITE = re.compile(r"(?:^|,)-?(?:nan|inf)(?=,|$)", re.MULTILINE)


def signature(value: Any) -> str | None:
    """The importer type of one value (``string``, ``long[]`` ...); None when it has none."""
    kind = type(value)
    if kind is list:
        kinds = {type(v) for v in value}
        if len(kinds) != 1:
            return None
        inner = SCALAR_TYPES.get(kinds.pop())
        return f"{inner}[]" if inner else None
    return SCALAR_TYPES.get(kind)


class _Absent(int):
    """Written as an empty, unquoted CSV field: the importer's "no value" (``None`` would be quoted)."""

    __slots__ = ()

    def __str__(self) -> str:
        return ""

    __repr__ = __str__


ABSENT = _Absent(0)
_BOOL = {True: "true", False: "false"}


def _float_text(value: float) -> str | float:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


@dataclass
class Census:
    """Property names and value types per group, counted while spilling, merged across workers."""

    #: (group, property) -> Counter of signatures
    types: dict[tuple, Counter] = field(default_factory=dict)

    def add_shape(self, group: tuple, names: tuple[str, ...], kinds: tuple[type, ...], count: int) -> None:
        for name, kind in zip(names, kinds):
            if kind is list:
                continue  # lists are counted value by value (add_list)
            counter = self.types.get((group, name))
            if counter is None:
                counter = self.types[(group, name)] = Counter()
            counter[SCALAR_TYPES.get(kind, "?")] += count

    def add_list(self, group: tuple, name: str, value: list) -> None:
        counter = self.types.get((group, name))
        if counter is None:
            counter = self.types[(group, name)] = Counter()
        counter[signature(value) or "?"] += 1

    def update(self, other: "Census") -> None:
        for key, counter in other.types.items():
            mine = self.types.get(key)
            if mine is None:
                self.types[key] = Counter(counter)
            else:
                mine.update(counter)

    def columns(self) -> dict[tuple, list[tuple[str, str]]]:
        """Per group, the (property, importer type) columns, sorted by name."""
        out: dict[tuple, list[tuple[str, str]]] = {}
        for (group, name), counter in sorted(self.types.items(), key=lambda kv: (repr(kv[0][0]), kv[0][1])):
            usable = [(n, sig) for sig, n in counter.items() if sig != "?"]
            if not usable or not _NAME.match(name):
                continue  # every value of it becomes a residual
            best = max(usable, key=lambda pair: (pair[0], pair[1]))[1]
            out.setdefault(group, []).append((name, best))
        return out


@dataclass(frozen=True)
class Columns:
    """The columns of one group's files: names, importer types, and the Python type each expects."""

    names: tuple[str, ...]
    types: tuple[str, ...]

    @property
    def expected(self) -> tuple[type, ...]:
        return tuple(list if t.endswith("[]") else _PY[t] for t in self.types)

    def header(self, leading: Iterable[str], trailing: Iterable[str]) -> str:
        cells = [*leading, *(f"{n}:{t}" for n, t in zip(self.names, self.types)), *trailing]
        return ",".join(cells) + "\n"


_PY = {"string": str, "long": int, "double": float, "boolean": bool}


def node_header(label: str, key: str, columns: Columns) -> str:
    return columns.header([f"{key}:ID({label})"], [":LABEL"])


def edge_header(start: str, end: str, columns: Columns) -> str:
    return columns.header([f":START_ID({start})", f":END_ID({end})", ":TYPE"], [])


class _Plan:
    """How to turn one row shape (the Python types of its cells) into importer cells."""

    __slots__ = ("fixes",)

    def __init__(self, fixes: list[tuple[int, Callable[[Any], Any] | None]]) -> None:
        self.fixes = fixes  # (cell index, converter or None = residual)


class RowWriter:
    """Writes one group's rows into a data file in batches; sets wrong-typed values aside.

    A row is ``[*leading cells, *property cells]`` built with ``map(props.get, names, ABSENT)``;
    rows of one Python type shape share one plan, so the common row costs two C-level passes.
    """

    def __init__(self, path: Path, lead: int, columns: Columns, tail: tuple = (), extras: tuple[str, ...] = (),
                 batch: int = 2000) -> None:
        self.path = path
        self.extras = extras  # properties of this group that have no column: always residuals
        self.lead = lead
        self.columns = columns
        self.names = columns.names
        self.tail = list(tail)
        self.batch = batch
        self.rows: list[list] = []
        self.rows_written = 0
        self.multiline = False
        self._plans: dict[tuple, _Plan] = {}
        self._expected = columns.expected
        self._list_types = tuple(t[:-2] if t.endswith("[]") else None for t in columns.types)
        self._file = open(path, "w", encoding="utf-8", newline="")

    def add(self, lead: list, props: dict) -> list[tuple[str, Any]] | None:
        """Queue one row; returns the (property, value) pairs set aside as residuals, if any."""
        residuals = None
        row = lead + list(map(props.get, self.names, repeat(ABSENT)))
        if self.tail:
            row += self.tail
        kinds = tuple(map(type, row))
        plan = self._plans.get(kinds)
        if plan is None:
            plan = self._plans[kinds] = self._plan(kinds)
        if plan.fixes:
            for index, convert in plan.fixes:
                value = row[index]
                converted = convert(value) if convert is not None else None
                if converted is None:
                    if residuals is None:
                        residuals = []
                    residuals.append((self.names[index - self.lead], value))
                    row[index] = ABSENT
                else:
                    row[index] = converted
        for name in self.extras:
            value = props.get(name)
            if value is not None:
                if residuals is None:
                    residuals = []
                residuals.append((name, value))
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()
        return residuals

    def _plan(self, kinds: tuple[type, ...]) -> _Plan:
        fixes: list[tuple[int, Callable[[Any], Any] | None]] = []
        for offset, (kind, expected) in enumerate(zip(kinds[self.lead:], self._expected)):
            index = self.lead + offset
            if kind is _Absent:
                continue
            if kind is not expected:
                fixes.append((index, None))
            elif kind is bool:
                fixes.append((index, _BOOL.get))
            elif kind is list:
                fixes.append((index, _list_converter(self._list_types[offset])))
        return _Plan(fixes)

    def flush(self) -> None:
        if not self.rows:
            return
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(self.rows)
        text = buffer.getvalue()
        if ("nan" in text or "inf" in text) and _NON_FINITE.search(text):  # (the regex alone: a sixth of the merge)
            text = self._rewrite_non_finite()
        if not self.multiline and ("\r" in text or text.count("\n") != len(self.rows)):
            self.multiline = True
        self._file.write(text)
        self.rows_written += len(self.rows)
        self.rows = []

    def _rewrite_non_finite(self) -> str:
        for row in self.rows:
            for index, value in enumerate(row):
                if type(value) is float and not math.isfinite(value):
                    row[index] = _float_text(value)
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(self.rows)
        return buffer.getvalue()

    def close(self) -> None:
        self.flush()
        self._file.close()


def _list_converter(inner: str | None) -> Callable[[list], str | None]:
    """Joins a list into one array cell, or None (a residual) when the cell could not hold it."""
    expected = _PY.get(inner or "")

    def convert(value: list) -> str | None:
        if not value or any(type(v) is not expected for v in value):
            return None
        if expected is str:
            if value == [""] or any(ARRAY_DELIMITER in v for v in value):
                return None
            return ARRAY_DELIMITER.join(value)
        if expected is bool:
            return ARRAY_DELIMITER.join(_BOOL[v] for v in value)
        if expected is float:
            return ARRAY_DELIMITER.join(repr(v) if math.isfinite(v) else _float_text(v) for v in value)
        return ARRAY_DELIMITER.join(map(str, value))

    return convert


def labels_cell(labels: Iterable[str]) -> str:
    return ARRAY_DELIMITER.join(labels)
