"""What every table format gives: an open `Table` (format, columns, header origin) and its `Row`s,
each with its origin (`path:line` or `path:row N`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mastgraph.loaders.records import LoadError
from mastgraph.model.records import slot_setters
from mastgraph.model.errors import shown


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
    """An open table: its format, columns (empty when a JSON file has no records) and rows.

    A CSV table also offers its rows as `cells`: (origin, cells in column order, error) each, the
    cells as the `Row` would hold them (a reader that takes the cells never builds the rows)."""

    path: Path
    format: str  # csv | ecsv | votable | json
    columns: tuple[str, ...]
    rows: Iterator[Row]
    header_origin: str
    cells: Iterator[tuple[str, list, str | None]] | None = None

    def has(self, column: str) -> bool:
        return column in self.columns

    def require(self, *columns: str, hint: str = "") -> None:
        """Raise `LoadError` naming the first missing column (no check for a JSON file without records)."""
        if self.format == "json" and not self.columns:
            return
        for name in columns:
            if name not in self.columns:
                more = f" ({hint})" if hint else ""
                raise LoadError(self.header_origin, f"missing required column {shown(name)}{more}")

    def require_one(self, *columns: str, hint: str = "") -> None:
        if self.format == "json" and not self.columns:
            return
        if not any(name in self.columns for name in columns):
            names = " or ".join(repr(c) for c in columns)
            more = f" ({hint})" if hint else ""
            raise LoadError(self.header_origin, f"missing required column {names}{more}")
