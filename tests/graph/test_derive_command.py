"""A command of several files into an empty database derives its relationships once, by the bulk
build's rules over its merged records (pipeline/derive_command.py, MASTGRAPH_DERIVE=auto): the
graph the per-batch Cypher derivation gives, with the comparison in memory or on disk, parsed by
one process or by workers, in any file order; the per-batch derivation where the database is not
empty; and, when a transaction fails or another writer adds nodes during the load, the Cypher
derivation over what was written."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import neo4j
import pytest

from mastgraph.cli.demo import demo_inputs
from mastgraph.graph import writer
from mastgraph.loaders.records import FIRST
from mastgraph.model.records import Edge
from mastgraph.loaders import registry
from mastgraph.pipeline import derive_command, ingest, parse_pass
from mastgraph.pipeline.ingest import ingest_paths

from ..bulk.conftest import canonical_dump
from ..conftest import empty_graph
from .test_derive_batch import _differences


def _with(settings, **update):
    return settings.model_copy(update=update)


def _load(graph, settings, inputs) -> tuple[list[str], list[str], ingest.IngestReport]:
    empty_graph(graph, settings.neo4j_database)
    report = ingest_paths(graph, settings, inputs)
    assert not report.failed, [f.error for f in report.failed]
    return (*canonical_dump(graph, settings.neo4j_database), report)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> list[Path]:
    return registry.expand(demo_inputs(tmp_path_factory.mktemp("demo")))


@pytest.fixture(scope="module")
def expected(session_driver, neo4j_settings, demo) -> tuple[list[str], list[str]]:
    nodes, rels, report = _load(session_driver, _with(neo4j_settings, derive="cypher"), demo)
    assert "rules" not in report.derived.seconds and report.derived.total_rels_created > 1000
    return nodes, rels


@pytest.fixture
def created(monkeypatch) -> list[int]:
    """The rows of the loader's statements that CREATEd relationships (`BatchWriter.add` with `first`)."""
    rows: list[int] = []
    run = writer.Statement.run

    def counted(statement, tx, counts):
        if statement.create:
            rows.append(len(statement.params["rows"]))
        return run(statement, tx, counts)

    monkeypatch.setattr(writer.Statement, "run", counted)
    return rows


@pytest.mark.parametrize("how", ["in memory", "on disk", "in memory, two workers", "on disk, two workers"])
def test_a_command_into_an_empty_database_derives_the_cypher_graph_at_once(graph, neo4j_settings, demo, expected,
                                                                          tmp_path, monkeypatch, how, created):
    """With two workers the batches are planned ahead, and a relationship's first record CREATEs it."""
    settings = _with(neo4j_settings, derive="auto", home=tmp_path / "state", parse_workers=1)
    if "on disk" in how:
        settings = _with(settings, conflict_spill_mb=0)
    if "workers" in how:
        monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)
        settings = _with(settings, parse_workers=2)
    nodes, rels, report = _load(graph, settings, demo)
    assert "rules: writes" in report.derived.seconds and "linked" not in report.derived.seconds  # (at once)
    assert report.derivation == "once, by the rules over the whole command"
    assert not _differences((nodes, rels), expected)  # (a relationship CREATEd twice would be a difference)
    if "workers" in how:
        assert sum(created) > 1000 and sum(created) < report.written.total_rels_created
    assert report.derived.total_rels_created == len(expected[1]) - report.written.total_rels_created
    assert not list((tmp_path / "state" / "ingest-work").glob("*/derive")), "the work folder is left behind"


@pytest.mark.parametrize("how", ["in memory", "on disk"])
def test_the_first_record_of_each_relationship_is_marked(neo4j_settings, demo, tmp_path, monkeypatch, how):
    """The comparison marks FIRST the first record of each relationship of the command (not one of a
    member list: those are written as lists), in memory and on disk alike."""
    monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)
    settings = _with(neo4j_settings, home=tmp_path / "state", parse_workers=2,
                     conflict_spill_mb=0 if how == "on disk" else 10**6)
    work = parse_pass.ParsedFiles(ingest.work_state(settings))
    kept = parse_pass.KeptFiles(work, demo)
    try:
        assert ingest.cross_file_conflicts(demo, settings, kept=kept, work=work) == []
        seen: set = set()
        marked = expected = 0
        assert [parsed.result.path for parsed in kept.values()] == demo  # (read back in file order)
        for path in demo:
            parsed = kept.pop(path)
            marks = parsed.written if parsed.written is not None else b"\x01" * parsed.result.records
            records = list(parse_pass.read_chunks(parsed.chunks))
            assert len(records) == len(marks)
            for record, mark in zip(records, marks):
                first = type(record) is Edge and ingest.association_member(record) is None and record.ref not in seen
                if type(record) is Edge:
                    seen.add(record.ref)
                expected += first
                marked += mark == FIRST
                assert (mark == FIRST) == first, (record, mark)
        assert marked == expected > 1000
    finally:
        work.close()


