"""ECSV tables read as they go (`loaders/table_ecsv.py`): the same columns, rows, origins and values
as astropy's whole read (`table_astropy.read_ecsv_whole`), for the tables astroquery writes and any
table of plain columns; a file whose values its datatypes refuse is refused as astropy refuses it (at
its line); the rest is read whole; memory does not grow with the file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from astropy.table import Table as AstropyTable
from astropy.time import Time
from hypothesis import HealthCheck, given, settings, strategies as st

from mastgraph.loaders.records import LoadError
from mastgraph.loaders.table_astropy import read_ecsv_whole
from mastgraph.loaders.table_ecsv import read_ecsv_streamed
from mastgraph.loaders.tables import read_table

from . import astropy_tables
from .astropy_tables import outcome, read_with_peak, same, scalar_tables

RECORDED = Path(__file__).resolve().parents[1] / "data" / "mast"


def whole(path: Path):
    return astropy_tables.whole(read_ecsv_whole, path)


def streamed(path: Path):
    return outcome(read_ecsv_streamed, path, "ECSV")


@pytest.mark.parametrize("path", sorted(RECORDED.glob("*.ecsv")), ids=lambda p: p.name)
def test_recorded_tables_read_as_astropy_reads_them(path: Path) -> None:
    assert same(streamed(path), whole(path))


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=10) | st.sampled_from(
    ["", " ", "a b", 'say "hi"', "a,b", "#x", "--", "NULL", "nan", "1", "True", "  padded  ",
     "a\x0cb", "a\u2028b", "x\x85", "\x1c#y"])  # (line ends to astropy: str.splitlines)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(table=scalar_tables(_TEXT, lambda n: [f"c{n}", f"col {n}", f"obs{n}ID"]), delimiter=st.sampled_from([" ", ","]), damage=st.one_of(
    st.none(), st.tuples(st.integers(0, 10**6), st.sampled_from(["x", "1.5", '"', " ", ",", "\n", "", "#", "\x0c", "\u2029"]))))
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


@pytest.mark.parametrize("body", [
    'a b\nx 1\n"y 2\nz 3\n',  # (csv's reader: a row of one value, 'y 2\nz 3\n')
    'a b\nx 1\ny "2\nz 3\n',  # (csv's reader: a row of 'y' and '2\nz 3\n', which a string column takes)
], ids=["first value", "last value"])
def test_a_quote_open_at_the_end_refuses_the_file_at_its_line(tmp_path: Path, body: str) -> None:
    path = tmp_path / "open.ecsv"
    path.write_text(_HEAD + f"# - {{name: a, datatype: string}}\n# - {{name: b, datatype: string}}\n"
                    f"# schema: astropy-2.0\n{body}", encoding="utf-8")
    message = f"{path}:9: unreadable ECSV: the quoted value that opens on this line is not closed before the file ends"
    with pytest.raises(LoadError) as streamed_error:
        list(read_table(path).rows)
    assert str(streamed_error.value) == message
    with pytest.raises(LoadError) as whole_error:  # (astropy alone would read it: two rows, or a wrong width)
        read_ecsv_whole(path)
    assert str(whole_error.value) == message


def test_a_byte_order_mark_is_skipped_by_both_reads(tmp_path: Path) -> None:
    """As every other reader of tables skips it (astropy alone would not find the ``# %ECSV`` line)."""
    path = tmp_path / "bom.ecsv"
    path.write_bytes(b"\xef\xbb\xbf" + (_HEAD + "# - {name: obsID, datatype: int64}\n# schema: astropy-2.0\n"
                                          "obsID\n1\n2\n").encode())
    assert streamed(path) == whole(path) == (("obsID",), [(f"{path}:7", {"obsID": 1}), (f"{path}:8", {"obsID": 2})])
    mixin = tmp_path / "bom-mixin.ecsv"  # (read whole)
    AstropyTable({"obsID": [1], "t": Time([59000.5], format="mjd")}).write(mixin, format="ascii.ecsv")
    mixin.write_bytes(b"\xef\xbb\xbf" + mixin.read_bytes())
    assert [row.values["obsID"] for row in read_table(mixin).rows] == [1]


def test_other_line_ends_end_lines_as_astropy_ends_them(tmp_path: Path) -> None:
    """A form feed in a value (unquoted) ends the line for astropy, which then refuses a row of one value:
    the stream refuses it at the file's line; quoted, both read the value as astropy joins the lines."""
    path = tmp_path / "ff.ecsv"
    head = _HEAD + "# - {name: a, datatype: string}\n# - {name: b, datatype: int64}\n# schema: astropy-2.0\na b\n"
    path.write_text(head + "x 1\ny\x0cz 2\n", encoding="utf-8")
    assert whole(path) == "refused"
    with pytest.raises(LoadError, match=r"^.*ff.ecsv:9: unreadable ECSV: the row has 1 values, the header 2"):
        list(read_table(path).rows)
    path.write_text(head + 'x 1\n"y\x0cz" 2\n', encoding="utf-8")
    expected = whole(path)
    assert expected != "refused" and [values for _, values in expected[1]] == [{"a": "x", "b": 1}, {"a": "y\nz", "b": 2}]
    assert same(streamed(path), expected)
    path.write_text(head + "x 1\nw\u20283\n", encoding="utf-8")  # (w, then 3: rows of one value)
    assert whole(path) == streamed(path) == "refused"


def test_mixin_and_array_columns_are_read_whole(tmp_path: Path) -> None:
    table = AstropyTable({"obsID": [1, 2], "t": Time([59000.5, 59001.5], format="mjd"),
                          "v": np.array([[1, 2], [3, 4]])})
    path = tmp_path / "mixin.ecsv"
    table.write(path, format="ascii.ecsv")
    assert read_ecsv_streamed(path) is None
    assert [row.values["obsID"] for row in read_table(path).rows] == [1, 2]


_HEAD = "# %ECSV 1.0\n# ---\n# datatype:\n"


@pytest.mark.parametrize("header, body", [
    # a datatype that is not a name (astropy refuses it); a column named twice: the test below
    ("# - {name: a, datatype: [int64]}\n", "a\n1\n"),
], ids=["datatype list"])
def test_headers_read_otherwise_are_read_whole(tmp_path: Path, header: str, body: str, recwarn) -> None:
    path = tmp_path / "t.ecsv"
    path.write_text(_HEAD + header + "# schema: astropy-2.0\n" + body, encoding="utf-8")
    assert read_ecsv_streamed(path) is None
    try:
        got = (read_table(path).columns, [row.values for row in read_table(path).rows])
    except LoadError as exc:
        assert "\n" not in str(exc) and re.match(rf"{re.escape(str(path))}(:\d+)?: unreadable ECSV: ", str(exc))
        got = "refused"
    expected = whole(path)
    assert got == (expected if expected == "refused" else (expected[0], [values for _, values in expected[1]]))
    assert not recwarn.list  # (astropy's warnings would be printed beside the one line)


def test_the_header_keeps_its_indentation(tmp_path: Path) -> None:
    """A column's meta in YAML block style, whose nested keys a stripped line would lift to the top level
    (over `datatype`): the header is the one astropy reads, and a value its column cannot hold is refused."""
    path = tmp_path / "t.ecsv"
    path.write_text(_HEAD + "# - name: a\n#   datatype: int64\n#   meta: !!omap\n#   - source:\n"
                    "#       datatype:\n#       - {name: a, datatype: float64}\n# schema: astropy-2.0\na\n1.5\n",
                    encoding="utf-8")
    assert whole(path) == "refused"
    assert streamed(path) == "refused"


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
    count, row, peak = read_with_peak(path)
    assert count == rows and row.origin == f"{path}:{rows + 10}" and row.values["size"] == (rows - 1) * 1000
    assert peak < size / 10, (peak, size)


def test_a_float_past_its_datatypes_range_gives_no_numpy_warning(tmp_path: Path) -> None:
    """numpy warns (RuntimeWarning, printed as two lines with a line of mastgraph's source) when a
    float32 value overflows; the value is inf, as astropy reads it, and the loaders refuse it."""
    import warnings

    path = tmp_path / "t.ecsv"
    path.write_text("# %ECSV 1.0\n# ---\n# datatype:\n# - {name: obsID, datatype: string}\n"
                    "# - {name: size, datatype: float32}\n# schema: astropy-2.0\nobsID size\n1 1e39\n2 5\n",
                    encoding="utf-8")
    assert read_ecsv_streamed(path) is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [row.values["size"] for row in read_table(path).rows] == [float("inf"), 5.0]


def test_a_column_named_twice_refuses_the_file_at_its_names_line(tmp_path: Path) -> None:
    """astropy renames a repeated column (`obsID_2`), and the loaders then read the first: refused,
    as a CSV listing's repeated column is (the stream read leaves such a file to the whole read)."""
    path = tmp_path / "t.ecsv"
    path.write_text("# %ECSV 1.0\n# ---\n# datatype:\n# - {name: obsID, datatype: string}\n"
                    "# - {name: obsID, datatype: string}\nobsID obsID\n87600032 87600033\n", encoding="utf-8")
    assert read_ecsv_streamed(path) is None
    with pytest.raises(LoadError) as caught:
        read_table(path)
    assert str(caught.value) == f"{path}:6: duplicate column 'obsID' in header"


@pytest.mark.parametrize("header, line, reason", [
    ("# datatype: 5\n", 3, "the header's 'datatype' is not a list of columns"),
    ("# datatype:\n# - {name: obsID, datatype: string}\n# - {name: size}\n", 5, "the header's column 'size' has no datatype"),
    ("# datatype:\n# - {name: obsID, datatype: string}\n# - {datatype: int64}\n", 5, "the header's column 2 has no name"),
    ("# datatype:\n# - {name: obsID, datatype: string}\n# - 7\n", 5, "the header's column 2 has no name"),
], ids=["not a list", "no datatype", "no name", "not a mapping"])
def test_a_header_that_does_not_describe_its_columns_names_the_line(tmp_path: Path, header: str, line: int,
                                                                    reason: str) -> None:
    """YAML that parses, but not as the format describes columns: astropy says "'datatype'" or "'int'
    object is not iterable"; the error names the header's line and what it lacks."""
    path = tmp_path / "t.ecsv"
    path.write_text("# %ECSV 1.0\n# ---\n" + header + "obsID size\n87600032 1\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        list(read_table(path).rows)
    assert str(caught.value) == f"{path}:{line}: unreadable ECSV: {reason}"


@pytest.mark.parametrize("datatype, cell", [("int64", "370_405_440"), ("int64", "\u0661\u0662"),
                                            ("float64", "2_17.5"), ("uint8", "\uff11")])
@pytest.mark.parametrize("mixin", [False, True])
def test_a_number_with_an_underscore_or_other_digits_is_refused(tmp_path: Path, datatype: str, cell: str,
                                                                mixin: bool) -> None:
    """numpy and astropy read `370_405_440` as 370405440 and Arabic-Indic digits as numbers, as
    Python's int() does; neither is a number of the format (the CSV reader refuses both)."""
    table = AstropyTable({"obsID": [1, 2], "size": np.array([5, 6], dtype=datatype)})
    if mixin:  # (a Time column: the file is read whole, by astropy)
        table["t"] = Time([59000.5, 59001.5], format="mjd")
    path = tmp_path / "t.ecsv"
    table.write(path, format="ascii.ecsv")
    lines = path.read_text(encoding="utf-8").splitlines()
    last = len(lines)
    fields = lines[-1].split(" ")
    assert fields[1] in ("6", "6.0")
    lines[-1] = " ".join([fields[0], cell, *fields[2:]])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (read_ecsv_streamed(path) is None) == mixin
    with pytest.raises(LoadError) as caught:
        list(read_table(path).rows)
    assert str(caught.value) == (f"{path}:{last}: unreadable ECSV: column 'size' is {datatype} and '{cell}' is not "
                                 "(a number is written in ASCII digits, without underscores)")
    lines[-1] = " ".join([fields[0], "7", *fields[2:]])  # (the same file with the number as ASCII digits: read)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [row.values["size"] for row in read_table(path).rows] == [5, 7]
