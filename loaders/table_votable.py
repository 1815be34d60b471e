"""VOTable TABLEDATA read as it goes: the rows of the first table, a batch at a time, in memory that
does not grow with the file.

astropy reads the document with the table's data left out (`_without_rows`: the bytes between
``<TABLEDATA>`` and ``</TABLEDATA>`` skipped), so the fields, their converters, the column names and
the parse settings are astropy's own; the rows are then read from the bytes that were skipped, each
``<TD>``'s text as the XML parser gives it (line ends normalised, entities and character references
replaced, leading and trailing whitespace stripped) going through its field's converter
(`converter.parse`, as astropy's TABLEDATA parser does), a batch's column into the field's numpy
type, and each value out as `python_value` makes it (`loaders/table_astropy.py`). A row's origin is
the line of its ``<TR>``.

Only plain data is read here: the first table's TABLEDATA, UTF-8, rows of ``<TR>``, ``<TD>text</TD>``
and ``<TD/>`` (no attributes, comments or CDATA), in the document's one RESOURCE (no DOCTYPE declaring
entities), fields of scalar numbers, bools and strings. Any
other document is read whole by astropy (`table_astropy.read_votable_whole`), which also says what
is wrong with a broken one; a broken row of a plain one refuses the file at its line.
"""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mastgraph.loaders.records import LoadError, origin
from mastgraph.loaders.table_rows import Row, Table
from mastgraph.loaders.table_values import not_a_number, number_text, python_value
from mastgraph.model.errors import shown
from mastgraph.model.errors import first_line

#: Rows converted at a time.
BATCH = 2000
#: Bytes read at a time while looking for the data and reading it.
CHUNK = 1 << 20
#: The first table's data starts within this many bytes (else the document is read whole).
HEAD_LIMIT = 16 << 20
_NAME = rb"(?:[A-Za-z_][\w.-]*:)?"
_TABLEDATA = re.compile(rb"<" + _NAME + rb"TABLEDATA\s*>")
_TABLE = re.compile(rb"<" + _NAME + rb"TABLE[\s>/]")
_RESOURCE = re.compile(rb"<" + _NAME + rb"RESOURCE[\s>/]")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
#: A DOCTYPE with an internal subset (it may declare entities the cells use).
_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[")
#: The position astropy's converter messages start with (`filename:line:column: `), unknown here.
_NO_POSITION = re.compile(r"^\S*:\?:\?: ")
_DECLARED = re.compile(rb"<\?xml[^>]*\bencoding\s*=\s*[\"']([^\"']*)[\"']")
#: One token of plain TABLEDATA: whitespace, then a row's start or end, a cell with its text, or an
#: empty cell; or the end of the data. Every tag has the prefix the document's ``<TABLEDATA>`` has
#: (`_token`): another one, matched or not, is not plain.
_TOKEN = (rb"[ \t\r\n]*(?:(<{p}TR>)|</{p}TR>|<{p}TD>([^<]*)</{p}TD>|(<{p}TD\s*/>)|(</{p}TABLEDATA\s*>))")


@functools.lru_cache(maxsize=8)
def _token(prefix: bytes) -> re.Pattern[bytes]:
    """`_TOKEN` for the tags' `prefix` (b"" or b"vot:", say)."""
    return re.compile(_TOKEN.replace(b"{p}", re.escape(prefix)))


#: Entities and character references of XML text (a named entity a DTD defines is not plain).
_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|]]>")
_PLAIN = frozenset({"char", "unicodeChar", "boolean", "bit", "unsignedByte", "short", "int", "long", "float", "double"})
_TEXT = frozenset({"char", "unicodeChar"})


def read_votable_streamed(path: Path) -> Table | None:
    """The first table's rows read as they go; None when astropy must read the document whole."""
    try:
        span = _data_span(path)
        if span is None:
            return None
        header = _header(path, span)
    except OSError:
        return None  # (astropy's read says it)
    if header is None:
        return None
    fields, names, config = header
    return Table(path, "votable", names, _rows(path, span, fields, names, config), str(path))


