"""CSV tables: astroquery's `Table.write(format="csv")`, the Portal's CSV export (which may start with
``#`` comment lines before the header), the MAST products API's CSV. Read with the `csv` module
(and a quicker path for lines without quotes); a row's origin is the line where its record starts."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mastgraph.loaders.records import LoadError, not_utf8, origin
from mastgraph.loaders.table_rows import Row, Table
from mastgraph.loaders.table_values import UNKNOWN_FORMS
from mastgraph.model.errors import shown


#: The error of a record whose quoted field is still open at the file's end (csv's reader, not
#: strict, would end the field there: the rest of the file in one record).
UNCLOSED_QUOTE = "bad CSV: a quoted field of the record that starts on this line is not closed before the file ends"


def csv_records(path: Path, stream: Any) -> tuple[list[str] | None, Iterator[tuple[int, list[str]]]]:
    """A CSV file read by csv's reader from `stream` (opened with ``newline=""``): its first record
    (the header; None for an empty file) and then (line where it starts, fields) of each further
    record; `LoadError` (`UNCLOSED_QUOTE`) for a record whose quoted field is open at the file's end."""
    source = LineSource(stream)
    rows = csv.reader(source)
    header = next(rows, None)

    def records() -> Iterator[tuple[int, list[str]]]:
        end = rows.line_num
        for row in rows:
            start, end = end + 1, rows.line_num
            if source.ended:
                raise LoadError(origin(path, start), UNCLOSED_QUOTE)
            yield start, row

    return header, records()


def numbered_lines(fh) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(fh, start=1):
        yield number, line


def is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def csv_header(path: Path) -> tuple[int, list[str]] | None:
    """(line, column names) of a CSV file's header: its first line that is neither blank nor `#`."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for number, line in numbered_lines(fh):
            if not is_comment_or_blank(line):
                return number, [c.strip() for c in next(csv.reader([line.rstrip("\r\n")]))]
    return None


def refuse_duplicate_columns(columns: list[str], where: str) -> None:
    """`LoadError` at the header when a column is named twice (which of the two a row's value is
    would be a reader's choice)."""
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise LoadError(where, f"duplicate column {shown(dup)} in header")


def read_csv(path: Path) -> Table:
    try:
        found = csv_header(path)
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    except csv.Error as exc:
        raise LoadError(str(path), f"bad CSV header: {exc}") from None
    if found is None:
        raise LoadError(str(path), "empty table (no header line)")
    header_line, columns = found
    where = origin(path, header_line)
    if len(columns) == 1:
        for sep, name in (("|", "pipe"), ("\t", "tab"), (";", "semicolon"), ("  ", "whitespace")):
            if sep in columns[0]:
                raise LoadError(where, f"header is {name}-separated, expected comma-separated columns")
    refuse_duplicate_columns(columns, where)
    return Table(path, "csv", tuple(columns), _csv_rows(path, header_line, columns), where,
                 _csv_cells(path, header_line, len(columns)))


class LineSource:
    """The lines csv's reader takes: the line handed to it (if any), then (a quoted field may run
    over several lines) the file's next ones."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.line: str | None = None
        #: The reader asked for a line past the file's end: it asks for another line only while a
        #: quoted field is open, so the record it then gives ends with the file, its quote unclosed.
        self.ended = False

    def __iter__(self) -> LineSource:
        return self

    def __next__(self) -> str:
        line = self.line
        if line is None:
            try:
                return next(self.fh)
            except StopIteration:
                self.ended = True
                raise
        self.line = None
        return line


def _csv_rows(path: Path, header_line: int, columns: list[str]) -> Iterator[Row]:
    """The rows after the header, each a `Row` of its cells by column name (`_csv_cells`)."""
    for where, cells, error in _csv_cells(path, header_line, len(columns)):
        yield Row(where, {}, error) if error else Row(where, dict(zip(columns, cells)))


#: None for each unknown marker: ``_KNOWN.get(cell, cell)`` is ``None if cell in UNKNOWN_FORMS else cell``.
_KNOWN = dict.fromkeys(UNKNOWN_FORMS)


def _csv_cells(path: Path, header_line: int, width: int) -> Iterator[tuple[str, list, str | None]]:
    """(origin, cells, error) of the rows after the header, as csv's reader reads them: the cells
    stripped, None when they say "unknown" (`unknown_to_none`); with an error (and no cells) when
    the row has not `width` fields.

    A line without a quote (nor NUL, nor a field longer than csv's limit) is a record of its own
    whose cells are what is between the commas: csv's reader would read it so, and ``str.split``
    does it in half the time. Any other line goes to csv's reader (quoted fields may hold commas
    and run over several lines), which counts the lines it takes.
    """
    strip, known = str.strip, _KNOWN.get
    name = str(path)  # origin(path, line) is f"{name}:{line}"
    limit = csv.field_size_limit()
    no_cells: list = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for _ in itertools.islice(fh, header_line):
            pass
        source = LineSource(fh)
        reader = csv.reader(source)
        end = header_line  # the line the last record ended on
        counted = None  # while csv's reader reads a record: `end` less its count of lines then
        try:
            for line in fh:
                if '"' in line or "\0" in line or len(line) > limit:
                    source.line = line
                    counted = end - reader.line_num
                    cells = next(reader)
                    start, end, counted = end + 1, counted + reader.line_num, None
                    if source.ended:
                        raise LoadError(origin(path, start), UNCLOSED_QUOTE)
                else:
                    start = end = end + 1
                    line = line.rstrip("\r\n")
                    cells = line.split(",") if line else []
                first = cells[0] if cells else ""
                if len(cells) < 2 and not first.strip() or "#" in first and first.lstrip().startswith("#"):
                    continue  # (a blank line, or a comment)
                if len(cells) != width:
                    yield f"{name}:{start}", no_cells, f"row has {len(cells)} fields, the header has {width}"
                    continue
                # unknown_to_none of each cell: stripped, then None when it says "unknown" (known(value, value))
                cells = list(map(strip, cells))
                yield f"{name}:{start}", list(map(known, cells, cells)), None
        except UnicodeDecodeError as exc:
            raise not_utf8(path, exc) from None
        except csv.Error as exc:
            last = end if counted is None else counted + reader.line_num
            raise LoadError(origin(path, last), f"bad CSV: {exc}") from None
