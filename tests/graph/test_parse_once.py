"""The comparison of the files keeps what it parsed for the load (on disk, `pipeline.parse_pass`):
each file is parsed once, and the graph is the one that parsing each file in the load gives."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from mastgraph.cli.demo import demo_inputs
from mastgraph.pipeline import ingest, parse_pass
from mastgraph.pipeline.ingest import ingest_paths

from ..bulk.conftest import canonical_dump
from ..conftest import empty_graph


def test_the_load_takes_the_conflict_pass_parses_and_gives_the_same_graph(graph, neo4j_settings, tmp_path,
                                                                          monkeypatch):
    database = neo4j_settings.neo4j_database
    inputs = demo_inputs(tmp_path)
    parses: Counter = Counter()
    checked = ingest._checked

    def counted(loader, path, skip_bad, rejects, work=None):
        parses[path] += 1
        return checked(loader, path, skip_bad, rejects, work)

    monkeypatch.setattr(ingest, "_checked", counted)
    once = ingest_paths(graph, neo4j_settings, inputs)
    assert not once.failed and len(once.files) > 10
    kept_graph = canonical_dump(graph, database)
    assert parses and set(parses.values()) == {1}, "a file was parsed twice although the bound holds it"
    assert once.phases["conflicts"] > 0 and once.phases["write"] > 0 and once.phases["derive"] > 0
    # the batches' commits are a phase of their own, and no phase is counted twice
    assert once.phases["commit"] > 0 and sum(once.phases.values()) <= once.seconds

    empty_graph(graph, database)
    parses.clear()
    direct = ingest_paths(graph, neo4j_settings, inputs, check_across_files=False)  # parsed by the load itself
    assert not direct.failed and set(parses.values()) == {1}
    assert canonical_dump(graph, database) == kept_graph
    assert [(f.path, f.records, f.kind) for f in once.files] == [(f.path, f.records, f.kind) for f in direct.files]

    # parsed by worker processes, files over the transaction budget (10 x 50 records) streamed
    # from what the comparison parsed: nothing parsed again in the ingest's own process
    empty_graph(graph, database)
    parses.clear()
    monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)
    small = neo4j_settings.model_copy(update={"batch_size": 50, "parse_workers": 2})
    streamed = ingest_paths(graph, small, inputs)
    assert not streamed.failed and not parses and any(f.records > 500 for f in streamed.files)
    assert canonical_dump(graph, database) == kept_graph
    assert not any((Path(neo4j_settings.home) / "ingest-work").iterdir())  # the work files are removed

    # loading the same files again (kept parses this time too) changes nothing
    ingest_paths(graph, neo4j_settings, inputs)
    assert canonical_dump(graph, database) == kept_graph
