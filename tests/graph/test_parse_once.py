"""The conflict pass keeps the files it parsed (within a bound) for the load: each is parsed once,
and the graph is the one that parsing every file twice gives."""

from __future__ import annotations

from collections import Counter

from mastgraph.cli.demo import demo_inputs
from mastgraph.pipeline import ingest
from mastgraph.pipeline.ingest import ingest_paths

from ..bulk.conftest import canonical_dump
from ..conftest import empty_graph


def test_the_load_takes_the_conflict_pass_parses_and_gives_the_same_graph(graph, neo4j_settings, tmp_path,
                                                                          monkeypatch):
    database = neo4j_settings.neo4j_database
    inputs = demo_inputs(tmp_path)
    parses: Counter = Counter()
    checked = ingest._checked

    def counted(loader, path, skip_bad, rejects):
        parses[path] += 1
        return checked(loader, path, skip_bad, rejects)

    monkeypatch.setattr(ingest, "_checked", counted)
    once = ingest_paths(graph, neo4j_settings, inputs)
    assert not once.failed and len(once.files) > 10
    kept_graph = canonical_dump(graph, database)
    assert parses and set(parses.values()) == {1}, "a file was parsed twice although the bound holds it"
    assert once.phases["conflicts"] > 0 and once.phases["write"] > 0 and once.phases["derive"] > 0

    empty_graph(graph, database)
    parses.clear()
    monkeypatch.setattr(ingest, "KEPT_BATCHES", 0)  # nothing kept: every file parsed again for the load
    twice = ingest_paths(graph, neo4j_settings, inputs)
    assert not twice.failed and set(parses.values()) == {2}
    assert canonical_dump(graph, database) == kept_graph
    assert [(f.path, f.records, f.kind) for f in once.files] == [(f.path, f.records, f.kind) for f in twice.files]

    # loading the same files again (kept parses this time too) changes nothing
    ingest_paths(graph, neo4j_settings, inputs)
    assert canonical_dump(graph, database) == kept_graph
