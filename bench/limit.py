"""The database's own limit for the very graph mastgraph built, measured in the same run.

After the online ingest the final graph is exported (every node with its labels and properties,
every relationship with its ends by key and its properties: JSON lines beside the bench's
database, streamed, so memory stays flat). At the end of the scale, on the bench's own server:

- **the importer alone**: that graph written as the importer's CSV (`graph.bulk_format`, the
  bulk build's format) — or, after a bulk build that kept its work folder (`--ingest bulk`), the
  very CSV that build imported (no CSV written again: `importer_on_build_csv`) —
  `neo4j-admin database import full` on it while the server is stopped,
  then the schema (`cypher/schema.cypher`) created and its indexes brought online on the started
  server: `import_seconds` and `index_seconds`;
- **one writer**: the server's store removed (a fresh database), the schema created, then every
  node and every relationship written by the fastest plain form: ``UNWIND $rows ... CREATE`` of the
  nodes, then of the relationships between their ends MATCHed by key (`graph.writer`'s
  `node_create_query`, `edge_create_query`), 10,000 rows a transaction. Into an empty database that
  form is valid and cost Neo4j about a third less CPU than the online writer's ``MERGE``s (S graph:
  38 against 55 CPU seconds; MATCHing the ends instead of MERGEing them alone changed nothing).

Both are checked to give a graph of the same size (nodes, relationships) as the exported one, and
mastgraph's times are reported as ratios to them (`ratios`).
"""

from __future__ import annotations

import json
import math
import resource
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mastgraph.graph import db
from mastgraph.graph.bulk_format import Census, Columns, RowWriter, edge_header, labels_cell, node_header
from mastgraph.graph.bulk_import import (
    ImportFailed, ImportGroup, import_command, process_cpu_seconds, remove_store, run_import,
)
from mastgraph.graph.writer import ParamRows, edge_create_query, node_create_query
from mastgraph.model.vocabulary import KEYS, Label, Rel

from .machine import rss_mb
from .target import Target

#: Rows per transaction of the single writer.
BATCH = 10_000
_KEYED = {label.value: label for label in KEYS}
_KEY_PROPS = sorted(set(KEYS.values()))


class Unkeyed(RuntimeError):
    """A node of the graph has no keyed label: it cannot be written by key."""


def _ref(labels: list[str], keys: dict) -> tuple[Label, Any]:
    for name in sorted(labels):
        label = _KEYED.get(name)
        if label is not None:
            return label, keys[KEYS[label]]
    raise Unkeyed(f"a node with labels {sorted(labels)} has no keyed label")


def _json_default(value: object) -> object:
    raise TypeError(f"a property value of type {type(value).__name__} is not a mastgraph value")


def export_graph(target: Target, folder: Path) -> dict:
    """Stream the target's graph into `folder` (nodes.jsonl, relationships.jsonl); returns its counts."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    nodes = relationships = 0
    projection = ", ".join(f".`{k}`" for k in _KEY_PROPS)
    with target.connect().session(database=target.database, default_access_mode="READ") as session:
        with open(folder / "nodes.jsonl", "w", encoding="utf-8") as out:
            for record in session.run("MATCH (n) RETURN labels(n) AS l, properties(n) AS p"):
                labels, props = record["l"], record["p"]
                label, key = _ref(labels, props)
                extra = sorted(name for name in labels if name != label.value)
                props = {k: v for k, v in props.items() if k != KEYS[label]}
                out.write(json.dumps([label.value, key, extra, props], default=_json_default) + "\n")
                nodes += 1
        with open(folder / "relationships.jsonl", "w", encoding="utf-8") as out:
            query = (f"MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, labels(a) AS al, "
                     f"a {{{projection}}} AS ak, labels(b) AS bl, b {{{projection}}} AS bk")
            for record in session.run(query):
                start, start_key = _ref(record["al"], record["ak"])
                end, end_key = _ref(record["bl"], record["bk"])
                out.write(json.dumps([record["t"], start.value, start_key, end.value, end_key, record["p"]],
                                     default=_json_default) + "\n")
                relationships += 1
    return {"nodes": nodes, "relationships": relationships, "seconds": round(time.perf_counter() - started, 3),
            "bytes": sum(f.stat().st_size for f in folder.glob("*.jsonl"))}


def _lines(path: Path) -> Iterator[list]:
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def graph_counts(target: Target) -> dict:
    """Nodes and relationships of the target's graph (Neo4j's count store: no scan)."""
    records, _, _ = target.connect().execute_query(
        "RETURN COUNT { MATCH (n) } AS nodes, COUNT { MATCH ()-[r]->() } AS relationships",
        database_=target.database, routing_="r")
    return dict(records[0])


def _fresh_database(target: Target) -> float:
    """Stop the server, remove the database's store, start it: an empty database. Returns seconds."""
    started = time.perf_counter()
    target.disconnect()
    target.local.stop()
    remove_store(target.local, target.database)
    target.local.start()
    return time.perf_counter() - started


