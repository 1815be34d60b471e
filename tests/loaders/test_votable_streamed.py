"""VOTable TABLEDATA read as it goes (`loaders/table_votable.py`): the same columns, rows, origins and
values as astropy's whole read (`table_astropy.read_votable_whole`) for any table of scalar columns
astropy writes, damaged ones too (a file astropy refuses is refused, at a row's line); other data
encodings are read whole; memory does not grow with the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.table import Table as AstropyTable
from hypothesis import HealthCheck, given, settings, strategies as st

from mastgraph.loaders.records import LoadError
from mastgraph.loaders.table_astropy import read_votable_whole
from mastgraph.loaders import table_votable
from mastgraph.loaders.table_votable import read_votable_streamed
from mastgraph.loaders.tables import read_table

from . import astropy_tables
from .astropy_tables import outcome, read_with_peak, same, scalar_tables


def whole(path: Path):
    return astropy_tables.whole(read_votable_whole, path)


def streamed(path: Path):
    return outcome(read_votable_streamed, path, "VOTable")


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=10) | \
    st.sampled_from(["", " ", "a & b", "<x>", 'say "hi"', "it's", "]]", "  padded  ", "line\nbreak", "tab\there",
                     "--", "NULL", "nan", "\u2028", "caf\u00e9"])


_DAMAGE = ["x", "1.5", "<", "&", "&amp;", "&#0;", "&#65;", "&#x1F600;", "&bogus;", "<TD>", "</TR>", "<TR>", "\n",
           "\r\n", "\r", " ", "\x01", "\u00e9", "<TD/>", "]]>", "<!-- c -->", "<![CDATA[x]]>"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=scalar_tables(_TEXT), damage=st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.sampled_from(_DAMAGE))))
def test_any_scalar_table_reads_as_astropy_reads_it(tmp_path_factory, table, damage) -> None:
    path = tmp_path_factory.mktemp("vot") / "t.xml"
    with np.errstate(all="ignore"):
        table.write(path, format="votable")
    if damage is not None and b"<TABLEDATA>" in path.read_bytes():  # a byte string put into the rows: astropy
        data = path.read_bytes()  # and the stream read (or refuse) it alike
        first = data.index(b"<TABLEDATA>") + len(b"<TABLEDATA>")
        last = data.index(b"</TABLEDATA>")
        at, put = damage
        at = first + at % (last - first + 1)
        path.write_bytes(data[:at] + put.encode() + data[at:])
    expected = whole(path)
    got = streamed(path) if read_votable_streamed(path) is not None else whole(path)
    assert same(got, expected), (got, expected)


def test_the_plain_tables_are_read_as_they_go(tmp_path: Path) -> None:
    table = AstropyTable({"obsID": [1, 2], "productFilename": ["a_cal.fits", "b & <c>"], "size": [1.5, np.nan],
                          "ok": [True, False]})
    path = tmp_path / "listing.xml"
    table.write(path, format="votable")
    assert streamed(path) == whole(path)
    assert [row.values["productFilename"] for row in read_table(path).rows] == ["a_cal.fits", "b & <c>"]


@pytest.mark.parametrize("encoding", ["binary", "binary2"])
def test_other_encodings_are_read_whole(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"{encoding}.xml"
    AstropyTable({"obsID": [1, 2]}).write(path, format="votable", tabledata_format=encoding)
    assert read_votable_streamed(path) is None
    assert [row.values["obsID"] for row in read_table(path).rows] == [1, 2]


_FIELDS = '<FIELD name="obsID" datatype="int"/><FIELD name="name" datatype="char" arraysize="*"/>'


def _table(name: str, obsid: int, prefix: str = "") -> str:
    return (f'<TABLE name="{name}">{_FIELDS}<DATA><{prefix}TABLEDATA>\n<{prefix}TR><{prefix}TD>{obsid}</{prefix}TD>'
            f'<{prefix}TD>from {name}</{prefix}TD></{prefix}TR>\n</{prefix}TABLEDATA></DATA></TABLE>')


@pytest.mark.parametrize("document", [
    # the first table astropy takes is the outer resource's, after a nested resource's table
    f'<VOTABLE version="1.4"><RESOURCE><RESOURCE>{_table("A", 111)}</RESOURCE>{_table("B", 222)}</RESOURCE></VOTABLE>',
    # an entity the DOCTYPE declares, used in a cell
    '<!DOCTYPE VOTABLE [<!ENTITY obs "12">]>\n<VOTABLE version="1.4"><RESOURCE>'
    + _table("A", 1).replace(">1<", ">&obs;<") + "</RESOURCE></VOTABLE>",
    # a cell whose end tag has another prefix than its start (not well-formed: astropy refuses it)
    '<VOTABLE version="1.4"><RESOURCE>' + _table("A", 1).replace("</TD>", "</vot:TD>", 1) + "</RESOURCE></VOTABLE>",
], ids=["nested resource", "DOCTYPE entity", "mismatched tag"])
def test_documents_read_otherwise_are_read_whole(tmp_path: Path, document: str) -> None:
    path = tmp_path / "t.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + document, encoding="utf-8")
    assert read_votable_streamed(path) is None
    try:
        got = [row.values for row in read_table(path).rows]
    except LoadError:
        got = "refused"
    expected = whole(path)
    assert got == (expected if expected == "refused" else [values for _, values in expected[1]])


def test_a_document_declared_ascii_is_read_whole(tmp_path: Path) -> None:
    """Its bytes are the XML parser's to check (UTF-8 text in it is not ASCII: astropy refuses it)."""
    path = tmp_path / "t.xml"
    document = '<VOTABLE version="1.4"><RESOURCE>' + _table("A", 1).replace("from A", "caf\u00e9") + "</RESOURCE></VOTABLE>"
    path.write_bytes(('<?xml version="1.0" encoding="us-ascii"?>\n' + document).encode("utf-8"))
    assert read_votable_streamed(path) is None
    assert whole(path) == "refused"


