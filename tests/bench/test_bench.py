"""The benchmark harness end to end on the test Neo4j, at the smallest size: structure and sanity
of the results, not timings (the numbers come from a shared machine)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mastgraph.bench import report
from mastgraph.bench.ingest import _Poller
from mastgraph.bench.run import Options, run_bench
from mastgraph.bench.target import NotEmpty, given, open_target
from mastgraph.graph.settings import Settings

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
    assert scale["ingest_mode"] == "online" and scale["graph_measured"] == "online ingest"
    assert scale["measured"]["ingest"] == "online" and scale["measured"]["quick"] is True
    assert "bulk" not in scale  # a given Neo4j (not the bench's own): no bulk build

    ingest = scale["ingest"]
    assert ingest["failed_files"] == 0
    assert ingest["products"] > 0 and ingest["relationships"] > ingest["products"] and ingest["seconds"] > 0
    assert ingest["products_per_s"] == pytest.approx(ingest["products"] / ingest["seconds"], rel=0.01)
    assert ingest["relationships"] == sum(ingest["relationships_by_type"].values())
    memory = ingest["loader"]["memory"]
    assert 0 < memory["before_first_file_mb"] <= memory["peak_rss_mb"]
    helpers = ingest["helpers"]  # (a small input: parsed and planned in the loader's own process)
    assert helpers["processes"] == 0 and ingest["python_cpu_seconds"] == ingest["loader"]["cpu_seconds"]
    assert memory["checkpoints"][-1]["fraction_of_files"] == 1.0

    assert scale["lineage"], "no Level-3 product with members was found"
    page = scale["page"]  # the explorer page timed in headless Chromium (bench/page.py)
    assert "products" in page, page
    for measured, timed in zip(scale["lineage"], page["products"], strict=True):
        assert timed["uri"] == measured["uri"] and timed["objects"] > measured["checks"]["members"]
        assert timed["render_ms"]["n"] == options.page_runs and _ordered(timed["render_ms"])
        assert timed["fetch_ms"]["n"] == options.page_runs and 0 < timed["drawn"] <= timed["objects"]
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

    large = scale["large_file"]  # the listings joined into one file: a quarter, a half, all of them
    sizes = large["sizes"]
    assert large["listings"] >= 2 and [size["fraction"] for size in sizes] == [0.25, 0.5, 1.0]
    assert all(size["failed_files"] == 0 and size["peak_rss_mb"] >= size["rss_before_mb"] > 0 for size in sizes)
    assert sizes[0]["rows"] < sizes[-1]["rows"] and sizes[0]["products"] < sizes[-1]["products"]

    assert {t["target"] for t in saved["targets"]}
    table = (tmp_path / "RESULTS.md").read_text()
    assert "| demo |" in table and "How to reproduce" in table


#: A process whose child uses 0.6 s of CPU, then sleeps (as the ingest's helpers: forked, not waited by it).
HELPED = ("import subprocess, sys\n"
          "code = 'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.6: pass\\n"
          "time.sleep(0.4)'\n"
          "subprocess.run([sys.executable, '-c', code])")


def test_the_poller_counts_the_helper_processes():
    process = subprocess.Popen([sys.executable, "-c", HELPED])
    poller = _Poller(process.pid, every=0.05)
    poller.start()
    process.wait()
    poller.halt.set()
    poller.join()
    helpers = poller.helpers()
    assert helpers["processes"] == 1 and 0.6 <= helpers["cpu_seconds"] < 1.5 and helpers["peak_rss_mb"] > 1


def test_bench_refuses_a_database_that_is_not_empty(graph, neo4j_settings):
    graph.execute_query("CREATE (:Product {uri: 'mast:JWST/product/keep_me.fits'})",
                        database_=neo4j_settings.neo4j_database)
    with pytest.raises(NotEmpty):
        with open_target(neo4j_settings):
            pass
    records, _, _ = graph.execute_query("MATCH (p:Product) RETURN count(p) AS n", database_=neo4j_settings.neo4j_database)
    assert records[0]["n"] == 1


def test_bench_bulk_only_builds_and_measures_on_its_own_server(tmp_path, monkeypatch):
    """`--ingest bulk`: no online ingest; the bulk build's phases, rates, memory and disk; latency
    and throughput on the graph it built; nothing compared. With `--no-one-writer` (as at XL) the
    limit is the importer alone + indexes on the build's kept CSV, the graph counted, not exported."""
    monkeypatch.delenv("NEO4J_URI", raising=False)
    settings = Settings(neo4j_uri=None, home=tmp_path / "state", heap="768m", pagecache="256m")
    options = Options.quick_run(scales=("demo",), only=SMALL, ingest="bulk", runs=3, warmups=1, naive_runs=1,
                                concurrency=(1, 4), max_requests=8, max_seconds=10.0, one_writer=False)
    lines: list[str] = []
    results = run_bench(settings, options, say=lines.append)
    report.write(results, tmp_path / "results.json", tmp_path / "RESULTS.md")

    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["neo4j"]["own_server"] is True and saved["options"]["ingest"] == "bulk"
    scale = saved["scales"]["demo"]
    assert "ingest" not in scale and scale["ingest_mode"] == "bulk" and scale["graph_measured"] == "bulk build"
    assert scale["measured"]["ingest"] == "bulk" and scale["measured"]["started_at"] <= scale["measured"]["finished_at"]
    code = saved["code"]  # (a clean clone, as CI runs the tests in, is a git checkout)
    assert len(code["commit"]) == 40 and isinstance(code["modified"], bool)
    assert f"code {code['commit'][:7]}" in (tmp_path / "RESULTS.md").read_text()
    assert not any("ingest (child loader process)" in line for line in lines)
    assert any(line.startswith("[demo]   build: import:") for line in lines)  # the build's progress, passed on

    bulk = scale["bulk"]
    assert "failed" not in bulk, bulk.get("output_tail")
    assert bulk["compared_with_online_ingest"] == "not compared" and "same_graph_as_online_ingest" not in bulk
    assert bulk["products"] > 0 and bulk["relationships"] > bulk["products"] and bulk["nodes"] >= bulk["products"]
    assert bulk["products"] == bulk["report"]["products"]
    assert bulk["relationships"] == sum(bulk["relationships_by_type"].values())
    phases = bulk["phases_seconds"]
    assert set(phases) == {"parse", "csv", "import", "index", "residuals", "derive"}
    assert all(seconds >= 0 for seconds in phases.values()) and phases["import"] > 0
    assert 0 < bulk["end_to_end_seconds"] < bulk["total_seconds"] <= bulk["wall_seconds_seen_by_bench"]
    assert bulk["end_to_end_seconds"] >= phases["parse"] + phases["csv"] + phases["import"] + phases["index"]
    assert bulk["server_restart_seconds"] > 0
    assert bulk["products_per_s_end_to_end"] == pytest.approx(bulk["products"] / bulk["end_to_end_seconds"], rel=0.01)
    assert bulk["products_per_s_total"] == pytest.approx(bulk["products"] / bulk["total_seconds"], rel=0.01)
    assert bulk["python_overhead_ratio"] == pytest.approx((phases["parse"] + phases["csv"]) / phases["import"],
                                                          abs=0.002)  # stored to 3 decimals
    assert 0 < bulk["python_main_rss_mb"] <= bulk["python_peak_rss_mb"] and bulk["importer_peak_rss_mb"] > 0
    assert bulk["database_bytes"] > 0 and bulk["csv_bytes"] > 0 and bulk["spill_bytes"] > 0
    assert 0 < bulk["input_bytes"] <= scale["sample"]["bytes"]
    assert "Imported:" in bulk["report"]["importer_summary"]  # kept in the results; the log file is not
    assert not list((tmp_path / "state").rglob("import-*.log"))
    # the limit's importer ran on the very CSV the build imported (kept for it, removed afterwards)
    limit = scale["limit"]
    assert limit["importer"]["csv"] == "the bulk build's" and "failed" not in limit["importer"], limit["importer"]
    assert limit["same_size"] == {"importer": True, "single_writer": None}
    assert limit["graph"] == {"nodes": bulk["nodes"], "relationships": bulk["relationships"]}
    assert "single_writer" not in limit and limit["export_seconds"] is None
    assert "build_to_single_writer" not in limit["ratios"]
    assert any(line.startswith("[demo] final graph counted for the limit:") for line in lines)
    assert not any("the limit: one writer" in line or "] one writer:" in line for line in lines)
    assert limit["importer"]["import_seconds"] > 0 and limit["importer"]["index_seconds"] > 0
    assert limit["ratios"]["build_to_importer_and_index"] == pytest.approx(
        bulk["total_seconds"] / limit["importer"]["seconds"], rel=0.01)
    assert not list((tmp_path / "state" / "bench").glob("bulk-csv-*"))

    assert scale["lineage"], "no Level-3 product with members in the bulk-built graph"
    for measured in scale["lineage"]:
        assert measured["checks"]["graphql_equals_raw_cypher"] and measured["checks"]["same_raw_exposures"]
    assert [level["concurrency"] for level in scale["throughput"]] == [1, 4]
    assert all(level["failed"] == 0 and level["requests"] > 0 for level in scale["throughput"])

    table = (tmp_path / "RESULTS.md").read_text()
    assert "| demo | bulk build (no online ingest: not compared) |" in table
    assert f"| demo | {bulk['nodes']:,} | {bulk['relationships']:,} | not run | – | " in table  # (the limit's table)
    assert f"| demo | {bulk['products']:,} | {bulk['nodes']:,} | {bulk['relationships']:,} |" in table


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its parent to reap it does not)."""
    from pathlib import Path

    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_the_build_time_limit_stops_the_build_and_what_it_started():
    """The bench's time limit kills the build's whole process group: parse workers and importer
    JVM do not outlive it."""
    import sys
    import time

    from mastgraph.bench.bulk import _run_build

    child = "import time; time.sleep(120)"
    parent = (f"import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', {child!r}]); "
              "print('child', p.pid, flush=True); time.sleep(120)")
    started = time.perf_counter()
    code, lines = _run_build([sys.executable, "-c", parent], {}, 2.0, lambda line: None)
    assert time.perf_counter() - started < 30
    assert code != 0 and lines[-1] == "killed by the bench after 2 s"
    pid = int(next(line for line in lines if line.startswith("child")).split()[1])
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
