"""Row iteration over the table formats MAST serves, each row with its origin (`path:line`).

- CSV (comma): astroquery's `Table.write(format="csv")`, the Portal's CSV export (which may start
  with ``#`` comment lines before the header), the MAST products API's CSV. Read with the `csv`
  module; a row's origin is the line where its record starts.
- ECSV (astropy): a ``# %ECSV`` YAML header, a column-name line, one row per line.
- VOTable (astropy): origin is the ``<TR>`` line (TABLEDATA), else ``path:row N``.
- MAST JSON: ``{"<obs_id>": [records...]}``, ``{"data": [records...]}`` (Mashup responses, whose
  ``fields``/``status``/``paging`` members are metadata), or a list of records; origin is the line
  where the record's ``{`` appears.

Values come out as plain Python (str, int, float, bool); unknown values (masked ``--``, empty
cells, ``NULL``, ``N/A``, NaN) come out as ``None``. A file that cannot be read at all raises
`LoadError`. The converters (`text`, `integer`, `number`, `ident`) raise `BadValue`, which a
loader turns into a `Reject` naming the column and value.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AnyStr

from mastgraph.loaders.records import LoadError, not_utf8, origin
from mastgraph.model.records import slot_setters

#: Cell texts that mean "not known".
UNKNOWN_TEXTS = frozenset({"", "--", "null", "n/a", "nan"})
#: The same in every mix of upper and lower case: ``s in UNKNOWN_FORMS`` is ``s.lower() in
#: UNKNOWN_TEXTS`` without making a lower-case copy of every cell (no non-ASCII character lowers
#: to an ASCII one of these texts, so the ASCII case variants are all there is).
UNKNOWN_FORMS = frozenset(
    "".join(chars) for t in UNKNOWN_TEXTS for chars in itertools.product(*({c.lower(), c.upper()} for c in t))
)
#: Top-level members of a MAST JSON object that are metadata, not records.
JSON_METADATA = frozenset({"status", "msg", "fields", "paging", "info", "columns", "request", "meta"})
_BOM = "\ufeff"
_SNIFF_LIMIT = 1 << 20


class BadValue(ValueError):
    """A cell whose value does not fit its column (the message names both)."""


@dataclass(frozen=True, slots=True, init=False)
class Row:
    """One data row: its origin (`path:line` or `path:row N`) and cells by column name."""

    origin: str
    values: Mapping[str, Any]
    error: str | None = None  # the row cannot be read as a record (wrong field count, not an object)

    def __init__(self, origin: str, values: Mapping[str, Any], error: str | None = None) -> None:
        set_origin, set_values, set_error = _ROW_SETTERS  # faster than the dataclass's (records.Node)
        set_origin(self, origin)
        set_values(self, values)
        set_error(self, error)

    def get(self, column: str) -> Any:
        return self.values.get(column)


_ROW_SETTERS = slot_setters(Row)


@dataclass
class Table:
    """An open table: its format, columns (empty when a JSON file has no records) and rows."""

    path: Path
    format: str  # csv | ecsv | votable | json
    columns: tuple[str, ...]
    rows: Iterator[Row]
    header_origin: str

    def has(self, column: str) -> bool:
        return column in self.columns

    def require(self, *columns: str, hint: str = "") -> None:
        """Raise `LoadError` naming the first missing column (no check for a JSON file without records)."""
        if self.format == "json" and not self.columns:
            return
        for name in columns:
            if name not in self.columns:
                more = f" ({hint})" if hint else ""
                raise LoadError(self.header_origin, f"missing required column {name!r}{more}")

    def require_one(self, *columns: str, hint: str = "") -> None:
        if self.format == "json" and not self.columns:
            return
        if not any(name in self.columns for name in columns):
            names = " or ".join(repr(c) for c in columns)
            more = f" ({hint})" if hint else ""
            raise LoadError(self.header_origin, f"missing required column {names}{more}")


# --------------------------------------------------------------------------- format detection

def table_format(path: Path, head: bytes) -> str | None:
    """'ecsv', 'votable', 'json' or 'csv' by the first bytes (then the extension); None for binary."""
    start = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if start.startswith(b"# %ECSV") or path.suffix.lower() == ".ecsv":
        return "ecsv"
    if start.startswith(b"<?xml") or b"<VOTABLE" in head[:4096] or path.suffix.lower() in (".vot", ".votable"):
        return "votable"
    if start[:1] in (b"{", b"[") or path.suffix.lower() == ".json":
        return "json"
    if b"\0" in head[:4096] or head.startswith(b"SIMPLE  ="):
        return None
    return "csv"


def sniff_columns(path: Path, head: bytes) -> tuple[str, ...]:
    """The column names of a table file, read from its start only (for kind detection).

    For JSON, the keys seen in the first bytes. Empty when the file is not a readable table.
    """
    fmt = table_format(path, head)
    try:
        if fmt == "csv":
            return _csv_header_in(head, truncated=path.stat().st_size > len(head))
        if fmt == "ecsv":
            found = _ecsv_header(path, errors="replace")  # (the loader reports undecodable bytes)
            return tuple(found[1]) if found else ()
        if fmt == "votable":
            text = _read_start(path, head)
            return tuple(re.findall(r"<(?:\w+:)?FIELD\b[^>]*?\bname\s*=\s*\"([^\"]*)\"", text))
        if fmt == "json":
            text = _read_start(path, head)
            return tuple(dict.fromkeys(re.findall(r"\"([^\"\\]+)\"\s*:", text)))
    except (OSError, UnicodeDecodeError, csv.Error):
        return ()
    return ()


def head_lines(head: AnyStr, keepends: bool = False) -> Iterator[AnyStr]:
    """``head.splitlines(keepends)``, one line at a time: the first 4 KiB are split first, so that
    a detector reading the first lines of a file does not split the whole head it was given."""
    cut = 4096
    if len(head) > cut:
        ended = head[:cut].splitlines(True)
        if len(ended) > 1:
            # every line but the last ends before the cut: they are the head's first lines
            yield from head[:cut].splitlines(keepends)[:-1]
            head = head[sum(map(len, ended[:-1])):]
    yield from head.splitlines(keepends)


def _csv_header_in(head: bytes, truncated: bool) -> tuple[str, ...]:
    """The header of a CSV file from its first bytes only (a binary file has no line to offer)."""
    lines = head_lines(head.decode("utf-8-sig", errors="replace"), keepends=True)
    for line in lines:
        if _is_comment_or_blank(line):
            continue
        if truncated and not line.endswith(("\n", "\r")):
            return ()  # the header does not end within the first bytes: not a table of ours
        return tuple(c.strip() for c in next(csv.reader([line.rstrip("\r\n")])))
    return ()


def _read_start(path: Path, head: bytes) -> str:
    data = head
    if len(head) < _SNIFF_LIMIT:
        with open(path, "rb") as fh:
            data = fh.read(_SNIFF_LIMIT)
    return data.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- opening

def read_table(path: Path | str) -> Table:
    """Open a table file and return its columns and a row iterator; `LoadError` when unreadable."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise LoadError(str(path), f"cannot read: {exc.strerror or exc}") from None
    fmt = table_format(path, head)
    if fmt == "csv":
        return _read_csv(path)
    if fmt == "ecsv":
        return _read_ecsv(path)
    if fmt == "votable":
        return _read_votable(path)
    if fmt == "json":
        return _read_json(path)
    raise LoadError(str(path), "not a text table (binary content)")