def _data_span(path: Path) -> tuple[int, int, int, re.Pattern[bytes]] | None:
    """(line of the data's start, offset after ``<TABLEDATA>``, offset of ``</TABLEDATA>``, the
    data's `_token`) of the first table, when its data is plain; else None."""
    with open(path, "rb") as fh:
        head = b""
        while True:
            chunk = fh.read(CHUNK)
            head += chunk
            found = _TABLEDATA.search(head)
            if found is not None or not chunk or len(head) > HEAD_LIMIT:
                break
        if found is None:
            return None
        before = _COMMENT.sub(b"", head[:found.start()])  # (a comment may name a TABLE)
        # (the first table astropy takes is the first resource's own: one resource, one table before the data)
        if len(_TABLE.findall(before)) != 1 or len(_RESOURCE.findall(before)) != 1 or b"<!--" in before \
                or b"<![CDATA[" in before or _SUBSET.search(before):
            return None
        declared = _DECLARED.match(head.lstrip(b"\xef\xbb\xbf"))
        if declared is not None and declared[1].lower() not in (b"utf-8", b"utf8"):
            return None
        start, line = found.end(), _line_ends(head, 0, found.end()) + 1
        token = _token(found[0][1:found[0].index(b"TABLEDATA")])
        rest, head = head[start:], b""
        end = _plain_end(fh, rest, start, token)
    return None if end is None else (line, start, end, token)


def _plain_end(fh, rest: bytes, offset: int, token: re.Pattern[bytes]) -> int | None:
    """The offset of ``</TABLEDATA>`` when everything before it (from `offset`, `rest` read already)
    is plain rows (``<TR>``, its cells, ``</TR>``; each row's cells are counted when it is read);
    None otherwise."""
    buffer, at, ended = rest, 0, False
    in_row = False
    while True:
        match = token.match(buffer, at)
        if match is not None and (match.end() < len(buffer) or ended):
            if match.group(4) is not None:
                return None if in_row else offset + match.start(4)
            if match.group(1) is not None:
                if in_row:
                    return None
                in_row = True
            elif match.group(2) is None and match.group(3) is None:  # (a row's end)
                if not in_row:
                    return None
                in_row = False
            elif not in_row:
                return None
            at = match.end()
            continue
        if ended:
            return None
        chunk = fh.read(CHUNK)
        ended = not chunk
        offset += at
        buffer, at = buffer[at:] + chunk, 0


def _without_rows(path: Path, start: int, end: int) -> bytes | None:
    """The document with the bytes between `start` and `end` (the table's rows) left out; None when
    what is left is over `HEAD_LIMIT` (other tables' data: the document is read whole)."""
    with open(path, "rb") as fh:
        if start + os.fstat(fh.fileno()).st_size - end > HEAD_LIMIT:
            return None
        head = fh.read(start)
        fh.seek(end)
        return head + fh.read()


def _header(path: Path, span: tuple[int, int, int, re.Pattern[bytes]]) -> tuple[list, tuple[str, ...], dict] | None:
    """(fields, column names, parse settings) of the first table as astropy reads the document
    without its rows; None when a field is not plain or astropy cannot read it."""
    import warnings

    from astropy.io.votable import parse

    document = _without_rows(path, span[1], span[2])
    if document is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            votable = parse(io.BytesIO(document), verify="ignore")
            table = votable.get_first_table()
            names = tuple(table.to_table(use_names_over_ids=True).colnames)
    except Exception:  # noqa: BLE001 - astropy's whole read reports it
        return None
    fields = list(table.fields)
    if table.format != "tabledata" or len(names) != len(fields) or not fields:
        return None
    for field in fields:
        arraysize = field.arraysize
        if field.datatype not in _PLAIN or (field.datatype in _TEXT and arraysize and "x" in arraysize) or (
                field.datatype not in _TEXT and arraysize not in (None, "1")):
            return None
    return fields, names, votable._config


def _rows(path: Path, span: tuple[int, int, int, re.Pattern[bytes]], fields: list, names: tuple[str, ...], config: dict
          ) -> Iterator[Row]:
    batch: list[tuple[int, list[str]]] = []
    for line, cells in _cells(path, span, len(fields)):
        batch.append((line, cells))
        if len(batch) >= BATCH:
            yield from _converted(path, batch, fields, names, config)
            batch = []
    yield from _converted(path, batch, fields, names, config)


