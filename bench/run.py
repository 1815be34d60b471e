"""The whole benchmark: for each scale, ingest into an empty database, then lineage latency and
throughput against the API served by uvicorn; results as one JSON-ready dict.

    from mastgraph.bench.run import Options, run_bench
    results = run_bench(settings, Options(scales=("S", "M")))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import psutil

from mastgraph.graph import db
from mastgraph.graph.settings import Settings
from mastgraph.sample.generator import DEFAULT_SEED

from . import data, machine
from .bulk import measure_bulk
from .ingest import measure_ingest
from .lineage import GraphQLClient, measure_product
from .load import measure_load
from .server import ApiServer
from .target import Target, open_target

FORMAT = 1

Say = Callable[[str], None]


@dataclass
class Options:
    """What to measure and how long; `quick_run()` gives a short run (numbers only indicative)."""

    scales: tuple[str, ...] = ("S", "M")
    seed: int = DEFAULT_SEED
    force: bool = False
    runs: int = 50  # timed L3-to-raw requests per product and way
    warmups: int = 5
    naive_runs: int = 5
    concurrency: tuple[int, ...] = (1, 8, 32)
    max_requests: int = 200  # per concurrency level ...
    max_seconds: float = 20.0  # ... or this long, whichever comes first
    load_members: int = 100  # the benchmark product the throughput levels request
    level_by_level: bool = True  # also serve create_app(nested=False) and time it
    bulk: bool = True  # also time `mastgraph build` on the same sample (own local server only)
    quick: bool = False
    members: tuple[int, ...] = field(default=())  # benchmark products to time (default: all in the manifest)
    only: tuple[str, ...] = field(default=())  # load only these parts of the sample (paths relative to it)

    @classmethod
    def quick_run(cls, **changes: object) -> "Options":
        base = dict(runs=5, warmups=1, naive_runs=1, max_requests=40, max_seconds=5.0, quick=True)
        return cls(**{**base, **changes})


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        return round(psutil.Process(pid).memory_info().rss / 2**20, 1)
    except psutil.Error:
        return None


def benchmark_products(target: Target, sample: data.Sample, options: Options) -> list[dict]:
    """The manifest's benchmark L3 products; for a sample without any (demo), the two L3 products
    with the most COMPOSITION members in the graph."""
    entries = sample.benchmark
    if not entries:
        records, _, _ = target.connect().execute_query(
            "MATCH (p:Product:L3)-[:COMPOSITION]->(m:Product) WITH p, count(m) AS members "
            "ORDER BY members DESC, p.uri LIMIT 2 RETURN p.uri AS uri, members ORDER BY members, uri",
            database_=target.database, routing_="r")
        entries = [{"members": r["members"], "uri": r["uri"], "from": "graph"} for r in records]
    if options.members:
        entries = [e for e in entries if e["members"] in options.members]
    return entries


def _load_product(entries: list[dict], wanted: int) -> dict | None:
    if not entries:
        return None
    exact = [e for e in entries if e["members"] == wanted]
    return exact[0] if exact else min(entries, key=lambda e: abs(e["members"] - wanted))


def run_scale(target: Target, scale: str, options: Options, say: Say) -> dict:
    """Ingest one scale into the emptied target, then time lineage and throughput, then the bulk build."""
    sample = data.ensure_sample(target.home / "data", scale, options.seed)
    files, total, largest = sample.files(options.only)
    say(f"[{scale}] sample {sample.folder} ({files} files, {total / 2**20:.1f} MB"
        f"{', cached' if sample.generated_seconds is None else f', generated in {sample.generated_seconds} s'})")
    if target.is_empty():
        db.bootstrap(target.connect(), target.database)
    else:
        say(f"[{scale}] emptying the database")
        target.reset()
    say(f"[{scale}] ingest (child loader process) ...")
    ingest = measure_ingest(target, sample, options.only)
    say(f"[{scale}] ingest: {ingest['products']:,} products, {ingest['relationships']:,} relationships in "
        f"{ingest['seconds']:.1f} s = {ingest['products_per_s']:,.0f} products/s, "
        f"{ingest['relationships_per_s']:,.0f} relationships/s; loader peak RSS {ingest['loader_peak_rss_mb']} MB")
    result: dict = {
        "scale": scale,
        "seed": options.seed,
        "sample": {"folder": str(sample.folder), "only": list(options.only), "files": files, "bytes": total,
                   "largest_file_bytes": largest, "products_in_manifest": sample.manifest["counts"]["products"],
                   "generated_seconds": sample.generated_seconds},
        "ingest": ingest,
        "neo4j_rss_after_ingest_mb": _rss_mb(target.neo4j_pid()),
        "lineage": [],
        "throughput": [],
    }
    entries = benchmark_products(target, sample, options)
    if entries:
        with ApiServer(target, "nested") as api:
            result["api_rss_idle_mb"] = api.rss_mb()
            result["lineage"] = measure_lineage(target, api, entries, options, lambda line: say(f"[{scale}] {line}"))
            chosen = _load_product(entries, options.load_members)
            result["throughput"] = measure_throughput(target, api, chosen, options, lambda line: say(f"[{scale}] {line}"))
            result["api_rss_after_load_mb"] = api.rss_mb()
    else:
        say(f"[{scale}] no L3 product with members: lineage and throughput skipped")
    if options.bulk and target.own:
        say(f"[{scale}] bulk build (`mastgraph build`, child process) ...")
        result["bulk"] = bulk = measure_bulk(target, sample.paths(options.only), ingest)
        if "products_per_s" in bulk:
            say(f"[{scale}] bulk build: {bulk['products']:,} products in {bulk['seconds']:.1f} s = "
                f"{bulk['products_per_s']:,.0f} products/s; same graph as the online ingest: "
                f"{all(bulk['same_graph_as_online_ingest'].values())}")
        else:
            say(f"[{scale}] bulk build: {bulk.get('failed') or bulk.get('skipped')}")
    return result


def measure_lineage(target: Target, api: ApiServer, entries: list[dict], options: Options, say: Say) -> list[dict]:
    """L3 to raw for every benchmark product: GraphQL, level by level, raw Cypher, naive."""
    level = ApiServer(target, "level_by_level") if options.level_by_level else None
    out = []
    with level or contextlib.nullcontext():
        nested_client = GraphQLClient(api.url)
        level_client = GraphQLClient(level.url) if level is not None else None
        try:
            for entry in entries:
                say(f"L3 to raw, {entry['members']} members ({entry['uri']}): {options.runs} runs per way ...")
                measured = measure_product(entry, target.connect(), target.database, nested_client, level_client,
                                           options.runs, options.warmups, options.naive_runs)
                latency = measured["latency_ms"]
                say(f"  GraphQL p50 {latency['graphql']['p50']} ms, raw Cypher p50 {latency['raw_cypher']['p50']} ms "
                    f"(x{measured['ratio_graphql_to_raw_p50']}); round trips {measured['round_trips']['graphql']} "
                    f"vs naive {measured['round_trips']['naive']}")
                out.append(measured)
        finally:
            nested_client.close()
            if level_client is not None:
                level_client.close()
    return out


def measure_throughput(target: Target, api: ApiServer, chosen: dict, options: Options, say: Say) -> list[dict]:
    """Requests/s of L3 to raw for `chosen` at each concurrency level."""
    out = []
    for concurrency in options.concurrency:
        say(f"throughput, {concurrency} concurrent clients ({chosen['members']} members; at most "
            f"{options.max_requests} requests or {options.max_seconds:g} s) ...")
        level = measure_load(api.url, chosen["uri"], api.pid, target.neo4j_pid(), concurrency,
                             options.max_requests, options.max_seconds)
        level["members"] = chosen["members"]
        say(f"  {level['requests_per_s']} requests/s, p50 {level['latency_ms'].get('p50')} ms, "
            f"API RSS peak {level['api_rss_mb']['peak']} MB, {level['failed']} failed")
        out.append(level)
    return out


def run_bench(settings: Settings, options: Options, say: Say = print) -> dict:
    """Measure every scale of `options` on the bench's Neo4j; the results (see `report`)."""
    started = time.perf_counter()
    results: dict = {
        "format": FORMAT,
        "started_at": _now(),
        "command": " ".join(sys.argv),
        "machine": machine.describe(),
        "load_average": {"start": machine.load_average()},
        "options": asdict(options),
        "scales": {},
    }
    with open_target(settings, force=options.force) as target:
        say(f"Neo4j: {target.how}")
        results["neo4j"] = {**target.version(), "how": target.how, "own_server": target.own,
                            "heap": target.settings.heap if target.own else None,
                            "pagecache": target.settings.pagecache if target.own else None}
        for scale in options.scales:
            results["scales"][scale] = run_scale(target, scale, options, say)
    results["load_average"]["end"] = machine.load_average()
    results["finished_at"] = _now()
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results