# --------------------------------------------------------------------------- CSV

def _numbered_lines(fh) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(fh, start=1):
        yield number, line


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _csv_header(path: Path) -> tuple[int, list[str]] | None:
    """(line, column names) of a CSV file's header: its first line that is neither blank nor `#`."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for number, line in _numbered_lines(fh):
            if not _is_comment_or_blank(line):
                return number, [c.strip() for c in next(csv.reader([line.rstrip("\r\n")]))]
    return None


def _read_csv(path: Path) -> Table:
    try:
        found = _csv_header(path)
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
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise LoadError(where, f"duplicate column {dup!r} in header")
    return Table(path, "csv", tuple(columns), _csv_rows(path, header_line, columns), where)


class _OneThenFile:
    """The lines csv's reader takes: the line handed to it, then (a quoted field may run over
    several lines) the file's next ones."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.line: str | None = None

    def __iter__(self) -> _OneThenFile:
        return self

    def __next__(self) -> str:
        line = self.line
        if line is None:
            return next(self.fh)
        self.line = None
        return line


def _csv_rows(path: Path, header_line: int, columns: list[str]) -> Iterator[Row]:
    """The rows after the header, as csv's reader reads them.

    A line without a quote (nor NUL, nor a field longer than csv's limit) is a record of its own
    whose cells are what is between the commas: csv's reader would read it so, and ``str.split``
    does it in half the time. Any other line goes to csv's reader (quoted fields may hold commas
    and run over several lines), which counts the lines it takes.
    """
    unknown = UNKNOWN_FORMS
    width = len(columns)
    name = str(path)  # origin(path, line) is f"{name}:{line}"
    limit = csv.field_size_limit()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for _ in itertools.islice(fh, header_line):
            pass
        source = _OneThenFile(fh)
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
                else:
                    start = end = end + 1
                    line = line.rstrip("\r\n")
                    cells = line.split(",") if line else []
                if not cells or (len(cells) == 1 and not cells[0].strip()) or cells[0].lstrip().startswith("#"):
                    continue
                where = f"{name}:{start}"
                if len(cells) != width:
                    yield Row(where, {}, f"row has {len(cells)} fields, the header has {width}")
                    continue
                # unknown_to_none, inline: the cell stripped, None when it says "unknown"
                yield Row(where, {column: None if (value := cell.strip()) in unknown else value
                                  for column, cell in zip(columns, cells)})
        except UnicodeDecodeError as exc:
            raise not_utf8(path, exc) from None
        except csv.Error as exc:
            last = end if counted is None else counted + reader.line_num
            raise LoadError(origin(path, last), f"bad CSV: {exc}") from None


