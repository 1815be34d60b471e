"""MAST JSON tables: ``{"<obs_id>": [records...]}``, ``{"data": [records...]}`` (Mashup responses,
whose ``fields``/``status``/``paging`` members are metadata), or a list of records; a row's origin
is the line where its record's ``{`` appears (read by `loaders/json_lines.py`, a window of the text
at a time: memory does not grow with the file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mastgraph.loaders.json_lines import JsonRecords
from mastgraph.loaders.records import not_utf8
from mastgraph.loaders.table_rows import Row, Table
from mastgraph.loaders.table_values import json_kind, unknown_to_none


def read_json_table(path: Path) -> Table:
    items = _rows(_records(path))
    first = next(items, None)
    if first is None:
        return Table(path, "json", (), iter(()), str(path))
    columns = tuple(first.values.keys())

    def rows() -> Iterator[Row]:
        yield first
        yield from items

    return Table(path, "json", columns, rows(), first.origin)


def _records(path: Path) -> Iterator[tuple[str, Any]]:
    """`JsonRecords` of the file, read as it goes; text that is not UTF-8 is a `LoadError` naming its line."""
    try:
        with open(path, encoding="utf-8-sig") as source:
            yield from JsonRecords(path, source)
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None


def _rows(records: Iterator[tuple[str, Any]]) -> Iterator[Row]:
    for where, value in records:
        if isinstance(value, dict):
            yield Row(where, {str(k): unknown_to_none(v) for k, v in value.items()})
        else:
            yield Row(where, {}, f"record is {json_kind(value)}, not an object")