def test_a_prefixed_document_is_read_as_it_goes(tmp_path: Path) -> None:
    path = tmp_path / "t.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<vot:VOTABLE xmlns:vot="http://www.ivoa.net/xml/'
                    'VOTable/v1.3" version="1.4"><vot:RESOURCE>' + _table("A", 7, "vot:").replace(
                        "<TABLE", "<vot:TABLE").replace("</TABLE>", "</vot:TABLE>").replace(
                        "<FIELD", "<vot:FIELD").replace("<DATA>", "<vot:DATA>").replace("</DATA>", "</vot:DATA>")
                    + "</vot:RESOURCE></vot:VOTABLE>", encoding="utf-8")
    assert streamed(path) == whole(path) != "refused"


def test_a_broken_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    AstropyTable({"obsID": [1, 2, 3], "size": [10, 20, 30]}).write(path, format="votable")
    text = path.read_text(encoding="utf-8").replace("<TD>20</TD>", "<TD>twenty</TD>")
    path.write_text(text, encoding="utf-8")
    line = text[:text.index("twenty")].count("\n") + 1
    with pytest.raises(LoadError) as caught:
        list(read_table(path).rows)
    assert caught.value.origin.startswith(f"{path}:") and "unreadable VOTable: field 'size'" in caught.value.reason
    assert int(caught.value.origin.rsplit(":", 1)[1]) < line  # (the line of its row's <TR>)
    assert whole(path) == "refused"


def test_a_long_table_is_read_in_bounded_memory(tmp_path: Path, monkeypatch) -> None:
    """A 6 MB listing read as it goes, 64 KiB at a time: Python's allocations at their peak stay a
    small part of the file (they follow the bytes read at a time, 1 MB by default, not the file;
    astropy's whole read holds all of it, several times over)."""
    monkeypatch.setattr(table_votable, "CHUNK", 64 * 1024)
    monkeypatch.setattr(table_votable, "BATCH", 500)
    path = tmp_path / "long.xml"
    AstropyTable({"obsID": [1], "productFilename": ["x"], "size": [1]}).write(path, format="votable")
    head, tail = path.read_text(encoding="utf-8").split("<TABLEDATA>")
    tail = tail[tail.index("</TABLEDATA>"):]
    rows = 60_000
    with open(path, "w", encoding="utf-8") as out:
        out.write(head.replace('arraysize="1"', 'arraysize="*"') + "<TABLEDATA>\n")
        for i in range(rows):
            out.write(f"<TR>\n <TD>{87600000 + i}</TD>\n <TD>jw01345001001_02101_{i:05d}_nrca1_cal.fits</TD>\n"
                      f" <TD>{i * 1000}</TD>\n</TR>\n")
        out.write(tail)
    size = path.stat().st_size
    count, row, peak = read_with_peak(path)
    assert count == rows and row.values == {"obsID": 87600000 + rows - 1, "size": (rows - 1) * 1000,
                                            "productFilename": f"jw01345001001_02101_{rows - 1:05d}_nrca1_cal.fits"}
    assert row.origin == f"{path}:{head.count(chr(10)) + 1 + 5 * rows - 4}"
    assert peak < size / 10, (peak, size)


