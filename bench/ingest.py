"""Ingest rate: a sample loaded into an empty database by a child loader process.

Products/s and relationships/s are the Product nodes and all relationships (derived ones
included) in the database after the load, divided by the loader's ingest wall time (parse + write
+ derive). The loader's peak RSS comes from the loader itself (`getrusage`), cross-checked by
polling it with psutil from here; RSS at checkpoints through the files shows whether memory grows
with the input (it should not: files stream one transaction at a time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from mastgraph.graph.bulk_import import process_cpu_seconds

from .data import Sample
from .target import Target, child_env

#: The loader is given at least this long, and longer for a large sample (at L and XL the online
#: ingest takes hours): as long as the manifest's products take at this rate.
MIN_TIMEOUT = 4 * 3600.0
SLOWEST_PRODUCTS_PER_S = 25.0


def count_graph(target: Target) -> dict:
    records, _, _ = target.connect().execute_query(
        "RETURN COUNT { MATCH (p:Product) } AS products, COUNT { MATCH (n) } AS nodes, "
        "COUNT { MATCH ()-[r]->() } AS relationships",
        database_=target.database, routing_="r")
    counts = dict(records[0])
    records, _, _ = target.connect().execute_query(
        "CALL db.relationshipTypes() YIELD relationshipType AS type "
        "RETURN type, COUNT { MATCH ()-[r]->() WHERE type(r) = type } AS n ORDER BY type",
        database_=target.database, routing_="r")
    counts["relationships_by_type"] = {r["type"]: r["n"] for r in records if r["n"]}
    return counts


class _Poller(threading.Thread):
    """Samples a process's RSS, and its descendants' (the ingest's parse workers and its planning
    helper: `pipeline.parse_pass`, `pipeline.plan_ahead`) RSS and CPU seconds, until stopped. A
    descendant's CPU is its last sample's (what it used in its last `every` seconds is missed)."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self.samples = 0
        self.helpers_peak = 0  # the largest RSS of one descendant
        self.helpers_cpu: dict[tuple[int, float], float] = {}  # (pid, start time) -> CPU seconds
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
                self.samples += 1
                descendants = self.process.children(recursive=True)
            except psutil.Error:
                return
            for child in descendants:
                try:
                    with child.oneshot():
                        times, rss, born = child.cpu_times(), child.memory_info().rss, child.create_time()
                except psutil.Error:
                    continue
                self.helpers_peak = max(self.helpers_peak, rss)
                self.helpers_cpu[(child.pid, born)] = times.user + times.system
            self.halt.wait(self.every)

    def helpers(self) -> dict:
        return {"processes": len(self.helpers_cpu), "cpu_seconds": round(sum(self.helpers_cpu.values()), 3),
                "peak_rss_mb": round(self.helpers_peak / 2**20, 1)}


def run_loader(target: Target, paths: list[Path], timeout: float = 4 * 3600.0) -> dict:
    """Load `paths` into the (empty) target in a child process; its report, RSS polled from here."""
    env = child_env(target.settings, os.environ)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mastgraph.bench.loader", *map(str, paths)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    poller = _Poller(proc.pid)
    poller.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"the loader did not finish within {timeout:.0f} s") from None
    finally:
        poller.halt.set()
        poller.join()
    if proc.returncode != 0:
        raise RuntimeError(f"the loader failed (exit {proc.returncode}): {err.strip()[-2000:]}")
    report = json.loads(out.strip().splitlines()[-1])
    report["wall_seconds_seen_by_bench"] = round(time.perf_counter() - started, 3)
    report["memory"]["polled_peak_rss_mb"] = round(poller.peak / 2**20, 1)
    report["helpers"] = poller.helpers()
    return report


def measure_ingest(target: Target, sample: Sample, only: tuple[str, ...] = ()) -> dict:
    """Load the sample (or the parts `only` names) into the empty target and compute the rates."""
    neo4j_cpu = process_cpu_seconds(target.neo4j_pid())
    products = sample.manifest.get("counts", {}).get("products", 0)
    loader = run_loader(target, sample.paths(only), timeout=max(MIN_TIMEOUT, products / SLOWEST_PRODUCTS_PER_S))
    if neo4j_cpu is not None:
        after = process_cpu_seconds(target.neo4j_pid())
        loader["neo4j_cpu_seconds"] = round(after - neo4j_cpu, 3) if after is not None else None
    counts = count_graph(target)
    seconds = loader["ingest_seconds"]
    memory = loader["memory"]
    return {
        "products": counts["products"],
        "nodes": counts["nodes"],
        "relationships": counts["relationships"],
        "relationships_by_type": counts["relationships_by_type"],
        "seconds": seconds,
        "products_per_s": round(counts["products"] / seconds, 2),
        "relationships_per_s": round(counts["relationships"] / seconds, 2),
        "nodes_per_s": round(counts["nodes"] / seconds, 2),
        "phases_seconds": loader.get("phases_seconds", {}),
        "derive_seconds": loader.get("derive_seconds", {}),
        # the loader's own and its helper processes' (parse workers, planning helper)
        "python_cpu_seconds": round(loader["cpu_seconds"] + loader["helpers"]["cpu_seconds"], 3),
        "helpers": loader["helpers"],
        "neo4j_cpu_seconds": loader.get("neo4j_cpu_seconds"),
        "loader_peak_rss_mb": memory["peak_rss_mb"],
        "largest_file_mb": round(loader["largest_file_bytes"] / 2**20, 3),
        "input_mb": round(loader["input_bytes"] / 2**20, 1),
        "failed_files": loader["failed_files"],
        "loader": loader,
    }
