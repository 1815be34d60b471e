"""Download manifests: text files naming MAST products, one per line.

A line is a `mast:JWST/product/<file name>` URI, or a MAST download URL carrying one
(`https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:JWST/product/...`). Blank lines and
`#` comments are skipped. Each product becomes a Product node with the facts of its file name;
a manifest knows no observation, so it yields no relationships.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote

from mastgraph.model.vocabulary import Label
from mastgraph.loaders import names
from mastgraph.loaders.records import LoadError, Record, Reject, not_utf8, origin
from mastgraph.model.records import Node, clean
from mastgraph.loaders.tables import head_lines
from mastgraph.model.errors import shown

#: The `uri` parameter of a download URL: `mast:...`, or percent-encoded (`mast%3A...`, as a URL
#: encoder writes it).
_URI_IN_URL = re.compile(r"[?&]uri=((?:mast:|mast%3[Aa])[^&#\s]+)")
_JWST_PRODUCT = re.compile(r"^mast:JWST/product/[^/\s]+$")


def manifest_uri(line: str) -> str | None:
    """The `mast:` URI a manifest line names (None when it names none)."""
    if line.startswith("mast:"):
        return line
    match = _URI_IN_URL.search(line)
    return unquote(match[1]) if match else None


def _first_entry(head: bytes) -> str | None:
    for raw in head_lines(head.decode("utf-8-sig", errors="replace")):
        line = raw.strip()
        if line and not line.startswith("#"):
            return line
    return None


class ManifestLoader:
    """`mast:JWST/product/...` URIs, one per line -> Product nodes."""

    kind: ClassVar[str] = "manifest"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        first = _first_entry(head)
        uri = manifest_uri(first) if first else None
        return uri is not None and uri.startswith("mast:JWST/")

    def records(self, path: Path) -> Iterator[Record]:
        try:
            fh = open(path, encoding="utf-8-sig")
        except OSError as exc:
            raise LoadError(str(path), f"cannot read: {exc.strerror or exc}") from None
        with fh:
            try:
                for number, raw in enumerate(fh, start=1):
                    line = raw.strip()
                    if not line or line.startswith("#"):
                        continue
                    yield manifest_line(line, origin(path, number))
            except UnicodeDecodeError as exc:
                raise not_utf8(path, exc) from None


def manifest_line(line: str, where: str) -> Node | Reject:
    uri = manifest_uri(line)
    if uri is None:
        return Reject(where, f"line {line[:80]!r} is not a mast: URI")
    if not _JWST_PRODUCT.match(uri):
        return Reject(where, f"{shown(uri)} is not a mast:JWST/product/<file name> URI")
    try:
        name = names.parse_shared(names.filename_of(uri))
    except names.BadName as exc:
        return Reject(where, str(exc))
    return Node(Label.PRODUCT, uri, clean({**name.props, "filename": name.filename}), name.labels, where)