@pytest.mark.parametrize("field, cell, why", [
    ('<FIELD name="size" datatype="short"/>', "370405440", "W51: Value '370405440' is out of range for a 16-bit integer field"),
    ('<FIELD name="size" datatype="long"/>', "99999999999999999999", "out of range for a 64-bit integer field"),
    ('<FIELD name="size" datatype="unsignedByte"/>', "-1", "out of range"),
    ('<FIELD name="obs_id" datatype="char" arraysize="4"/>', "jw01039", "arraysize 4|length of 4"),
    ('<FIELD name="obs_id" datatype="char"/>', "jw01039", "arraysize 1|length of 1"),
    ('<FIELD name="obs_id" datatype="unicodeChar" arraysize="4*"/>', "jw01039", "arraysize 4|length of 4"),
])
@pytest.mark.parametrize("read", ["streamed", "whole"])
def test_a_value_its_field_cannot_hold_is_refused_not_clamped(tmp_path: Path, field: str, cell: str, why: str,
                                                              read: str) -> None:
    """astropy clamps an integer outside its field's range (W51) and numpy cuts a char value longer
    than its arraysize: either would load another value than the file's, silently."""
    description = "<DESCRIPTION><![CDATA[x]]></DESCRIPTION>" if read == "whole" else ""  # (read whole)
    path = tmp_path / "t.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<VOTABLE version="1.4"><RESOURCE><TABLE>'
                    f"{description}\n{field}\n<DATA><TABLEDATA>\n<TR><TD>{cell}</TD></TR>\n"
                    "</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n", encoding="utf-8")
    assert (read_votable_streamed(path) is None) == (read == "whole")
    with pytest.raises(LoadError) as caught:
        list(read_table(path).rows)
    assert caught.value.origin == f"{path}:5" and caught.value.reason.startswith("unreadable VOTable: ")
    assert any(words in caught.value.reason for words in why.split("|"))  # (astropy's words, read whole)


@pytest.mark.parametrize("field, cell, value", [
    ('<FIELD name="size" datatype="short"/>', "32767", 32767), ('<FIELD name="size" datatype="short"/>', "-32768", -32768),
    ('<FIELD name="obs_id" datatype="char" arraysize="7"/>', "jw01039", "jw01039"),
    ('<FIELD name="obs_id" datatype="char" arraysize="7"/>', "  jw01039  ", "jw01039"),
])
def test_a_value_at_its_fields_limit_is_read(tmp_path: Path, field: str, cell: str, value) -> None:
    path = tmp_path / "t.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<VOTABLE version="1.4"><RESOURCE><TABLE>\n'
                    f"{field}\n<DATA><TABLEDATA>\n<TR><TD>{cell}</TD></TR>\n"
                    "</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n", encoding="utf-8")
    assert [list(row.values.values()) for row in read_table(path).rows] == [[value]]
    assert streamed(path) == whole(path) != "refused"


def test_a_float_past_its_fields_range_gives_no_numpy_warning(tmp_path: Path) -> None:
    """numpy warns (RuntimeWarning, printed as two lines with a line of mastgraph's source) when a
    float value overflows; the value is inf, as astropy reads it, and the loaders refuse it."""
    import warnings

    path = tmp_path / "t.xml"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<VOTABLE version="1.4"><RESOURCE><TABLE>\n'
                    '<FIELD name="size" datatype="float"/>\n<DATA><TABLEDATA>\n<TR><TD>1e39</TD></TR>\n'
                    "</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n", encoding="utf-8")
    assert read_votable_streamed(path) is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [row.values["size"] for row in read_table(path).rows] == [float("inf")]


@pytest.mark.parametrize("field, cell", [('<FIELD name="size" datatype="long"/>', "370_405_440"),
                                         ('<FIELD name="size" datatype="int"/>', "\u0661\u0662"),
                                         ('<FIELD name="t" datatype="double"/>', "59_000.5")])
@pytest.mark.parametrize("streamed", [True, False])
def test_a_number_with_an_underscore_or_other_digits_is_refused(tmp_path: Path, field: str, cell: str,
                                                                streamed: bool) -> None:
    """astropy's converters read both through Python's int and float; XML Schema's number forms,
    which VOTable's are, hold neither. The same in a document astropy reads whole (a comment among
    the rows: not plain data), where the value is astropy's own."""
    path = tmp_path / "t.xml"
    comment = "" if streamed else "<!-- a comment -->"
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<VOTABLE version="1.4"><RESOURCE><TABLE>\n'
                    f"{field}\n<DATA><TABLEDATA>\n<TR><TD>5</TD></TR>{comment}\n<TR><TD> {cell} </TD></TR>\n"
                    "</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n", encoding="utf-8")
    assert (read_votable_streamed(path) is not None) == streamed
    with pytest.raises(LoadError) as caught:
        list(read_table(path).rows)
    name = field.split('"')[1]
    assert str(caught.value) == (f"{path}:6: unreadable VOTable: field '{name}': '{cell}' is not a value of its type "
                                 "(a number is written in ASCII digits, without underscores)")
