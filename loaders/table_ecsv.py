"""ECSV tables read as they go: astroquery's `Table.write(format="ascii.ecsv")` of a product list or
an observation table, read a batch of rows at a time, in memory that does not grow with the file.

An ECSV file is a ``# %ECSV <version>`` YAML header (each column's name and datatype, the delimiter),
a line of column names, then one row per line (a quoted value may run over lines), values split as
astropy splits them (csv quoting, space or comma, spaces and tabs stripped), an empty value masked. The rows
come out as astropy reads them and `python_value` makes them (`loaders/table_astropy.py`): an empty
value None, a number of its column's datatype converted by numpy, a bool from ``True``/``False``/
``1``/``0``, text as `unknown_to_none` leaves it. A value its column's datatype cannot hold refuses
the file at its line, as astropy refuses it (at no line). Lines end where astropy ends them
(`str.splitlines`: also at a form feed, U+0085, U+2028...), and a quoted value still open when the
file ends refuses the file at the line it opens on (csv would take the rest of the file as that value).

Only plain columns are read here: a file whose header astropy reads otherwise, or whose columns carry
a subtype (arrays, JSON objects), a datatype outside the ECSV standard's numbers, bools and strings,
or serialized mixin columns (`__serialized_columns__`: Time, Quantity, SkyCoord...), or a column name
twice (astropy renames the second), is read whole by astropy (`table_astropy.read_ecsv_whole`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mastgraph.loaders.records import LoadError, not_utf8, origin
from mastgraph.loaders.table_rows import Row, Table
from mastgraph.loaders.table_values import NUMBER_TEXT, number_text, unknown_to_none
from mastgraph.model.errors import shown

#: Rows converted at a time (one numpy conversion per numeric column of the batch).
BATCH = 2000
#: The datatypes read here (the ECSV standard's but float128, whose text numpy reads by the platform).
_NUMBERS = frozenset({"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                      "float16", "float32", "float64"})
_PLAIN = _NUMBERS | {"bool", "string"}
#: The version line astropy requires first (`astropy.io.ascii.ecsv.EcsvHeader.get_cols`).
_VERSION = re.compile(r"%ECSV (?P<major>\d+)\.(?P<minor>\d+)\.?(?P<bugfix>\d+)?$")
_COMMENT = re.compile(r"\s*#")
_TRUE, _FALSE = frozenset({"True", "1"}), frozenset({"False", "0"})
#: The line ends of `str.splitlines` (astropy splits the file's text with it) that Python's reading of a
#: text file by lines does not end a line at (it ends lines at \n, \r and \r\n only).
_OTHER_LINE_ENDS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class _Plain:
    """What the header says, when the file holds plain columns only."""

    def __init__(self, names: list[str], datatypes: list[str], delimiter: str, header_line: int) -> None:
        self.names, self.datatypes, self.delimiter, self.header_line = names, datatypes, delimiter, header_line


def header_lines(path: Path) -> tuple[list[tuple[int, str]], tuple[int, str] | None] | None:
    """The lines astropy reads as an ECSV file's YAML header (`EcsvHeader.process_lines`: the text
    after the `#` of each comment line that has some, blank lines skipped), each with its line in
    the file, and (line, text) of the first other line, the column names (None: no such line);
    None when a header line holds a line end Python does not split at (astropy would read other
    lines than these)."""
    comments: list[tuple[int, str]] = []
    with open(path, encoding="utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            if _OTHER_LINE_ENDS.search(line):
                return None
            stripped = line.strip()
            if not stripped:
                continue
            match = _COMMENT.match(stripped)
            if match is None:
                return comments, (number, stripped)
            if stripped[match.end():]:
                comments.append((number, stripped[match.end():]))  # (indented as written: the YAML is dedented whole)
    return comments, None


def plain_header(path: Path) -> _Plain | None:
    """The header of an ECSV file of plain columns, read as astropy reads it; None for any other
    (astropy then reads the file, and says what is wrong with it)."""
    from astropy.table.meta import YamlParseError, get_header_from_yaml

    found = header_lines(path)
    if found is None:
        return None
    comments, names_line = [text for _, text in found[0]], found[1]
    if names_line is None or not comments or not _VERSION.match(comments[0].strip()):
        return None
    try:
        header = get_header_from_yaml(comments)
    except (YamlParseError, ValueError, TypeError, AttributeError):
        return None
    if not isinstance(header, dict) or "__serialized_columns__" in (header.get("meta") or {}):
        return None
    delimiter = header.get("delimiter", " ")
    columns = header.get("datatype")
    if delimiter not in (" ", ",") or not isinstance(columns, list) or not columns:
        return None
    if not all(isinstance(c, dict) and isinstance(c.get("name"), str) and isinstance(c.get("datatype"), str)
               and c["datatype"] in _PLAIN and "subtype" not in c for c in columns):
        return None
    names = [c["name"] for c in columns]
    if len(set(names)) != len(names):  # (astropy renames a repeated column)
        return None
    number, line = names_line
    if next(csv.reader([line + "\n"], delimiter=delimiter, skipinitialspace=True)) != names:
        return None
    return _Plain(names, [c["datatype"] for c in columns], delimiter, number)


def read_ecsv_streamed(path: Path) -> Table | None:
    """The table, its rows read as they go; None when astropy must read the file whole."""
    try:
        plain = plain_header(path)
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    if plain is None:
        return None
    return Table(path, "ecsv", tuple(plain.names), _rows(path, plain), origin(path, plain.header_line))


def _rows(path: Path, plain: _Plain) -> Iterator[Row]:
    width = len(plain.names)
    batch: list[tuple[int, list[str]]] = []
    try:
        for line, cells in _records(path, plain):
            if len(cells) != width:
                raise LoadError(origin(path, line), f"unreadable ECSV: the row has {len(cells)} values, the "
                                                    f"header {width} columns")
            batch.append((line, cells))
            if len(batch) >= BATCH:
                yield from _converted(path, plain, batch)
                batch = []
        yield from _converted(path, plain, batch)
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None


def _records(path: Path, plain: _Plain) -> Iterator[tuple[int, list[str]]]:
    """(line where it starts, its values stripped of spaces and tabs) of each row after the names
    line: the lines that are neither blank nor comments, split by csv with astropy's settings (a
    quoted value may go on over the next such line)."""
    numbered = _DataLines(path, plain.header_line)
    reader = csv.reader(numbered, delimiter=plain.delimiter, quotechar='"', doublequote=True,
                        skipinitialspace=True)
    try:
        for cells in reader:
            if numbered.ended:  # (csv's reader ends a quoted value at the file's end, without a word)
                raise LoadError(origin(path, numbered.first), "unreadable ECSV: the quoted value that opens on "
                                                              "this line is not closed before the file ends")
            yield numbered.first, [cell.strip(" \t") for cell in cells]  # (astropy's `DefaultSplitter.process_val`)
            numbered.first = 0
    except csv.Error as exc:  # (a value over csv's field size limit)
        raise LoadError(origin(path, numbered.last), f"unreadable ECSV: {exc}") from None


def check_raw_rows(path: Path, header_line: int, delimiter: str) -> None:
    """Refuse (`LoadError` at its line) a file whose last quoted value is not closed: the check
    `_records` makes as it reads, for a file read whole by astropy (whose reader does not make it);
    and a number written with an underscore or a digit of another script in a column of the
    header's numbers (`_column` refuses them in a file read as it goes)."""
    numbers = _number_columns(path)
    for line, cells in _records(path, _Plain([], [], delimiter, header_line)):
        for j, name, datatype in numbers:
            if j < len(cells) and not number_text(cells[j]):
                raise _refused(path, line, name, datatype, cells[j], NUMBER_TEXT)