def _usage() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), own.ru_utime + own.ru_stime


def single_writer(target: Target, folder: Path, batch: int = BATCH) -> dict:
    """Every exported node, then every relationship, by one writer in `batch`-row transactions
    (``UNWIND ... CREATE``: the database is empty and the export holds each once)."""
    restart = _fresh_database(target)
    driver = target.connect()
    schema_started = time.perf_counter()
    db.bootstrap(driver, target.database)
    schema = time.perf_counter() - schema_started
    neo4j_before = process_cpu_seconds(target.neo4j_pid())
    clock, cpu = _usage()
    transactions = 0

    def write(query: str, rows: list[dict]) -> None:
        nonlocal transactions
        with driver.session(database=target.database) as session:
            session.execute_write(lambda tx: tx.run(query, {"rows": ParamRows(rows)}).consume())
        transactions += 1

    def run(groups: Iterator[tuple[str, dict]]) -> None:
        pending: dict[str, list[dict]] = defaultdict(list)
        for query, row in groups:
            rows = pending[query]
            rows.append(row)
            if len(rows) >= batch:
                write(query, pending.pop(query))
        for query, rows in pending.items():
            write(query, rows)

    def node_rows() -> Iterator[tuple[str, dict]]:
        for label, key, extra, props in _lines(folder / "nodes.jsonl"):
            yield node_create_query(Label(label)), {"key": key, "props": props, "labels": extra}

    def edge_rows() -> Iterator[tuple[str, dict]]:
        for rel, start, start_key, end, end_key, props in _lines(folder / "relationships.jsonl"):
            yield edge_create_query(Rel(rel), Label(start), Label(end)), {"start": start_key, "end": end_key,
                                                                          "props": props}

    run(node_rows())
    nodes_seconds = time.perf_counter() - clock
    run(edge_rows())
    seconds = time.perf_counter() - clock
    _, cpu_after = _usage()
    neo4j_after = process_cpu_seconds(target.neo4j_pid())
    return {
        "seconds": round(seconds, 3),
        "phases_seconds": {"nodes": round(nodes_seconds, 3), "relationships": round(seconds - nodes_seconds, 3)},
        "schema_seconds": round(schema, 3),
        "server_restart_seconds": round(restart, 3),
        "batch_rows": batch,
        "transactions": transactions,
        "python_cpu_seconds": round(cpu_after - cpu, 3),
        "neo4j_cpu_seconds": (round(neo4j_after - neo4j_before, 3)
                              if neo4j_after is not None and neo4j_before is not None else None),
        "neo4j_rss_mb": rss_mb(target.neo4j_pid()),
        "graph": graph_counts(target),
    }


def _add_census(census: Census, group: tuple, props: dict) -> None:
    names = tuple(props)
    kinds = tuple(type(v) for v in props.values())
    census.add_shape(group, names, kinds, 1)
    for name, value in props.items():
        if type(value) is list:
            census.add_list(group, name, value)


