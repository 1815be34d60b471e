"""The whole benchmark: for each scale, ingest into an empty database, then lineage latency and
throughput against the API served by uvicorn, then the bulk build of the same files compared with
that graph; or (`ingest="bulk"`, for XL, whose online ingest takes hours) the bulk build
alone, latency and throughput on its graph. Last, on the bench's own server, the database's own
limit for the very graph the scale ended with (bench/limit.py: one writer, and the importer alone),
and mastgraph's times as ratios to it. Results as one JSON-ready dict.

    from mastgraph.bench.run import Options, run_bench
    results = run_bench(settings, Options(scales=("S", "M")))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mastgraph.graph import db
from mastgraph.graph.settings import Settings
from mastgraph.sample.generator import DEFAULT_SEED

from . import data, machine
from .bulk import measure_bulk
from .ingest import measure_ingest
from .large_file import measure_large_file
from .limit import export_graph, graph_counts, measure_limit
from .lineage import GraphQLClient, measure_product
from .load import measure_load
from .page import measure_page
from .server import ApiServer
from .target import Target, open_target

FORMAT = 1
#: How a scale's graph is built: `online` (the online ingest, then the bulk build on the same files
#: for comparison) or `bulk` (the bulk build alone; latency and throughput on its graph).
INGEST_MODES = ("online", "bulk")
#: Scales whose online ingest takes hours (L: 8 minutes on 2 cores, 2026-12-04).
LARGE_SCALES = ("XL",)

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
    page: bool = True  # time the explorer page in headless Chromium (skipped, in one line, without it)
    page_runs: int = 5  # page loads per benchmark product
    bulk: bool = True  # also time `mastgraph build` on the same sample (own local server only)
    limit: bool = True  # the database's own limit for the final graph: one writer, the importer (own server only)
    #: With `limit`: also the one writer (its export of the final graph and its load through the driver
    #: take hours at XL); without it (ingest="bulk" only) the limit is the importer alone + indexes on
    #: the build's own CSV, and the final graph is counted, not exported.
    one_writer: bool = True
    large_file: bool = True  # with ingest="online": the sample's listings joined into one file, loaded alone
    ingest: str = "online"  # one of INGEST_MODES
    quick: bool = False
    members: tuple[int, ...] = field(default=())  # benchmark products to time (default: all in the manifest)
    only: tuple[str, ...] = field(default=())  # load only these parts of the sample (paths relative to it)

    def __post_init__(self) -> None:
        if self.ingest not in INGEST_MODES:
            raise ValueError(f"ingest must be one of {', '.join(INGEST_MODES)}, not {self.ingest!r}")
        if self.ingest == "bulk" and not self.bulk:
            raise ValueError("ingest='bulk' measures the bulk build: it cannot go with bulk=False")
        if not self.one_writer and self.ingest != "bulk":
            raise ValueError("the one writer is the online ingest's limit: leaving it out goes with ingest='bulk' only")

    @classmethod
    def quick_run(cls, **changes: object) -> "Options":
        base = dict(runs=5, warmups=1, naive_runs=1, max_requests=40, max_seconds=5.0, quick=True, page_runs=2)
        return cls(**{**base, **changes})


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


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
    """One scale: with `ingest="online"`, ingest into the emptied target, time lineage and throughput,
    then the bulk build compared with the online graph; with `ingest="bulk"`, the bulk build alone,
    then lineage and throughput on the graph it built."""
    started_at, clock, load_start = _now(), time.perf_counter(), machine.load_average()
    sample = data.ensure_sample(target.home / "data", scale, options.seed)
    files, total, largest = sample.files(options.only)
    say(f"[{scale}] sample {sample.folder} ({files} files, {total / 2**20:.1f} MB"
        f"{', cached' if sample.generated_seconds is None else f', generated in {sample.generated_seconds} s'})")
    result: dict = {
        "scale": scale,
        "seed": options.seed,
        "ingest_mode": options.ingest,
        "sample": {"folder": str(sample.folder), "only": list(options.only), "files": files, "bytes": total,
                   "largest_file_bytes": largest, "products_in_manifest": sample.manifest["counts"]["products"],
                   "generated_seconds": sample.generated_seconds},
    }
    if options.ingest == "online":
        result["graph_measured"] = "online ingest"
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
        result["ingest"] = ingest
        result["neo4j_rss_after_ingest_mb"] = machine.rss_mb(target.neo4j_pid())
        with _final_graph(target, options, say, scale) as exported:
            measure_queries(target, sample, options, result, lambda line: say(f"[{scale}] {line}"))
            if options.bulk and target.own:
                say(f"[{scale}] bulk build (`mastgraph build`, child process) ...")
                result["bulk"] = measure_bulk(target, sample.paths(options.only), ingest,
                                              say=lambda line: say(f"[{scale}] {line}"))
                say(f"[{scale}] {bulk_line(result['bulk'])}")
            _limit(target, exported, ingest, result.get("bulk"), result, say, scale)
        if options.large_file:
            say(f"[{scale}] one large file: the listings joined (a quarter, a half, all), each loaded alone ...")
            result["large_file"] = measure_large_file(target, sample, lambda line: say(f"[{scale}] {line}"),
                                                      options.only)
    else:
        with contextlib.ExitStack() as stack:
            result["graph_measured"] = "bulk build"
            say(f"[{scale}] bulk build only (`mastgraph build`, child process; no online ingest, nothing to compare) ...")
            keep = Path(tempfile.mkdtemp(prefix="bulk-csv-", dir=target.home)) if options.limit and target.own else None
            stack.callback(lambda: keep and shutil.rmtree(keep, ignore_errors=True))
            # (with the limit: the build's CSV kept for the importer alone, `limit.importer_on_build_csv`)
            result["bulk"] = bulk = measure_bulk(target, sample.paths(options.only), None,
                                                 say=lambda line: say(f"[{scale}] {line}"), keep_csv=keep)
            say(f"[{scale}] {bulk_line(bulk)}")
            if "failed" in bulk or "skipped" in bulk:
                say(f"[{scale}] no graph: lineage and throughput skipped")
                result["lineage"], result["throughput"] = [], []
            else:
                result["neo4j_rss_after_build_mb"] = machine.rss_mb(target.neo4j_pid())
                with _final_graph(target, options, say, scale) as exported:
                    measure_queries(target, sample, options, result, lambda line: say(f"[{scale}] {line}"))
                    _limit(target, exported, None, bulk, result, say, scale, one_writer=options.one_writer)
    result["measured"] = {
        "started_at": started_at,
        "finished_at": _now(),
        "seconds": round(time.perf_counter() - clock, 1),
        "ingest": options.ingest,
        "quick": options.quick,
        "load_average": {"start": load_start, "end": machine.load_average()},
    }
    return result


@contextlib.contextmanager
def _final_graph(target: Target, options: Options, say: Say, scale: str):
    """The graph just built, exported for the limit (None when the limit is not measured), or
    without the one writer only counted (the importer alone then reads the build's own CSV); the
    export is removed afterwards."""
    if not options.limit or not target.own:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="limit-", dir=target.home) as folder:
        if not options.one_writer:
            counted = graph_counts(target)
            say(f"[{scale}] final graph counted for the limit: {counted['nodes']:,} nodes, "
                f"{counted['relationships']:,} relationships (not exported: no one writer)")
            yield {"nodes": counted["nodes"], "relationships": counted["relationships"], "seconds": None,
                   "bytes": None, "folder": Path(folder)}
            return
        exported = export_graph(target, Path(folder))
        say(f"[{scale}] final graph exported for the limit: {exported['nodes']:,} nodes, "
            f"{exported['relationships']:,} relationships ({exported['seconds']:.1f} s)")
        yield {**exported, "folder": Path(folder)}


def _limit(target: Target, exported: dict | None, ingest: dict | None, bulk: dict | None, result: dict, say: Say,
           scale: str, one_writer: bool = True) -> None:
    """The database's own limit for the final graph and mastgraph's ratios to it, into `result`."""
    if exported is None:
        if target.own:
            return
        result["limit"] = {"skipped": "the limits need the bench's own local Neo4j (NEO4J_URI is set)"}
        return
    result["limit"] = limit = measure_limit(target, exported, exported["folder"], ingest, bulk,
                                            say=lambda line: say(f"[{scale}] {line}"), one_writer=one_writer)
    ratios = limit.get("ratios", {})
    say(f"[{scale}] ratios: " + ", ".join(f"{name} ×{value}" for name, value in ratios.items()))


def bulk_line(bulk: dict) -> str:
    """One line on a bulk build for the bench's log."""
    if "products" not in bulk:
        return f"bulk build: {bulk.get('failed') or bulk.get('skipped')}"
    ratio = bulk.get("python_overhead_ratio")
    return (f"bulk build: {bulk['products']:,} products; end to end (to indexes online) "
            f"{bulk['end_to_end_seconds']:.1f} s = {bulk['products_per_s_end_to_end']:,.0f} products/s; with the "
            f"derivations {bulk['total_seconds']:.1f} s = {bulk['products_per_s_total']:,.0f} products/s; "
            f"(parse + CSV) / import {'–' if ratio is None else f'{ratio:.2f}'}; Python peak RSS "
            f"{bulk['python_peak_rss_mb']:.0f} MB, importer {bulk['importer_peak_rss_mb']:.0f} MB; "
            f"graph vs the online ingest: {bulk['compared_with_online_ingest']}")


def measure_queries(target: Target, sample: data.Sample, options: Options, result: dict, say: Say) -> None:
    """Lineage latency and throughput on the graph the target holds now, into `result`."""
    result["lineage"], result["throughput"] = [], []
    entries = benchmark_products(target, sample, options)
    if not entries:
        say("no L3 product with members: lineage and throughput skipped")
        return
    with ApiServer(target, "nested") as api:
        result["api_rss_idle_mb"] = api.rss_mb()
        result["lineage"] = measure_lineage(target, api, entries, options, say)
        if options.page:
            result["page"] = measure_page(api.url, entries, options.page_runs, say)
        chosen = _load_product(entries, options.load_members)
        result["throughput"] = measure_throughput(target, api, chosen, options, say)
        result["api_rss_after_load_mb"] = api.rss_mb()


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
        "code": machine.code_version(),
        "load_average": {"start": machine.load_average()},
        "options": asdict(options),
        "scales": {},
    }
    if options.ingest == "bulk" and not settings.embedded:
        raise RuntimeError(f"--ingest bulk needs the bench's own local Neo4j: the bulk importer writes store files "
                           f"on the server's disk, and NEO4J_URI is set ({settings.neo4j_uri}); unset it")
    with open_target(settings, force=options.force) as target:
        say(f"Neo4j: {target.how}")
        results["neo4j"] = {**target.version(), "how": target.how, "own_server": target.own,
                            "heap": target.settings.heap if target.own else None,
                            "pagecache": target.settings.pagecache if target.own else None}
        for scale in options.scales:
            results["scales"][scale] = run_scale(target, scale, options, say)
            results["scales"][scale]["measured"]["run_started_at"] = results["started_at"]
    results["load_average"]["end"] = machine.load_average()
    results["finished_at"] = _now()
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results
