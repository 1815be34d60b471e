"""The quick paths of loaders/tables.py give what the plain ones gave: CSV rows read with
`str.split` for plain lines are the rows csv's reader gives (same origins, same errors), and so
are the rows a CSV table gives as cells (`Table.cells`); `head_lines` is `splitlines`."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from mastgraph.loaders.records import LoadError, not_utf8, origin
from mastgraph.loaders.table_csv import UNCLOSED_QUOTE
from mastgraph.loaders.tables import Row, _csv_header, _read_csv, head_lines, unknown_to_none

HEADER = "a,b,c\n"


def reference_rows(path: Path) -> list:
    """What the table's rows were when every line went through csv's reader (the former code)."""
    try:
        header_line, columns = _csv_header(path)
    except UnicodeDecodeError as exc:
        return [("LoadError", str(not_utf8(path, exc)))]
    out: list = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        lines = enumerate(fh, start=1)
        for number, _ in lines:
            if number == header_line:
                break
        current = [header_line]

        ended = []

        def source():
            for number, line in lines:
                current[0] = number
                yield line
            ended.append(True)  # (asked for a line past the end: a quoted field is open)

        reader = csv.reader(source())
        end = header_line
        try:
            for cells in reader:
                start, end = end + 1, current[0]
                if ended:
                    out.append(("LoadError", str(LoadError(origin(path, start), UNCLOSED_QUOTE))))
                    break
                if not cells or (len(cells) == 1 and not cells[0].strip()) or cells[0].lstrip().startswith("#"):
                    continue
                where = origin(path, start)
                if len(cells) != len(columns):
                    out.append(Row(where, {}, f"row has {len(cells)} fields, the header has {len(columns)}"))
                    continue
                out.append(Row(where, {name: unknown_to_none(cell) for name, cell in zip(columns, cells)}))
        except UnicodeDecodeError as exc:
            out.append(("LoadError", str(not_utf8(path, exc))))
        except csv.Error as exc:
            out.append(("LoadError", str(LoadError(origin(path, current[0]), f"bad CSV: {exc}"))))
    return out


def fast_rows(path: Path) -> list:
    """The table's rows; its rows read as cells (`Table.cells`) are checked to be the same."""
    out: list = []
    try:
        for row in _read_csv(path).rows:  # the CSV reading itself (no sniffing of the format)
            out.append(row)
    except LoadError as exc:
        out.append(("LoadError", str(exc)))
    assert cell_rows(path) == out
    return out


def cell_rows(path: Path) -> list:
    """The table's rows as `Table.cells` gives them, each made a `Row`."""
    out: list = []
    try:
        table = _read_csv(path)
        for where, cells, error in table.cells:
            out.append(Row(where, {}, error) if error else Row(where, dict(zip(table.columns, cells))))
            assert error or len(cells) == len(table.columns)
    except LoadError as exc:
        out.append(("LoadError", str(exc)))
    return out


BODIES = {
    "plain": "1,2,3\n4,5,6\n",
    "no final newline": "1,2,3\n4,5,6",
    "crlf": "1,2,3\r\n4,5,6\r\n",
    "cr only": "1,2,3\r4,5,6\r",
    "mixed endings": "1,2,3\r\n4,5,6\n7,8,9\r10,11,12",
    "blank and comment lines": "\n1,2,3\n\r\n   \n# note, with a comma\n  # indented\n4,5,6\n",
    "quoted comma": '1,"two, too",3\n4,5,6\n',
    "quoted newline": '1,"two\nlines",3\n4,5,6\n',
    "quoted crlf across lines": '1,"two\r\nlines\r\nmore",3\r\n4,5,6\r\n',
    "doubled quotes": '1,"say ""hi""",3\n',
    "quote inside unquoted field": '1,ab"c,3\n4,5,6\n',
    "unterminated quote at end of file": '1,2,3\n4,"five\n6,7\n',
    "ragged rows": "1,2\n1,2,3,4\n,\n1,2,3\n",
    "unknown markers": "--,NULL,n/a\nNaN, ,\n",
    "spaces kept then stripped": " 1 ,  2,3  \n",
    "unicode separators inside a line": "1,\x85b\u2028c,\x1c3\n",
    "NUL": "1,2,3\n4,\x005,6\n7,8,9\n",
    "NUL in a quoted field": '1,2,3\n4,"\x00",6\n',
    "only blank lines": "\n\n\r\n",
    "one empty field row": "1,2,3\n\n,,\n",
}


