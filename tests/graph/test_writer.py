"""The writer (`graph.writer.BatchWriter`): one row per node and relationship, the same graph as
writing every record on its own, against a real Neo4j."""

from __future__ import annotations

import logging

import pytest

from mastgraph.graph.writer import BatchWriter, ParamRows, unlogged
from mastgraph.model.records import Edge, Node
from mastgraph.model.vocabulary import Label, Rel

from ..conftest import count, empty_graph
from .test_writer_derive import snapshot

P, O, A = Label.PRODUCT, Label.OBSERVATION, Label.ASSOCIATION


def records() -> list[Node | Edge]:
    """A product given three times (later values win, extra labels add up), relationships that arrive
    before their nodes, repeated relationships, two of one type between one pair told apart by identity,
    and a relationship to a node no record gives."""
    return [
        Node(P, "mast:p1", {"filename": "p1.fits", "size": 1, "calib_level": 2}),
        Edge(Rel.HAS_PRODUCT, (O, 11), (P, "mast:p1"), {"note": "first"}),
        Node(P, "mast:p1", {"size": 2, "t_min": None, "stem": "p1"}, (Label.L2B,)),
        Edge(Rel.HAS_MEMBER, (A, "asn1"), (P, "mast:p1"), {"product": "l3a", "exptype": "science"}),
        Edge(Rel.HAS_MEMBER, (A, "asn1"), (P, "mast:p1"), {"product": "l3b", "exptype": "science"}),
        Node(O, 11, {"obs_id": "jw01"}),
        Edge(Rel.HAS_PRODUCT, (O, 11), (P, "mast:p1"), {"note": "second", "extra": True}),
        Node(A, "asn1", {"asn_type": "image3"}),
        Node(P, "mast:p1", {"calib_level": 3}, (Label.PREVIEW,)),
        Edge(Rel.HAS_PRODUCT, (O, 11), (P, "mast:p2")),  # p2 is never given: its end is MERGEd
        Node(P, "mast:p3", {"filename": "p3.fits"}),
        Edge(Rel.ANTECEDENT, (P, "mast:p3"), (P, "mast:p1")),
        Edge(Rel.HAS_MEMBER, (A, "asn1"), (P, "mast:p1"), {"product": "l3a", "exptype": "background"}),
    ]


class Recording:
    """A transaction that remembers each query and its rows."""

    def __init__(self, tx) -> None:
        self.tx, self.calls = tx, []

    def run(self, query, parameters=None, **kwargs):
        self.calls.append((query, (parameters or {}).get("rows", [])))
        return self.tx.run(query, parameters, **kwargs)


def write(drv, database: str, batch: list, batch_size: int, whole: bool = False) -> tuple[list, object]:
    def work(tx):
        recording = Recording(tx)
        writer = BatchWriter(recording, batch_size, whole)
        for record in batch:
            writer.add(record)
        return recording.calls, writer.flush()

    with drv.session(database=database) as session:
        return session.execute_write(work)


@pytest.mark.parametrize("batch_size, whole", [(1, False), (2, False), (5000, False), (1, True), (2, True)])
def test_one_transaction_gives_the_graph_of_one_record_at_a_time(graph, neo4j_settings, batch_size, whole):
    database = neo4j_settings.neo4j_database
    for record in records():
        write(graph, database, [record], 5000)
    expected = snapshot(graph)
    assert count(graph, "MATCH (p:Product {uri: 'mast:p1'}) RETURN p.size * 10 + p.calib_level") == 23
    empty_graph(graph, database)

    calls, counts = write(graph, database, records(), batch_size, whole)
    assert snapshot(graph) == expected
    nodes = count(graph, "MATCH (n) RETURN count(n)")
    relationships = count(graph, "MATCH ()-[r]->() RETURN count(r)")
    assert (nodes, relationships) == (5, 5)
    assert counts.total_nodes_created == nodes
    assert counts.total_rels_created == relationships
    by_records = sum(n for name, n in counts.nodes_created.items() if name != "(relationship ends)")
    assert by_records + sum(counts.nodes_matched.values()) == 6  # each node record created or found its node
    sent = [row.get("key") for query, rows in calls if "MERGE (n:" in query for row in rows]
    if whole:  # written at the end: each node once, then each relationship once, `batch_size` rows a statement
        kinds = ["n" if "MERGE (n:" in query else "r" for query, _ in calls]
        assert kinds == sorted(kinds) and all(len(rows) <= batch_size for _, rows in calls)
    if batch_size == 5000 or whole:  # one row per node, and per relationship
        assert sorted(map(str, sent)) == ["11", "asn1", "mast:p1", "mast:p3"]
        edge_rows = [row for query, rows in calls if "MERGE (n:" not in query for row in rows]
        assert len(edge_rows) == 5
        assert sorted((str(row["start"]), row["end"]) for row in edge_rows) == [
            ("11", "mast:p1"), ("11", "mast:p2"), ("asn1", "mast:p1"), ("asn1", "mast:p1"), ("mast:p3", "mast:p1")]

    write(graph, database, records(), batch_size, whole)  # again: nothing changes
    assert snapshot(graph) == expected


