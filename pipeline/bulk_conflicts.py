"""Bulk build: conflicts between the files of one build, found where the records of one key meet.

As in `mastgraph ingest` (`pipeline.ingest.AcrossFiles`), two files of one build that give one key
different values, or one association different member lists, refuse the build before anything is
written, with the online path's messages (`pipeline.ingest.ConflictingFiles`). The build finds them
without holding the archive: a parse worker compares the records it combines (a run of consecutive
files), a merge worker the records of one key from different runs (one partition at a time), and an
association's member lists meet in the association's partition (one `MEMBERS` record per file: a
digest of the sorted list).

A record carries its origin compactly (`origin_code`: the file's index and the line in one
integer); the `file:line` text is made again only for the messages, by the build, which knows the
files by index.
"""

from __future__ import annotations

import hashlib
from functools import partial
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mastgraph.loaders.records import _same, conflict_line

#: Bits of a code that hold the line (0: the origin names no line).
LINE_BITS = 32
_LINE_MASK = (1 << LINE_BITS) - 1
#: Conflicts a worker (and the build) keeps to be shown, all being counted: the CLI shows the first
#: 20, and each kept one may cost a look back over a partition's records for the earlier origin.
KEPT = 100

Code = Any  # int (index << LINE_BITS | line), (index, tail text), or the origin text itself


def origin_code(origin: str, index: int, path: str) -> Code:
    """`origin` (`path:line`, `path`, `path:row N`) of a record of file `index` (read as `path`)."""
    if origin.startswith(path):
        end = len(path)
        if len(origin) == end:
            return index << LINE_BITS
        line = origin[end + 1:]
        if origin[end] == ":" and line.isdigit():
            number = int(line)
            if number <= _LINE_MASK:
                return index << LINE_BITS | number
        return (index, origin[end:])
    return origin


def origin_text(code: Code, paths: Mapping[int, str]) -> str:
    if type(code) is int:
        path, line = paths[code >> LINE_BITS], code & _LINE_MASK
        return f"{path}:{line}" if line else path
    if type(code) is tuple:
        return paths[code[0]] + code[1]
    return code


def origin_order(code: Code) -> tuple[int, int, str]:
    """(file index, line, text): the order of the messages (the later origin's, as ingest's)."""
    if type(code) is int:
        return (code >> LINE_BITS, code & _LINE_MASK, "")
    if type(code) is tuple:
        return (code[0], 0, code[1])
    return (-1, 0, code)


def origin_index(code: Code) -> int | None:
    if type(code) is int:
        return code >> LINE_BITS
    if type(code) is tuple:
        return code[0]
    return None


def members_digest(members: set[str]) -> bytes:
    """One association's member list (`uri|product|exptype` items), as 16 bytes."""
    return hashlib.blake2b("\n".join(sorted(members)).encode(), digest_size=16).digest()


@dataclass
class Clashes:
    """The conflicts one worker found: each `(later, what, name, value, old, first)`, with the
    origins as codes and the values as their repr (`name` None: member lists, `value` and `old`
    their sizes)."""

    found: list[tuple] = field(default_factory=list)
    count: int = 0
    #: A conflicting value keeps the earlier one out (as ingest's check: each file is compared with
    #: what the files before it said); False: the later wins (the build was told not to refuse).
    keep_earlier: bool = True

    def add(self, later: Code, what: str, name: str | None, value: str, old: str, first: Any) -> None:
        """One conflict; `first` the earlier origin's code, or a function giving it (called only if kept)."""
        self.count += 1
        if len(self.found) < KEPT:
            self.found.append((later, what, name, value, old, first() if callable(first) else first))

    def update(self, other: "Clashes") -> None:
        self.count += other.count
        self.found.extend(other.found[: max(0, KEPT - len(self.found))])

    def props(self, key_text: str, old: dict, props: dict, later: Code, first_of: Any) -> dict:
        """`old` updated with `props` (later values win) except where they conflict: those keep the
        earlier value and are added here; `first_of(name)` is the earlier value's origin code."""
        merged = {**old, **props}
        for name, value in props.items():
            known = old.get(name)
            if known is not None and known is not value and not _same(known, value):
                if self.keep_earlier:
                    merged[name] = known
                self.add(later, key_text, name, repr(value), repr(known), partial(first_of, name))
        return merged

    def indexes(self) -> set[int]:
        return {i for item in self.found for i in (origin_index(item[0]), origin_index(item[5])) if i is not None}

    def error(self, files: Iterable[Path]):
        """What `mastgraph ingest` raises for these conflicts (`files`: the build's, in its order)."""
        from mastgraph.pipeline.ingest import ConflictingFiles

        wanted = self.indexes()
        paths = {index: str(path) for index, path in enumerate(files) if index in wanted}
        return ConflictingFiles(self.lines(paths), self.count)

    def lines(self, paths: Mapping[int, str]) -> list[str]:
        """The messages, in the later origin's file order, as `mastgraph ingest` words them."""
        from mastgraph.pipeline.ingest import members_differ

        lines = []
        for later, what, name, value, old, first in sorted(self.found, key=lambda item: origin_order(item[0])):
            where, earlier = origin_text(later, paths), origin_text(first, paths)
            if name is None:
                lines.append(members_differ(where, what, value, old, earlier))
            else:
                lines.append(conflict_line(where, what, name, value, old, earlier))
        return lines
