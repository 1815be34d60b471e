"""Curated links: the relationships MAST files cannot express, kept by hand in a CSV file.

Header ``from_uri,type,to_uri,kind``. The from side is always a JWST Product
(``mast:JWST/product/<file name>``, named by the JWST rules). By type:

- ``EXTERNAL_PRE_IMAGE``: to an ``ExternalProduct {uri, mission}`` (``mast:<MISSION>/...``); no kind;
- ``PREREQUISITE``: to a Product; kind pre_image | target_acquisition | confirmation;
- ``LINKED``: kind from `LinkedKind`; ``other_mission`` targets are ExternalProducts, others Products;
- ``CONTEMPORANEOUS_CALIBRATION``: to a Product; kind from `CalibrationKind`.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import ClassVar

from mastgraph.model.vocabulary import CalibrationKind, Label, LinkedKind, PrerequisiteKind, Rel
from mastgraph.loaders import names
from mastgraph.loaders.associations import product_node
from mastgraph.loaders.records import LoadError, Record, Reject, not_utf8, origin
from mastgraph.model.records import Edge, Node
from mastgraph.loaders.table_csv import csv_records
from mastgraph.model.errors import shown
from mastgraph.loaders.tables import head_lines

HEADER = ("from_uri", "type", "to_uri", "kind")
#: The link types a curated file may hold, with the kinds each allows (None: no kind).
LINK_KINDS: dict[Rel, type[StrEnum] | None] = {
    Rel.EXTERNAL_PRE_IMAGE: None,
    Rel.PREREQUISITE: PrerequisiteKind,
    Rel.LINKED: LinkedKind,
    Rel.CONTEMPORANEOUS_CALIBRATION: CalibrationKind,
}
MISSION = re.compile(r"^mast:(?P<mission>[A-Za-z0-9_.-]+)/")


def _product(uri: str, column: str, where: str) -> Node | Reject:
    """The Product a JWST product URI names, or a Reject saying why it is not one."""
    if not uri.startswith(names.MAST_PRODUCT_PREFIX):
        return Reject(where, f"{column} {shown(uri)} is not a JWST product URI ({names.MAST_PRODUCT_PREFIX}<file name>)")
    try:
        parsed = names.parse_shared(uri[len(names.MAST_PRODUCT_PREFIX):])
    except names.BadName as exc:
        return Reject(where, f"{column}: {exc}")
    if parsed.uri != uri:
        return Reject(where, f"{column} {shown(uri)} is not a plain product URI (expected {shown(parsed.uri)})")
    return product_node(parsed, where)


def _external(uri: str, where: str) -> Node | Reject:
    """The ExternalProduct a `mast:` URI names (docs/formats.md: any `mast:` URI), or a Reject."""
    if not uri.startswith("mast:") or any(c.isspace() for c in uri):
        return Reject(where, f"to_uri {shown(uri)} is not a mast: URI (mast:<mission>/...)")
    match = MISSION.match(uri)
    props = {"mission": match["mission"].upper()} if match else {}
    return Node(Label.EXTERNAL_PRODUCT, uri, props, (), where)


class LinksLoader:
    """Curated link tables (CSV ``from_uri,type,to_uri,kind``)."""

    kind: ClassVar[str] = "links"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        first = list(itertools.islice(head_lines(head.lstrip(b"\xef\xbb\xbf")), 1))
        return bool(first) and tuple(c.strip().decode("ascii", "replace") for c in first[0].split(b",")) == HEADER

    def records(self, path: Path) -> Iterator[Record]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                first, rows = csv_records(path, stream)
                header = tuple(column.strip() for column in first or [])
                if header[: len(HEADER)] != HEADER:
                    raise LoadError(origin(path, 1), f"header is not {','.join(HEADER)}")
                for start, row in rows:
                    if row and any(cell.strip() for cell in row):
                        yield from self._row(origin(path, start), row)
        except UnicodeDecodeError as exc:
            raise not_utf8(path, exc) from None
        except csv.Error as exc:
            raise LoadError(origin(path), f"bad CSV ({exc})") from None

    @staticmethod
    def _row(where: str, row: list[str]) -> Iterator[Record]:
        if len(row) < len(HEADER):
            row = row + [""] * (len(HEADER) - len(row))
        from_uri, type_text, to_uri, kind = (cell.strip() for cell in row[: len(HEADER)])
        if type_text.upper() not in Rel.__members__ or Rel[type_text.upper()] not in LINK_KINDS:
            yield Reject(where, f"unknown link type {shown(type_text)} (one of {', '.join(LINK_KINDS)})")
            return
        rel = Rel[type_text.upper()]
        kinds = LINK_KINDS[rel]
        if kinds is None and kind:
            yield Reject(where, f"{rel.value} takes no kind (got {shown(kind)})")
            return
        if kinds is not None and kind.lower() not in {k.value for k in kinds}:
            yield Reject(where, f"unknown {rel.value} kind {shown(kind)} (one of {', '.join(k.value for k in kinds)})")
            return
        if not to_uri:
            yield Reject(where, "to_uri is empty")
            return
        start = _product(from_uri, "from_uri", where)
        external = rel is Rel.EXTERNAL_PRE_IMAGE or kind.lower() == LinkedKind.OTHER_MISSION
        end = _external(to_uri, where) if external else _product(to_uri, "to_uri", where)
        for side in (start, end):
            if isinstance(side, Reject):
                yield side
                return
        yield start
        yield end
        props = {"kind": kind.lower()} if kinds is not None else {}
        yield Edge(rel, start.ref, end.ref, props, where)
