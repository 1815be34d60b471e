"""Row iteration over the table formats MAST serves, each row with its origin (`path:line`).

`read_table` opens a file by its format; each format has its module:

- `loaders/table_sniff.py`: which format a file is, its columns from its first bytes;
- `loaders/table_csv.py`: CSV (astroquery, the Portal's export with ``#`` comments, the products API);
- `loaders/table_ecsv.py`, `loaders/table_votable.py`: ECSV of plain columns and VOTable TABLEDATA,
  read as they go;
- `loaders/table_astropy.py`: any other ECSV or VOTable, read whole by astropy;
- `loaders/table_json.py`: MAST JSON (through the line-tracking reader `loaders/json_lines.py`);
- `loaders/table_rows.py`: the `Table` and `Row` every format gives;
- `loaders/table_values.py`: unknown markers (``--``, empty, ``NULL``, ``N/A``, NaN: ``None``) and
  the converters (`text`, `integer`, `number`, `ident`), which raise `BadValue`.

A file that cannot be read at all raises `LoadError`. The names loaders use are importable from here.
"""

from __future__ import annotations

from pathlib import Path

from mastgraph.loaders.json_lines import JSON_METADATA
from mastgraph.loaders.records import LoadError
from mastgraph.loaders.table_astropy import read_ecsv, read_votable
from mastgraph.loaders.table_csv import csv_header as _csv_header  # noqa: F401 (read by the tests)
from mastgraph.loaders.table_csv import read_csv as _read_csv
from mastgraph.loaders.table_json import read_json_table
from mastgraph.loaders.table_rows import Row, Table
from mastgraph.loaders.table_sniff import head_lines, sniff_columns, table_format
from mastgraph.loaders.table_values import (
    UNKNOWN_FORMS,
    UNKNOWN_TEXTS,
    BadValue,
    ident,
    integer,
    number,
    python_value,
    text,
    unknown_to_none,
)

__all__ = [
    "JSON_METADATA", "UNKNOWN_FORMS", "UNKNOWN_TEXTS", "BadValue", "Row", "Table", "head_lines", "ident", "integer",
    "number", "python_value", "read_table", "sniff_columns", "table_format", "text", "unknown_to_none",
]

_READERS = {"csv": _read_csv, "ecsv": read_ecsv, "votable": read_votable, "json": read_json_table}


def read_table(path: Path | str) -> Table:
    """Open a table file and return its columns and a row iterator; `LoadError` when unreadable."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise LoadError(str(path), f"cannot read: {exc.strerror or exc}") from None
    reader = _READERS.get(table_format(path, head))
    if reader is None:
        raise LoadError(str(path), "not a text table (binary content)")
    return reader(path)