def test_files_in_another_order_give_the_same_graph(graph, neo4j_settings, demo, expected, tmp_path):
    settings = _with(neo4j_settings, derive="auto", home=tmp_path / "state")
    nodes, rels, report = _load(graph, settings, list(reversed(demo)))
    assert "rules: writes" in report.derived.seconds
    assert not _differences((nodes, rels), expected)
    # the same command again: the database is not empty, each batch derives, and nothing changes
    again = ingest_paths(graph, settings, demo)
    assert not again.failed and again.derivation == "" and again.derived.total_rels_created == 0
    assert canonical_dump(graph, neo4j_settings.neo4j_database) == (nodes, rels)


def test_a_database_not_empty_derives_each_batch(graph, neo4j_settings, demo, expected, tmp_path):
    settings = _with(neo4j_settings, derive="auto", home=tmp_path / "state")
    half = len(demo) // 2
    _load(graph, settings, demo[:half])
    report = ingest_paths(graph, settings, demo[half:])
    assert not report.failed
    assert "rules" not in report.derived.seconds and "linked" in report.derived.seconds
    assert report.derivation == ""
    assert not _differences(canonical_dump(graph, neo4j_settings.neo4j_database), expected)


def test_a_file_that_fails_leaves_each_batch_to_derive(graph, neo4j_settings, demo, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("obsID,dataURI\n,mast:JWST/product/jw02733001001_02101_00001_mirimage_cal.fits\n")
    settings = _with(neo4j_settings, derive="auto", home=tmp_path / "state")
    empty_graph(graph, neo4j_settings.neo4j_database)
    report = ingest_paths(graph, settings, [*demo, bad])
    assert [f.path for f in report.failed] == [bad]
    assert "rules" not in report.derived.seconds and "linked" in report.derived.seconds
    assert report.derivation == "by each batch (a file failed)"


def test_a_refused_transaction_is_derived_over_what_was_written(graph, neo4j_settings, demo, tmp_path, monkeypatch):
    refused = demo[len(demo) // 2]
    write_group = ingest._write_group

    def refusing(tx, batches, settings, phases=None):
        batches = [list(batch) for batch in batches]
        if any(record.origin.startswith(str(refused)) for batch in batches for record in batch):
            raise neo4j.exceptions.ClientError("refused for the test")
        return write_group(tx, batches, settings, phases)

    monkeypatch.setattr(ingest, "_write_group", refusing)
    # (one process: no batch planned ahead, every batch goes through _write_group)
    settings = _with(neo4j_settings, derive="auto", home=tmp_path / "state", parse_workers=1)
    empty_graph(graph, neo4j_settings.neo4j_database)
    report = ingest_paths(graph, settings, demo)
    assert [f.path for f in report.failed] == [refused]
    assert "linked" in report.derived.seconds and "rules: writes" not in report.derived.seconds  # (Cypher's, after)
    assert report.derivation == "after the load, over what was written (a transaction was refused)"
    found = canonical_dump(graph, neo4j_settings.neo4j_database)

    monkeypatch.setattr(ingest, "_write_group", write_group)
    others = [p for p in demo if p != refused]
    nodes, rels, _ = _load(graph, _with(neo4j_settings, derive="cypher", home=tmp_path / "state"), others)
    assert not _differences(found, (nodes, rels))


def test_nodes_another_writer_adds_during_the_load_leave_the_derivation_to_cypher(graph, neo4j_settings, demo,
                                                                                  expected, tmp_path, monkeypatch):
    """A node the command did not create (another writer's) and a product of the command's that
    names it as its preview: the rules never saw it, the Cypher derivation links them."""
    start = derive_command.CommandDerivation.start
    preview = "jw99999-o001_t001_nircam_clear-f200w_i2d.jpg"
    shown = "jw01345-o001_t001_nircam_clear-f444w_i2d.fits"  # (a product of the demo sample)

    def with_another_writer(self, helper):
        graph.execute_query("MERGE (p:Product:Preview {uri: $uri}) SET p.filename = $name, p.previews = $shows",
                            uri=f"mast:JWST/product/{preview}", name=preview, shows=shown,
                            database_=neo4j_settings.neo4j_database)
        return start(self, helper)

    monkeypatch.setattr(derive_command.CommandDerivation, "start", with_another_writer)
    settings = _with(neo4j_settings, derive="auto", home=tmp_path / "state")
    empty_graph(graph, neo4j_settings.neo4j_database)
    report = ingest_paths(graph, settings, demo)
    assert not report.failed
    assert "linked" in report.derived.seconds and "rules: writes" not in report.derived.seconds  # (Cypher's, after)
    assert report.derivation == "after the load, over what was written (another writer added nodes)"
    found, _, _ = graph.execute_query("MATCH (:Product {filename: $name})-[r:LINKED {kind: 'preview'}]->"
                                      "(:Product {uri: $uri}) RETURN count(r) AS n", name=shown,
                                      uri=f"mast:JWST/product/{preview}", database_=neo4j_settings.neo4j_database)
    assert found[0]["n"] == 1


def test_rules_duckdb_cannot_run_leave_the_derivation_to_cypher(graph, neo4j_settings, demo, expected, tmp_path,
                                                                monkeypatch):
    import duckdb

    from mastgraph.pipeline import derive_tables

    def out_of_memory(con, *args, **kwargs):
        raise duckdb.OutOfMemoryException("Out of Memory Error: for the test")

    monkeypatch.setattr(derive_tables, "run_rules", out_of_memory)  # (a small command: the rules run in this process)
    settings = _with(neo4j_settings, derive="auto", home=tmp_path / "state", parse_workers=1)
    nodes, rels, report = _load(graph, settings, demo)
    assert "linked" in report.derived.seconds and "rules: writes" not in report.derived.seconds
    assert report.derivation == "after the load, over what was written (Out of Memory Error: for the test)"
    assert not _differences((nodes, rels), expected)
    assert not list((tmp_path / "state" / "ingest-work").glob("*/derive"))


def test_a_rules_helper_that_dies_leaves_the_derivation_to_cypher(graph, neo4j_settings, demo, expected, tmp_path,
                                                                 monkeypatch):
    """The process running the rules killed (out of memory, say) while the batches are written."""
    start = derive_command.CommandDerivation.start
    killed = []

    def then_killed(self, helper):
        start(self, helper)
        assert helper, "the rules were to run in a helper process"
        for process in set(multiprocessing.active_children()) - self._before:
            os.kill(process.pid, signal.SIGKILL)
            killed.append(process.pid)

    monkeypatch.setattr(derive_command.CommandDerivation, "start", then_killed)
    monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)
    settings = _with(neo4j_settings, derive="auto", home=tmp_path / "state", parse_workers=2)
    nodes, rels, report = _load(graph, settings, demo)
    assert killed
    assert "linked" in report.derived.seconds and "rules: writes" not in report.derived.seconds
    assert report.derivation == "after the load, over what was written (the process running the rules stopped)"
    assert not _differences((nodes, rels), expected)
    assert not list((tmp_path / "state" / "ingest-work").glob("*/derive"))


def test_a_rules_helper_killed_while_answering_leaves_the_derivation_to_cypher(graph, neo4j_settings, demo, expected,
                                                                              tmp_path, monkeypatch):
    """Killed while sending its answer, the helper leaves the executor waiting for the rest for ever:
    the load sees it gone (`parse_pass.watched`)."""
    from . import dying

    monkeypatch.setattr(derive_command, "run_rules", dying.die_while_answering)
    monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parse_pass, "WATCH_SECONDS", 0.1)
    before = set(multiprocessing.active_children())
    settings = _with(neo4j_settings, derive="auto", home=tmp_path / "state", parse_workers=2)
    nodes, rels, report = _load(graph, settings, demo)
    assert report.derivation == "after the load, over what was written (the process running the rules stopped)"
    assert not _differences((nodes, rels), expected)
    assert not set(multiprocessing.active_children()) - before


def test_chunks_written_in_parallel_come_back_in_order_a_few_held_at_once():
    taken: list[int] = []

    def chunks():
        for number in range(20):
            taken.append(number)
            yield number

    seen = []
    for result in derive_command._in_parallel(chunks(), 2, lambda number: number * 10):
        seen.append(result)
        assert len(taken) - len(seen) <= 4
    assert seen == [number * 10 for number in range(20)]

    def failing(number):
        if number == 3:
            raise ValueError("refused")
        return number

    with pytest.raises(ValueError, match="refused"):
        list(derive_command._in_parallel(iter(range(10)), 2, failing))
