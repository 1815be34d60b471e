"""What the tests of the tables read as they go (`test_ecsv_streamed.py`, `test_votable_streamed.py`)
share: astropy tables of scalar columns drawn by hypothesis, the outcome of a reader (its rows, or
"refused"), the comparison of two outcomes, and the peak of Python's allocations while a file is read."""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from astropy.table import Column, MaskedColumn, Table as AstropyTable
from hypothesis import strategies as st

from mastgraph.loaders.records import LoadError
from mastgraph.loaders.table_rows import Row, Table
from mastgraph.loaders.tables import read_table

KINDS = ("int64", "int32", "int16", "uint8", "float64", "float32", "bool", "str")


def outcome(read: Callable[[Path], Table | None], path: Path, what: str | None = None):
    """(columns, [(origin, values)]) of `read`'s table, or "refused" (with `what`, the refusal must
    name a line of the file and say "unreadable <what>")."""
    table = read(path)
    assert table is not None, "read whole, not as it goes"
    try:
        return table.columns, [(row.origin, row.values) for row in table.rows]
    except LoadError as exc:
        if what is not None:
            assert exc.origin.startswith(f"{path}:") and exc.reason.startswith(f"unreadable {what}: "), exc
        return "refused"


def whole(read: Callable[[Path], Table], path: Path):
    """`outcome` of astropy's whole read, whose refusal is raised when the table is opened."""
    try:
        return outcome(read, path)
    except LoadError:
        return "refused"


def same(got, expected) -> bool:
    """Equal, NaN-free (a value is None or a plain value). Where a value runs over lines, astropy's rows
    are numbered (`path:row N`): the stream's origins are then the lines its rows start on, in order."""
    if got == "refused" or expected == "refused":
        return got == expected
    if any(type(v) is float and math.isnan(v) for _, row in got[1] for v in row.values()):
        return False
    if any(":row " in where for where, _ in expected[1]):
        lines = [int(where.rsplit(":", 1)[1]) for where, _ in got[1]]
        return lines == sorted(set(lines)) and [v for _, v in got[1]] == [v for _, v in expected[1]] and \
            got[0] == expected[0]
    return got == expected


@st.composite
def scalar_tables(draw, text: st.SearchStrategy[str], names: Callable[[int], list[str]] = lambda n: [f"c{n}"]):
    """An astropy table of 0-6 rows and 1-5 columns of `KINDS`, some values masked."""
    rows = draw(st.integers(0, 6))
    table = AstropyTable()
    for number in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(KINDS))
        if kind == "str":
            values = draw(st.lists(text, min_size=rows, max_size=rows))
        elif kind == "bool":
            values = draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
        elif kind.startswith("float"):
            values = draw(st.lists(st.floats(width=32 if kind == "float32" else 64), min_size=rows, max_size=rows))
        else:
            info = np.iinfo(kind)
            values = draw(st.lists(st.integers(int(info.min), int(info.max)), min_size=rows, max_size=rows))
        mask = draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
        data = np.array(values, dtype=kind if kind != "str" else str) if rows else np.array([], dtype=kind)
        table[draw(st.sampled_from(names(number)))] = MaskedColumn(data, mask=mask) if any(mask) else Column(data)
    return table


def read_with_peak(path: Path) -> tuple[int, Row, int]:
    """(rows, the last row, the peak of Python's allocations) of reading the file's rows."""
    tracemalloc.start()
    try:
        count, row = 0, None
        for row in read_table(path).rows:
            count += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return count, row, peak
