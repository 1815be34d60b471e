"""Association pools (``*_pool.csv``): the pool file and the exposure each row names.

A pool is the association generator's input: pipe-separated, ``#`` comment lines, one header row
(upper-case pool column names), one row per exposure. Required columns: FILENAME and EXP_TYPE.
A row repeated with the same values is read once; a repeat that disagrees in a column mastgraph
reads or checks (`READ_COLUMNS`) is a Reject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from mastgraph.model.vocabulary import Label
from mastgraph.loaders import domains, names
from mastgraph.loaders.records import LoadError, Record, Reject, not_utf8, origin
from mastgraph.model.records import Node, clean
from mastgraph.loaders.table_values import known
from mastgraph.model.errors import shown
from mastgraph.loaders.table_csv import refuse_duplicate_columns
from mastgraph.loaders.tables import head_lines

REQUIRED_COLUMNS = ("FILENAME", "EXP_TYPE")
#: The columns a row is read or checked by: a repeat of a row must agree in each of them (the
#: others, TARGNAME and the like, are not mastgraph's to compare).
READ_COLUMNS = ("FILENAME", "EXP_TYPE", "INSTRUME", "PROGRAM", "OBS_NUM", "VISIT", "VISIT_ID", "MSAMETFL")
#: An EXP_TYPE is ``<instrument prefix>_<mode>`` (``NRC_IMAGE``, ``MIR_LRS-FIXEDSLIT``, ``FGS_ACQ1``).
EXP_TYPE = re.compile(r"^(?:FGS|MIR|NIS|NRC|NRS)_[A-Z0-9][A-Z0-9_-]*$")


def pool_file_node(path: Path, line: int) -> Node:
    """The pool file as a ``Product:PoolFile`` (minimal properties when its name breaks the rules)."""
    try:
        parsed = names.parse_shared(path.name)
        props: dict[str, Any] = {**parsed.props, "filename": path.name}
    except names.BadName:
        props = {"filename": path.name, "suffix": "pool", "extension": path.suffix.lstrip(".").lower() or None}
    return Node(Label.PRODUCT, names.product_uri(path.name), clean(props), (Label.POOL_FILE,), origin(path, line))


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its end) of a text file; LoadError if not text."""
    number = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as lines:
            for number, line in enumerate(lines, start=1):
                yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None


class PoolLoader:
    """Association pool tables (pipe-separated)."""

    kind: ClassVar[str] = "pool"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        if path.name.lower().endswith("_pool.csv"):
            return True
        for line in head_lines(head):
            if line.strip() and not line.startswith(b"#"):
                columns = [c.strip().upper() for c in line.split(b"|")]
                return b"FILENAME" in columns and b"EXP_TYPE" in columns
        return False

    def records(self, path: Path) -> Iterator[Record]:
        header: list[str] | None = None
        seen: dict[str, tuple[dict[str, Any], int]] = {}
        for number, line in _lines(path):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if header is None:
                header = self._header(path, number, line)
                yield pool_file_node(path, number)
                continue
            yield from self._row(path, number, header, line.split("|"), seen)
        if header is None:
            raise LoadError(origin(path), "no header row (not a pool file)")

    @staticmethod
    def _header(path: Path, number: int, line: str) -> list[str]:
        header = [column.strip().upper() for column in line.split("|")]
        refuse_duplicate_columns(header, origin(path, number))  # (compared in upper case, as read)
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise LoadError(origin(path, number), f"pool header lacks required column(s) {', '.join(missing)}")
        return header

    @staticmethod
    def _row(path: Path, number: int, header: list[str], values: list[str],
             seen: dict[str, tuple[dict[str, Any], int]]) -> Iterator[Record]:
        where = origin(path, number)
        if len(values) != len(header):
            yield Reject(where, f"{len(values)} fields where the header has {len(header)}")
            return
        row = dict(zip(header, (known(value) for value in values)))
        filename, exp_type = row["FILENAME"], row["EXP_TYPE"]
        if filename is None:
            yield Reject(where, "FILENAME is empty")
            return
        if exp_type is None:  # (empty, or a marker of "not known": NULL, None, N/A)
            yield Reject(where, "EXP_TYPE is empty or not known (a pool row needs its exposure type)")
            return
        if not EXP_TYPE.match(exp_type.upper()):
            yield Reject(where, f"EXP_TYPE {shown(exp_type)} is not an exposure type")
            return
        try:
            parsed = names.parse_shared(filename)
        except names.BadName as exc:
            yield Reject(where, f"FILENAME: {exc}")
            return
        problem = _row_domains(row, exp_type, parsed)
        if problem:
            yield Reject(where, problem)
            return
        props = clean({**parsed.props, "filename": parsed.filename, "exp_type": exp_type.upper(),
                       "msametfl": row.get("MSAMETFL")})
        read = (props, tuple(row.get(column) for column in READ_COLUMNS))  # (a checked column counts too)
        if parsed.filename in seen:
            first, first_line = seen[parsed.filename]
            if first != read:
                yield Reject(where, f"FILENAME {shown(filename)} repeats line {first_line} with other values")
            return
        seen[parsed.filename] = (read, number)
        yield Node(Label.PRODUCT, parsed.uri, props, parsed.labels, where)


def _row_domains(row: dict[str, Any], exp_type: str, parsed: names.ProductName) -> str | None:
    """Why a pool row's values cannot be true (None when they can): EXP_TYPE and INSTRUME among JWST's
    exposure types and instruments, PROGRAM, OBS_NUM, VISIT and VISIT_ID those the FILENAME names,
    MSAMETFL an MSA metadata file name."""
    try:
        domains.exp_type(exp_type.upper())
        instrument = row.get("INSTRUME")
        if instrument is not None:
            domains.one_of(instrument, domains.INSTRUMENTS, "INSTRUME", "upper")
        msa = row.get("MSAMETFL")
        if msa is not None:
            domains.msa_file_name(msa)
    except domains.BadValue as exc:
        return str(exc)
    for column, prop in (("PROGRAM", "program"), ("OBS_NUM", "observation"), ("VISIT", "visit"),
                         ("VISIT_ID", "visit_id")):
        value, named = row.get(column), parsed.props.get(prop)
        if value is None or named is None:
            continue
        # (compared as digits without their leading zeros: `int` refuses more than 4300 digits)
        if not (value.isdigit() and value.isascii()) or (value.lstrip("0") or "0") != (str(named).lstrip("0") or "0"):
            return f"{column}: {shown(value)} disagrees with FILENAME {shown(parsed.filename)} ({prop} {named})"
    return None
