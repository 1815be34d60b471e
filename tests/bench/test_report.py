"""The bench's bulk figures, targets, merged runs and the `--ingest` / `--merge` options, on
synthetic results (no Neo4j: `run_bench` is replaced where the CLI is exercised)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mastgraph.bench import report
from mastgraph.bench.bulk import NOT_COMPARED, figures
from mastgraph.bench.limit import ratios
from mastgraph.bench.run import Options
from mastgraph.cli.main import app

MB = 2**20


def build_report(products: int, parse: float, csv: float, importer: float, end_to_end: float, total: float,
                 python_peak_mb: float, **extra: object) -> dict:
    """What `mastgraph build --report-json` writes (pipeline.bulk.BuildReport.to_json), the fields the bench reads."""
    return {
        "files": 1000, "records": products * 20, "workers": 2, "partitions": 40,
        "input_bytes": 900 * MB, "spill_bytes": 2000 * MB, "csv_bytes": 700 * MB, "database_bytes": 3 * 2**30,
        "phases": {"parse": parse, "csv": csv, "import": importer, "index": 10.0, "residuals": 1.0, "derive": 50.0},
        "server_restart_seconds": 12.0, "end_to_end_seconds": end_to_end, "total_seconds": total,
        "python_main_rss": int(120 * MB), "python_worker_rss": {"parse": int(python_peak_mb * MB), "csv": int(150 * MB)},
        "python_peak_rss": int(python_peak_mb * MB), "importer_peak_rss": int(1500 * MB),
        "nodes": {"Product": products}, "relationships": {"HAS_PRODUCT": products * 3},
        "products": products, **extra,
    }


def bulk_entry(products: int, compared: str = NOT_COMPARED, **kw: float) -> dict:
    """A scale's `bulk` entry as `bench.bulk.measure_bulk` writes it."""
    rep = build_report(products, **kw)
    entry = {"nodes": products + 5, **figures(rep, products, products * 3)}
    entry.update(seconds=entry["total_seconds"], products_per_s=entry["products_per_s_total"],
                 relationships_per_s=round(products * 3 / entry["total_seconds"], 2),
                 measured_at={"started": "2026-11-26T01:00:00+00:00", "finished": "2026-11-26T01:20:00+00:00"},
                 compared_with_online_ingest=compared, report=rep)
    return entry


def results(scales: dict, started_at: str = "2026-11-26T01:00:00+00:00", ingest: str = "bulk",
            quick: bool = False) -> dict:
    return {
        "format": 1, "started_at": started_at, "finished_at": started_at.replace("01:00", "02:00"),
        "command": f"mastgraph bench --scales {','.join(scales)} --ingest {ingest}",
        "machine": {"cpu_model": "Test CPU", "cores_usable": 2, "memory_total_mb": 24064, "python": "CPython 3.11.7"},
        "neo4j": {"version": "5.26.31", "edition": "community", "own_server": True, "heap": "2g", "pagecache": "3g"},
        "load_average": {"start": [1.0, 1.0, 1.0], "end": [2.0, 2.0, 2.0]},
        "options": {"quick": quick, "ingest": ingest, "max_requests": 200, "max_seconds": 20.0},
        "scales": scales,
    }


def bulk_scale(name: str, entry: dict) -> dict:
    return {"scale": name, "ingest_mode": "bulk", "graph_measured": "bulk build", "bulk": entry,
            "lineage": [], "throughput": [],
            "measured": {"started_at": "2026-11-26T01:00:00+00:00", "finished_at": "2026-11-26T01:30:00+00:00",
                         "ingest": "bulk", "quick": False}}


def by_target(rows: list[dict], start: str) -> dict:
    found = [row for row in rows if row["target"].startswith(start)]
    assert len(found) == 1, [row["target"] for row in rows]
    return found[0]