# --------------------------------------------------------------------------- ECSV / VOTable (astropy)

def _ecsv_header(path: Path, errors: str = "strict") -> tuple[int, list[str]] | None:
    """(line, column names) of an ECSV file: the first line after the `#` header."""
    delimiter = " "
    with open(path, encoding="utf-8-sig", errors=errors) as fh:
        for number, line in _numbered_lines(fh):
            stripped = line.strip()
            if stripped.startswith("#"):
                if re.match(r"#\s*delimiter:\s*['\"]?,", stripped):
                    delimiter = ","
                continue
            if stripped:
                return number, next(csv.reader([stripped], delimiter=delimiter, skipinitialspace=True))
    return None


def _ecsv_row_lines(path: Path, header_line: int) -> array:
    lines = array("L")
    with open(path, encoding="utf-8-sig") as fh:
        for number, line in _numbered_lines(fh):
            if number > header_line and not _is_comment_or_blank(line):
                lines.append(number)
    return lines


def _votable_row_lines(path: Path) -> array:
    lines = array("L")
    in_data = False
    tr = re.compile(r"<(?:\w+:)?TR[\s>/]")
    with open(path, encoding="utf-8", errors="replace") as fh:
        for number, line in _numbered_lines(fh):
            if not in_data:
                at = line.find("TABLEDATA")
                if at < 0:
                    continue
                in_data = True
                line = line[at:]
            lines.extend([number] * len(tr.findall(line)))
    return lines


def _read_ecsv(path: Path) -> Table:
    from astropy.table import Table as AstropyTable

    try:
        found = _ecsv_header(path)
        table = AstropyTable.read(path, format="ascii.ecsv")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    except Exception as exc:  # noqa: BLE001 - astropy raises many kinds; the message says which
        raise LoadError(str(path), f"unreadable ECSV: {_one_line(exc)}") from None
    header_line = found[0] if found else 1
    lines = _ecsv_row_lines(path, header_line)
    return _astropy_table(path, "ecsv", table, lines, origin(path, header_line))


def _read_votable(path: Path) -> Table:
    try:
        from astropy.io.votable import parse

        votable = parse(str(path), verify="ignore")
        first = votable.get_first_table()
        table = first.to_table(use_names_over_ids=True)
    except Exception as exc:  # noqa: BLE001
        raise LoadError(str(path), f"unreadable VOTable: {_one_line(exc)}") from None
    lines = _votable_row_lines(path) if first.format == "tabledata" else array("L")
    return _astropy_table(path, "votable", table, lines, str(path))


def _astropy_table(path: Path, fmt: str, table: Any, lines: array, where: str) -> Table:
    columns = tuple(table.colnames)
    by_line = len(lines) == len(table)

    def rows() -> Iterator[Row]:
        for index, cells in enumerate(table.iterrows(*columns) if columns else ()):
            row_origin = origin(path, lines[index]) if by_line else f"{path}:row {index + 1}"
            yield Row(row_origin, {name: python_value(cell) for name, cell in zip(columns, cells)})

    return Table(path, fmt, columns, rows(), where)


def python_value(value: Any) -> Any:
    """A numpy/astropy cell as a plain Python value; masked, NaN and unknown texts as None."""
    import numpy as np

    if value is None or isinstance(value, np.ma.core.MaskedConstant):
        return None
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.tolist()
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return unknown_to_none(value)


# --------------------------------------------------------------------------- MAST JSON

_WS = re.compile(r"[ \t\n\r]*")


def _read_json(path: Path) -> Table:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    items = _json_records(path, text)
    first = next(items, None)
    if first is None:
        return Table(path, "json", (), iter(()), str(path))
    columns = tuple(first.values.keys())

    def rows() -> Iterator[Row]:
        yield first
        yield from items

    return Table(path, "json", columns, rows(), first.origin)


def _json_records(path: Path, text: str) -> Iterator[Row]:
    """The record objects of a MAST JSON document, each with the line of its opening brace."""
    decoder = json.JSONDecoder()
    line_at = _LineCounter(text)
    pos = _WS.match(text, 0).end()
    if pos >= len(text):
        raise LoadError(str(path), "empty JSON document")
    if text[pos] == "[":
        end = yield from _json_array(path, text, pos, decoder, line_at)
    elif text[pos] == "{":
        end = yield from _json_object(path, text, pos, decoder, line_at)
    else:
        raise LoadError(origin(path, line_at(pos)), "expected a JSON object or list of records")
    if _WS.match(text, end).end() != len(text):
        raise LoadError(origin(path, line_at(end)), "extra data after the JSON document")