def _number_columns(path: Path) -> list[tuple[int, str, str]]:
    """(position, name, datatype) of each column the header gives one of the standard's number
    datatypes without a subtype; none when astropy alone can tell what the header says."""
    from astropy.table.meta import get_header_from_yaml

    try:
        found = header_lines(path)
        header = get_header_from_yaml([text for _, text in found[0]]) if found else None
    except Exception:  # noqa: BLE001 - astropy's reading of the file says what is wrong with it
        return []
    columns = header.get("datatype") if isinstance(header, dict) else None
    if not isinstance(columns, list):
        return []
    return [(j, c["name"], c["datatype"]) for j, c in enumerate(columns)
            if isinstance(c, dict) and c.get("datatype") in _NUMBERS and "subtype" not in c
            and isinstance(c.get("name"), str)]


def data_lines(line: str) -> list[str] | tuple[str]:
    """The lines astropy reads in one of the file's lines (several when it holds other line ends than
    Python's), each numbered as the file's line."""
    return line.splitlines() if _OTHER_LINE_ENDS.search(line) else (line,)


class _DataLines:
    """The data lines of the file, each stripped and ended by a newline as astropy hands them to csv;
    `first` is the line the record being read started on, `ended` whether the file has ended."""

    def __init__(self, path: Path, header_line: int) -> None:
        self.path, self.header_line = path, header_line
        self.first = self.last = 0
        self.ended = False
        self._lines = self._read()

    def _read(self) -> Iterator[tuple[int, str]]:
        with open(self.path, encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if number <= self.header_line:
                    continue
                for part in data_lines(line):
                    stripped = part.strip()
                    if stripped and _COMMENT.match(stripped) is None:
                        yield number, stripped + "\n"

    def __iter__(self) -> _DataLines:
        return self

    def __next__(self) -> str:
        try:
            number, line = next(self._lines)
        except StopIteration:
            self.ended = True
            raise
        if not self.first:
            self.first = number
        self.last = number
        return line


def _converted(path: Path, plain: _Plain, batch: list[tuple[int, list[str]]]) -> Iterator[Row]:
    """The batch's rows with each column's values as astropy and `python_value` make them."""
    if not batch:
        return
    columns = [_column(path, plain.names[j], datatype, batch, j) for j, datatype in enumerate(plain.datatypes)]
    names = plain.names
    where = str(path)
    for number, (line, _) in enumerate(batch):
        yield Row(f"{where}:{line}", {name: values[number] for name, values in zip(names, columns)})


def _column(path: Path, name: str, datatype: str, batch: list[tuple[int, list[str]]], j: int) -> list[Any]:
    values = [cells[j] for _, cells in batch]
    if datatype == "string":
        return [unknown_to_none(v) for v in values]  # (an empty value, masked, is None as well)
    if datatype == "bool":
        converted = []
        for (line, _), value in zip(batch, values):
            if value in _TRUE:
                converted.append(True)
            elif value in _FALSE:
                converted.append(False)
            elif value == "":
                converted.append(None)
            else:
                raise _refused(path, line, name, datatype, value, "a bool is True, False, 1 or 0")
        return converted
    import numpy as np

    present = [v for v in values if v != ""]
    joined = "".join(present)
    if not number_text(joined):  # (numpy, as Python's int and float, takes both)
        for (line, _), value in zip(batch, values):
            if not number_text(value):
                raise _refused(path, line, name, datatype, value, NUMBER_TEXT)
    try:
        with np.errstate(all="ignore"):  # (a float past its datatype's range is inf, as astropy reads it;
            numbers = np.array(present, dtype=datatype).tolist()  # numpy's warning would print lines)
    except (ValueError, OverflowError):
        for (line, _), value in zip(batch, values):
            if value != "":
                try:
                    np.array([value], dtype=datatype)
                except (ValueError, OverflowError) as exc:
                    raise _refused(path, line, name, datatype, value, str(exc)) from None
        raise
    kept = iter(numbers)
    # a number as `python_value` gives it: NaN is None (`unknown_to_none`)
    return [None if v == "" else _finite_or_none(next(kept)) for v in values]


def _finite_or_none(value: Any) -> Any:
    return None if type(value) is float and value != value else value


def _refused(path: Path, line: int, name: str, datatype: str, value: str, why: str) -> LoadError:
    return LoadError(origin(path, line), f"unreadable ECSV: column {shown(name)} is {datatype} and {shown(value)} is not "
                                         f"({why})")