def test_figures_from_a_build_report() -> None:
    rep = build_report(1_000_000, parse=30.0, csv=20.0, importer=40.0, end_to_end=125.0, total=175.0,
                       python_peak_mb=400)
    f = figures(rep, 1_000_000, 3_000_000)
    assert f["phases_seconds"] == {"parse": 30.0, "csv": 20.0, "import": 40.0, "index": 10.0, "residuals": 1.0,
                                   "derive": 50.0}
    assert f["end_to_end_seconds"] == 125.0 and f["total_seconds"] == 175.0
    assert f["products_per_s_end_to_end"] == 8000.0 and f["products_per_s_total"] == pytest.approx(5714.29)
    assert f["python_seconds"] == 50.0 and f["python_overhead_ratio"] == 1.25
    assert f["python_peak_rss_mb"] == 400.0 and f["python_main_rss_mb"] == 120.0
    assert f["python_worker_rss_mb"] == {"parse": 400.0, "csv": 150.0} and f["importer_peak_rss_mb"] == 1500.0
    assert f["server_restart_seconds"] == 12.0 and f["database_bytes"] == 3 * 2**30
    assert (f["spill_bytes"], f["csv_bytes"], f["input_bytes"]) == (2000 * MB, 700 * MB, 900 * MB)
    # earlier reports listed the workers' peaks without their phase, and gave no CPU seconds
    f = figures({**rep, "python_worker_rss": [100 * MB, 300 * MB]})
    assert f["python_worker_rss_mb"] == {"workers": 300.0} and f["products"] == 1_000_000
    assert f["python_cpu_seconds"] is None and f["neo4j_cpu_seconds"] is None and f["cpu_seconds_by_phase"] is None
    python, neo4j = {"parse": 55.5, "csv": 30.0, "derive": 12.25}, {"import": 70.0, "server": 20.5}
    f = figures({**rep, "python_cpu_seconds": python, "neo4j_cpu_seconds": neo4j})
    assert (f["python_cpu_seconds"], f["neo4j_cpu_seconds"]) == (97.75, 90.5)
    assert f["cpu_seconds_by_phase"] == {"python": python, "neo4j": neo4j}


def test_bulk_targets_judge_the_measured_values() -> None:
    """Both time targets count the whole build, derivations included (only then are all
    relationships there); the time to indexes online is in the note."""
    scales = {
        # L: 1M products in 8 s total = 125,000/s (to indexes: 5 s); (2 + 1) / 4 = 0.75; 400 MB
        "L": bulk_scale("L", bulk_entry(1_000_000, parse=2.0, csv=1.0, importer=4.0, end_to_end=5.0, total=8.0,
                                        python_peak_mb=400)),
        # XL: 960 s total > 15 min (to indexes 700 s); (500 + 125) / 500 = 1.25; 460 MB = x1.15 of L
        "XL": bulk_scale("XL", bulk_entry(10_000_000, parse=500.0, csv=125.0, importer=500.0, end_to_end=700.0,
                                          total=960.0, python_peak_mb=460)),
    }
    rows = report.bulk_targets(scales)
    rate = by_target(rows, "bulk build end to end")
    assert rate["measured"] == "125,000 products/s" and rate["met"] is True
    assert "to indexes online (before the derivations) 200,000 products/s" in rate["note"]
    xl = by_target(rows, "XL built in ≤ 15 min")
    assert xl["measured"] == "16.0 min" and xl["met"] is False and "11.7 min" in xl["note"]
    at_l, at_xl = by_target(rows, "Python overhead (parse + CSV) ≤ importer time at L "), \
        by_target(rows, "Python overhead (parse + CSV) ≤ importer time at XL")
    assert (at_l["measured"], at_l["met"]) == ("×0.75", True)
    assert (at_xl["measured"], at_xl["met"]) == ("×1.25", False)
    rss = by_target(rows, "bulk build Python peak RSS at L and XL")
    assert rss["measured"] == "L 400 MB, XL 460 MB" and rss["met"] is True and rss["note"] == "larger / smaller ×1.15"

    scales["XL"]["bulk"] = bulk_entry(10_000_000, parse=100.0, csv=50.0, importer=500.0, end_to_end=400.0,
                                      total=900.0, python_peak_mb=500)
    scales["L"]["bulk"] = bulk_entry(1_000_000, parse=6.0, csv=2.0, importer=10.0, end_to_end=8.0, total=12.5,
                                     python_peak_mb=400)
    rows = report.bulk_targets(scales)
    assert by_target(rows, "bulk build end to end")["met"] is False  # 80,000 products/s
    assert by_target(rows, "bulk build end to end")["measured"] == "80,000 products/s"
    assert by_target(rows, "XL built in ≤ 15 min")["met"] is True  # 15.0 min, the bound
    rss = by_target(rows, "bulk build Python peak RSS at L and XL")
    assert rss["met"] is False and rss["note"] == "larger / smaller ×1.25"