def write_csv(folder: Path, out: Path) -> tuple[list[ImportGroup], list[Path], int]:
    """The exported graph as the importer's CSV: one header and one data file per node label set and
    per (type, start label, end label). Returns the groups, the files with line breaks in values, and
    how many values the CSV cannot hold (set aside; the bulk build sets such values with Cypher)."""
    out.mkdir(parents=True, exist_ok=True)
    census = Census()
    for label, _, extra, props in _lines(folder / "nodes.jsonl"):
        _add_census(census, ("n", label, tuple(extra)), props)
    for rel, start, _, end, _, props in _lines(folder / "relationships.jsonl"):
        _add_census(census, ("r", rel, start, end), props)
    columns = census.columns()
    writers: dict[tuple, RowWriter] = {}
    groups: list[ImportGroup] = []
    residuals = 0

    def writer(group: tuple) -> RowWriter:
        found = writers.get(group)
        if found is not None:
            return found
        pairs = columns.get(group, [])
        cols = Columns(tuple(n for n, _ in pairs), tuple(t for _, t in pairs))
        name = f"g{len(writers)}"
        header = out / f"{name}-header.csv"
        if group[0] == "n":
            label, extra = group[1], group[2]
            header.write_text(node_header(label, KEYS[Label(label)], cols), encoding="utf-8")
            found = RowWriter(out / f"{name}.csv", 1, cols, tail=(labels_cell([label, *extra]),))
            groups.append(ImportGroup("nodes", header, str(out / f"{name}\\.csv")))
        else:
            header.write_text(edge_header(group[2], group[3], cols), encoding="utf-8")
            found = RowWriter(out / f"{name}.csv", 3, cols)
            groups.append(ImportGroup("relationships", header, str(out / f"{name}\\.csv")))
        writers[group] = found
        return found

    for label, key, extra, props in _lines(folder / "nodes.jsonl"):
        left = writer(("n", label, tuple(extra))).add([key], props)
        residuals += len(left or ())
    for rel, start, start_key, end, end_key, props in _lines(folder / "relationships.jsonl"):
        left = writer(("r", rel, start, end)).add([start_key, end_key, rel], props)
        residuals += len(left or ())
    multiline = []
    for group_writer in writers.values():
        group_writer.close()
        if group_writer.multiline:
            multiline.append(group_writer.path)
    return groups, multiline, residuals


def importer_alone(target: Target, folder: Path, work: Path,
                   say: Callable[[str], None] = lambda line: None) -> dict:
    """The exported graph through `neo4j-admin database import full`, then the schema's indexes online."""
    csv_started = time.perf_counter()
    groups, multiline, residuals = write_csv(folder, work / "csv")
    csv_seconds = time.perf_counter() - csv_started
    result = import_and_index(target, groups, multiline, work, say)
    result.update({
        "csv": "the exported graph's",
        "csv_seconds": round(csv_seconds, 3),
        "csv_bytes": sum(f.stat().st_size for f in (work / "csv").glob("*.csv")),
        "values_the_csv_cannot_hold": residuals,
    })
    return result


def importer_on_build_csv(target: Target, report: dict, work: Path,
                          say: Callable[[str], None] = lambda line: None) -> dict:
    """The importer alone on the very CSV a bulk build imported (its work folder kept: the build's
    report names the groups and the files with line breaks), then the schema's indexes online: the
    same input as the build's import, with no export of the graph and no CSV written again."""
    groups = [ImportGroup(kind, Path(header), files) for kind, header, files in report["import_groups"]]
    multiline = [Path(path) for path in report.get("multiline_files", [])]
    result = import_and_index(target, groups, multiline, work, say)
    result.update({"csv": "the bulk build's", "csv_seconds": 0.0, "csv_bytes": report.get("csv_bytes"),
                   "values_the_csv_cannot_hold": report.get("residual_values")})
    return result


