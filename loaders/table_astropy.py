"""ECSV and VOTable tables, read by astropy: ECSV has a ``# %ECSV`` YAML header, a column-name line
and one row per line (a row's origin is its line; plain columns are read as they go instead, by
`loaders/table_ecsv.py`); a VOTable row's origin is its ``<TR>`` line (TABLEDATA), else ``path:row N``
(plain TABLEDATA is read as it goes instead, by `loaders/table_votable.py`)."""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mastgraph.loaders.records import LoadError, not_utf8, origin
from mastgraph.loaders.table_csv import is_comment_or_blank, numbered_lines, refuse_duplicate_columns
from mastgraph.loaders.table_rows import Row, Table
from mastgraph.loaders.table_values import not_a_number, number_text, python_value
from mastgraph.model.errors import shown
from mastgraph.model.errors import first_line


def ecsv_header(path: Path, errors: str = "strict") -> tuple[int, list[str], str] | None:
    """(line, column names, delimiter) of an ECSV file: the first line after the `#` header."""
    delimiter = " "
    with open(path, encoding="utf-8-sig", errors=errors) as fh:
        for number, line in numbered_lines(fh):
            stripped = line.strip()
            if stripped.startswith("#"):
                if re.match(r"#\s*delimiter:\s*['\"]?,", stripped):
                    delimiter = ","
                continue
            if stripped:
                return number, next(csv.reader([stripped], delimiter=delimiter, skipinitialspace=True)), delimiter
    return None


def _ecsv_row_lines(path: Path, header_line: int) -> array:
    """The line of each data line astropy reads (one of the file's lines holding other line ends than
    Python's, a form feed say, is several to astropy: `table_ecsv.data_lines`)."""
    from mastgraph.loaders.table_ecsv import data_lines

    lines = array("L")
    with open(path, encoding="utf-8-sig") as fh:
        for number, line in numbered_lines(fh):
            if number > header_line:
                lines.extend(number for part in data_lines(line) if not is_comment_or_blank(part))
    return lines


def _votable_row_lines(path: Path) -> array:
    lines = array("L")
    in_data = False
    tr = re.compile(r"<(?:\w+:)?TR[\s>/]")
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in numbered_lines(fh):
            if not in_data:
                at = line.find("TABLEDATA")
                if at < 0:
                    continue
                in_data = True
                line = line[at:]
            lines.extend([number] * len(tr.findall(line)))
    return lines


def read_ecsv(path: Path) -> Table:
    """An ECSV table: read as it goes (`loaders/table_ecsv.py`) when its columns are plain, else whole."""
    from mastgraph.loaders.table_ecsv import read_ecsv_streamed

    return read_ecsv_streamed(path) or read_ecsv_whole(path)


def read_ecsv_whole(path: Path) -> Table:
    """An ECSV table read whole by astropy (any column astropy can read: arrays, mixins)."""
    import warnings

    from astropy.table import Table as AstropyTable
    from astropy.utils.exceptions import AstropyWarning

    from mastgraph.loaders.table_ecsv import check_raw_rows

    try:
        found = ecsv_header(path)
        header_line = found[0] if found else 1
        check_raw_rows(path, header_line, found[2] if found else " ")
        if found:
            refuse_duplicate_columns(found[1], origin(path, header_line))  # (astropy renames the second)
        with warnings.catch_warnings():  # (astropy's log would print them: a datatype outside the standard's,
            warnings.simplefilter("ignore", AstropyWarning)  # say; the values are the loaders' to check)
            table = AstropyTable.read(_without_bom(path), format="ascii.ecsv")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - astropy raises many kinds; the message says which
        raise yaml_header_error(path, exc) or header_shape_error(path) or \
            LoadError(str(path), f"unreadable ECSV: {first_line(exc)}") from None
    lines = _ecsv_row_lines(path, header_line)
    return _astropy_table(path, "ecsv", table, lines, origin(path, header_line))


def yaml_header_error(path: Path, exc: BaseException) -> LoadError | None:
    """The error of an ECSV file whose YAML header astropy could not parse ("unable to parse yaml in
    meta header"), at the header's line where the YAML parser stopped, with its reason; None for
    any other error (or when the header's lines cannot be told)."""
    from mastgraph.loaders.table_ecsv import header_lines

    cause: BaseException | None = exc
    while cause is not None and getattr(cause, "problem_mark", None) is None:
        cause = cause.__cause__
    if cause is None:
        return None
    try:
        found = header_lines(path)
    except (OSError, UnicodeDecodeError):
        return None
    if found is None or not found[0]:
        return None
    lines = [number for number, _ in found[0]]
    mark, context_mark = cause.problem_mark, getattr(cause, "context_mark", None)  # type: ignore[attr-defined]
    problem = getattr(cause, "problem", None) or "not YAML"
    context = getattr(cause, "context", None)
    where = lines[min(mark.line, len(lines) - 1)]
    if context and context_mark is not None:
        problem += f" ({context} on line {lines[min(context_mark.line, len(lines) - 1)]})"
    return LoadError(origin(path, where), f"unreadable ECSV: the YAML header is not valid here: {problem}")