def test_bulk_targets_without_l_and_xl_say_so() -> None:
    scales = {"S": bulk_scale("S", bulk_entry(10_000, parse=6.0, csv=1.0, importer=5.0, end_to_end=27.0, total=44.0,
                                               python_peak_mb=180))}
    rows = report.bulk_targets(scales)
    assert by_target(rows, "bulk build end to end")["measured"] == "not measured"
    assert all(row["met"] is None for row in rows)
    assert by_target(rows, "bulk build Python peak RSS")["measured"] == "needs L and XL"
    scales["L"] = bulk_scale("L", bulk_entry(1_000_000, parse=6.0, csv=2.0, importer=10.0, end_to_end=8.0,
                                             total=20.0, python_peak_mb=400))
    rss = by_target(report.bulk_targets(scales), "bulk build Python peak RSS")
    assert rss["measured"] == "needs L and XL" and rss["met"] is None and rss["note"] == "measured: L"
    scales["XL"] = bulk_scale("XL", {"failed": "`mastgraph build` exited with 1: no room"})
    rows = report.bulk_targets(scales)
    assert by_target(rows, "XL built")["measured"] == "failed" and by_target(rows, "XL built")["met"] is False


def limit_entry(writer_seconds: float | None, importer_seconds: tuple[float, float] | None,
                ingest: dict | None, bulk: dict | None) -> dict:
    """A scale's `limit` as `bench.limit.measure_limit` writes it (its ratios by `limit.ratios`)."""
    writer = None if writer_seconds is None else {
        "seconds": writer_seconds, "phases_seconds": {"nodes": writer_seconds / 4, "relationships": writer_seconds * 3 / 4}}
    importer = None if importer_seconds is None else {
        "import_seconds": importer_seconds[0], "index_seconds": importer_seconds[1],
        "seconds": round(sum(importer_seconds), 3)}
    entry = {"ratios": ratios(ingest, bulk, writer, importer), "graph": {"nodes": 1_000_005, "relationships": 3_000_000},
             "same_size": {"importer": True, "single_writer": True}}
    if writer is not None:
        entry["single_writer"] = writer
    if importer is not None:
        entry["importer"] = importer
    return entry


def test_limit_targets_judge_the_ratios_measured_in_the_same_run() -> None:
    """The online ingest at M against the one writer, the bulk build at L against the importer
    alone + indexes: each the ratio of its own run, met at x1.5 or less."""
    ingest = {"seconds": 80.0, "products_per_s": 1250.0}
    m = {"ingest": ingest, "lineage": [], "throughput": []}
    m["limit"] = limit_entry(50.0, (20.0, 8.0), ingest, None)
    built = bulk_entry(1_000_000, parse=80.0, csv=30.0, importer=60.0, end_to_end=170.0, total=175.0,
                       python_peak_mb=400)
    l_scale = bulk_scale("L", built)
    l_scale["limit"] = limit_entry(400.0, (80.0, 30.0), None, built)
    rows = report.limit_targets({"M": m, "L": l_scale})
    online = by_target(rows, "online ingest at M ≤ ×1.5 the one writer")
    assert (online["measured"], online["met"], online["note"]) == ("×1.60", False, "80.0 s against 50.0 s")
    build = by_target(rows, "bulk build at L (all relationships) ≤ ×1.5 the importer alone + indexes")
    assert (build["measured"], build["met"], build["note"]) == ("×1.59", False, "175.0 s against 80.0 + 30.0 s")

    ingest["seconds"] = 75.0  # x1.5 exactly: met
    m["limit"] = limit_entry(50.0, (20.0, 8.0), ingest, None)
    built = bulk_entry(1_000_000, parse=60.0, csv=20.0, importer=60.0, end_to_end=140.0, total=150.0,
                       python_peak_mb=400)
    l_scale["bulk"], l_scale["limit"] = built, limit_entry(400.0, (80.0, 30.0), None, built)
    rows = report.limit_targets({"M": m, "L": l_scale})
    assert (by_target(rows, "online ingest at M")["measured"], by_target(rows, "online ingest at M")["met"]) == \
        ("×1.50", True)
    assert (by_target(rows, "bulk build at L (all")["measured"], by_target(rows, "bulk build at L (all")["met"]) == \
        ("×1.36", True)
    text = report.results_markdown(results({"L": l_scale}))  # (the targets table of a run)
    assert ("| bulk build at L (all relationships) ≤ ×1.5 the importer alone + indexes on its CSV in the same run "
            "| ×1.36 | met | 150.0 s against 80.0 + 30.0 s |") in text
    assert ("| online ingest at M ≤ ×1.5 the one writer of the same graph in the same run | not measured | – | "
            "no online ingest measured |") in text


