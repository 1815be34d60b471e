"""Which table format a file is, and its column names, from its first bytes (for kind detection)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import AnyStr

from mastgraph.loaders.table_astropy import ecsv_header
from mastgraph.loaders.table_csv import is_comment_or_blank

_SNIFF_LIMIT = 1 << 20


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
            found = ecsv_header(path, errors="replace")  # (the loader reports undecodable bytes)
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
        if is_comment_or_blank(line):
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
