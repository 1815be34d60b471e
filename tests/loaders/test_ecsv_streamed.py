"""ECSV tables read as they go (`loaders/table_ecsv.py`): the same columns, rows, origins and values
as astropy's whole read (`table_astropy.read_ecsv_whole`), for the tables astroquery writes and any
table of plain columns; a file whose values its datatypes refuse is refused as astropy refuses it (at
its line); the rest is read whole; memory does not grow with the file."""

from __future__ import annotations

import math
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from astropy.table import Column, MaskedColumn, Table as AstropyTable
from astropy.time import Time
from hypothesis import HealthCheck, given, settings, strategies as st

from mastgraph.loaders.records import LoadError
from mastgraph.loaders.table_astropy import read_ecsv_whole
from mastgraph.loaders.table_ecsv import read_ecsv_streamed
from mastgraph.loaders.tables import read_table

RECORDED = Path(__file__).resolve().parents[1] / "data" / "mast"


def whole(path: Path):
    """(columns, [(origin, values)]) as astropy reads the file, or the LoadError it raises."""
    try:
        table = read_ecsv_whole(path)
        return table.columns, [(row.origin, row.values) for row in table.rows]
    except LoadError:
        return "refused"


def streamed(path: Path):
    table = read_ecsv_streamed(path)
    assert table is not None, "read whole, not as it goes"
    try:
        return table.columns, [(row.origin, row.values) for row in table.rows]
    except LoadError as exc:
        assert exc.origin.startswith(f"{path}:") and exc.reason.startswith("unreadable ECSV: "), exc
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


@pytest.mark.parametrize("path", sorted(RECORDED.glob("*.ecsv")), ids=lambda p: p.name)
def test_recorded_tables_read_as_astropy_reads_them(path: Path) -> None:
    assert same(streamed(path), whole(path))


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=10) | st.sampled_from(
    ["", " ", "a b", 'say "hi"', "a,b", "#x", "--", "NULL", "nan", "1", "True", "  padded  "])


@st.composite
def tables(draw):
    rows = draw(st.integers(0, 6))
    table = AstropyTable()
    for number in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["int64", "int32", "uint8", "float64", "float32", "bool", "str"]))
        if kind == "str":
            values = draw(st.lists(_TEXT, min_size=rows, max_size=rows))
        elif kind == "bool":
            values = draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
        elif kind.startswith("float"):
            values = draw(st.lists(st.floats(width=32 if kind == "float32" else 64), min_size=rows, max_size=rows))
        else:
            info = np.iinfo(kind)
            values = draw(st.lists(st.integers(int(info.min), int(info.max)), min_size=rows, max_size=rows))
        mask = draw(st.lists(st.booleans(), min_size=rows, max_size=rows))
        name = draw(st.sampled_from([f"c{number}", f"col {number}", f"obs{number}ID"]))
        data = np.array(values, dtype=kind if kind != "str" else str) if rows else np.array([], dtype=kind)
        table[name] = MaskedColumn(data, mask=mask) if any(mask) else Column(data)
    return table


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(table=tables(), delimiter=st.sampled_from([" ", ","]), damage=st.one_of(
    st.none(), st.tuples(st.integers(0, 10**6), st.sampled_from(["x", "1.5", '"', " ", ",", "\n", "", "#"]))))
def test_any_plain_table_reads_as_astropy_reads_it(tmp_path_factory, table, delimiter, damage) -> None:
    path = tmp_path_factory.mktemp("ecsv") / "t.ecsv"
    table.write(path, format="ascii.ecsv", delimiter=delimiter)
    if damage is not None:  # a value damaged after the header: astropy and the stream read (or refuse) it alike
        text = path.read_text(encoding="utf-8")
        header = text.index("\n", text.index("\n# schema")) + 1
        header = text.index("\n", header) + 1  # (the names line too)
        at, put = damage
        at = header + at % (len(text) - header + 1)
        path.write_text(text[:at] + put + text[at:], encoding="utf-8")
    expected = whole(path)
    got = streamed(path) if read_ecsv_streamed(path) is not None else whole(path)
    assert same(got, expected), (got, expected)


def test_a_bad_value_refuses_the_file_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.ecsv"
    path.write_text("# %ECSV 1.0\n# ---\n# datatype:\n# - {name: obsID, datatype: int64}\n"
                    "# - {name: size, datatype: int64}\n# schema: astropy-2.0\nobsID size\n1 10\n2 \"\"\n3 1.5\n",
                    encoding="utf-8")
    table = read_table(path)
    assert table.columns == ("obsID", "size")
    found = []
    with pytest.raises(LoadError) as caught:
        for row in table.rows:
            found.append(row.values)
    assert found == []  # (refused before its batch is given: a file refused whole, as astropy refuses it)
    assert str(caught.value).startswith(f"{path}:10: unreadable ECSV: column 'size' is int64 and '1.5' is not (")
    with pytest.raises(LoadError, match="^.*bad.ecsv: unreadable ECSV: "):
        read_ecsv_whole(path)


def test_a_value_over_the_csv_field_limit_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "long-value.ecsv"
    path.write_text("# %ECSV 1.0\n# ---\n# datatype:\n# - {name: obsID, datatype: string}\n# schema: astropy-2.0\n"
                    "obsID\n1\n\"" + "x" * 200_000 + "\"\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"^.*long-value.ecsv:8: unreadable ECSV: field larger than field limit"):
        list(read_table(path).rows)


def test_mixin_and_array_columns_are_read_whole(tmp_path: Path) -> None:
    table = AstropyTable({"obsID": [1, 2], "t": Time([59000.5, 59001.5], format="mjd"),
                          "v": np.array([[1, 2], [3, 4]])})
    path = tmp_path / "mixin.ecsv"
    table.write(path, format="ascii.ecsv")
    assert read_ecsv_streamed(path) is None
    assert [row.values["obsID"] for row in read_table(path).rows] == [1, 2]


def test_a_long_table_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """A 20 MB listing read as it goes: Python's allocations at their peak stay a small part of the
    file (astropy's whole read holds all of it, several times over)."""
    rows = 120_000
    table = AstropyTable({"obsID": np.arange(rows, dtype="int64") + 87600000,
                          "productFilename": [f"jw01345001001_02101_{i:05d}_nrca1_cal.fits" for i in range(rows)],
                          "description": ["exposure (L2b): 2D calibrated exposure averaged over integrations"] * rows,
                          "size": np.arange(rows, dtype="int64") * 1000,
                          "t_min": np.linspace(59000.0, 60000.0, rows)})
    path = tmp_path / "long.ecsv"
    table.write(path, format="ascii.ecsv")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = 0
        for row in read_table(path).rows:
            count += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == rows and row.origin == f"{path}:{rows + 10}" and row.values["size"] == (rows - 1) * 1000
    assert peak < size / 10, (peak, size)