def _skip_value_end(path: Path, text: str, pos: int, decoder: json.JSONDecoder, line_at: _LineCounter) -> int:
    try:
        return decoder.raw_decode(text, pos)[1]
    except json.JSONDecodeError as exc:
        raise LoadError(origin(path, exc.lineno), f"bad JSON: {exc.msg}") from None


def _json_array(path: Path, text: str, pos: int, decoder, line_at):
    """Records of the array starting at `pos` (which must be '['); returns the end position."""
    pos = _WS.match(text, pos + 1).end()
    if text.startswith("]", pos):
        return pos + 1
    while True:
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise LoadError(origin(path, exc.lineno), f"bad JSON: {exc.msg}") from None
        where = origin(path, line_at(pos))
        if isinstance(value, dict):
            yield Row(where, {str(k): unknown_to_none(v) for k, v in value.items()})
        else:
            yield Row(where, {}, f"record is a JSON {type(value).__name__}, not an object")
        pos = _WS.match(text, end).end()
        if text.startswith(",", pos):
            pos = _WS.match(text, pos + 1).end()
            continue
        if text.startswith("]", pos):
            return pos + 1
        raise LoadError(origin(path, line_at(pos)), "bad JSON: expected ',' or ']' in the record list")


def _json_object(path: Path, text: str, pos: int, decoder, line_at):
    """Records of every list-valued member (but metadata members); returns the end position."""
    scanner = json.decoder.scanstring
    pos = _WS.match(text, pos + 1).end()
    if text.startswith("}", pos):
        return pos + 1
    while True:
        if not text.startswith('"', pos):
            raise LoadError(origin(path, line_at(pos)), "bad JSON: expected a member name")
        try:
            key, pos = scanner(text, pos + 1)
        except json.JSONDecodeError as exc:
            raise LoadError(origin(path, exc.lineno), f"bad JSON: {exc.msg}") from None
        pos = _WS.match(text, pos).end()
        if not text.startswith(":", pos):
            raise LoadError(origin(path, line_at(pos)), "bad JSON: expected ':' after a member name")
        pos = _WS.match(text, pos + 1).end()
        if text.startswith("[", pos) and key not in JSON_METADATA:
            pos = yield from _json_array(path, text, pos, decoder, line_at)
        else:
            pos = _skip_value_end(path, text, pos, decoder, line_at)
        pos = _WS.match(text, pos).end()
        if text.startswith(",", pos):
            pos = _WS.match(text, pos + 1).end()
            continue
        if text.startswith("}", pos):
            return pos + 1
        raise LoadError(origin(path, line_at(pos)), "bad JSON: expected ',' or '}'")


class _LineCounter:
    """1-based line of a character position; positions are asked in increasing order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def __call__(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


# --------------------------------------------------------------------------- values

def unknown_to_none(value: Any) -> Any:
    """None for the unknown markers (`--`, empty, NULL, N/A, NaN); stripped text otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        return None if stripped in UNKNOWN_FORMS else stripped
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def text(value: Any) -> str | None:
    """A text cell; numbers print without a spurious `.0`."""
    if type(value) is str:  # the common case, as unknown_to_none does it
        value = value.strip()
        return None if value in UNKNOWN_FORMS else value
    value = unknown_to_none(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def ident(value: Any, column: str) -> str | None:
    """An identifier (obsid): a str even when the file has an int; `71672220.0` -> `"71672220"`."""
    if type(value) is str:  # what text() makes of it
        value = value.strip()
        return None if value in UNKNOWN_FORMS else value
    value = unknown_to_none(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue(f"{column} {value!r} is not an identifier")
        return str(int(value))
    return text(value)


def integer(value: Any, column: str) -> int | None:
    value = unknown_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(f"{column} {value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise BadValue(f"{column} {value!r} is not an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        pass
    try:
        number_ = float(value)
    except (TypeError, ValueError):
        raise BadValue(f"{column} {value!r} is not an integer") from None
    if number_.is_integer():
        return int(number_)
    raise BadValue(f"{column} {value!r} is not an integer")


def number(value: Any, column: str) -> float | None:
    value = unknown_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(f"{column} {value!r} is not a number")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise BadValue(f"{column} {value!r} is not a number") from None
    if math.isinf(result):
        raise BadValue(f"{column} {value!r} is not a finite number")
    return None if math.isnan(result) else result


def _one_line(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return message[0] if message else type(exc).__name__
