"""Writes loader records into Neo4j: idempotent `MERGE`s in `UNWIND` batches.

Nodes are grouped by keyed label, relationships by (type, start label, end label); each group is
one parameterised query whose labels and types come from the vocabulary enums (never from input
values; extra labels are checked against the vocabulary). Relationship ends are MERGEd by key, so an edge may arrive before its nodes' properties.
Everything runs inside the caller's transaction, so a file's writes land or roll back together.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from mastgraph.model.vocabulary import KEYS, Label, Rel
from mastgraph.model.records import Edge, Node, clean


class Runner(Protocol):
    def run(self, query: str, parameters: dict | None = None, **kwargs: Any): ...


@dataclass
class WriteCounts:
    """What a write did, per label and per relationship type."""

    nodes_created: Counter = field(default_factory=Counter)
    nodes_matched: Counter = field(default_factory=Counter)
    rels_created: Counter = field(default_factory=Counter)
    rels_matched: Counter = field(default_factory=Counter)
    rels_deleted: Counter = field(default_factory=Counter)
    properties_set: int = 0
    #: Wall seconds per query (the derivations: `pipeline.derive.derive`).
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, other: "WriteCounts") -> None:
        for name in ("nodes_created", "nodes_matched", "rels_created", "rels_matched", "rels_deleted"):
            getattr(self, name).update(getattr(other, name))
        self.properties_set += other.properties_set
        for name, seconds in other.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    @property
    def total_nodes_created(self) -> int:
        return sum(self.nodes_created.values())

    @property
    def total_rels_created(self) -> int:
        return sum(self.rels_created.values())


@cache
def node_query(label: Label) -> str:
    """One query per keyed label, so a node's rows are written in the order they came (later values
    win); its extra labels (from the vocabulary only) are a parameter: `SET n:$(row.labels)`."""
    key = KEYS[label]
    return (
        f"UNWIND $rows AS row\n"
        f"MERGE (n:`{label.value}` {{{key}: row.key}})\n"
        f"SET n += row.props, n:$(row.labels)"
    )


@cache
def edge_query(rel: Rel, start: Label, end: Label, identity: tuple[str, ...]) -> str:
    ident = ", ".join(f"{name}: row.ident.{name}" for name in identity)
    pattern = f"[r:`{rel.value}` {{{ident}}}]" if identity else f"[r:`{rel.value}`]"
    return (
        f"UNWIND $rows AS row\n"
        f"MERGE (a:`{start.value}` {{{KEYS[start]}: row.start}})\n"
        f"MERGE (b:`{end.value}` {{{KEYS[end]}: row.end}})\n"
        f"MERGE (a)-{pattern}->(b)\n"
        f"SET r += row.props"
    )


class BatchWriter:
    """Buffers records per group and writes a group whenever it holds `batch_size` rows."""

    def __init__(self, tx: Runner, batch_size: int = 5000) -> None:
        self.tx = tx
        self.batch_size = batch_size
        self.counts = WriteCounts()
        self._nodes: dict[Label, list[dict]] = defaultdict(list)
        self._edges: dict[tuple[Rel, Label, Label, tuple[str, ...]], list[dict]] = defaultdict(list)

    def add(self, record: Node | Edge) -> None:
        if isinstance(record, Node):
            group = record.label
            rows = self._nodes[group]
            labels = sorted({Label(x).value for x in record.labels})  # ValueError for a label outside the vocabulary
            rows.append({"key": record.key, "props": clean(record.props), "labels": labels})
            if len(rows) >= self.batch_size:
                self._write_nodes(group)
        else:
            identity = record.identity
            group = (record.type, record.start[0], record.end[0], identity)
            props = clean(record.props)
            ident = {name: props.pop(name) for name in identity}
            rows = self._edges[group]
            rows.append({"start": record.start[1], "end": record.end[1], "props": props, "ident": ident})
            if len(rows) >= self.batch_size:
                self._write_edges(group)

    def flush(self) -> WriteCounts:
        for group in list(self._nodes):
            self._write_nodes(group)
        for group in list(self._edges):
            self._write_edges(group)
        return self.counts

    def _write_nodes(self, group: Label) -> None:
        rows = self._nodes.pop(group, [])
        if not rows:
            return
        summary = self.tx.run(node_query(group), {"rows": rows}).consume()
        created = summary.counters.nodes_created
        self.counts.nodes_created[group.value] += created
        self.counts.nodes_matched[group.value] += max(0, len(rows) - created)
        self.counts.properties_set += summary.counters.properties_set

    def _write_edges(self, group: tuple[Rel, Label, Label, tuple[str, ...]]) -> None:
        rows = self._edges.pop(group, [])
        if not rows:
            return
        summary = self.tx.run(edge_query(*group), {"rows": rows}).consume()
        created = summary.counters.relationships_created
        self.counts.rels_created[group[0].value] += created
        self.counts.rels_matched[group[0].value] += max(0, len(rows) - created)
        self.counts.nodes_created["(relationship ends)"] += summary.counters.nodes_created
        self.counts.properties_set += summary.counters.properties_set