def test_limit_targets_say_why_a_ratio_is_missing() -> None:
    assert [(row["measured"], row["met"], row["note"]) for row in report.limit_targets({})] == [
        ("not measured", None, "no online ingest measured"), ("not measured", None, "no bulk build measured")]
    ingest = {"seconds": 80.0}
    built = bulk_entry(1_000_000, parse=80.0, csv=30.0, importer=60.0, end_to_end=170.0, total=175.0,
                       python_peak_mb=400)
    scales = {"M": {"ingest": ingest}, "L": bulk_scale("L", built)}  # (--no-limit)
    assert {row["note"] for row in report.limit_targets(scales)} == {"the limit was not measured (--no-limit)"}
    skipped = "the limits need the bench's own local Neo4j (NEO4J_URI is set)"
    scales["M"]["limit"] = {"skipped": skipped}
    scales["L"]["limit"] = {**limit_entry(400.0, None, None, built), "importer": {"failed": "exit code 1: no room"}}
    online, build = report.limit_targets(scales)
    assert (online["measured"], online["met"], online["note"]) == ("not measured", None, skipped)
    assert (build["measured"], build["met"]) == ("not measured", None)
    assert build["note"] == "the importer alone failed: exit code 1: no room"
    scales["L"] = bulk_scale("L", {"failed": "`mastgraph build` exited with 1: no room"})
    assert report.limit_targets(scales)[1]["note"] == "the bulk build failed"


def test_markdown_shows_the_bulk_build_per_scale() -> None:
    entry = bulk_entry(1_000_000, parse=30.0, csv=20.0, importer=40.0, end_to_end=125.0, total=175.0,
                       python_peak_mb=400)
    text = report.results_markdown(results({"L": bulk_scale("L", entry)}))
    assert ("| L | 1,000,000 | 1,000,005 | 3,000,000 | 30.0 | 20.0 | 40.0 | 12.0 | 10.0 | 1.0 | 125.0 | 8,000 | "
            "50.0 | 175.0 | 5,714 | ×1.25 | not compared |") in text
    assert ("| L | 400 MB | 120 MB | parse 400 MB / csv 150 MB | 1,500 MB | 3.00 GB | 1.95 GB | 700 MB | 900 MB | "
            "1,000 | 2 / 40 | – | 2026-11-26T01:00:00+00:00 |") in text  # (a report without CPU seconds)
    assert "| L | bulk build (no online ingest: not compared) | 1,000,000 | 3,000,000 | 175.0 |  |" in text
    entry = bulk_entry(1_000_000, parse=30.0, csv=20.0, importer=40.0, end_to_end=125.0, total=175.0,
                       python_peak_mb=400, python_cpu_seconds={"parse": 55.5, "csv": 30.0, "derive": 12.25},
                       neo4j_cpu_seconds={"import": 70.0, "server": 20.5})
    text = report.results_markdown(results({"L": bulk_scale("L", entry)}))
    assert "| 2 / 40 | parse 55.5 / csv 30.0 / derive 12.2; import 70.0 / server 20.5 | 2026-11-26" in text
    assert "| L | bulk build (no online ingest: not compared) | 1,000,000 | 3,000,000 | 175.0 | 97.8 / 90.5 |" in text
    assert "at L on the bulk-built graph (no online ingest)" in text
    assert "`--ingest bulk`: bulk build only, no online ingest" in text
    assert ("| bulk build end to end (parse + CSV + import + indexes + derivations: all relationships) ≥ 100,000 "
            "products/s at L | 5,714 products/s | **not met** |") in text