@pytest.mark.parametrize("body", list(BODIES.values()), ids=list(BODIES))
def test_rows_are_those_of_csv_reader(tmp_path: Path, body: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(("# a comment\n" + HEADER + body).encode("utf-8"))
    assert fast_rows(path) == reference_rows(path)


def test_bom_and_header_after_comments(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbf# c\n\n" + HEADER.encode() + b"1,2,3\n")
    assert fast_rows(path) == reference_rows(path)


def test_field_over_csv_limit_is_the_same_error(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "1,2,3\n" + "x" * (csv.field_size_limit() + 5) + ",2,3\n4,5,6\n")
    rows = fast_rows(path)
    assert rows == reference_rows(path)
    assert rows[-1][0] == "LoadError" and "field larger than field limit" in rows[-1][1]


@pytest.mark.parametrize("bad_at", [2, 5, 40, 3000])
def test_not_utf8_is_the_same_error_with_its_line(tmp_path: Path, bad_at: int) -> None:
    lines = [HEADER.encode()] + [f"{i},{i},{i}\n".encode() for i in range(4000)]
    lines[bad_at] = b"1,\xff\xfe,3\n"
    path = tmp_path / "t.csv"
    path.write_bytes(b"".join(lines))
    rows = fast_rows(path)
    assert rows == reference_rows(path)
    assert rows[-1] == ("LoadError", f"{path}:{bad_at + 1}: not UTF-8 text (invalid start byte at column 3)")


def test_not_utf8_inside_a_quoted_field_over_lines(tmp_path: Path) -> None:
    lines = [HEADER.encode()] + [f"{i},{i},{i}\n".encode() for i in range(3000)]
    lines[2500] = b'1,"open\n'
    lines[2501] = b"still open \xff\n"
    path = tmp_path / "t.csv"
    path.write_bytes(b"".join(lines))
    assert fast_rows(path) == reference_rows(path)


def test_random_tables_read_alike(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    pieces = ["a", "b c", "", " ", '"', '""', ",", "\n", "\r\n", "\r", "--", "x,y", '"q"', "#", "é", "\x00"]
    for n in range(300):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        path = tmp_path / f"t{n}.csv"
        path.write_text(HEADER + body, encoding="utf-8", newline="")
        assert fast_rows(path) == reference_rows(path), body


def test_many_lines_keep_their_numbers(tmp_path: Path) -> None:
    body = "".join(f'{i},"v{i}",{i}\n' if i % 7 == 0 else f"{i},v{i},{i}\n" for i in range(1000))
    path = tmp_path / "t.csv"
    path.write_text(HEADER + body)
    rows = fast_rows(path)
    assert rows == reference_rows(path)
    assert [r.origin for r in itertools.islice(rows, 3)] == [f"{path}:{n}" for n in (2, 3, 4)]


def test_head_lines_is_splitlines() -> None:
    import random

    rng = random.Random(11)
    separators = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", ""]
    for n in range(400):
        size = rng.choice([0, 10, 4000, 4095, 4096, 4097, 5000, 9000, 70000])
        parts, length = [], 0
        while length < size:
            piece = "x" * rng.choice([0, 1, 5, 80, 4094, 4095, 4096, 5000]) + rng.choice(separators)
            parts.append(piece)
            length += len(piece)
        text = "".join(parts)[:size]
        for value in (text, text.encode("utf-8")):
            for keepends in (False, True):
                assert list(head_lines(value, keepends)) == value.splitlines(keepends)
