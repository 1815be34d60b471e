"""The bulk build: its phases, rates, memory and disk, and (after an online ingest) whether it
gives the same graph.

`mastgraph build PATH --force --report-json FILE` (pipeline/bulk.py: Neo4j's importer, then the
derivations over the whole graph) runs in a child process against the bench's own local server
(the importer writes store files, so it needs a local server; with NEO4J_URI it is skipped). Its
own report (`pipeline.bulk.BuildReport.to_json`) gives the timings, memory and disk; `figures` turns
it into the bench's numbers:

- `end_to_end_seconds`: parse + CSV + import (server stop and start included) + indexes online +
  residual values; `total_seconds`: that and the derivations ("all relationships");
- products/s of both (`products_per_s_end_to_end`, `products_per_s_total`; `products_per_s` is the
  latter, as the ingest table has always shown);
- `python_overhead_ratio`: (parse + CSV seconds) / the importer's seconds.

After an online ingest of the same files the graph it leaves is counted and compared with the
online one; alone (`--ingest bulk`) it is counted only: "not compared".
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .ingest import count_graph
from .target import Target, child_env

#: The build's phases in their order (`BuildReport.phases`; "import" is the importer alone, the
#: server's stop and start are `server_restart_seconds`, the stop that ran during the parse
#: `server_stop_overlapped_seconds`).
PHASES = ("parse", "csv", "import", "index", "residuals", "derive")
#: Lines of the child's output (progress lines, when not on a terminal) passed on to the bench's log.
PHASE_LINE_PREFIXES = ("prepare:", "parse:", "write CSV:", "import:", "index:", "residual values:", "derive:")
#: Long enough for XL on a small machine; a build still running then is killed and reported as failed.
DEFAULT_TIMEOUT = 24 * 3600.0
NOT_COMPARED = "not compared"


def _mb(value: float | int | None) -> float | None:
    return None if value is None else round(value / 2**20, 1)


def _worker_rss(value: object) -> dict[str, int]:
    """`python_worker_rss` per phase; older reports gave a bare list of worker peaks."""
    if isinstance(value, dict):
        return {str(k): int(v) for k, v in value.items()}
    if isinstance(value, list) and value:
        return {"workers": max(int(v) for v in value)}
    return {}


def figures(report: dict, products: int | None = None, relationships: int | None = None) -> dict:
    """The bench's bulk numbers from a build report (`--report-json`); counts from the graph when
    given, else the report's own."""
    given = report.get("phases", {})
    if "import" in given:  # a finished build: no residual values to set means no residuals phase
        given = {"residuals": 0.0, **given}
    phases = {name: round(float(given[name]), 3) for name in PHASES if name in given}
    products = report.get("products", 0) if products is None else products
    if relationships is None:
        relationships = sum(report.get("relationships", {}).values())
    end_to_end = report.get("end_to_end_seconds") or None
    total = report.get("total_seconds") or None
    python_seconds = phases.get("parse", 0.0) + phases.get("csv", 0.0)
    importer = phases.get("import")
    worker_rss = _worker_rss(report.get("python_worker_rss"))
    python_cpu, neo4j_cpu = report.get("python_cpu_seconds") or {}, report.get("neo4j_cpu_seconds") or {}
    return {
        "products": products,
        "relationships": relationships,
        "phases_seconds": phases,
        "server_restart_seconds": round(report.get("server_restart_seconds", 0.0), 3),
        "server_stop_overlapped_seconds": round(report.get("server_stop_overlapped_seconds", 0.0), 3),
        "end_to_end_seconds": round(end_to_end, 3) if end_to_end else None,
        "total_seconds": round(total, 3) if total else None,
        "products_per_s_end_to_end": round(products / end_to_end, 2) if end_to_end else None,
        "products_per_s_total": round(products / total, 2) if total else None,
        "python_seconds": round(python_seconds, 3),
        "python_overhead_ratio": round(python_seconds / importer, 3) if importer else None,
        "python_peak_rss_mb": _mb(report.get("python_peak_rss", 0)),
        "python_main_rss_mb": _mb(report.get("python_main_rss")) if report.get("python_main_rss") else None,
        "python_worker_rss_mb": {phase: _mb(v) for phase, v in worker_rss.items()},
        "importer_peak_rss_mb": _mb(report.get("importer_peak_rss", 0)),
        # CPU seconds: mastgraph's processes (the build's own and its workers') and Neo4j's (the
        # importer's JVM, the server the build started after the import); None from older reports
        "python_cpu_seconds": round(sum(python_cpu.values()), 3) if python_cpu else None,
        "neo4j_cpu_seconds": round(sum(neo4j_cpu.values()), 3) if neo4j_cpu else None,
        "cpu_seconds_by_phase": {"python": python_cpu, "neo4j": neo4j_cpu} if python_cpu else None,
        "database_bytes": report.get("database_bytes"),
        "transaction_log_bytes": report.get("transaction_log_bytes"),
        "spill_bytes": report.get("spill_bytes"),
        "csv_bytes": report.get("csv_bytes"),
        "input_bytes": report.get("input_bytes"),
        "files": report.get("files"),
        "records": report.get("records"),
        "workers": report.get("workers"),
        "partitions": report.get("partitions"),
    }


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _run_build(cmd: list[str], env: dict[str, str], timeout: float, say: Callable[[str], None]) -> tuple[int, list[str]]:
    """Run the build, passing its phase lines on as they come; (exit code, last lines of output)."""
    tail: collections.deque[str] = collections.deque(maxlen=200)
    # Its own process group: the time limit stops the build with its parse workers and importer JVM
    # (the local server it restarts runs in a session of its own and stays up).
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace", bufsize=1, start_new_session=True)
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        _kill_group(proc)

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip()
            if not line.strip():
                continue
            tail.append(line)
            if line.startswith(PHASE_LINE_PREFIXES):
                say(f"  build: {line}")
        code = proc.wait()
    finally:
        timer.cancel()
        if proc.poll() is None:
            _kill_group(proc)
        proc.wait()
    if timed_out.is_set():
        tail.append(f"killed by the bench after {timeout:.0f} s")
    return code, list(tail)


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill a process started in a session of its own, with everything it started in that session."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:  # (gone already)
        pass


