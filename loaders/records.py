"""What every loader yields: `Node` and `Edge` (mastgraph.model.records) and `Reject`, and the
checks a file's records go through (`RecordMerger`).

A loader turns one source file into a stream of `Node`, `Edge` and `Reject` items, each carrying
its origin as ``path:line``. It never talks to Neo4j. The writer merges nodes by key, so the same
product seen under several parents, or named by several association files, is one node.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, Union

from mastgraph.model.records import Edge, Node
from mastgraph.model.vocabulary import EDGE_IDENTITY, Label, Rel


@dataclass(frozen=True, slots=True)
class Reject:
    """A row a loader could not use; with --skip-bad it is reported, otherwise the file fails."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


Record = Union[Node, Edge, Reject]


class LoadError(Exception):
    """A file that cannot be loaded at all (bad JSON, missing required column ...). One line."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class Loader(Protocol):
    """One source format. `detect` looks at a path (and its first bytes); `records` parses it."""

    kind: ClassVar[str]

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool: ...

    def records(self, path: Path) -> Iterator[Record]: ...


def not_utf8(path: Path | str, exc: UnicodeDecodeError | None = None) -> LoadError:
    """The `LoadError` of a text file with bytes that are not UTF-8, at the line they are on.

    A text stream decodes the file in chunks, so the error it raises knows no line; the file is
    read again as bytes, line by line (a newline byte is never part of a UTF-8 sequence), to find it.
    """
    try:
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as bad:
                    return LoadError(origin(path, number), f"not UTF-8 text ({bad.reason} at column {bad.start + 1})")
    except OSError as error:
        return LoadError(str(path), f"cannot read: {error.strerror or error}")
    reason = f" ({exc.reason})" if exc is not None else ""
    return LoadError(str(path), f"not UTF-8 text{reason}")


def origin(path: Path | str, line: int | None = None) -> str:
    return f"{path}:{line}" if line is not None else str(path)


def conflict_line(where: str, what: str, name: str, value: str, old: str, first: str) -> str:
    """The line for a record at `where` giving `what`'s property `name` the value `value` (a repr)
    where the one at `first` gave `old`."""
    return f"{where}: {what}: {name} {value} conflicts with {old} ({first})"


class Conflict(Exception):
    """Two records of one run give one node or relationship different values for a property."""


class _Seen:
    """What the records of one key said, once a later record added a property to the first's:
    the properties (None ones left out) and where each came from (the first record, unless
    `origins` names a later one)."""

    __slots__ = ("props", "origin", "origins", "labels", "inexact")

    def __init__(self, first: Node | Edge) -> None:
        self.props = {k: v for k, v in first.props.items() if v is not None}
        self.origin = first.origin
        self.origins: dict[str, str] = {}
        self.labels: tuple = first.labels if type(first) is Node else ()
        # a later record gave a value equal within the tolerance but not identical: from then on
        # every record of the key is written (the last one's value stands, as it would without us)
        self.inexact = False


def _promoted(table: dict, key: tuple, seen: Node | Edge | _Seen) -> _Seen:
    """What the records of `key` said, as a `_Seen` (made from the first record, and kept in
    `table`, when a later record is the first to add to it)."""
    if type(seen) is _Seen:
        return seen
    promoted = table[key] = _Seen(seen)
    return promoted


#: What `RecordMerger.add` returns for the first record of a key (a true value, as True is).
FIRST = 2
#: The relationship types whose identity has properties (EDGE_IDENTITY, asked only for these).
_IDENTITY_RELS = frozenset(rel for rel, _ in EDGE_IDENTITY)


class RecordMerger:
    """Merges the records of one ingest run by key and refuses conflicting duplicates.

    ``add`` returns whether the record says anything the earlier records of its key did not (it
    is the first, or it adds a property or a label, or it gives a float that is equal within the
    tolerance but not identical), or raises `Conflict` with a ``file:line: reason`` message naming
    both origins. A record for which it returns False is a repeat: writing it changes nothing; for
    the first record of its key it returns `FIRST` (true as well).
    """

    def __init__(self) -> None:
        # by key: the first record of the key (nothing to merge yet: a None value is as absent), or
        # a `_Seen` once a later record adds a property or a label
        self._nodes: dict[tuple[Label, Any], Node | _Seen] = {}
        self._edges: dict[tuple[Rel, tuple, tuple], Edge | _Seen] = {}

    def add(self, record: Node | Edge) -> bool | int:
        props = record.props
        is_node = type(record) is Node
        if is_node:
            key: tuple = (record.label, record.key)
            table: dict = self._nodes
        else:
            rel = record.type
            identity = EDGE_IDENTITY.get((rel, record.start[0])) if rel in _IDENTITY_RELS else None
            key = (rel, record.start, record.end, tuple(props.get(k) for k in identity) if identity else ())
            table = self._edges
        seen = table.get(key)
        if seen is None:
            table[key] = record
            return FIRST
        new = False
        labels = record.labels if is_node else ()
        if labels and labels != seen.labels:  # (equal: nothing to add, the common repeat)
            known_labels = seen.labels
            extra = tuple(label for label in labels if label not in known_labels)
            if extra:
                seen = _promoted(table, key, seen)
                seen.labels = seen.labels + extra
                new = True
        known = seen.props
        for name, value in props.items():
            if value is None:
                continue
            old = known.get(name)
            if old is None:
                if type(seen) is not _Seen:  # (its first addition: from now on a `_Seen`)
                    seen = _promoted(table, key, seen)
                    known = seen.props
                known[name] = value
                seen.origins[name] = record.origin
                new = True
            elif old == value and type(old) is type(value) and type(value) in _PLAIN:
                continue  # identical: what _same says, without the call
            elif _identical(old, value):
                continue
            elif not _same(old, value):
                if is_node:
                    what = f"{record.label.value} {record.key}"
                else:
                    what = f"{record.type.value} {record.start[1]} -> {record.end[1]}"
                first = seen.origins.get(name, seen.origin) if type(seen) is _Seen else seen.origin
                raise Conflict(conflict_line(record.origin, what, name, repr(value), repr(old), first))
            else:  # equal within the tolerance, not identical: written as it is
                seen = _promoted(table, key, seen)
                known = seen.props
                seen.inexact = new = True
        return new or (type(seen) is _Seen and seen.inexact)

    def __len__(self) -> int:
        return len(self._nodes) + len(self._edges)

    def nodes(self) -> Iterator[tuple[Label, Any, tuple[Label, ...], dict[str, Any]]]:
        """Each node once: (label, key, the other labels the records gave, the properties they gave;
        a None value is as absent). Raises `Inexact` (see there)."""
        for (label, key), seen in self._nodes.items():
            if type(seen) is _Seen and seen.inexact:
                raise Inexact
            yield label, key, seen.labels, seen.props

    def edges(self) -> Iterator[tuple[Rel, tuple, tuple, dict[str, Any]]]:
        """Each relationship once: (type, start, end, the properties the records gave). Raises `Inexact`."""
        for (rel, start, end, _), seen in self._edges.items():
            if type(seen) is _Seen and seen.inexact:
                raise Inexact
            yield rel, start, end, seen.props


class Inexact(Exception):
    """A later record of a key gave a value equal within the tolerance but not identical: the graph
    holds the later value, which the merger does not keep (`RecordMerger.nodes`, `edges`)."""


#: Value types whose equal values are identical when their types are.
_PLAIN = frozenset((str, int, bool))


def _identical(a: Any, b: Any) -> bool:
    """Whether writing `b` over `a` changes nothing: equal, of one type, floats with one sign, lists
    item by item so."""
    if type(a) is not type(b):
        return False
    if type(a) is list:
        return len(a) == len(b) and all(_identical(x, y) for x, y in zip(a, b))
    if type(a) is float:
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a == b:  # (infinities too)
            return True
        try:
            return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
        except (TypeError, ValueError):
            return False
    return a == b