def import_and_index(target: Target, groups: list[ImportGroup], multiline: list[Path], work: Path,
                     say: Callable[[str], None] = lambda line: None) -> dict:
    """`neo4j-admin database import full` of `groups` (server stopped), then the schema applied and
    its indexes awaited on the started server."""
    local = target.local
    work.mkdir(parents=True, exist_ok=True)
    target.disconnect()
    stop_started = time.perf_counter()
    local.stop()
    stop = time.perf_counter() - stop_started
    command = import_command(local, target.database, groups, multiline, work / "import-report.txt",
                             heap=local.settings.heap, memory=None, threads=None)
    result = run_import(local, command, work / "import.log")
    start_started = time.perf_counter()
    local.start()
    start = time.perf_counter() - start_started
    index_started = time.perf_counter()
    db.bootstrap(target.connect(), target.database, wait=True)
    index = time.perf_counter() - index_started
    server_cpu = process_cpu_seconds(target.neo4j_pid())  # (started after the import: its start and the indexes)
    say(f"importer alone: {result.seconds:.1f} s + indexes {index:.1f} s")
    return {
        "import_seconds": round(result.seconds, 3),
        "index_seconds": round(index, 3),
        "seconds": round(result.seconds + index, 3),
        "server_restart_seconds": round(stop + start, 3),
        "importer_peak_rss_mb": round(result.peak_rss / 2**20, 1),
        # Neo4j's CPU seconds: the importer's JVM, and the server started after it (its start and the
        # indexes), as the bulk build's `neo4j_cpu_seconds` count them
        "importer_cpu_seconds": result.cpu_seconds,
        "server_cpu_seconds": round(server_cpu, 3) if server_cpu is not None else None,
        "summary": result.summary,
        "graph": graph_counts(target),
    }


def _ratio(value: float | None, limit: float | None) -> float | None:
    if not value or not limit:
        return None
    return round(value / limit, 2)


def ratios(ingest: dict | None, bulk: dict | None, writer: dict | None, importer: dict | None) -> dict:
    """mastgraph's times as multiples of the limits: online ingest / one writer, build / importer
    (alone, and with its indexes)."""
    out: dict[str, float | None] = {}
    if ingest and writer:
        out["online_ingest_to_single_writer"] = _ratio(ingest.get("seconds"), writer.get("seconds"))
    if bulk and importer and "products" in bulk and "failed" not in importer:
        total = bulk.get("total_seconds") or bulk.get("seconds")
        out["build_to_importer"] = _ratio(total, importer.get("import_seconds"))
        out["build_to_importer_and_index"] = _ratio(total, importer.get("seconds"))
        if writer:
            out["build_to_single_writer"] = _ratio(total, writer.get("seconds"))
    return out


def measure_limit(target: Target, exported: dict, folder: Path, ingest: dict | None, bulk: dict | None,
                  say: Callable[[str], None] = lambda line: None, one_writer: bool = True) -> dict:
    """Both limits for the exported graph (own local server only), and the ratios to them; with
    `one_writer=False` the importer alone only, on the build's own CSV (`exported` holds the final
    graph's counts, nothing was exported)."""
    if target.local is None:
        return {"skipped": "the limits need the bench's own local Neo4j (the importer writes store files)"}
    result: dict = {"graph": {"nodes": exported["nodes"], "relationships": exported["relationships"]},
                    "export_seconds": exported["seconds"], "export_bytes": exported["bytes"]}
    build_report = (bulk or {}).get("report") or {}
    kept = bool(build_report.get("import_groups")) and all(
        Path(header).exists() for _, header, _ in build_report["import_groups"])
    say(f"the limit: the importer alone on {'the bulk build' if kept else 'the final graph'}'s CSV ...")
    try:
        if kept:  # the build's own CSV, kept for it: the very input of the build's import
            importer = importer_on_build_csv(target, build_report, folder / "import", say)
        elif not one_writer:  # (nothing exported)
            raise ImportFailed("the build's CSV was not kept and the final graph was not exported (no one writer)")
        else:
            importer = importer_alone(target, folder, folder / "import", say)
        result["importer"] = importer
    except ImportFailed as exc:
        if not target.local.running():
            target.local.start()
        result["importer"] = importer = {"failed": str(exc)}
    writer = None
    if one_writer:
        say("the limit: one writer, UNWIND ... CREATE in 10k batches, into a fresh database ...")
        result["single_writer"] = writer = single_writer(target, folder)
        say(f"one writer: {writer['seconds']:.1f} s (nodes {writer['phases_seconds']['nodes']:.1f} s, relationships "
            f"{writer['phases_seconds']['relationships']:.1f} s)")
    expected = result["graph"]
    result["same_size"] = {"importer": importer.get("graph") == expected,
                           "single_writer": None if writer is None else writer["graph"] == expected}
    result["ratios"] = ratios(ingest, bulk, writer, importer)
    return result


def ratio_text(value: float | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"×{value:.2f}"

