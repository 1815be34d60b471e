"""Damaged real files against a real Neo4j: each is refused whole and the graph is unchanged."""

from __future__ import annotations

from mastgraph.graph.ingest import ingest_paths

from ..bulk.conftest import canonical_dump
from ..loaders.test_domains import API_CSV, CASES, IMAGE3


def test_every_damaged_copy_is_refused_and_leaves_the_graph_as_it_was(graph, neo4j_settings, tmp_path):
    report = ingest_paths(graph, neo4j_settings, [API_CSV, IMAGE3])
    assert not report.failed
    before = canonical_dump(graph, neo4j_settings.neo4j_database)
    damaged = []
    for index, (name, source, damage, reason) in enumerate(CASES):
        target = tmp_path / f"{index:02d}" / source.name
        target.parent.mkdir()
        damage(source, target)
        damaged.append((target, reason))
    report = ingest_paths(graph, neo4j_settings, [tmp_path])
    errors = {f.path: f.error for f in report.files}
    assert len(report.failed) == len(report.files) == len(CASES)
    for target, reason in damaged:
        assert errors[target].startswith(str(target)) and errors[target].endswith(f": {reason}")
    assert canonical_dump(graph, neo4j_settings.neo4j_database) == before
