"""Writes loader records into Neo4j: idempotent `MERGE`s in `UNWIND` batches.

Nodes are grouped by keyed label, relationships by (type, start label, end label); each group is
one parameterised query whose labels and types come from the vocabulary enums (never from input
values; extra labels are checked against the vocabulary). Each node and relationship goes as one
row per write, however many records repeat it. Relationship ends are MERGEd by key, so an edge may
arrive before its nodes' properties.
Everything runs inside the caller's transaction, so a file's writes land or roll back together.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from mastgraph.model.vocabulary import KEYS, Label, Rel
from mastgraph.model.records import Edge, Node, clean


class ParamRows(list):
    """A parameter's list of rows, whose `repr` is its length.

    The driver formats every RUN message for its debug log before it asks whether that log is on
    (`Bolt5x*.run`: ``" ".join(map(repr, (query, parameters, extra)))``), so a statement's rows were
    printed into a string and thrown away each time: 86 ms for 10,000 product rows, under the GIL,
    while the ingest's other threads wait. The packer sends a list subclass as a list.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def unlogged(params: dict[str, Any]) -> dict[str, Any]:
    """`params` with each list value as `ParamRows` (the same values sent; see there)."""
    return {name: ParamRows(value) if type(value) is list else value for name, value in params.items()}


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
            self.add_seconds(name, seconds)

    def add_seconds(self, name: str, seconds: float) -> None:
        """Count `seconds` more for query `name`."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    @property
    def total_nodes_created(self) -> int:
        return sum(self.nodes_created.values())

    @property
    def total_rels_created(self) -> int:
        return sum(self.rels_created.values())


@cache
def node_query(label: Label) -> str:
    """One query per keyed label; a node's extra labels (from the vocabulary only) are a parameter:
    `SET n:$(row.labels)`. The writer sends one row per node (`BatchWriter` merges repeats)."""
    key = KEYS[label]
    return (
        f"UNWIND $rows AS row\n"
        f"MERGE (n:`{label.value}` {{{key}: row.key}})\n"
        f"SET n += row.props, n:$(row.labels)"
    )


@cache
def edge_query(rel: Rel, start: Label, end: Label, identity: tuple[str, ...], create: bool = False) -> str:
    """One query per (type, start label, end label); its ends are MERGEd by key (an edge may arrive
    before its nodes). MATCHing ends the transaction has written instead costs Neo4j the same CPU
    (measured on the S graph), so one form serves. With `create`, the relationships are CREATEd:
    for rows none of which can be in the graph yet (`BatchWriter.add` with `first`)."""
    ident = ", ".join(f"{name}: row.ident.{name}" for name in identity)
    pattern = f"[r:`{rel.value}` {{{ident}}}]" if identity else f"[r:`{rel.value}`]"
    return (
        f"UNWIND $rows AS row\n"
        f"MERGE (a:`{start.value}` {{{KEYS[start]}: row.start}})\n"
        f"MERGE (b:`{end.value}` {{{KEYS[end]}: row.end}})\n"
        f"{'CREATE' if create else 'MERGE'} (a)-{pattern}->(b)\n"
        f"SET r += row.props"
    )


@cache
def node_create_query(label: Label) -> str:
    """`CREATE` of a keyed label's nodes, for a database known to hold none of them (the bench's
    one-writer limit writes a finished graph into an empty database)."""
    return (
        f"UNWIND $rows AS row\n"
        f"CREATE (n:`{label.value}` {{{KEYS[label]}: row.key}})\n"
        f"SET n += row.props, n:$(row.labels)"
    )


@cache
def edge_create_query(rel: Rel, start: Label, end: Label) -> str:
    """`CREATE` of relationships between nodes that exist, none of them there yet (as `node_create_query`);
    `row.props` holds every property, identity included."""
    return (
        f"UNWIND $rows AS row\n"
        f"MATCH (a:`{start.value}` {{{KEYS[start]}: row.start}})\n"
        f"MATCH (b:`{end.value}` {{{KEYS[end]}: row.end}})\n"
        f"CREATE (a)-[r:`{rel.value}`]->(b)\n"
        f"SET r = row.props"
    )


EdgeGroup = tuple[Rel, Label, Label, tuple[str, ...]]


class BatchWriter:
    """Buffers records per group, one row per node and per relationship, and writes a group
    whenever it holds `batch_size` rows.

    A record repeating a node (a product named by a listing, a FITS header and an observation row)
    or a relationship merges into the row already buffered, later values winning as `SET +=` would,
    so the database gets each node and relationship once per write. The nodes buffered so far are
    written before a group of relationships.

    With `whole`, nothing is written before `flush`, which writes every node, then every
    relationship, in statements of `batch_size` rows: a transaction's records (a bounded number)
    then write each node and relationship once, however often and far apart its records come (a
    product a listing names, then an association, then its header, across the files of a batch).
    A relationship added as `first` (the caller knows the graph cannot hold it yet) is CREATEd, not
    MERGEd: Neo4j then does not look for it among its ends' relationships.
    """

    def __init__(self, tx: Runner, batch_size: int = 5000, whole: bool = False) -> None:
        self.tx = tx
        self.batch_size = max(batch_size, 1)
        self.whole = whole
        self.counts = WriteCounts()
        self._nodes: dict[Label, dict[Any, list]] = {}  # label -> key -> [props, extra labels]
        self._edges: dict[EdgeGroup, dict[tuple, dict]] = {}  # group -> (start, end, identity values) -> props
        self._records: Counter = Counter()  # records per group since its last write
        self._first: dict[EdgeGroup, dict[tuple, None]] = {}  # group -> the relationships added as `first`, in order

    def add(self, record: Node | Edge, first: bool = False) -> None:
        props = clean(record.props)
        if isinstance(record, Node):
            label = record.label
            rows = self._nodes.get(label)
            if rows is None:
                rows = self._nodes[label] = {}
            labels = {Label(x).value for x in record.labels}  # ValueError for a label outside the vocabulary
            row = rows.get(record.key)
            if row is None:
                rows[record.key] = [props, labels]
            else:
                row[0].update(props)
                row[1].update(labels)
            self._records[label] += 1
            if len(rows) >= self.batch_size and not self.whole:
                self._write_nodes(label)
        else:
            identity = record.identity
            group = (record.type, record.start[0], record.end[0], identity)
            ident = tuple(props.pop(name) for name in identity)
            rows = self._edges.get(group)
            if rows is None:
                rows = self._edges[group] = {}
            ref = (record.start[1], record.end[1], ident)
            known = rows.get(ref)
            if known is None:
                rows[ref] = props
                if first:
                    created = self._first.get(group)
                    if created is None:
                        created = self._first[group] = {}
                    created[ref] = None
            else:
                known.update(props)
            self._records[group] += 1
            if len(rows) >= self.batch_size and not self.whole:
                self._write_edges(group)

    def flush(self) -> WriteCounts:
        for group in list(self._nodes):
            self._write_nodes(group)
        for group in list(self._edges):
            self._write_edges(group)
        return self.counts

    def _write_nodes(self, group: Label) -> None:
        found = self._nodes.pop(group, None)
        records = self._records.pop(group, 0)
        if not found:
            return
        rows = [{"key": key, "props": props, "labels": sorted(labels)} for key, (props, labels) in found.items()]
        self._send_rows(node_query(group), rows, group, records)

    def _write_edges(self, group: EdgeGroup) -> None:
        found = self._edges.pop(group, None)
        records = self._records.pop(group, 0)
        if not found:
            return
        for label in list(self._nodes):  # the nodes buffered so far first
            self._write_nodes(label)
        identity = group[3]

        def row(ref: tuple, props: dict) -> dict:
            return {"start": ref[0], "end": ref[1], "props": props, "ident": dict(zip(identity, ref[2]))}

        first = self._first.pop(group, None)
        if first:  # (CREATEd first: none of them is among the rows MERGEd; the repeats counted on the last)
            repeats = records - len(found)
            rows = [row(ref, found.pop(ref)) for ref in first]
            self._send_rows(edge_query(*group, create=True), rows, group,
                            len(rows) + (0 if found else repeats), create=True)
            records = len(found) + repeats
        self._send_rows(edge_query(*group), [row(ref, props) for ref, props in found.items()], group, records)

    def _send_rows(self, query: str, rows: list[dict], group: Label | EdgeGroup, records: int,
                   create: bool = False) -> None:
        """The rows in statements of `batch_size` (the records they merge counted on each: its rows,
        the first also the repeats merged into them)."""
        size = self.batch_size
        repeats = records - len(rows)
        for start in range(0, len(rows), size):
            part = rows[start:start + size] if len(rows) > size else rows
            self._send(Statement(query, {"rows": part}, group, len(part) + (repeats if start == 0 else 0), create))

    def _send(self, statement: Statement) -> None:
        statement.run(self.tx, self.counts)


@dataclass(frozen=True)
class Statement:
    """One write of `BatchWriter`: a group's query and rows, and the records they merge (counted
    as matched where the write created nothing)."""

    query: str
    params: dict[str, Any]
    group: Label | EdgeGroup
    records: int
    create: bool = False  # (relationships CREATEd: `edge_query`)

    def run(self, tx: Runner, counts: WriteCounts) -> None:
        counters = tx.run(self.query, unlogged(self.params)).consume().counters
        counts.properties_set += counters.properties_set
        if isinstance(self.group, Label):
            created = counters.nodes_created
            counts.nodes_created[self.group.value] += created
            counts.nodes_matched[self.group.value] += max(0, self.records - created)
            return
        rel = self.group[0].value
        created = counters.relationships_created
        counts.rels_created[rel] += created
        counts.nodes_created["(relationship ends)"] += counters.nodes_created
        counts.rels_matched[rel] += max(0, self.records - created)


class PlannedWrites(BatchWriter):
    """A `BatchWriter` that keeps its statements instead of running them: a batch's writes made
    ahead of its transaction, in another process (`pipeline.plan_ahead`), then sent by `run` (again
    on a retried transaction: the statements do not change). `plain` and `from_plain` carry them
    between processes as plain values (`marshal`)."""

    def __init__(self, batch_size: int = 5000, whole: bool = False) -> None:
        super().__init__(None, batch_size, whole)  # type: ignore[arg-type]
        self.statements: list[Statement] = []

    def _send(self, statement: Statement) -> None:
        self.statements.append(statement)

    def run(self, tx: Runner) -> WriteCounts:
        counts = WriteCounts()
        for statement in self.statements:
            statement.run(tx, counts)
        return counts

    def plain(self) -> list[tuple]:
        """The statements as plain values: (group, rows, records, create); a group is a label's value,
        or (type, start label, end label, identity) of a relationship."""
        return [(statement.group.value if isinstance(statement.group, Label)
                 else (statement.group[0].value, statement.group[1].value, statement.group[2].value,
                       statement.group[3]),
                 statement.params["rows"], statement.records, statement.create) for statement in self.statements]

    @classmethod
    def from_plain(cls, plain: list[tuple]) -> "PlannedWrites":
        writes = cls()
        for group, rows, records, create in plain:
            if isinstance(group, str):
                label = Label(group)
                writes.statements.append(Statement(node_query(label), {"rows": rows}, label, records))
            else:
                edge = (Rel(group[0]), Label(group[1]), Label(group[2]), tuple(group[3]))
                writes.statements.append(Statement(edge_query(*edge, create=create), {"rows": rows}, edge, records,
                                                   create))
        return writes
