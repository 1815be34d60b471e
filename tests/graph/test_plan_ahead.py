"""The load's batches planned ahead by a helper process (`pipeline.plan_ahead`): the statements are
those the writer sends, the load sends them as planned and gets the graph of planning in its own
process; a batch other than the one planned or a helper that dies leaves the planning to the load;
Ctrl-C stops the helper."""

from __future__ import annotations

import marshal
import multiprocessing
import signal
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from mastgraph.cli.demo import demo_inputs
from mastgraph.loaders import registry
from mastgraph.pipeline import ingest, parse_pass, plan_ahead
from mastgraph.pipeline.derive import Touched
from mastgraph.pipeline.ingest import IngestStopped, PlannedBatch, ingest_paths, plan_batch
from mastgraph.pipeline.parse_pass import Parsed, parse_to_chunks

from ..bulk.conftest import canonical_dump
from ..conftest import empty_graph
from .test_writer import Recording, records as writer_records, write


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> list[Path]:
    return demo_inputs(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def planned_graph(demo, neo4j_settings, session_driver) -> list:
    """The demo's graph, loaded with the batches planned in the ingest's own process."""
    empty_graph(session_driver, neo4j_settings.neo4j_database)
    report = ingest_paths(session_driver, neo4j_settings.model_copy(update={"parse_workers": 1}), demo)
    assert not report.failed
    return canonical_dump(session_driver, neo4j_settings.neo4j_database)


def _settings(neo4j_settings, workers: int):
    """Batches of 10 x 200 records (many of them), planned ahead with `workers` > 1."""
    return neo4j_settings.model_copy(update={"batch_size": 200, "parse_workers": workers})


@pytest.fixture
def counted(monkeypatch) -> Counter:
    """How many batches were sent as planned ahead (`planned`) and as planned by the load (`load`)."""
    calls: Counter = Counter()
    planned, group = ingest._write_planned, ingest._write_group

    def sent_planned(*args, **kwargs):
        calls["planned"] += 1
        return planned(*args, **kwargs)

    def sent_group(*args, **kwargs):
        calls["load"] += 1
        return group(*args, **kwargs)

    monkeypatch.setattr(ingest, "_write_planned", sent_planned)
    monkeypatch.setattr(ingest, "_write_group", sent_group)
    monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)  # the helper however small the input
    return calls


def _demo_records(demo: list[Path]) -> list:
    """Every record of the demo's real files, in file order."""
    found: list = []
    for path in registry.expand(demo[1:]):
        parse_to_chunks(path, False, None, found.append)
    return found


@pytest.mark.parametrize("batch_size", [50, 5000])
def test_planned_statements_are_those_the_writer_sends(graph, neo4j_settings, demo, batch_size):
    database = neo4j_settings.neo4j_database
    given = writer_records() + _demo_records(demo)

    def as_planned(tx, batch):
        recording = Recording(tx)
        return recording.calls, batch.writes.run(recording)

    sent, counts = write(graph, database, given, batch_size, whole=True)  # by the writer, as `_write` makes it
    expected = canonical_dump(graph, database)
    empty_graph(graph, database)

    batch = PlannedBatch.from_plain(marshal.loads(marshal.dumps(plan_batch(given, batch_size).plain())))
    assert batch.records == len(given)
    touched, members = Touched(), ingest.MemberLists()  # as `_write` finds them
    for record in given:
        touched.add(record)
        members.add(record)
    assert batch.touched == touched and batch.members.members == members.members and members.members
    with graph.session(database=database) as session:
        planned_sent, planned_counts = session.execute_write(as_planned, batch)
    assert planned_sent == sent and len(sent) > 5
    assert planned_counts == counts
    assert canonical_dump(graph, database) == expected


def test_a_batch_that_derives_nothing_is_planned_without_the_keys_it_touches(demo):
    """A command derived at its end (`derive_command.AT_END`) has its batches planned without the keys
    they touch (nothing reads them): the same statements and member lists, no keys."""
    given = writer_records() + _demo_records(demo)
    full = PlannedBatch.from_plain(marshal.loads(marshal.dumps(plan_batch(given, 500).plain())))
    bare = PlannedBatch.from_plain(marshal.loads(marshal.dumps(plan_batch(given, 500, touch=False).plain())))
    assert bare.touched == Touched() and not bare.touched
    assert full.touched.uris and full.touched.associations  # (planned with them, it has them)
    assert bare.writes.plain() == full.writes.plain() and bare.records == full.records == len(given)
    assert bare.members.members == full.members.members and bare.members.members