@pytest.mark.parametrize("batch_size, whole", [(1, False), (2, False), (5000, False), (2, True), (5000, True)])
def test_relationships_added_first_are_created_into_the_same_graph(graph, neo4j_settings, batch_size, whole):
    """Each relationship's first record added as `first` (as the load does into a database that held no
    node): CREATEd, later records of it MERGEd into it, the same graph as MERGEs alone give."""
    database = neo4j_settings.neo4j_database
    write(graph, database, records(), 5000, whole=True)
    expected = snapshot(graph)
    empty_graph(graph, database)

    def work(tx):
        recording = Recording(tx)
        writer = BatchWriter(recording, batch_size, whole)
        seen: set = set()
        for record in records():
            first = type(record) is Edge and record.ref not in seen
            seen.add(getattr(record, "ref", None))
            writer.add(record, first)
        return recording.calls, writer.flush()

    with graph.session(database=database) as session:
        calls, counts = session.execute_write(work)
    assert snapshot(graph) == expected
    assert count(graph, "MATCH ()-[r]->() RETURN count(r)") == counts.total_rels_created == 5
    created = [(str(row["start"]), row["end"]) for query, rows in calls if "CREATE (a)-" in query for row in rows]
    assert sorted(created) == [("11", "mast:p1"), ("11", "mast:p2"), ("asn1", "mast:p1"), ("asn1", "mast:p1"),
                               ("mast:p3", "mast:p1")]  # (each once; a later record of one MERGEd into it)


def test_a_label_outside_the_vocabulary_is_refused():
    writer = BatchWriter(Recording(None), 10)
    with pytest.raises(ValueError):
        writer.add(Node(P, "mast:p1", {}, ("Hacked`) DETACH DELETE n //",)))


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_rows_are_sent_as_they_are_and_the_driver_log_shows_their_count(graph, neo4j_settings):
    """The driver formats a RUN's parameters for its debug log whether or not the log is on
    (`graph.writer.ParamRows`): the rows go as their count there, and to Neo4j as they are."""
    database = neo4j_settings.neo4j_database
    write(graph, database, records(), 5000)
    expected = snapshot(graph)
    empty_graph(graph, database)

    kept, logger = _Kept(), logging.getLogger("neo4j")
    before = logger.level
    logger.addHandler(kept)
    logger.setLevel(logging.DEBUG)
    try:
        calls, _ = write(graph, database, records(), 5000)
    finally:
        logger.removeHandler(kept)
        logger.setLevel(before)
    assert snapshot(graph) == expected
    runs = [line for line in kept.lines if " C: RUN " in line and "UNWIND $rows" in line]
    assert len(runs) == len(calls)
    assert all("<" in line and " rows>" in line for line in runs)
    assert not any("p1.fits" in line or "mast:p3" in line for line in runs)

    params = unlogged({"rows": [{"key": "a"}], "names": ["x"], "limit": 3})
    assert params == {"rows": [{"key": "a"}], "names": ["x"], "limit": 3}
    assert [type(value) for value in params.values()] == [ParamRows, ParamRows, int]
    assert repr(params["rows"]) == "<1 rows>"
