"""The benchmark harness end to end on the test Neo4j, at the smallest size: structure and sanity
of the results, not timings (the numbers come from a shared machine)."""

from __future__ import annotations

import json

import pytest

from mastgraph.bench import report
from mastgraph.bench.run import Options, run_bench
from mastgraph.bench.target import NotEmpty, given, open_target

#: Listings and associations of one small demo program (NIRSpec time series: Level-3 products
#: composed of three segments).
SMALL = ("programs/jw01366/listings", "programs/jw01366/asn")


def _ordered(summary: dict) -> bool:
    return 0 < summary["min"] <= summary["p50"] <= summary["p95"] <= summary["p99"] <= summary["max"]


def test_bench_runs_end_to_end(graph, neo4j_settings, tmp_path):
    settings = given(neo4j_settings, home=tmp_path / "state")
    options = Options.quick_run(scales=("demo",), only=SMALL, runs=3, warmups=1, naive_runs=1,
                                concurrency=(1, 4), max_requests=8, max_seconds=10.0)
    results = run_bench(settings, options, say=lambda line: None)
    report.write(results, tmp_path / "results.json", tmp_path / "RESULTS.md")

    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["machine"]["logical_cores"] >= 1 and saved["machine"]["memory_total_mb"] > 0
    assert saved["neo4j"]["version"].startswith("5.") and saved["neo4j"]["own_server"] is False
    assert len(saved["load_average"]["start"]) == 3 and len(saved["load_average"]["end"]) == 3
    scale = saved["scales"]["demo"]
    assert scale["seed"] == options.seed and scale["sample"]["only"] == list(SMALL)

    ingest = scale["ingest"]
    assert ingest["failed_files"] == 0
    assert ingest["products"] > 0 and ingest["relationships"] > ingest["products"] and ingest["seconds"] > 0
    assert ingest["products_per_s"] == pytest.approx(ingest["products"] / ingest["seconds"], rel=0.01)
    assert ingest["relationships"] == sum(ingest["relationships_by_type"].values())
    memory = ingest["loader"]["memory"]
    assert 0 < memory["before_first_file_mb"] <= memory["peak_rss_mb"]
    assert memory["checkpoints"][-1]["fraction_of_files"] == 1.0

    assert scale["lineage"], "no Level-3 product with members was found"
    for measured in scale["lineage"]:
        checks = measured["checks"]
        assert checks["found"] and checks["raw_exposures"] > 0 and checks["members"] > 0
        assert checks["graphql_equals_raw_cypher"] and checks["naive_equals_raw_cypher"]
        assert checks["level_by_level_equals_raw_cypher"] and checks["same_raw_exposures"]
        for way in ("graphql", "raw_cypher", "level_by_level"):
            assert measured["latency_ms"][way]["n"] == options.runs and _ordered(measured["latency_ms"][way])
        trips = measured["round_trips"]
        assert 1 <= trips["graphql"] <= trips["nesting_depth"] <= trips["level_by_level"] < trips["naive"]
        assert trips["naive"] >= 2 + checks["members"]  # the L3, its composedOf, each member's antecedents ...
        assert measured["ratio_graphql_to_raw_p50"] > 0

    levels = scale["throughput"]
    assert [level["concurrency"] for level in levels] == [1, 4]
    for level in levels:
        assert level["failed"] == 0 and 0 < level["requests"] <= options.max_requests
        assert level["requests_per_s"] > 0 and level["api_rss_mb"]["peak"] > 0 and _ordered(level["latency_ms"])

    assert {t["target"] for t in saved["targets"]}
    table = (tmp_path / "RESULTS.md").read_text()
    assert "| demo |" in table and "How to reproduce" in table


def test_bench_refuses_a_database_that_is_not_empty(graph, neo4j_settings):
    graph.execute_query("CREATE (:Product {uri: 'mast:JWST/product/keep_me.fits'})",
                        database_=neo4j_settings.neo4j_database)
    with pytest.raises(NotEmpty):
        with open_target(neo4j_settings):
            pass
    records, _, _ = graph.execute_query("MATCH (p:Product) RETURN count(p) AS n", database_=neo4j_settings.neo4j_database)
    assert records[0]["n"] == 1