def lineage_entry(members: int, graphql_p50: float, neo4j_p50: float, decode_p50: float) -> dict:
    latency = {"n": 5, "min": 1.0, "p50": graphql_p50, "p95": 9.0, "p99": 9.0, "max": 9.0, "mean": 5.0}
    return {"uri": "mast:JWST/product/x_i2d.fits", "checks": {"members": members, "objects": 4 * members + 1,
            "graphql_equals_raw_cypher": True, "same_raw_exposures": True},
            "latency_ms": {"graphql": latency, "raw_cypher": {**latency, "p50": 2.5},
                           "level_by_level": {**latency, "p50": 12.0}},
            "naive_latency_ms": {**latency, "p50": 33.0},
            "round_trips": {"graphql": 1, "naive": 3 * members + 2, "nesting_depth": 4, "level_by_level": 4},
            "graphql_client_json_decode_ms_p50": decode_p50, "graphql_neo4j_ms_p50": neo4j_p50,
            "graphql_json_bytes": 7856, "ratio_graphql_to_raw_p50": round(graphql_p50 / 2.5, 2),
            "ratio_naive_to_graphql_round_trips": float(3 * members + 2), "ratio_naive_to_graphql_p50": 5.6}


def test_the_split_of_the_graphql_p50_shows_no_negative_rest() -> None:
    scale = bulk_scale("XL", bulk_entry(10_000_000, parse=460.0, csv=170.0, importer=370.0, end_to_end=1200.0,
                                        total=1230.0, python_peak_mb=830))
    # (the Neo4j p50 comes from separate debug requests: with five of each it can exceed the timed p50)
    scale["lineage"] = [lineage_entry(10, 5.87, 7.81, 0.04), lineage_entry(100, 10.4, 6.2, 0.3)]
    text = report.results_markdown(results({"XL": scale}, quick=True))
    assert "| XL | 10 | 5.9 | 7.8 | – | 0.0 | 2.5 | 8 kB |" in text
    assert "| XL | 100 | 10.4 | 6.2 | 3.9 | 0.3 | 2.5 | 8 kB |" in text
    assert "-2.0" not in text and "the split is not resolved" in text


def test_an_online_run_keeps_the_comparison() -> None:
    entry = bulk_entry(10_547, compared="same graph", parse=6.0, csv=1.4, importer=5.2, end_to_end=27.4, total=43.8,
                       python_peak_mb=182)
    entry["same_graph_as_online_ingest"] = {"products": True, "nodes": True, "relationships": True,
                                            "relationships_by_type": True}
    del entry["compared_with_online_ingest"]  # as results written before this figure existed
    shown = report.bulk_figures(entry)
    assert shown["compared_with_online_ingest"] == "same graph"
    entry["same_graph_as_online_ingest"]["nodes"] = False
    assert report.bulk_figures(entry)["compared_with_online_ingest"] == "NOT the same graph"
    scale = {"bulk": entry, "lineage": [], "throughput": []}
    row = by_target(report.targets(results({"M": scale}, ingest="online")), "ingest ≥ 20,000 products/s at M: bulk")
    assert row["met"] is False and row["note"] == "NOT the same graph as the online ingest"
    assert row["measured"] == f"{round(10_547 / 43.8):,} products/s"