def measure_bulk(target: Target, paths: list[Path], online: dict | None, timeout: float = DEFAULT_TIMEOUT,
                 say: Callable[[str], None] = lambda line: None, keep_csv: Path | None = None) -> dict:
    """Replace the target's graph with a bulk build of `paths`: phases, rates, memory, disk, and
    (with the `online` ingest's counts) same graph or not. With `keep_csv` (an empty folder), the
    build's work folder is kept there (`--keep-work`): its CSV, which `result["report"]`'s
    `import_groups` and `multiline_files` name, can be imported again (the importer's limit)."""
    if target.local is None:
        return {"skipped": "the bulk build needs the bench's own local Neo4j (NEO4J_URI is set)"}
    target.disconnect()
    env = {**child_env(target.local.settings, os.environ), "COLUMNS": "200"}  # its progress lines unwrapped
    started_at = _now()
    target.home.mkdir(parents=True, exist_ok=True)
    # The spill and CSV files (about 2.5 x the input) go beside the bench's database, not to /tmp.
    with tempfile.TemporaryDirectory(prefix="bulk-work-", dir=target.home) as work:
        report_path = Path(work) / "report.json"
        cmd = [sys.executable, "-m", "mastgraph.cli", "build", *map(str, paths), "--force",
               "--work-dir", str(keep_csv or Path(work) / "work"), "--report-json", str(report_path)]
        if keep_csv is not None:
            cmd.append("--keep-work")
        started = time.perf_counter()
        code, lines = _run_build(cmd, env, timeout, say)
        wall = time.perf_counter() - started
        if code != 0 or not report_path.exists():
            if not target.local.running():
                target.local.start()
            last = lines[-1] if lines else ""
            return {"failed": f"`mastgraph build` exited with {code}: {last[:200]}", "output_tail": lines[-20:],
                    "measured_at": {"started": started_at, "finished": _now()}}
        report = json.loads(report_path.read_text())
    # The results keep the importer's summary; its log (one per build) would pile up in the bench's folder.
    if report.get("importer_log"):
        Path(report["importer_log"]).unlink(missing_ok=True)
    counts = count_graph(target)
    result = {
        "nodes": counts["nodes"],
        "relationships_by_type": counts["relationships_by_type"],
        **figures(report, counts["products"], counts["relationships"]),
    }
    seconds = result["total_seconds"] or wall  # with the derivations: all relationships
    result.update({
        "seconds": round(seconds, 3),
        "wall_seconds_seen_by_bench": round(wall, 3),
        "seconds_to_indexes_online": result["end_to_end_seconds"],  # the name earlier results used
        "products_per_s": round(counts["products"] / seconds, 2),
        "relationships_per_s": round(counts["relationships"] / seconds, 2),
        "measured_at": {"started": started_at, "finished": _now()},
    })
    if online is None:
        result["compared_with_online_ingest"] = NOT_COMPARED
    else:
        same = {key: counts[key] == online[key] for key in ("products", "nodes", "relationships")}
        same["relationships_by_type"] = counts["relationships_by_type"] == online["relationships_by_type"]
        result["same_graph_as_online_ingest"] = same
        result["compared_with_online_ingest"] = "same graph" if all(same.values()) else "NOT the same graph"
    result["report"] = report
    return result
