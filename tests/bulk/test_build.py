"""The bulk build against real servers: the same graph as the online ingest, refusals, conflicts,
online ingest on top. The bulk side runs on a local server of its own (tests/bulk/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mastgraph.graph import db
from mastgraph.pipeline import bulk
from mastgraph.pipeline.bulk import BuildOptions, BulkError, build
from mastgraph.pipeline.ingest import ingest_paths, parse_file
from mastgraph.graph.server import LocalNeo4j
from mastgraph.graph.settings import Settings

from ..graph.test_ingest import EXP, row, write_listing
from .conftest import REAL, canonical_dump, label_and_type_counts

#: Relationship kinds only the derivations make; the sample must produce each of them.
DERIVED = ("ANTECEDENT", "COMPOSITION", "PRODUCED_BY", "MRP", "HAS_ENGINEERING", "LINKED",
           "CONTEMPORANEOUS_CALIBRATION", "MULTIPLICITY")


@pytest.fixture(scope="module")
def built(bulk_settings: Settings, demo_sample: Path):
    """The bundled sample (real files + the demo scale) built in bulk once: through worker processes
    and several partitions, so the cross-worker merge in file order is what is tested."""
    options = BuildOptions(force=True, workers=2, partitions=7)
    report = build(bulk_settings, [REAL, demo_sample], options)
    with db.connect(bulk_settings) as drv:
        dump = canonical_dump(drv)
        counts = label_and_type_counts(drv)
    return report, dump, counts


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mastgraph.cli", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {**os.environ, "MASTGRAPH_HOME": str(settings.home), "MASTGRAPH_BOLT_PORT": str(settings.bolt_port), **extra}
    if "NEO4J_URI" not in extra:
        env.pop("NEO4J_URI", None)
    return env


def test_bulk_build_gives_the_online_graph(built, graph, neo4j_settings, demo_sample):
    report, bulk_dump, (bulk_labels, bulk_types) = built
    # (the online side derives each batch with the Cypher queries: into an empty database it would
    # otherwise run the bulk build's own rules, `pipeline/derive_command.py`)
    online = ingest_paths(graph, neo4j_settings.model_copy(update={"derive": "cypher"}), [REAL, demo_sample])
    assert not online.failed, online.failed[0].error
    online_labels, online_types = label_and_type_counts(graph)
    assert bulk_labels == online_labels
    assert bulk_types == online_types
    for rel in DERIVED:
        assert bulk_types.get(rel, 0) > 0, f"the sample derives no {rel}"
    online_dump = canonical_dump(graph)
    assert len(bulk_dump[0]) == len(online_dump[0]) and len(bulk_dump[1]) == len(online_dump[1])
    assert bulk_dump[0] == online_dump[0]
    assert bulk_dump[1] == online_dump[1]
    # the report counts what is in the database: imported nodes, imported + derived relationships
    assert report.nodes == bulk_labels
    assert report.relationships == bulk_types
    assert report.imported_nodes == len(bulk_dump[0])
    assert report.imported_relationships + sum(report.derived.values()) == len(bulk_dump[1])
    assert report.workers == 2 and report.partitions == 7
    assert report.importer_peak_rss > 0 and report.python_peak_rss > 0 and report.database_bytes > 0
    assert set(report.phases) >= {"parse", "csv", "import", "index", "derive"}
    # CPU seconds per phase: the build's own process with its workers (parse, CSV) and DuckDB (derive);
    # Neo4j's: the importer's JVM, and the server started after it (its start and the indexes)
    cpu = report.python_cpu_seconds
    assert set(cpu) >= {"parse", "csv", "derive", "import", "index"}
    assert cpu["parse"] > 0 and cpu["csv"] > 0 and cpu["derive"] > 0
    assert set(report.neo4j_cpu_seconds) == {"import", "server"}
    assert report.neo4j_cpu_seconds["import"] > 1 and report.neo4j_cpu_seconds["server"] > 1  # (JVMs: seconds)


def test_the_summary_shows_each_phase_s_cpu_seconds(built):
    """`mastgraph build`'s closing table: each phase's seconds and CPU seconds, mastgraph's and Neo4j's."""
    import io

    from rich.console import Console

    from mastgraph.cli import build as build_cli

    report = built[0]
    console = Console(width=200, record=True, file=io.StringIO())
    original, build_cli.console = build_cli.console, console
    try:
        build_cli._summary(report)
    finally:
        build_cli.console = original
    text = console.export_text()
    assert "┃ seconds ┃ CPU s mastgraph ┃ CPU s Neo4j ┃" in text
    rows = {cells[1].strip(): [cell.strip() for cell in cells[2:-1]]
            for line in text.splitlines() if len(cells := line.split("│")) == 6}
    cpu, neo4j = report.python_cpu_seconds, report.neo4j_cpu_seconds
    assert rows["parse"] == [f"{report.phases['parse']:.1f}", f"{cpu['parse']:.1f}", ""]
    assert rows["import"] == [f"{report.phases['import']:.1f}", f"{cpu['import']:.1f}", f"{neo4j['import']:.1f}"]
    assert rows["index"] == [f"{report.phases['index']:.1f}", f"{cpu['index']:.1f}", f"{neo4j['server']:.1f}"]
    assert rows["total"][1:] == [f"{sum(cpu.values()):.1f}", f"{sum(neo4j.values()):.1f}"]


def test_dry_run_checks_and_counts_without_touching_the_database(built, bulk_settings, demo_sample, tmp_path):
    """--dry-run parses and writes the CSV, counts what the import would create and stops: the
    server keeps running, the database is unchanged, and a remote NEO4J_URI is no obstacle."""
    report, bulk_dump, (bulk_labels, bulk_types) = built
    local = LocalNeo4j(bulk_settings)
    pid = local.pid()
    remote = bulk_settings.model_copy(update={"neo4j_uri": "bolt://db.example.org:7687"})
    dry = build(remote, [REAL, demo_sample], BuildOptions(dry_run=True, workers=2, partitions=3,
                                                          work_dir=tmp_path / "work"))
    assert dry.dry_run and local.pid() == pid
    with db.connect(bulk_settings) as drv:
        assert canonical_dump(drv) == bulk_dump
    assert dry.nodes == bulk_labels  # every node comes from the import
    assert dry.imported_nodes == report.imported_nodes and dry.records == report.records
    assert sum(dry.relationships.values()) == dry.imported_relationships == report.imported_relationships
    assert all(n <= bulk_types[t] for t, n in dry.relationships.items())  # the derivations add the rest
    assert "COMPOSITION" not in dry.relationships and "COMPOSITION" in bulk_types
    assert not set(dry.phases) & {"import", "index", "derive"}
    assert dry.database_bytes == 0 and dry.python_peak_rss > 0
    assert set(dry.python_cpu_seconds) == {"parse", "csv"} and not dry.neo4j_cpu_seconds
    assert not any((tmp_path / "work").iterdir())  # the work files are removed


def test_dry_run_reports_a_bad_file(bulk_settings, tmp_path):
    good = write_listing(tmp_path, "good.csv", [row(f"{EXP}_rate.fits")])
    bad = write_listing(tmp_path, "bad.csv", [row(f"{EXP}_cal.fits", size="100"), row(f"{EXP}_cal.fits", size="200")])
    with pytest.raises(BulkError, match="the bulk build stopped before the import") as caught:
        build(bulk_settings, [good, bad], BuildOptions(dry_run=True, work_dir=tmp_path / "work"))
    assert len(caught.value.lines) == 1 and caught.value.lines[0].startswith(f"{bad}:")


def test_online_ingest_on_top_of_a_bulk_build(built, bulk_settings, demo_sample, tmp_path):
    _, bulk_dump, _ = built
    with db.connect(bulk_settings) as drv:
        again = ingest_paths(drv, bulk_settings, [REAL, demo_sample])
        assert not again.failed, again.failed[0].error
        written, derived = again.totals()
        assert written.total_nodes_created == 0 and written.total_rels_created == 0
        assert derived.total_rels_created == 0
        assert canonical_dump(drv) == bulk_dump
        # and new files land on top with the same keys
        exposure = "jw02733099001_02101_00001_nrcb1"  # program 02733, as the row's proposal_id
        new = write_listing(tmp_path, "more.csv", [row(f"{exposure}_{suffix}.fits", obsid="77001", parent="77001",
                                                       obs_id=exposure) for suffix in ("rate", "cal")])
        more = ingest_paths(drv, bulk_settings, [new])
        assert not more.failed, more.failed[0].error
        records, _, _ = drv.execute_query(
            "MATCH (:Observation {obsid: '77001'})-[:HAS_PRODUCT]->(p:Product) RETURN count(p) AS n")
        assert records[0]["n"] == 2
        records, _, _ = drv.execute_query(
            "MATCH (:Product {filename: $cal})-[:ANTECEDENT]->(r:Product) RETURN collect(r.filename) AS f",
            cal=f"{exposure}_cal.fits")
        assert records[0]["f"] == [f"{exposure}_rate.fits"]


def test_a_conflict_within_a_file_stops_before_the_import(bulk_settings, tmp_path):
    path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits", size="100"),
                                                   row(f"{EXP}_cal.fits"), row(f"{EXP}_rate.fits", size="999")])
    online = parse_file(path)
    assert online.error and f"{path}:4:" in online.error and "conflicts with" in online.error
    with db.connect(bulk_settings) as drv:
        before = canonical_dump(drv)
    logs = set(Path(bulk_settings.home).glob("import-*.log"))
    with pytest.raises(BulkError, match="stopped before the import") as caught:
        build(bulk_settings, [path], BuildOptions(force=True))
    assert caught.value.lines == [online.error]
    assert LocalNeo4j(bulk_settings).running()
    assert set(Path(bulk_settings.home).glob("import-*.log")) == logs, "the importer ran"
    with db.connect(bulk_settings) as drv:
        assert canonical_dump(drv) == before


def test_cli_refuses_a_database_that_is_not_empty(bulk_settings, tmp_path):
    with db.connect(bulk_settings) as drv:
        drv.execute_query("MERGE (:Program {program: '09998'})")
    path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits")])
    done = _cli("build", str(path), env=_env(bulk_settings))
    assert done.returncode == 1
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1, done.stderr
    assert "is not empty" in errors[0] and "--force" in errors[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_cli_refuses_a_remote_server(tmp_path):
    path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits")])
    settings = Settings(neo4j_uri=None, home=tmp_path / "state", bolt_port=1)
    done = _cli("build", str(path), env=_env(settings, NEO4J_URI="bolt://db.example.org:7687"))
    assert done.returncode == 1
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1, done.stderr
    assert "NEO4J_URI is set (bolt://db.example.org:7687)" in errors[0]
    assert "mastgraph ingest" in errors[0] and "neo4j-admin" in errors[0]
    assert not (tmp_path / "state" / "neo4j").exists(), "a local server was set up"


def test_not_enough_disk_is_refused_before_anything_is_written(bulk_settings, tmp_path, monkeypatch):
    path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits")])
    with db.connect(bulk_settings) as drv:
        before = canonical_dump(drv)
    monkeypatch.setattr(bulk, "WORK_FACTOR", 1e15)  # as if the input were a million times larger than any disk
    with pytest.raises(BulkError, match=r"^not enough disk for the bulk build: about .* free"):
        build(bulk_settings, [path], BuildOptions(force=True, work_dir=tmp_path / "work"))
    assert not any((tmp_path / "work").iterdir())
    with db.connect(bulk_settings) as drv:
        assert canonical_dump(drv) == before
