"""The bulk build's rate on the same sample, for comparison with the online ingest.

`mastgraph build PATH --force --report-json FILE` (graph/bulk.py: Neo4j's importer, then the
derivations over the whole graph) runs in a child process against the bench's own local server
(the importer writes store files, so it needs a local server; with NEO4J_URI it is skipped). Its
own report gives the timings and memory (its `total_seconds`, derivations included, is the rate's
denominator: "all relationships"); the graph it leaves is counted and compared with the one the
online ingest built from the same files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .ingest import count_graph
from .target import Target, child_env


def measure_bulk(target: Target, paths: list[Path], online: dict, timeout: float = 4 * 3600.0) -> dict:
    """Replace the target's graph with a bulk build of `paths`; rates, memory, same graph or not."""
    if target.local is None:
        return {"skipped": "the bulk build needs the bench's own local Neo4j (NEO4J_URI is set)"}
    target.disconnect()
    env = child_env(target.local.settings, os.environ)
    with tempfile.TemporaryDirectory(prefix="mastgraph-bench-bulk-") as work:
        report_path = Path(work) / "report.json"
        cmd = [sys.executable, "-m", "mastgraph.cli", "build", *map(str, paths), "--force",
               "--work-dir", str(Path(work) / "work"), "--report-json", str(report_path)]
        started = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        wall = time.perf_counter() - started
        if proc.returncode != 0 or not report_path.exists():
            if not target.local.running():
                target.local.start()
            lines = [line for line in (proc.stdout + proc.stderr).strip().splitlines() if line.strip()]
            last = lines[-1] if lines else ""
            return {"failed": f"`mastgraph build` exited with {proc.returncode}: {last[:200]}",
                    "output_tail": lines[-20:]}
        report = json.loads(report_path.read_text())
    counts = count_graph(target)
    seconds = report.get("total_seconds") or wall  # with the derivations: all relationships
    same = {key: counts[key] == online[key] for key in ("products", "nodes", "relationships")}
    same["relationships_by_type"] = counts["relationships_by_type"] == online["relationships_by_type"]
    return {
        "products": counts["products"],
        "nodes": counts["nodes"],
        "relationships": counts["relationships"],
        "seconds": round(seconds, 3),
        "wall_seconds_seen_by_bench": round(wall, 3),
        "seconds_to_indexes_online": report.get("end_to_end_seconds"),  # before the derivations
        "server_restart_seconds": report.get("server_restart_seconds"),
        "products_per_s": round(counts["products"] / seconds, 2),
        "relationships_per_s": round(counts["relationships"] / seconds, 2),
        "python_peak_rss_mb": round(report.get("python_peak_rss", 0) / 2**20, 1),
        "importer_peak_rss_mb": round(report.get("importer_peak_rss", 0) / 2**20, 1),
        "phases_seconds": report.get("phases", {}),
        "same_graph_as_online_ingest": same,
        "report": report,
    }
