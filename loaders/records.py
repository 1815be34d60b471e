"""Typed records: what every loader yields and what graph/ writes (online or in bulk).

A loader turns one source file into a stream of `Node`, `Edge` and `Reject` items, each carrying
its origin as ``path:line``. It never talks to Neo4j. The writer merges nodes by key, so the same
product seen under several parents, or named by several association files, is one node.

Property values are plain Python scalars (str, int, float, bool) or homogeneous lists of them;
``None`` means "not known here" and is never written, so a sparse record never erases what a
richer source said. A property keeps one Python type everywhere (``size`` is always int, ``t_min``
always float) so that the online and bulk paths store identical values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, Union

from mastgraph.graph.model import EDGE_IDENTITY, KEYS, Label, Rel

Value = Union[str, int, float, bool, list]


@dataclass(frozen=True, slots=True)
class Node:
    """One node: its keyed label, key value, extra labels and properties (key excluded)."""

    label: Label
    key: str | int
    props: Mapping[str, Any] = field(default_factory=dict)
    labels: tuple[Label, ...] = ()
    origin: str = ""

    @property
    def ref(self) -> tuple[Label, str | int]:
        return (self.label, self.key)


@dataclass(frozen=True, slots=True)
class Edge:
    """One relationship between two keyed nodes; at most one per (type, start, end)."""

    type: Rel
    start: tuple[Label, str | int]
    end: tuple[Label, str | int]
    props: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ""

    @property
    def identity(self) -> tuple[str, ...]:
        """The names of the properties that tell two edges of one type between one pair apart."""
        return EDGE_IDENTITY.get((self.type, self.start[0]), ())

    @property
    def ref(self) -> tuple:
        return (self.type, self.start, self.end, tuple(self.props.get(k) for k in self.identity))


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


def origin(path: Path | str, line: int | None = None) -> str:
    return f"{path}:{line}" if line is not None else str(path)


def clean(props: Mapping[str, Any]) -> dict[str, Any]:
    """Props without the unknown (None) values."""
    return {k: v for k, v in props.items() if v is not None}


def node_key_name(label: Label) -> str:
    return KEYS[label]


class Conflict(Exception):
    """Two records of one run give one node or relationship different values for a property."""


@dataclass
class _Seen:
    props: dict[str, Any]
    origins: dict[str, str]
    labels: set[Label]


class RecordMerger:
    """Merges the records of one ingest run by key and refuses conflicting duplicates.

    ``add`` returns the record to write (its properties being only what the record says) or
    raises `Conflict` with a ``file:line: reason`` message naming both origins.
    """

    def __init__(self) -> None:
        self._nodes: dict[tuple[Label, Any], _Seen] = {}
        self._edges: dict[tuple[Rel, tuple, tuple], _Seen] = {}

    def add(self, record: Node | Edge) -> None:
        if isinstance(record, Node):
            key: tuple = record.ref
            seen = self._nodes.get(key)
            what = f"{record.label.value} {record.key}"
            table: dict = self._nodes
        else:
            key = record.ref
            seen = self._edges.get(key)
            what = f"{record.type.value} {record.start[1]} -> {record.end[1]}"
            table = self._edges
        props = clean(record.props)
        if seen is None:
            labels = set(record.labels) if isinstance(record, Node) else set()
            table[key] = _Seen(dict(props), {k: record.origin for k in props}, labels)
            return
        for name, value in props.items():
            old = seen.props.get(name)
            if old is None:
                seen.props[name] = value
                seen.origins[name] = record.origin
            elif not _same(old, value):
                raise Conflict(
                    f"{record.origin}: {what}: {name} {value!r} conflicts with {old!r} ({seen.origins[name]})"
                )
        if isinstance(record, Node):
            seen.labels.update(record.labels)

    def __len__(self) -> int:
        return len(self._nodes) + len(self._edges)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
        except (TypeError, ValueError):
            return False
    return a == b