def _cells(path: Path, span: tuple[int, int, int, re.Pattern[bytes]], width: int
           ) -> Iterator[tuple[int, list[str]]]:
    """(line of its ``<TR>``, its cells' texts) of each row."""
    line, start, end, tokens = span
    with open(path, "rb") as fh:
        fh.seek(start)
        left = end - start
        buffer, at = b"", 0
        counted = 0  # the position of `buffer` up to which `line` counts the line ends
        row: list[str] | None = None
        row_line = line
        while True:
            match = tokens.match(buffer, at)
            if match is None or (match.end() == len(buffer) and left):
                if not left:
                    return  # (the rows end: the rest is whitespace, as the check before found)
                chunk = fh.read(min(CHUNK, left))
                left -= len(chunk)
                line += _line_ends(buffer, counted, at)
                buffer, at, counted = buffer[at:] + chunk, 0, 0
                continue
            token = match.start(match.lastindex) if match.lastindex else match.end()
            line += _line_ends(buffer, counted, token)
            counted = token
            if match.group(1) is not None:
                row_line, row = line, []
            elif match.group(2) is not None or match.group(3) is not None:  # (in a row: `_plain_end`)
                if len(row) >= width:
                    raise LoadError(origin(path, line), f"unreadable VOTable: a row has more than {width} cells")
                row.append(_text(path, match.group(2) or b"", line))
            else:  # (a row's end)
                if len(row) < width:
                    raise LoadError(origin(path, row_line), f"unreadable VOTable: a row has {len(row)} cells, "
                                                            f"the table {width} fields")
                yield row_line, row
                row = None
            at = match.end()


def _line_ends(data: bytes, start: int, end: int) -> int:
    """The line ends in `data[start:end]` as a text file reads them (a CR, an LF, or a CR LF)."""
    return data.count(b"\n", start, end) + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)


def _text(path: Path, raw: bytes, line: int) -> str:
    """A cell's text as the XML parser gives it, stripped as astropy's reader strips it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(origin(path, line), f"unreadable VOTable: not UTF-8 text ({exc.reason})") from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _NOT_XML.search(text):
        raise LoadError(origin(path, line), "unreadable VOTable: a cell holds a character XML does not allow")
    if "&" in text:
        text = _REFERENCE.sub(lambda m: _replaced(m, path, line), _bare_ampersand(text, path, line))
    return text.strip(" \t\n\r")


def _bare_ampersand(text: str, path: Path, line: int) -> str:
    if text.count("&") != len(_REFERENCE.findall(text)):
        raise LoadError(origin(path, line), "unreadable VOTable: a cell holds an '&' that starts no reference")
    return text


def _replaced(match: re.Match, path: Path, line: int) -> str:
    if match.group(1) is not None:
        return _ENTITIES[match.group(1)]
    code = int(match.group(2)) if match.group(2) is not None else int(match.group(3), 16)
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF):
        raise LoadError(origin(path, line), f"unreadable VOTable: {match.group(0)} is not an XML character")
    return chr(code)


def _converted(path: Path, batch: list[tuple[int, list[str]]], fields: list, names: tuple[str, ...],
               config: dict) -> Iterator[Row]:
    """The batch's rows, each field's values through its converter and numpy type, as astropy has them."""
    if not batch:
        return
    import numpy as np

    columns: list[list[Any]] = []
    for j, field in enumerate(fields):
        converter = field.converter
        parse = converter.parse
        # what astropy would clamp or cut short, silently: a char value longer than its arraysize
        # (numpy's U<n> cuts it), an integer outside its field's range (astropy's W51 clamps it)
        longest = converter.arraysize if field.datatype in _TEXT and type(converter.arraysize) is int else None
        bounds = getattr(converter, "val_range", None) if field.datatype not in _TEXT else None
        values, masks = [], []
        # a number (or bool) written with an underscore or a digit of another script: astropy's
        # converters read it through Python's int and float, XML Schema's forms that VOTable uses hold
        # neither (a value astropy cannot read at all it masks, and so is None here too)
        suspicious = field.datatype not in _TEXT and not number_text("".join(cells[j] for _, cells in batch))
        for line, cells in batch:
            try:
                value, mask = parse(cells[j], config, None)
                if suspicious and not mask and not number_text(cells[j]):
                    raise ValueError(not_a_number(cells[j]))
                if longest is not None and len(value) > longest:
                    raise ValueError(f"{shown(value)} is longer than the field's arraysize {longest}")
                if bounds is not None and not mask and value in bounds:  # (perhaps clamped: parse it strictly)
                    parse(cells[j], {**config, "verify": "exception"}, None)
            except Exception as exc:  # noqa: BLE001 - astropy's converters raise several kinds
                raise LoadError(origin(path, line), f"unreadable VOTable: field {names[j]!r}: "
                                                    f"{_NO_POSITION.sub('', first_line(exc))}") from None
            values.append(value)
            masks.append(mask)
        with np.errstate(all="ignore"):  # (a float past its field's range is inf, as astropy reads it;
            array = np.array(values, dtype=field.converter.format)  # numpy's warning would print lines)
        columns.append([None if mask else python_value(array[k]) for k, mask in enumerate(masks)])
    where = str(path)
    for number, (line, _) in enumerate(batch):
        yield Row(f"{where}:{line}", {name: column[number] for name, column in zip(names, columns)})
