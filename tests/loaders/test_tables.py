"""Row iteration with origins over CSV, Portal CSV, ECSV, VOTable and MAST JSON (loaders/tables.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.table import MaskedColumn, Table as AstropyTable

from mastgraph.loaders.records import LoadError
from mastgraph.loaders.tables import (
    BadValue,
    ident,
    integer,
    number,
    read_table,
    sniff_columns,
    table_format,
    text,
)

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real" / "listings"
API = REAL / "mastdocs_viz_products_api"
QUERY = REAL / "jwst_mast_query_readme"
RECORDED = Path(__file__).resolve().parents[1] / "data" / "mast"

#: real table files: (path, format, number of rows, line of the first row)
REAL_TABLES = [
    (API / "products_jw01039-o004_t001_miri_ch3-long.csv", "csv", 2, 2),
    (API / "products_jw01039-o004_t001_miri_ch3-long.json", "json", 2, 3),
    (QUERY / "obsTable.csv", "csv", 3, 2),
    (QUERY / "productTable.csv", "csv", 3, 2),
    (RECORDED / "jw01410_products.ecsv", "ecsv", 3, 20),
    (RECORDED / "jw01039_products.ecsv", "ecsv", 2, 28),
]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def rows(path: Path) -> list:
    return list(read_table(path).rows)


@pytest.mark.parametrize(("path", "fmt", "count", "first_line"), REAL_TABLES, ids=lambda v: getattr(v, "name", None))
def test_real_tables_rows_and_origins(path: Path, fmt: str, count: int, first_line: int) -> None:
    table = read_table(path)
    assert table.format == fmt
    found = list(table.rows)
    assert len(found) == count
    assert found[0].origin == f"{path}:{first_line}"
    lines = [int(r.origin.rsplit(":", 1)[1]) for r in found]
    assert lines == sorted(lines) and len(set(lines)) == count
    text_lines = path.read_text().splitlines()
    for row in found:
        assert row.error is None
        line = text_lines[int(row.origin.rsplit(":", 1)[1]) - 1]
        key = "obsid" if "obsid" in row.values else "obsID"
        assert line.strip() == "{" if fmt == "json" else str(row.values[key]) in line


def test_json_records_line_of_each_opening_brace() -> None:
    path = API / "products_jw01039-o004_t001_miri_ch3-long.json"
    found = rows(path)
    assert [r.origin for r in found] == [f"{path}:3", f"{path}:26"]
    assert found[0].values["obsID"] == 83209967
    assert found[0].values["productDocumentationURL"] is None


def test_csv_and_json_of_the_products_api_agree() -> None:
    csv_rows = rows(API / "products_jw01039-o004_t001_miri_ch3-long.csv")
    json_rows = rows(API / "products_jw01039-o004_t001_miri_ch3-long.json")
    for a, b in zip(csv_rows, json_rows, strict=True):
        assert {k: text(v) for k, v in a.values.items()} == {k: text(v) for k, v in b.values.items()}


def test_portal_csv_export_with_comment_lines(tmp_path: Path) -> None:
    """(Among the rows too: astropy's CSV reader would read `# a note, with a comma` as a row;
    docs/formats.md says so.)"""
    path = write(tmp_path, "portal.csv", (
        "#@string,@string,@int\n"
        "# exported from the MAST Portal\n"
        "obsID,productFilename,size\n"
        "83209967,jw01039-o004_t001_miri_ch3-long_x1d.fits,190080\n"
        "# a note, with a comma\n"
        "  #another\n"
        "83209968,jw01039-o004_t001_miri_ch3-long_s3d.fits,190081\n"
    ))
    table = read_table(path)
    assert table.columns == ("obsID", "productFilename", "size")
    assert table.header_origin == f"{path}:3"
    assert [(row.origin, row.values["size"]) for row in table.rows] == [(f"{path}:4", "190080"), (f"{path}:7", "190081")]


def test_csv_record_spanning_lines_has_its_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, "multi.csv", 'obsID,description\n1,"two\nlines"\n\n2,one\n')
    found = rows(path)
    assert [r.origin for r in found] == [f"{path}:2", f"{path}:5"]
    assert found[0].values["description"] == "two\nlines"


def test_csv_crlf_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path, "crlf.csv", b"obsID,size\r\n1,10\r\n2,20\r\n")
    assert [(r.origin, r.values["size"]) for r in rows(path)] == [(f"{path}:2", "10"), (f"{path}:3", "20")]


@pytest.mark.parametrize("marker", ["--", "", "NULL", "N/A", "None", "none", "NaN", "nan", " -- "])
def test_unknown_values_become_none(tmp_path: Path, marker: str) -> None:
    path = write(tmp_path, "unknown.csv", f"obsID,size\n1,{marker}\n")
    (row,) = rows(path)
    assert row.values["size"] is None


def test_csv_ragged_row_is_a_row_error(tmp_path: Path) -> None:
    path = write(tmp_path, "ragged.csv", "obsID,size\n1,2,3\n4,5\n")
    bad, good = rows(path)
    assert bad.error == "row has 3 fields, the header has 2" and bad.origin == f"{path}:2"
    assert good.error is None and good.values == {"obsID": "4", "size": "5"}


@pytest.mark.parametrize("tail", ["", "\n6,7\n8,9\n"], ids=["last row", "rows after it"])
def test_csv_quote_left_open_names_its_row(tmp_path: Path, tail: str) -> None:
    """A quoted field still open at the file's end refuses the file at the row where it opened (csv's
    reader would end it there silently: the rest of the file in one field, then a wrong field count)."""
    path = write(tmp_path, "open.csv", 'obsID,size\n1,2\n3,"4 and more\n' + tail)
    with pytest.raises(LoadError) as caught:
        list(rows(path))
    assert str(caught.value) == (f"{path}:3: bad CSV: a quoted field of the record that starts on this line is not "
                                 "closed before the file ends")
    closed = write(tmp_path, "closed.csv", 'obsID,size\n1,2\n3,"4\nmore"')  # (closed at the very end)
    assert [row.values for row in rows(closed)] == [{"obsID": "1", "size": "2"}, {"obsID": "3", "size": "4\nmore"}]


@pytest.mark.parametrize(("sep", "name"), [("|", "pipe"), ("\t", "tab"), (";", "semicolon")])
def test_csv_wrong_delimiter_is_a_load_error(tmp_path: Path, sep: str, name: str) -> None:
    path = write(tmp_path, "wrong.csv", f"obsID{sep}productFilename\n1{sep}x.fits\n")
    with pytest.raises(LoadError, match=f"{name}-separated"):
        read_table(path)


def test_whitespace_aligned_table_is_a_load_error() -> None:
    path = QUERY / "readme_tables_excerpt.txt"
    with pytest.raises(LoadError, match="whitespace-separated") as caught:
        read_table(path)
    assert caught.value.origin == f"{path}:1"


def test_csv_duplicate_column_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="duplicate column 'size'"):
        read_table(write(tmp_path, "dup.csv", "obsID,size,size\n1,2,3\n"))


def test_empty_csv_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no header"):
        read_table(write(tmp_path, "empty.csv", "# only a comment\n\n"))


def test_csv_not_utf8_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="not UTF-8"):
        read_table(write(tmp_path, "latin.csv", "obsID,description\n1,caf\xe9\n".encode("latin-1")))


def test_binary_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="binary"):
        read_table(write(tmp_path, "blob.csv", b"\x00\x01\x02obsID"))


def _astropy_listing() -> AstropyTable:
    table = AstropyTable()
    table["obsID"] = ["71672220", "71673298"]
    table["description"] = MaskedColumn(["exposure (L1b): raw", ""], mask=[False, True])
    table["size"] = MaskedColumn([100713600, 0], mask=[False, True])
    table["t_min"] = [59623.957319, np.nan]
    return table


def test_ecsv_rows_have_their_lines_and_python_values(tmp_path: Path) -> None:
    path = tmp_path / "listing.ecsv"
    _astropy_listing().write(path, format="ascii.ecsv")
    lines = path.read_text().splitlines()
    first_data = next(i for i, line in enumerate(lines, 1) if line.startswith("71672220"))
    table = read_table(path)
    assert table.format == "ecsv" and table.columns == ("obsID", "description", "size", "t_min")
    first, second = table.rows
    assert first.origin == f"{path}:{first_data}" and second.origin == f"{path}:{first_data + 1}"
    assert first.values == {"obsID": "71672220", "description": "exposure (L1b): raw", "size": 100713600,
                            "t_min": 59623.957319}
    assert type(first.values["size"]) is int and type(first.values["t_min"]) is float
    assert second.values == {"obsID": "71673298", "description": None, "size": None, "t_min": None}


def test_bad_ecsv_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.ecsv", "# %ECSV 1.0\n# ---\n# datatype: [unclosed\nobsID\n1\n")
    with pytest.raises(LoadError, match="unreadable ECSV"):
        read_table(path)


def test_ecsv_yaml_header_error_names_its_line(tmp_path: Path) -> None:
    """astropy says only "unable to parse yaml in meta header": the error names the header's line
    where YAML stopped (blank and empty comment lines counted as the file has them) and why."""
    path = write(tmp_path, "yaml.ecsv", "# %ECSV 1.0\n# ---\n#\n\n# datatype:\n# - {name: obsID, datatype: string\n"
                                        "# - {name: size, datatype: int64}\nobsID size\n1 2\n")
    with pytest.raises(LoadError) as caught:
        read_table(path)
    assert str(caught.value) == (f"{path}:7: unreadable ECSV: the YAML header is not valid here: expected ',' or "
                                 "'}', but got '{' (while parsing a flow mapping on line 6)")


def test_votable_rows_have_their_tr_lines(tmp_path: Path) -> None:
    path = tmp_path / "listing.xml"
    _astropy_listing().write(path, format="votable")
    tr_lines = [i for i, line in enumerate(path.read_text().splitlines(), 1) if "<TR>" in line]
    table = read_table(path)
    assert table.format == "votable"
    first, second = table.rows
    assert [first.origin, second.origin] == [f"{path}:{n}" for n in tr_lines]
    assert first.values["obsID"] == "71672220" and first.values["size"] == 100713600
    assert second.values["size"] is None and second.values["t_min"] is None


def test_binary_votable_rows_are_numbered(tmp_path: Path) -> None:
    path = tmp_path / "listing.vot"
    table = _astropy_listing()
    table["size"] = [100713600, 5]
    table.write(path, format="votable", tabledata_format="binary")
    first, second = read_table(path).rows
    assert (first.origin, second.origin) == (f"{path}:row 1", f"{path}:row 2")
    assert first.values["obsID"] == "71672220" and second.values["size"] == 5


def test_bad_votable_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="unreadable VOTable"):
        read_table(write(tmp_path, "bad.xml", '<?xml version="1.0"?>\n<VOTABLE><RESOURCE><TABLE>'))


def test_json_data_member_and_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, "service.json", (
        '{"status": "COMPLETE",\n'
        ' "fields": [{"name": "obsID", "type": "string"}],\n'
        ' "data": [\n'
        '   {"obsID": "1", "size": null},\n'
        '   {"obsID": "2", "size": 5}\n'
        ' ],\n'
        ' "paging": {"page": 1}}\n'
    ))
    found = rows(path)
    assert [(r.origin, r.values) for r in found] == [
        (f"{path}:4", {"obsID": "1", "size": None}),
        (f"{path}:5", {"obsID": "2", "size": 5}),
    ]


def test_json_list_of_records(tmp_path: Path) -> None:
    path = write(tmp_path, "list.json", '[{"obsID": 1},\n{"obsID": 2}]')
    assert [r.origin for r in rows(path)] == [f"{path}:1", f"{path}:2"]


def test_json_several_listed_observations(tmp_path: Path) -> None:
    path = write(tmp_path, "multi.json", '{"a": [{"obsID": 1}],\n "b": [\n{"obsID": 2}]}')
    assert [(r.origin, r.values["obsID"]) for r in rows(path)] == [(f"{path}:1", 1), (f"{path}:3", 2)]


def test_empty_json_list_has_no_rows(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "empty.json", "[]"))
    assert table.columns == () and list(table.rows) == []


def test_json_record_not_an_object_is_a_row_error(tmp_path: Path) -> None:
    path = write(tmp_path, "odd.json", '[{"obsID": 1},\n 7]')
    good, bad = rows(path)
    assert good.error is None
    assert bad.origin == f"{path}:2" and bad.error == "record is a JSON number, not an object"


def test_bad_json_is_a_load_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '[{"obsID": 1},\n{"obsID": }]')
    with pytest.raises(LoadError, match="bad JSON") as caught:
        list(read_table(path).rows)
    assert caught.value.origin == f"{path}:2"


def test_json_trailing_garbage_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "extra.json", '[{"obsID": 1}]\n]')
    with pytest.raises(LoadError, match="extra data"):
        list(read_table(path).rows)


def test_json_scalar_document_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="expected a JSON object or list"):
        read_table(write(tmp_path, "scalar.json", '"obsID"'))


def test_table_format_by_first_bytes(tmp_path: Path) -> None:
    assert table_format(tmp_path / "a.txt", b"# %ECSV 1.0\n") == "ecsv"
    assert table_format(tmp_path / "a.txt", b'<?xml version="1.0"?>\n<VOTABLE>') == "votable"
    assert table_format(tmp_path / "a.txt", b' \n{"a": []}') == "json"
    assert table_format(tmp_path / "a.txt", b"obsID,size\n") == "csv"
    assert table_format(tmp_path / "a.fits", b"SIMPLE  =\x00\x00") is None


@pytest.mark.parametrize(("path", "fmt", "count", "first_line"), REAL_TABLES, ids=lambda v: getattr(v, "name", None))
def test_sniff_columns_of_real_tables(path: Path, fmt: str, count: int, first_line: int) -> None:
    columns = sniff_columns(path, path.read_bytes()[:65536])
    assert ("obsID" in columns) or ("obsid" in columns)
    assert "obs_id" in columns


def test_sniff_columns_of_a_csv_header_cut_short_is_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "long.csv", "obsID,productFilename,size\n1,x,2\n")
    assert sniff_columns(path, path.read_bytes()[:20]) == ()
    assert sniff_columns(path, path.read_bytes()) == ("obsID", "productFilename", "size")


def test_sniff_columns_of_votable(tmp_path: Path) -> None:
    path = tmp_path / "t.xml"
    _astropy_listing().write(path, format="votable")
    assert sniff_columns(path, path.read_bytes()[:100]) == ("obsID", "description", "size", "t_min")


def test_converters() -> None:
    assert ident(71672220, "obsID") == "71672220"
    assert ident(71672220.0, "obsID") == "71672220"
    assert ident(" 83209967 ", "obsID") == "83209967"
    assert integer("100713600", "size") == 100713600
    assert integer("3.0", "calib_level") == 3
    assert integer(np.int64(5).item(), "size") == 5
    assert integer("--", "size") is None
    assert number("59623.957319", "t_min") == 59623.957319
    assert number("NaN", "t_min") is None
    assert text(1039) == "1039" and text(1039.0) == "1039" and text(" N/A ") is None


@pytest.mark.parametrize(("convert", "value", "message"), [
    (integer, "12 MB", "size '12 MB' is not an integer"),
    (integer, "2.5", "size '2.5' is not an integer"),
    (integer, True, "size True is not an integer"),
    (number, "tomorrow", "size 'tomorrow' is not a number"),
    (number, "inf", "size 'inf' is not a finite number"),
    (number, "2_17.3", "size '2_17.3' is not a number"),  # (Python's float takes these: no table writes them)
    (number, "\u0662\u0661\u0667.\u0663", "size '\u0662\u0661\u0667.\u0663' is not a number"),
    (number, "\uff11\uff12", "size '\uff11\uff12' is not a number"),
    (ident, 1.5, "size 1.5 is not an identifier"),
    (ident, True, "size True is not an identifier"),  # (JSON's true was the Observation "True")
    (ident, False, "size False is not an identifier"),
])
def test_converters_refuse_bad_values(convert, value, message: str) -> None:
    with pytest.raises(BadValue, match=message.replace("(", r"\(")):
        convert(value, "size")


def test_a_long_value_is_cut_in_every_message(tmp_path: Path) -> None:
    """docs/formats.md: a value echoed in a message is cut after 64 characters (a 100,000-character
    cell made a 100 KB error line, and as long a line in the rejects report)."""
    from mastgraph.loaders import domains
    from mastgraph.loaders.manifests import manifest_line
    from mastgraph.loaders.names import BadName, parse

    long = "x" * 100_000
    messages = [manifest_line(f"mast:JWST/product/{long}.fits", "m:1").reason]
    for check in (lambda: number(long, "s_ra"), lambda: domains.one_of(long, domains.INTENT_TYPES, "intentType", "lower"),
                  lambda: domains.pool_name(long + "/", "asn_pool"), lambda: parse(long + ".fits")):
        with pytest.raises((BadValue, BadName)) as caught:
            check()
        messages.append(str(caught.value))
    assert all(len(message) < 300 and "... (1000" in message for message in messages), messages
