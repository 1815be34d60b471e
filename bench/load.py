"""Throughput: the L3-to-raw GraphQL request from 1, 8 and 32 concurrent clients on loopback.

Each level sends at most `max_requests` requests or runs at most `max_seconds`, whichever comes
first (clients stop taking new requests at the deadline). The API process's RSS is sampled with
psutil during the load, and the CPU seconds the API, Neo4j (own server) and this client used are
recorded: on a shared 2-core machine they compete for the same cores.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import psutil

from mastgraph.graph.bulk_import import process_cpu_seconds

from .lineage import L3_TO_RAW
from .stats import summary


class _RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.every = every
        self.samples: list[int] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            try:
                self.samples.append(self.process.memory_info().rss)
            except psutil.Error:
                return
            self.halt.wait(self.every)


async def _run_level(url: str, uri: str, concurrency: int, max_requests: int, max_seconds: float) -> dict:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    body = {"query": L3_TO_RAW, "variables": {"uri": uri}}
    latencies: list[float] = []
    failures: list[str] = []
    async with httpx.AsyncClient(base_url=url, timeout=120.0, limits=limits) as client:
        # open the connections before the clock starts
        await asyncio.gather(*(client.get("/healthz") for _ in range(concurrency)))
        issued = 0
        started = time.perf_counter()
        deadline = started + max_seconds

        async def client_loop() -> None:
            nonlocal issued
            while issued < max_requests and time.perf_counter() < deadline:
                issued += 1
                sent = time.perf_counter()
                try:
                    response = await client.post("/graphql", json=body)
                    if response.status_code != 200 or b'"errors"' in response.content:
                        failures.append(f"HTTP {response.status_code}: {response.text[:200]}")
                except httpx.HTTPError as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                latencies.append((time.perf_counter() - sent) * 1000)

        await asyncio.gather(*(client_loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": elapsed, "latencies": latencies, "failures": failures}


def measure_load(url: str, uri: str, api_pid: int, neo4j_pid: int | None, concurrency: int,
                 max_requests: int, max_seconds: float) -> dict:
    """Requests/s, latency and API RSS at one concurrency level."""
    sampler = _RssSampler(api_pid)
    me = psutil.Process()
    pids = {"api": api_pid, "neo4j": neo4j_pid, "client": me.pid}
    cpu_before = {name: process_cpu_seconds(pid) for name, pid in pids.items()}
    sampler.start()
    try:
        run = asyncio.run(_run_level(url, uri, concurrency, max_requests, max_seconds))
    finally:
        sampler.halt.set()
        sampler.join()
    cpu_after = {name: process_cpu_seconds(pid) for name, pid in pids.items()}
    done = run["requests"]
    cpu = {
        name: round(cpu_after[name] - cpu_before[name], 2)
        for name in cpu_before if cpu_before[name] is not None and cpu_after[name] is not None
    }
    rss = sampler.samples or [psutil.Process(api_pid).memory_info().rss]
    return {
        "concurrency": concurrency,
        "requests": done,
        "failed": len(run["failures"]),
        "first_failures": run["failures"][:3],
        "seconds": round(run["seconds"], 3),
        "requests_per_s": round(done / run["seconds"], 2) if run["seconds"] else None,
        "latency_ms": summary(run["latencies"]),
        "api_rss_mb": {"peak": round(max(rss) / 2**20, 1), "mean": round(sum(rss) / len(rss) / 2**20, 1),
                       "samples": len(rss)},
        "cpu_seconds": cpu,
        "cpu_ms_per_request": {name: round(1000 * value / done, 2) for name, value in cpu.items()} if done else {},
    }
