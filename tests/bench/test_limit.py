"""The limit in the benchmark: the final graph exported, then written again by one writer into a fresh
database and by the importer alone; both give the very same graph (canonical dumps), quickly, at
the smallest size."""

from __future__ import annotations

import pytest

from mastgraph.bench import report
from mastgraph.bench.limit import export_graph, measure_limit, ratios
from mastgraph.bench.target import open_target
from mastgraph.graph.settings import Settings
from mastgraph.pipeline.ingest import ingest_paths
from mastgraph.sample.generator import generate

from ..bulk.conftest import canonical_dump
from .test_bench import SMALL


def test_the_limit_rebuilds_the_same_graph_by_one_writer_and_by_the_importer(tmp_path, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    sample = tmp_path / "demo"
    generate(sample, "demo")
    settings = Settings(neo4j_uri=None, home=tmp_path / "state", heap="768m", pagecache="256m")
    lines: list[str] = []
    with open_target(settings) as target:
        loaded = ingest_paths(target.connect(), target.settings, [sample / part for part in SMALL])
        assert not loaded.failed
        # the files are parsed in the conflict pass (and kept for the load) or again for the load
        parsing = loaded.phases["conflicts"] + loaded.phases["parse"]
        assert parsing > 0 and loaded.phases["write"] > 0 and loaded.phases["derive"] > 0
        original = canonical_dump(target.connect(), target.database)
        exported = export_graph(target, tmp_path / "export")
        assert (exported["nodes"], exported["relationships"]) == (len(original[0]), len(original[1]))
        assert exported["relationships"] > exported["nodes"] > 0

        ingest = {"seconds": 10.0}
        bulk = {"products": 1, "total_seconds": 20.0}
        limit = measure_limit(target, exported, tmp_path / "export", ingest, bulk, say=lines.append)
        # the single writer ran last: the graph now in the database is its graph
        assert canonical_dump(target.connect(), target.database) == original

    importer, writer = limit["importer"], limit["single_writer"]
    assert "failed" not in importer, importer
    assert importer["values_the_csv_cannot_hold"] == 0
    assert limit["same_size"] == {"importer": True, "single_writer": True}
    assert importer["graph"] == writer["graph"] == {"nodes": exported["nodes"], "relationships": exported["relationships"]}
    assert importer["import_seconds"] > 0 and importer["index_seconds"] > 0 and importer["importer_peak_rss_mb"] > 0
    assert importer["importer_cpu_seconds"] > 1 and importer["server_cpu_seconds"] > 1  # (JVMs: seconds)
    assert importer["seconds"] == pytest.approx(importer["import_seconds"] + importer["index_seconds"], abs=0.002)
    phases = writer["phases_seconds"]
    assert phases["nodes"] > 0 and phases["relationships"] > 0
    assert writer["seconds"] == pytest.approx(phases["nodes"] + phases["relationships"], abs=0.002)
    assert writer["transactions"] >= 2 and writer["python_cpu_seconds"] > 0 and writer["neo4j_cpu_seconds"] > 0
    # the ratios are rounded to 2 decimals (a slow import of ~50 s makes 0.40 of 0.4047)
    assert limit["ratios"]["online_ingest_to_single_writer"] == pytest.approx(10.0 / writer["seconds"], abs=0.005)
    assert limit["ratios"]["build_to_importer"] == pytest.approx(20.0 / importer["import_seconds"], abs=0.005)
    assert limit["ratios"]["build_to_importer_and_index"] == pytest.approx(20.0 / importer["seconds"], abs=0.005)
    assert any(line.startswith("one writer:") for line in lines)

    table = "\n".join(report.limit_tables({"demo": {"limit": limit, "ingest": {
        "seconds": 10.0, "phases_seconds": {"parse": 1.0, "write": 2.0, "derive": 7.0},
        "python_cpu_seconds": 3.0, "neo4j_cpu_seconds": 9.0, "loader_peak_rss_mb": 80.0}}}))
    assert "**The limit**" in table and "parse 1.0 / write 2.0 / derive 7.0" in table
    assert f"×{limit['ratios']['online_ingest_to_single_writer']:.2f}" in table


def test_ratios_need_both_sides():
    writer, importer = {"seconds": 4.0}, {"import_seconds": 2.0, "seconds": 5.0}
    assert ratios({"seconds": 6.0}, None, writer, None) == {"online_ingest_to_single_writer": 1.5}
    assert ratios(None, {"products": 3, "total_seconds": 10.0}, writer, importer) == {
        "build_to_importer": 5.0, "build_to_importer_and_index": 2.0, "build_to_single_writer": 2.5}
    assert ratios(None, {"failed": "no"}, None, importer) == {}
    assert ratios({"seconds": 6.0}, None, None, None) == {}