def test_the_first_batches_hold_a_part_of_the_budget():
    """The database waits for the first batch's planning only: a small one (`plan_ahead.batch_limit`)."""
    files = [Parsed(ingest.FileResult(Path(f"f{n}.csv"), records=10)) for n in range(200)]
    sizes = [sum(parsed.load_size() for parsed in batch) for batch in plan_ahead.batches(files, 400)]
    assert sizes[:5] == [50, 100, 200, 400, 400] and sum(sizes) == 2000
    assert [plan_ahead.batch_limit(400, done) for done in range(5)] == [50, 100, 200, 400, 400]


def test_the_load_sends_the_batches_as_planned(graph, neo4j_settings, demo, planned_graph, counted):
    before = set(multiprocessing.active_children())
    report = ingest_paths(graph, _settings(neo4j_settings, workers=2), demo)
    assert not report.failed
    assert counted["planned"] > 5 and counted["load"] == 0
    assert canonical_dump(graph, neo4j_settings.neo4j_database) == planned_graph
    assert not set(multiprocessing.active_children()) - before  # the helper is gone
    assert not any((Path(neo4j_settings.home) / "ingest-work").iterdir())


def test_another_batch_than_planned_is_planned_by_the_load(graph, neo4j_settings, demo, planned_graph, counted,
                                                           monkeypatch):
    batches = plan_ahead.batches

    def one_file_short(files: Iterable[Parsed], budget: int) -> Iterator[list[Parsed]]:
        found = list(batches(files, budget))
        return iter(found[:2] + [found[2][1:]] + found[3:])  # the third batch planned without its first file

    monkeypatch.setattr(plan_ahead, "batches", one_file_short)
    report = ingest_paths(graph, _settings(neo4j_settings, workers=2), demo)
    assert not report.failed
    assert counted["planned"] == 2 and counted["load"] > 3
    assert canonical_dump(graph, neo4j_settings.neo4j_database) == planned_graph


def test_a_helper_that_dies_leaves_the_planning_to_the_load(graph, neo4j_settings, demo, planned_graph, counted,
                                                            monkeypatch):
    take = plan_ahead.PlanAhead.take
    before = set(multiprocessing.active_children())

    def killing(self, paths):
        if counted["planned"] == 1:  # after the first batch: the helper killed (out of memory)
            for process in set(multiprocessing.active_children()) - before:
                process.kill()
                process.join()
        return take(self, paths)

    monkeypatch.setattr(plan_ahead.PlanAhead, "take", killing)
    report = ingest_paths(graph, _settings(neo4j_settings, workers=2), demo)
    assert not report.failed
    assert counted["planned"] >= 1 and counted["load"] >= 1
    assert canonical_dump(graph, neo4j_settings.neo4j_database) == planned_graph


def test_ctrl_c_during_the_load_stops_the_helper(graph, neo4j_settings, demo, counted, monkeypatch, ctrl_c):
    planned = ingest._write_planned  # (the counting one)

    def interrupted(*args, **kwargs):
        if counted["planned"] == 2:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C reaching the ingest
        return planned(*args, **kwargs)

    monkeypatch.setattr(ingest, "_write_planned", interrupted)
    before = set(multiprocessing.active_children())
    with pytest.raises(IngestStopped) as stopped:
        ingest_paths(graph, _settings(neo4j_settings, workers=2), demo)
    assert stopped.value.lost is None and stopped.value.loaded > 1
    assert not set(multiprocessing.active_children()) - before
    assert not any((Path(neo4j_settings.home) / "ingest-work").iterdir())


def test_a_helper_killed_while_answering_leaves_the_planning_to_the_load(graph, neo4j_settings, demo, planned_graph,
                                                                         counted, monkeypatch):
    """A helper killed while sending its answer leaves part of it in the pipe: the executor, and the
    future with it, wait for the rest for ever (the test above hung so, now and then, before
    `parse_pass.watched`). The load sees the helper gone, and plans the batch itself."""
    from . import dying

    monkeypatch.setattr(plan_ahead, "_plan_task", dying.die_while_answering)
    monkeypatch.setattr(parse_pass, "WATCH_SECONDS", 0.1)
    before = set(multiprocessing.active_children())
    report = ingest_paths(graph, _settings(neo4j_settings, workers=2), demo)
    assert not report.failed
    assert counted["planned"] == 0 and counted["load"] > 3
    assert canonical_dump(graph, neo4j_settings.neo4j_database) == planned_graph
    assert not set(multiprocessing.active_children()) - before