def header_shape_error(path: Path) -> LoadError | None:
    """The error of an ECSV file whose YAML header parses but does not describe its columns as the
    format asks (`datatype`: a list of mappings, each with a `name` and a `datatype`), at the line
    of the entry that lacks one (astropy says only "'datatype'", or "'int' object is not iterable");
    None when the header is not the cause."""
    from astropy.table.meta import get_header_from_yaml

    from mastgraph.loaders.table_ecsv import header_lines

    try:
        found = header_lines(path)
        header = get_header_from_yaml([text for _, text in found[0]]) if found and found[0] else None
    except Exception:  # noqa: BLE001 - a header astropy cannot read at all: its own error says why
        return None
    if not isinstance(header, dict):
        return None
    comments = found[0]
    key = next((number for number, text in comments if text.strip().startswith("datatype:")), comments[0][0])
    columns = header.get("datatype")
    if not isinstance(columns, list) or not columns:
        return LoadError(origin(path, key), "unreadable ECSV: the header's 'datatype' is not a list of columns")
    entries = [number for number, text in comments if number > key and text.strip().startswith("- ")]
    for index, column in enumerate(columns):
        name = column.get("name") if isinstance(column, dict) else None
        where = origin(path, entries[index] if index < len(entries) else key)
        if not isinstance(name, str):
            return LoadError(where, f"unreadable ECSV: the header's column {index + 1} has no name")
        if "datatype" not in column:
            return LoadError(where, f"unreadable ECSV: the header's column {shown(name)} has no datatype")
        if not isinstance(column["datatype"], str):
            return LoadError(where, f"unreadable ECSV: the header's column {shown(name)} has a datatype that is not "
                                    f"a name ({shown(column['datatype'])})")
    return None


def _without_bom(path: Path) -> Path | str:
    """The file for astropy: its text when it starts with a UTF-8 byte order mark (astropy would not
    find its ``# %ECSV`` line; every other reading of the file skips the mark), else its path."""
    with open(path, "rb") as fh:
        if fh.read(3) != b"\xef\xbb\xbf":
            return path
    return path.read_text(encoding="utf-8-sig")


def read_votable(path: Path) -> Table:
    """A VOTable's first table: read as it goes (`loaders/table_votable.py`) when its data is plain
    TABLEDATA, else whole."""
    from mastgraph.loaders.table_votable import read_votable_streamed

    return read_votable_streamed(path) or read_votable_whole(path)


def read_votable_whole(path: Path) -> Table:
    """A VOTable's first table read whole by astropy (any encoding of its data)."""
    import warnings

    try:
        from astropy.io.votable import parse
        from astropy.io.votable.exceptions import W46, W51

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            votable = parse(str(path), verify="warn")
            first = votable.get_first_table()
            table = first.to_table(use_names_over_ids=True)
    except Exception as exc:  # noqa: BLE001
        raise LoadError(str(path), f"unreadable VOTable: {first_line(exc)}") from None
    # a value astropy cut short (W46: a char value longer than its arraysize) or clamped (W51: an
    # integer outside its field's range) is not the file's: refused, as the stream read refuses it
    for warning in caught:
        if isinstance(warning.message, (W46, W51)):
            found = _VO_POSITION.match(str(warning.message))
            where = origin(path, int(found[1])) if found else str(path)
            reason = found[2] if found else first_line(warning.message)
            raise LoadError(where, f"unreadable VOTable: {reason}")
    lines = array("L")
    if first.format == "tabledata":
        lines = _votable_row_lines(path)
        _check_number_texts(path, first, table)
    return _astropy_table(path, "votable", table, lines, str(path))


#: VOTable's text datatypes (every other one is a number or a bool).
_VO_TEXT = frozenset({"char", "unicodeChar"})


def _check_number_texts(path: Path, first: Any, table: Any) -> None:
    """Refuse a value astropy read from a number written with an underscore or a digit of another
    script (its converters go through Python's int and float; XML Schema's forms, which VOTable's
    TABLEDATA uses, hold neither), at its row's line, as the streamed read refuses it
    (`table_votable._converted`); a value astropy could not read at all it masks, and stays None."""
    import numpy as np
    from astropy.utils.xml import iterparser

    numeric = {j for j, field in enumerate(first.fields) if field.datatype not in _VO_TEXT}
    if not numeric:
        return
    names = table.colnames
    tables = row = column = 0
    inside = False
    with iterparser.get_xml_iterator(str(path)) as events:
        for start, tag, data, (line, _) in events:
            if start:
                if tag == "TABLE":
                    tables += 1
                elif tag == "TABLEDATA" and tables == 1:
                    inside = True
                elif tag == "TR" and inside:
                    column = 0
                continue
            if not inside:
                continue
            if tag == "TD":
                if column in numeric and not number_text(data) and row < len(table):
                    mask = getattr(table[names[column]], "mask", None)
                    if mask is None or not np.all(mask[row]):
                        raise LoadError(origin(path, line), f"unreadable VOTable: field {names[column]!r}: "
                                                            f"{not_a_number(data)}")
                column += 1
            elif tag == "TR":
                row += 1
            elif tag == "TABLEDATA":
                return


#: The position and text of an astropy VOTable warning (`path:line:column: Wnn: text`).
_VO_POSITION = re.compile(r"^.*?:(\d+):\d+: (W\d+: .*)$", re.DOTALL)


def _astropy_table(path: Path, fmt: str, table: Any, lines: array, where: str) -> Table:
    columns = tuple(table.colnames)
    by_line = len(lines) == len(table)

    def rows() -> Iterator[Row]:
        for index, cells in enumerate(table.iterrows(*columns) if columns else ()):
            row_origin = origin(path, lines[index]) if by_line else f"{path}:row {index + 1}"
            yield Row(row_origin, {name: python_value(cell) for name, cell in zip(columns, cells)})

    return Table(path, fmt, columns, rows(), where)
