"""Records that repeat what an earlier file of the command said are not written again
(`ingest.AcrossFiles.end_file`, `Parsed.written`): the graph is the one writing every record gives,
member lists are written whatever, and once a file fails on its own or the database refuses a
batch, every record is written."""

from __future__ import annotations

import random
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import neo4j
import pytest

from mastgraph.model.records import Edge, Node
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.pipeline import across_spill, ingest
from mastgraph.pipeline.across_spill import SpilledAcrossFiles, load_marks
from mastgraph.pipeline.ingest import AcrossFiles, FileResult, compared, ingest_paths
from mastgraph.pipeline.parse_pass import Parsed, parse_to_chunks

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


def _random_files(rng: random.Random) -> list[tuple[list, bool]]:
    """Files of random records over a few keys (repeats, added properties and labels, conflicts,
    member lists), some failing on their own: [(records, failed)]."""
    files = []
    for number in range(rng.randint(2, 7)):
        records = []
        for line in range(rng.randint(0, 8)):
            origin = f"f{number}:{line + 1}"
            roll = rng.random()
            if roll < 0.55:
                props = {name: rng.choice((1, 2)) for name in rng.sample(("size", "level", "kind"), rng.randint(0, 2))}
                labels = (rng.choice((Label.L2B, Label.L3)),) if rng.random() < 0.3 else ()
                records.append(Node(P, f"u{rng.randint(1, 4)}", props, labels, origin))
            elif roll < 0.8:
                props = {"kind": rng.choice(("a", "b"))} if rng.random() < 0.5 else {}
                records.append(Edge(Rel.AGGREGATION, (Label.OBSERVATION, f"o{rng.randint(1, 2)}"),
                                    (P, f"u{rng.randint(1, 4)}"), props, origin))
            elif roll < 0.9:
                records.append(Node(A, f"jw{rng.randint(1, 2)}_asn", {"products": ["jw1_x"]}, origin=origin))
            else:
                records.append(Edge(Rel.HAS_MEMBER, (A, f"jw{rng.randint(1, 2)}_asn"), (P, f"u{rng.randint(1, 4)}"),
                                    {"product": "jw1_x", "exptype": "science"}, origin))
        files.append((records, rng.random() < 0.15))
    return files


def _marks(across, files: list[tuple[list, bool]]) -> list[bytes | None]:
    """`Parsed.written` of each file after the comparison (as `ingest.compared` sets it; on disk, as
    `parse_pass.KeptFiles` sets it from the marks when the load reads the file back)."""
    parsed_files = []
    for number, (records, failed) in enumerate(files):
        parsed = Parsed(FileResult(Path(f"f{number}"), records=len(records), error="bad" if failed else None))
        for record in records:
            across.add(record)
        compared(across, parsed)
        parsed_files.append(parsed)
    across.finish()
    across.close()
    for parsed in parsed_files:
        if parsed.marked is not None:
            parsed.written = load_marks(across.marks[parsed.marked[0]:parsed.marked[1]])
    return [parsed.written for parsed in parsed_files]


@pytest.mark.parametrize("seed, workers", [*((seed, 1) for seed in range(40)), *((seed, 2) for seed in range(3))])
def test_on_disk_the_comparison_marks_the_repeats_as_in_memory(tmp_path, monkeypatch, seed, workers):
    """`SpilledAcrossFiles` (the comparison above MASTGRAPH_CONFLICT_SPILL_MB) marks the same records,
    whatever partition and chunk the records of a key fall in, its partitions replayed in this
    process or by workers."""
    files = _random_files(random.Random(seed))
    in_memory = _marks(AcrossFiles(), files)
    monkeypatch.setattr(across_spill, "PARTITION_INPUT_BYTES", 1)
    monkeypatch.setattr(across_spill, "BUFFERED", 3)
    assert _marks(SpilledAcrossFiles(tmp_path, 4, workers), files) == in_memory


def test_a_replaying_worker_that_dies_leaves_the_rest_to_the_ingest(tmp_path, monkeypatch):
    class Dying:
        """An executor whose worker dies after the first partition."""

        def __init__(self, *args, **kwargs) -> None:
            self.submitted = 0

        def submit(self, fn, *args) -> Future:
            future: Future = Future()
            self.submitted += 1
            if self.submitted == 1:
                future.set_result(fn(*args))
            else:
                future.set_exception(BrokenProcessPool("a worker was killed"))
            return future

        def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
            pass

    files = _random_files(random.Random(17))
    in_memory = _marks(AcrossFiles(), files)
    assert sum(m is not None for m in in_memory) >= 3
    monkeypatch.setattr(across_spill, "PARTITION_INPUT_BYTES", 1)
    monkeypatch.setattr(across_spill, "ProcessPoolExecutor", Dying)
    assert _marks(SpilledAcrossFiles(tmp_path, 4, 2), files) == in_memory


def test_the_random_files_leave_records_out():
    """(The files of the test above do have repeats to leave out, before and after a failed file.)"""
    runs = [_random_files(random.Random(seed)) for seed in range(40)]
    marks = [_marks(AcrossFiles(), files) for files in runs]
    assert sum(1 for run in marks for m in run if m is not None and 0 in m) >= 20
    assert sum(1 for files in runs if any(failed for _, failed in files[:-1])) >= 3  # files after a failed one


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


@pytest.mark.parametrize("on_disk", [False, True])
def test_a_command_writes_each_record_once_and_gets_the_same_graph(graph, neo4j_settings, tmp_path, sent, on_disk):
    """(On disk: the comparison above MASTGRAPH_CONFLICT_SPILL_MB, `SpilledAcrossFiles`.)"""
    database = neo4j_settings.neo4j_database
    if on_disk:
        neo4j_settings = neo4j_settings.model_copy(update={"conflict_spill_mb": 0, "home": tmp_path / "state"})
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