def test_merge_keeps_the_other_scales_and_says_when_each_was_measured(tmp_path: Path) -> None:
    small = bulk_entry(10_000, compared="same graph", parse=6.0, csv=1.0, importer=5.0, end_to_end=27.0,
                       total=44.0, python_peak_mb=180)
    # an earlier run (S and M, online, written before scales recorded `measured`)
    first = results({"S": {"bulk": small, "lineage": [], "throughput": []},
                     "M": {"bulk": small, "lineage": [], "throughput": []}},
                    started_at="2026-11-25T04:59:49+00:00", ingest="online")
    report.write(first, tmp_path / "results.json", None)
    previous = report.read_previous(tmp_path / "results.json")
    large = bulk_entry(1_000_000, parse=6.0, csv=2.0, importer=10.0, end_to_end=8.0, total=20.0, python_peak_mb=400)
    second = results({"L": bulk_scale("L", large)}, started_at="2026-11-26T01:00:00+00:00")
    merged = report.merge(previous, second)
    assert list(merged["scales"]) == ["S", "M", "L"] and "targets" not in merged
    assert merged["scales"]["M"]["measured"] == {"run_started_at": "2026-11-25T04:59:49+00:00",
                                                 "run_finished_at": "2026-11-25T04:59:49+00:00",
                                                 "ingest": "online", "quick": False}
    assert [(r["scales"], r["started_at"], r["ingest"]) for r in merged["runs"]] == [
        (["S", "M"], "2026-11-25T04:59:49+00:00", "online"), (["L"], "2026-11-26T01:00:00+00:00", "bulk")]
    text = report.results_markdown(merged)
    assert "Merged from 2 runs" in text
    assert "- S, M: measured 2026-11-25T04:59:49+00:00 to" in text
    assert "- L: measured 2026-11-26T01:00:00+00:00 to 2026-11-26T02:00:00+00:00" in text
    assert text.count("| S | 10,000 |") == 1 and text.count("| L | 1,000,000 |") == 1

    # XL, then M again: M's new numbers replace the old; the first run is left with S only
    report.write(merged, tmp_path / "results.json", None)
    huge = bulk_entry(10_000_000, parse=60.0, csv=20.0, importer=100.0, end_to_end=300.0, total=500.0,
                      python_peak_mb=440)
    merged = report.merge(report.read_previous(tmp_path / "results.json"),
                          results({"XL": bulk_scale("XL", huge)}, started_at="2026-11-26T03:00:00+00:00"))
    again = bulk_entry(100_000, parse=60.0, csv=25.0, importer=21.0, end_to_end=146.0, total=234.0, python_peak_mb=345)
    merged = report.merge(merged, results({"M": bulk_scale("M", again)}, started_at="2026-11-26T04:00:00+00:00"))
    assert list(merged["scales"]) == ["S", "M", "L", "XL"]
    assert merged["scales"]["M"]["bulk"]["products"] == 100_000
    assert [r["scales"] for r in merged["runs"]] == [["S"], ["L"], ["XL"], ["M"]]
    rss = by_target(report.targets(merged), "bulk build Python peak RSS at L and XL")
    assert rss["measured"] == "L 400 MB, XL 440 MB" and rss["met"] is True


