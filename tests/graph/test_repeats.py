"""Records that repeat what an earlier file of the command said are not written again
(`ingest.AcrossFiles.end_file`, `Parsed.written`): the graph is the one writing every record gives,
member lists are written whatever, and once a file fails on its own or the database refuses a
batch, every record is written."""

from __future__ import annotations

import neo4j
import pytest

from mastgraph.model.records import Edge, Node
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.pipeline import ingest
from mastgraph.pipeline.ingest import AcrossFiles, ingest_paths
from mastgraph.pipeline.parse_pass import parse_to_chunks

from ..bulk.conftest import canonical_dump
from ..conftest import empty_graph
from .test_ingest import row, write_listing

P, A = Label.PRODUCT, Label.ASSOCIATION


def test_the_comparison_marks_the_repeats_of_earlier_files():
    across = AcrossFiles()
    across.add(Node(P, "u1", {"size": 1}, origin="a:2"))
    across.add(Node(P, "u2", {}, origin="a:3"))
    assert across.end_file() is None  # every record new: nothing left out
    across.add(Node(P, "u1", {"size": 1}, origin="b:2"))  # a repeat
    across.add(Node(P, "u1", {"size": 1, "level": "2"}, origin="b:3"))  # adds a property
    across.add(Node(P, "u2", {}, (Label.L2B,), origin="b:4"))  # adds a label
    across.add(Node(P, "u2", {}, origin="b:5"))  # a repeat
    assert across.end_file() == bytes([0, 1, 1, 0])

    # the records of a member list are written whatever (a write replaces the members with those it gives)
    association = Node(A, "jw1_asn", {"products": ["jw1_x"]}, origin="c:1")
    member = Edge(Rel.HAS_MEMBER, (A, "jw1_asn"), (P, "u1"), {"product": "jw1_x", "exptype": "science"}, origin="c:2")
    for record in (association, member):
        across.add(record)
    assert across.end_file() is None
    for record in (association, member, Node(P, "u2", {}, origin="d:3")):
        across.add(record)
    assert across.end_file() == bytes([1, 1, 0])

    # a file that fails on its own: what it gave never reaches the graph, so every later record is written
    across.add(Node(P, "u3", {}, origin="e:1"))
    across.drop_file()
    assert across.end_file() is None
    across.add(Node(P, "u1", {"size": 1}, origin="f:1"))
    assert across.end_file() is None
    assert across.finish() == []


@pytest.fixture
def sent(monkeypatch) -> list:
    """Every record the load sends to the database."""
    records: list = []
    gathered = ingest._gathered

    def counted(writer, batch):
        return gathered(writer, (records.append(r) or r for r in batch))

    monkeypatch.setattr(ingest, "_gathered", counted)
    return records


def _files(tmp_path):
    first = write_listing(tmp_path, "a_listing.csv", [row("jw02733002001_02103_00001_mirimage_uncal.fits", level="1"),
                                                      row("jw02733002001_02103_00001_mirimage_rate.fits")])
    second = write_listing(tmp_path, "b_listing.csv", [row("jw02733002001_02103_00001_mirimage_rate.fits"),
                                                       row("jw02733002001_02103_00001_mirimage_cal.fits")])
    return first, second


def _checked(path) -> list:
    """The checked records of one file, in its order."""
    found: list = []
    parse_to_chunks(path, False, None, found.append)
    return found


def _said(record) -> tuple:
    """What a record says, its origin aside."""
    return (type(record), getattr(record, "label", None), getattr(record, "key", None), getattr(record, "type", None),
            getattr(record, "start", None), getattr(record, "end", None), repr(sorted(record.props.items())),
            getattr(record, "labels", ()))


def test_a_command_writes_each_record_once_and_gets_the_same_graph(graph, neo4j_settings, tmp_path, sent):
    database = neo4j_settings.neo4j_database
    empty_graph(graph, database)
    files = _files(tmp_path)
    first, second = (_checked(path) for path in files)
    said_first = {_said(r) for r in first}
    expected = first + [r for r in second if _said(r) not in said_first]
    assert len(expected) < len(first) + len(second)  # the rate row of the second file repeats the first's

    report = ingest_paths(graph, neo4j_settings, files)
    assert not report.failed and [f.records for f in report.files] == [len(first), len(second)]
    assert [_said(r) for r in sent] == [_said(r) for r in expected]
    once = canonical_dump(graph, database)

    empty_graph(graph, database)
    sent.clear()
    every = ingest_paths(graph, neo4j_settings, files, check_across_files=False)  # no comparison: every record
    assert not every.failed and len(sent) == len(first) + len(second)
    assert canonical_dump(graph, database) == once


def test_once_the_database_refuses_a_batch_every_record_is_written(graph, neo4j_settings, tmp_path, monkeypatch):
    """The first file is refused: the second file's repeats of its records are written with the second."""
    database = neo4j_settings.neo4j_database
    empty_graph(graph, database)
    first, second = _files(tmp_path)
    gathered = ingest._gathered

    def refusing(writer, batch):
        def records():
            for record in batch:
                if record.origin.startswith(str(first)):
                    raise neo4j.exceptions.ClientError("refused for the test")
                yield record
        return gathered(writer, records())

    monkeypatch.setattr(ingest, "_gathered", refusing)
    report = ingest_paths(graph, neo4j_settings, [first, second])
    assert [f.error for f in report.files] == [f"{first}: the database refused it: refused for the test", None]
    records, _, _ = graph.execute_query("MATCH (p:Product) RETURN p.filename AS f ORDER BY f", database_=database)
    assert [r["f"] for r in records] == ["jw02733002001_02103_00001_mirimage_cal.fits",
                                         "jw02733002001_02103_00001_mirimage_rate.fits"]

    # the same second file alone gives that graph
    monkeypatch.setattr(ingest, "_gathered", gathered)
    alone = canonical_dump(graph, database)
    empty_graph(graph, database)
    assert not ingest_paths(graph, neo4j_settings, [second]).failed
    assert canonical_dump(graph, database) == alone