def test_read_previous_refuses_what_is_not_results(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="cannot merge"):
        report.read_previous(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(ValueError, match="not a `mastgraph bench` results file"):
        report.read_previous(tmp_path / "other.json")


def test_options_check_the_ingest_mode() -> None:
    assert Options().ingest == "online" and Options.quick_run(ingest="bulk").ingest == "bulk"
    with pytest.raises(ValueError, match="ingest must be one of online, bulk"):
        Options(ingest="fast")
    with pytest.raises(ValueError, match="cannot go with bulk=False"):
        Options(ingest="bulk", bulk=False)
    assert Options(ingest="bulk", one_writer=False).one_writer is False
    with pytest.raises(ValueError, match="the one writer is the online ingest's limit"):
        Options(one_writer=False)


# -- the CLI, with run_bench replaced ---------------------------------------------------------

@pytest.fixture
def fake_bench(monkeypatch: pytest.MonkeyPatch) -> list[Options]:
    """`run_bench` answering synthetic results for the scales asked; the options it got, in order."""
    calls: list[Options] = []

    def run_bench(settings, options, say=print):
        calls.append(options)
        entry = bulk_entry(1_000_000, parse=6.0, csv=2.0, importer=10.0, end_to_end=8.0, total=20.0,
                           python_peak_mb=400)
        return results({name: bulk_scale(name, entry) for name in options.scales}, ingest=options.ingest)

    monkeypatch.setattr("mastgraph.bench.run.run_bench", run_bench)
    monkeypatch.delenv("NEO4J_URI", raising=False)
    return calls


def test_cli_bulk_only_and_merge(tmp_path: Path, fake_bench: list[Options]) -> None:
    out = tmp_path / "results.json"
    old = bulk_entry(10_000, compared="same graph", parse=6.0, csv=1.0, importer=5.0, end_to_end=27.0, total=44.0,
                     python_peak_mb=180)
    report.write(results({"S": {"bulk": old, "lineage": [], "throughput": []}}, ingest="online"), out, None)
    result = CliRunner().invoke(app, ["bench", "--scales", "L,XL", "--ingest", "bulk", "--merge", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert fake_bench[-1].ingest == "bulk" and fake_bench[-1].scales == ("L", "XL")
    assert fake_bench[-1].one_writer is True
    assert "kept from before: S" in result.output
    output = " ".join(result.output.split())  # (the one writer at XL: hours after the build, said before it)
    assert "warning: the one writer's limit at XL ~10,000,000 products (the final graph exported, then written " \
           "through the driver) takes hours after the build; going ahead (--no-one-writer leaves it out" in output
    assert "L ~1,000,000" not in output
    saved = json.loads(out.read_text())
    assert list(saved["scales"]) == ["S", "L", "XL"] and saved["scales"]["S"]["measured"]["ingest"] == "online"
    assert by_target(saved["targets"], "bulk build Python peak RSS")["met"] is True
    table = (tmp_path / "RESULTS.md").read_text()
    assert "| S | 10,000 |" in table and "| XL | 1,000,000 |" in table and "Merged from 2 runs" in table
    result = CliRunner().invoke(app, ["bench", "--scales", "XL", "--ingest", "bulk", "--no-one-writer", "--merge",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert fake_bench[-1].one_writer is False and fake_bench[-1].limit is True
    assert "takes hours" not in result.output


def test_cli_online_at_xl_warns_and_goes_ahead(tmp_path: Path, fake_bench: list[Options]) -> None:
    out = tmp_path / "results.json"
    report.write(results({"S": bulk_scale("S", bulk_entry(10_000, parse=6.0, csv=1.0, importer=5.0, end_to_end=27.0,
                                                            total=44.0, python_peak_mb=180))}), out, None)
    result = CliRunner().invoke(app, ["bench", "--scales", "L,XL", "--quick", "--out", str(out)])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "warning: the online ingest at XL ~10,000,000 products takes hours; going ahead" in output
    assert "L ~1,000,000" not in output  # (L: minutes)
    assert fake_bench[-1].ingest == "online" and fake_bench[-1].quick is True
    assert list(json.loads(out.read_text())["scales"]) == ["L", "XL"]  # no --merge: replaced, S dropped
    assert "its S results are dropped (--merge keeps them)" in " ".join(result.output.split())


def test_cli_refuses_contradictions(tmp_path: Path, fake_bench: list[Options], monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["bench", "--ingest", "bulk", "--no-bulk", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 2 and "--no-bulk contradicts it" in result.output
    result = runner.invoke(app, ["bench", "--no-one-writer", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 2 and "--no-one-writer goes with --ingest bulk" in " ".join(result.output.split())
    result = runner.invoke(app, ["bench", "--ingest", "fastest", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    (tmp_path / "broken.json").write_text("{")
    result = runner.invoke(app, ["bench", "--scales", "S", "--merge", "--out", str(tmp_path / "broken.json")])
    assert result.exit_code == 2 and "cannot merge" in result.output
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    result = runner.invoke(app, ["bench", "--ingest", "bulk", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 2 and "needs the bench's own local Neo4j" in " ".join(result.output.split())
    assert fake_bench == [] and not (tmp_path / "r.json").exists()


def test_cli_without_the_bench_extra_is_one_line(tmp_path: Path, fake_bench: list[Options],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "httpx" else find_spec(name, *a))
    result = CliRunner().invoke(app, ["bench", "--scales", "S", "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 1
    assert " ".join(result.output.split()) == (
        "error: mastgraph bench needs its extra: pip install 'mastgraph[bench]' (httpx, selenium)")
    assert fake_bench == [] and not (tmp_path / "r.json").exists()
