"""The results as markdown tables, the targets of the issue judged, `results.json` and `RESULTS.md`;
`merge` keeps the scales of earlier runs (`mastgraph bench --merge`)."""

from __future__ import annotations

import json
from pathlib import Path

from mastgraph.sample.scales import SCALES

from .bulk import NOT_COMPARED, PHASES, figures

#: The targets on a 2-core machine (issue "Benchmarks: ingest rate, lineage latency, GraphQL overhead, memory").
INGEST_PRODUCTS_PER_S = 20_000
INGEST_SCALE = "M"
RSS_FLAT_FACTOR = 1.5  # "flat": RSS grows by at most this factor (across files; peak over the base)
LATENCY_MEMBERS = 1000
PAGE_RENDER_MS = 1000.0  # the explorer page: the 1,000-member L3 drawn after its answer arrived
LATENCY_P50_MS = 150.0
GRAPHQL_TO_RAW = 2.0
NAIVE_FACTOR = 10.0
#: The bulk build's targets at the large scales.
BULK_RATE_SCALE = "L"
BULK_PRODUCTS_PER_S = 100_000  # end to end: parse + CSV + import + indexes online (+ residual values)
BUILD_TIME_SCALE = "XL"
#: Judged on the whole build, derivations included; 15 min as the issue "Ingest at the database's own
#: speed" sets it (10 min before it).
BUILD_MAX_SECONDS = 900.0
PYTHON_OVERHEAD_MAX = 1.0  # (parse + CSV seconds) / importer seconds
PYTHON_OVERHEAD_SCALES = ("L", "XL")
RSS_SCALES = ("L", "XL")
RSS_SPREAD = 0.20  # Python peak RSS at L and XL within 20 % of each other: larger / smaller <= 1.2
#: The targets of the issue "Ingest at the database's own speed": mastgraph's time as a multiple of
#: the database's own limit for the same final graph, measured in the same run (bench/limit.py).
LIMIT_RATIO_MAX = 1.5
ONLINE_LIMIT_SCALE = "M"  # the online ingest / the one writer (UNWIND ... of every node and relationship)
BUILD_LIMIT_SCALE = "L"  # the bulk build / (the importer alone + indexes), on the build's own CSV

REPRODUCE = """\
    make bench                                   # = mastgraph bench: scales S and M, ~20 min on 2 cores
    mastgraph bench --scales S --quick           # a short run, numbers only indicative
    NEO4J_URI=bolt://host:7687 mastgraph bench   # an existing, empty Neo4j (--force wipes a non-empty one)
    mastgraph bench --scales L --ingest bulk --merge    # ~1M products: the bulk build alone; other scales kept
    mastgraph bench --scales XL --ingest bulk --no-one-writer --merge   # ~10M products, likewise; the limit
                                                 # the importer alone (the one writer would take hours)

By default the bench starts its own Neo4j (a local server on a free port, state under
`.mastgraph/bench/`), generates each scale once (cached under `.mastgraph/bench/data/`), loads it
into an empty database with a child loader process, serves the API with uvicorn on a free
loopback port and measures; results go to `bench/results.json` and this table to
`bench/RESULTS.md` (`--merge` keeps the scales already there that this run does not measure).
At XL the online ingest takes hours (L about 8 minutes): `--ingest bulk` runs the bulk build alone (its graph is
"not compared" with an online one) and measures latency and throughput on the graph it built. Give
the bench's Neo4j room for the derivations and queries at those scales, e.g.
`MASTGRAPH_NEO4J_HEAP=2g MASTGRAPH_NEO4J_PAGECACHE=3g`."""


def _fmt(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and digits == 0:
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _triple(summary: dict) -> str:
    if not summary or not summary.get("n"):
        return "–"
    return f"{summary['p50']:.1f} / {summary['p95']:.1f} / {summary['p99']:.1f}"


def _table(header: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """A markdown table; the first `left` columns left-aligned, the others right-aligned."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(["---"] * left + ["---:"] * (len(header) - left)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _bytes(value: int | None) -> str:
    if value is None:
        return "–"
    if value >= 2**30:
        return f"{value / 2**30:,.2f} GB"
    return f"{value / 2**20:,.0f} MB"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:,.1f} min" if seconds >= 60 else f"{seconds:,.1f} s"


def bulk_figures(bulk: dict | None) -> dict:
    """A scale's bulk entry with every figure `figures` gives (entries written before these
    figures existed are completed from their build report), and `compared_with_online_ingest`."""
    if not bulk or "products" not in bulk:
        return dict(bulk or {})
    out = dict(bulk)
    report = bulk.get("report")
    if report:
        for key, value in figures(report, bulk["products"], bulk.get("relationships")).items():
            out.setdefault(key, value)
    if "compared_with_online_ingest" not in out:
        same = bulk.get("same_graph_as_online_ingest")
        out["compared_with_online_ingest"] = (NOT_COMPARED if same is None else
                                              "same graph" if all(same.values()) else "NOT the same graph")
    return out


def _ordered_scales(scales: dict) -> dict:
    order = list(SCALES)
    return dict(sorted(scales.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])))


def targets(results: dict) -> list[dict]:
    """Each target of the issue with the measured value; `met` is None when it was not measured."""
    scales = results.get("scales", {})
    out: list[dict] = []

    def add(name: str, measured: str, met: bool | None, note: str = "") -> None:
        out.append({"target": name, "measured": measured, "met": met, "note": note})

    ingest = scales.get(INGEST_SCALE, {}).get("ingest")
    add(f"ingest ≥ {INGEST_PRODUCTS_PER_S:,} products/s at {INGEST_SCALE} (all relationships): online ingest",
        f"{ingest['products_per_s']:,.0f} products/s" if ingest else "not measured",
        ingest["products_per_s"] >= INGEST_PRODUCTS_PER_S if ingest else None)
    bulk = bulk_figures(scales.get(INGEST_SCALE, {}).get("bulk"))
    if bulk:
        compared = bulk.get("compared_with_online_ingest")
        rate_met = "products_per_s" in bulk and bulk["products_per_s"] >= INGEST_PRODUCTS_PER_S
        add(f"ingest ≥ {INGEST_PRODUCTS_PER_S:,} products/s at {INGEST_SCALE}: bulk build (`mastgraph build`)",
            f"{bulk['products_per_s']:,.0f} products/s" if "products_per_s" in bulk else "failed",
            rate_met and compared in ("same graph", NOT_COMPARED) if "products_per_s" in bulk else False,
            "" if "products_per_s" not in bulk else
            ("same graph as the online ingest" if compared == "same graph" else
             "not compared with an online ingest (--ingest bulk)" if compared == NOT_COMPARED else
             "NOT the same graph as the online ingest"))
    out.extend(bulk_targets(scales))
    out.extend(limit_targets(scales))
    measured = [(s["ingest"]["input_mb"], name, s["ingest"]) for name, s in scales.items() if s.get("ingest")]
    if measured:
        _, name, largest = max(measured)
        memory = largest["loader"]["memory"]
        marks = {c["fraction_of_files"]: c for c in memory["checkpoints"]}
        early, late = marks.get(0.1), marks.get(0.75)
        if early and late:
            growth = late["rss_mb"] / early["rss_mb"]
            add("loader RSS flat in the total input (streaming across files)",
                f"{early['rss_mb']:.0f} MB after {early['input_bytes'] / 2**20:.0f} MB read → {late['rss_mb']:.0f} MB "
                f"after {late['input_bytes'] / 2**20:.0f} MB ({name})", growth <= RSS_FLAT_FACTOR,
                f"×{growth:.2f} for ×{late['input_bytes'] / max(1, early['input_bytes']):.0f} the input")
    joined = [(s["large_file"]["sizes"][-1]["file_mb"], name, s["large_file"]) for name, s in scales.items()
              if (s.get("large_file") or {}).get("sizes")]
    if joined:
        _, name, large = max(joined)
        sizes = large["sizes"]
        growth = sizes[-1]["peak_rss_mb"] / sizes[0]["peak_rss_mb"]
        add("loader RSS flat in the largest file (one listing: a quarter, a half, all of the sample's joined)",
            " / ".join(f"{s['peak_rss_mb']:.0f}" for s in sizes) + " MB peak for "
            + " / ".join(f"{s['file_mb']:.0f}" for s in sizes) + f" MB ({name})",
            growth <= RSS_FLAT_FACTOR and not any(s["failed_files"] for s in sizes),
            f"×{growth:.2f} for ×{sizes[-1]['file_mb'] / max(0.1, sizes[0]['file_mb']):.0f} the file; checked on "
            f"disk above {large['checked_on_disk_above_mb']:g} MB")
    big = [m for s in scales.values() for m in s.get("lineage", []) if m["checks"]["members"] == LATENCY_MEMBERS]
    if big:
        m = big[-1]
        p50 = m["latency_ms"]["graphql"]["p50"]
        add(f"L3 with {LATENCY_MEMBERS:,} members to raw: GraphQL p50 ≤ {LATENCY_P50_MS:g} ms", f"{p50:.1f} ms",
            p50 <= LATENCY_P50_MS)
        ratio = m["ratio_graphql_to_raw_p50"]
        add(f"GraphQL / raw Cypher ≤ {GRAPHQL_TO_RAW:g} ({LATENCY_MEMBERS:,} members, p50)", f"×{ratio:.2f}",
            ratio <= GRAPHQL_TO_RAW)
    else:
        add(f"L3 with {LATENCY_MEMBERS:,} members to raw: GraphQL p50 ≤ {LATENCY_P50_MS:g} ms", "not measured", None,
            "the 1,000-member product exists at M and above")
        add(f"GraphQL / raw Cypher ≤ {GRAPHQL_TO_RAW:g}", "not measured", None)
    pages = [x for s in scales.values() for x in (s.get("page") or {}).get("products", [])
             if x["members"] == LATENCY_MEMBERS]
    name = f"explorer page: the {LATENCY_MEMBERS:,}-member L3 drawn, grouped, ≤ {PAGE_RENDER_MS:g} ms after the answer"
    if pages:
        render = pages[-1]["render_ms"]
        add(name, f"{render['p50']:.0f} ms p50, {render['max']:.0f} ms max ({pages[-1]['objects']:,} objects, "
            f"{pages[-1]['drawn']} drawn)", render["max"] <= PAGE_RENDER_MS, "headless Chromium, performance.now()")
    else:
        add(name, "not measured", None, "needs the M scale and Chromium")
    every = [m for s in scales.values() for m in s.get("lineage", [])]
    if every:
        worst = max(m["round_trips"]["graphql"] for m in every)
        depth = every[0]["round_trips"]["nesting_depth"]
        add("round trips per nested request ≤ nesting depth", f"{worst} (depth {depth})", worst <= depth)
        fewest = min(m["ratio_naive_to_graphql_round_trips"] for m in every)
        add(f"≥ {NAIVE_FACTOR:g}× fewer round trips than the naive baseline", f"×{fewest:,.0f} fewer (smallest)",
            fewest >= NAIVE_FACTOR)
    return out


def bulk_targets(scales: dict) -> list[dict]:
    """The bulk build's targets at L and XL, judged on what was measured (None: not measured)."""
    out: list[dict] = []

    def add(name: str, measured: str, met: bool | None, note: str = "") -> None:
        out.append({"target": name, "measured": measured, "met": met, "note": note})

    def built(scale: str) -> dict | None:
        """The scale's bulk figures; {} when its build failed; None when no build was attempted."""
        entry = scales.get(scale, {}).get("bulk")
        if not entry or "skipped" in entry:
            return None
        return bulk_figures(entry) if "products" in entry else {}

    # Both targets are judged on the whole build, the derivations included: only then does the
    # graph hold all its relationships. The time to indexes online (parse + CSV + import +
    # indexes) is given in the note.
    name = (f"bulk build end to end (parse + CSV + import + indexes + derivations: all relationships) "
            f"≥ {BULK_PRODUCTS_PER_S:,} products/s at {BULK_RATE_SCALE}")
    b = built(BULK_RATE_SCALE)
    if b is None:
        add(name, "not measured", None, f"`mastgraph bench --scales {BULK_RATE_SCALE} --ingest bulk`")
    elif not b or b.get("products_per_s_total") is None:
        add(name, "failed", False, (scales[BULK_RATE_SCALE]["bulk"].get("failed") or "")[:120])
    else:
        add(name, f"{b['products_per_s_total']:,.0f} products/s", b["products_per_s_total"] >= BULK_PRODUCTS_PER_S,
            f"{b['products']:,} products in {b['total_seconds']:,.1f} s; to indexes online (before the "
            f"derivations) {b['products_per_s_end_to_end']:,.0f} products/s")

    name = f"{BUILD_TIME_SCALE} built in ≤ {BUILD_MAX_SECONDS / 60:g} min (bulk build, derivations included)"
    b = built(BUILD_TIME_SCALE)
    if b is None:
        add(name, "not measured", None, f"`mastgraph bench --scales {BUILD_TIME_SCALE} --ingest bulk`")
    elif not b or b.get("total_seconds") is None:
        add(name, "failed", False, (scales[BUILD_TIME_SCALE]["bulk"].get("failed") or "")[:120])
    else:
        add(name, _minutes(b["total_seconds"]), b["total_seconds"] <= BUILD_MAX_SECONDS,
            f"{b['products']:,} products; to indexes online {_minutes(b['end_to_end_seconds'])}")

    for scale in PYTHON_OVERHEAD_SCALES:
        name = f"Python overhead (parse + CSV) ≤ importer time at {scale} (ratio ≤ {PYTHON_OVERHEAD_MAX:g})"
        b = built(scale)
        if b is None:
            add(name, "not measured", None)
        elif not b or b.get("python_overhead_ratio") is None:
            add(name, "failed", False)
        else:
            phases = b["phases_seconds"]
            add(name, f"×{b['python_overhead_ratio']:.2f}", b["python_overhead_ratio"] <= PYTHON_OVERHEAD_MAX,
                f"parse {phases.get('parse', 0):,.1f} s + CSV {phases.get('csv', 0):,.1f} s vs import "
                f"{phases['import']:,.1f} s")

    small, large = RSS_SCALES
    name = f"bulk build Python peak RSS at {small} and {large} within {RSS_SPREAD:.0%} of each other"
    a, b = built(small), built(large)
    if not a or not b or not a.get("python_peak_rss_mb") or not b.get("python_peak_rss_mb"):
        have = [s for s, x in ((small, a), (large, b)) if x and x.get("python_peak_rss_mb")]
        add(name, f"needs {small} and {large}", None, f"measured: {', '.join(have)}" if have else "")
    else:
        ra, rb = a["python_peak_rss_mb"], b["python_peak_rss_mb"]
        spread = max(ra, rb) / min(ra, rb)
        add(name, f"{small} {ra:,.0f} MB, {large} {rb:,.0f} MB", spread <= 1 + RSS_SPREAD,
            f"larger / smaller ×{spread:.2f}")
    return out


def limit_targets(scales: dict) -> list[dict]:
    """The online ingest at M and the bulk build at L as multiples of the database's own limit for
    the same final graph in the same run (`limit.ratios`); `met` None when that was not measured."""
    cap = f"≤ ×{LIMIT_RATIO_MAX:g}"

    def online_note(scale: dict) -> str:
        return f"{scale['ingest']['seconds']:,.1f} s against {scale['limit']['single_writer']['seconds']:,.1f} s"

    def build_note(scale: dict) -> str:
        importer, total = scale["limit"]["importer"], bulk_figures(scale["bulk"]).get("total_seconds")
        return f"{total:,.1f} s against {importer['import_seconds']:,.1f} + {importer['index_seconds']:,.1f} s"

    out: list[dict] = []
    for scale_name, name, key, measured, note in (
            (ONLINE_LIMIT_SCALE, f"online ingest at {ONLINE_LIMIT_SCALE} {cap} the one writer of the same graph "
                                 f"in the same run", "online_ingest_to_single_writer", "ingest", online_note),
            (BUILD_LIMIT_SCALE, f"bulk build at {BUILD_LIMIT_SCALE} (all relationships) {cap} the importer alone + "
                                f"indexes on its CSV in the same run", "build_to_importer_and_index", "bulk",
             build_note)):
        scale = scales.get(scale_name) or {}
        ratio, why = _limit_ratio(scale, key, measured)
        if ratio is None:
            out.append({"target": name, "measured": "not measured", "met": None, "note": why})
        else:
            out.append({"target": name, "measured": f"×{ratio:.2f}", "met": ratio <= LIMIT_RATIO_MAX,
                        "note": note(scale)})
    return out


def _limit_ratio(scale: dict, key: str, measured: str) -> tuple[float | None, str]:
    """A scale's ratio `key` to its limit, or None and why there is none."""
    what, entry = "online ingest" if measured == "ingest" else "bulk build", scale.get(measured)
    if not entry:
        return None, f"no {what} measured"
    if "failed" in entry:
        return None, f"the {what} failed"
    limit = scale.get("limit")
    if not limit:
        return None, "the limit was not measured (--no-limit)"
    if "skipped" in limit:
        return None, str(limit["skipped"])[:120]
    ratio = (limit.get("ratios") or {}).get(key)
    if ratio is None:
        failed = (limit.get("importer") or {}).get("failed") if measured == "bulk" else None
        return None, f"the importer alone failed: {failed}"[:120] if failed else "no ratio in the limit's results"
    return float(ratio), ""


def runs(results: dict) -> list[dict]:
    """The runs the scales of `results` come from (one, unless merged), newest last."""
    if results.get("runs"):
        return results["runs"]
    return [run_summary(results)]


def run_summary(results: dict) -> dict:
    """What a run's header line needs: when, where, how, which scales."""
    m = results.get("machine", {})
    neo = results.get("neo4j", {})
    options = results.get("options", {})
    return {
        "scales": list(results.get("scales", {})),
        "started_at": results.get("started_at"),
        "finished_at": results.get("finished_at"),
        "command": results.get("command"),
        "quick": bool(options.get("quick")),
        "ingest": options.get("ingest", "online"),
        "max_requests": options.get("max_requests"),
        "max_seconds": options.get("max_seconds"),
        "machine": {k: m.get(k) for k in ("cpu_model", "cores_usable", "memory_total_mb", "python")},
        "neo4j": {k: neo.get(k) for k in ("version", "edition", "own_server", "how", "heap", "pagecache")},
        "load_average": results.get("load_average", {}),
        "code": results.get("code"),
    }


def _measured(entry: dict, previous: dict) -> dict:
    """A scale entry of `previous` with its `measured` record (older entries: from their run)."""
    if "measured" in entry:
        return entry
    options = previous.get("options", {})
    return {**entry, "measured": {"run_started_at": previous.get("started_at"),
                                  "run_finished_at": previous.get("finished_at"),
                                  "ingest": options.get("ingest", "online"), "quick": bool(options.get("quick"))}}


def read_previous(path: Path) -> dict:
    """The results in `path`, to merge into; ValueError when it is no results file."""
    try:
        previous = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot merge into {path}: {exc}") from None
    if not isinstance(previous, dict) or not isinstance(previous.get("scales"), dict) or "machine" not in previous:
        raise ValueError(f"cannot merge into {path}: not a `mastgraph bench` results file")
    return previous


def merge(previous: dict, current: dict) -> dict:
    """`current` with the scales of `previous` it did not measure; `runs` says which run gave which scale."""
    kept = {name: _measured(entry, previous) for name, entry in previous.get("scales", {}).items()
            if name not in current.get("scales", {})}
    history = []
    for run in runs(previous):
        left = [scale for scale in run["scales"] if scale in kept]
        if left:
            history.append({**run, "scales": left})
    merged = {key: value for key, value in current.items() if key not in ("targets", "runs")}
    merged["scales"] = _ordered_scales({**kept, **current.get("scales", {})})
    merged["runs"] = history + [run_summary(current)]
    return merged


def _run_line(run: dict, several: bool) -> str:
    m, neo, load = run.get("machine", {}), run.get("neo4j", {}), run.get("load_average", {})
    server = (f"own local server, heap {neo.get('heap')}, page cache {neo.get('pagecache')}" if neo.get("own_server")
              else neo.get("how") or "")
    memory = m.get("memory_total_mb")
    what = (f"{', '.join(run['scales'])}: measured" if several else "Measured") + f" {run.get('started_at', '?')}"
    if several:
        what += f" to {run.get('finished_at', '?')}"
    notes = []
    if run.get("ingest") == "bulk":
        notes.append("`--ingest bulk`: bulk build only, no online ingest")
    if run.get("quick"):
        notes.append("quick run: indicative only")
    code = run.get("code") or {}
    if code.get("commit"):
        notes.append(f"code {code['commit'][:7]}{' with local changes' if code.get('modified') else ''}")
    return (f"{what} on {m.get('cpu_model', '?')}, {m.get('cores_usable', '?')} cores usable, "
            f"{memory / 1024:.1f} GB RAM" if memory else f"{what} on {m.get('cpu_model', '?')}") + (
        f"; {m.get('python', '?')}; Neo4j {neo.get('version', '?')} {neo.get('edition', '')} ({server}). "
        f"Load average (1/5/15 min) at start {load.get('start')}, at end {load.get('end')}"
        f"{'; ' + '; '.join(notes) if notes else ''}.")


def _bulk_tables(scales: dict, run_started_at: str | None = None) -> list[str]:
    built = {name: bulk_figures(s.get("bulk")) for name, s in scales.items() if s.get("bulk")}
    if not built:
        return []
    lines = ["", "**Bulk build** (`mastgraph build`, per phase in seconds: parse = the loaders and the spill, "
             "CSV = merged partitions written as the importer's CSV, import = Neo4j's importer alone (the server's "
             "stop and start apart), index = indexes online, residuals = values the CSV cannot hold; end to end = "
             "parse + CSV + import + restart + indexes + residuals; total = that and the derivations; "
             "(parse + CSV) / import = the Python side's time per second of the importer's)", ""]
    rows, memory = [], []
    for name, b in built.items():
        if "products" not in b:
            rows.append([name, b.get("failed") or b.get("skipped", "")] + [""] * 15)
            continue
        phases = b.get("phases_seconds", {})
        ratio = b.get("python_overhead_ratio")
        rows.append([name, _fmt(b["products"]), _fmt(b.get("nodes")), _fmt(b["relationships"]),
                     *[_fmt(phases.get(p), 1) for p in PHASES[:3]], _fmt(b.get("server_restart_seconds"), 1),
                     *[_fmt(phases.get(p), 1) for p in PHASES[3:5]],
                     _fmt(b.get("end_to_end_seconds"), 1), _fmt(b.get("products_per_s_end_to_end")),
                     _fmt(phases.get("derive"), 1), _fmt(b.get("total_seconds"), 1), _fmt(b.get("products_per_s_total")),
                     "–" if ratio is None else f"×{ratio:.2f}", b["compared_with_online_ingest"]])
        workers = b.get("python_worker_rss_mb") or {}
        worker_text = " / ".join(f"{phase} {_fmt(v)} MB" for phase, v in workers.items()) or "–"
        when = ((b.get("measured_at") or {}).get("started") or (scales[name].get("measured") or {}).get("run_started_at")
                or run_started_at)
        memory.append([name, f"{_fmt(b.get('python_peak_rss_mb'))} MB",
                       f"{_fmt(b.get('python_main_rss_mb'))} MB" if b.get("python_main_rss_mb") else "–", worker_text,
                       f"{_fmt(b.get('importer_peak_rss_mb'))} MB", _bytes(b.get("database_bytes")),
                       _bytes(b.get("spill_bytes")), _bytes(b.get("csv_bytes")), _bytes(b.get("input_bytes")),
                       _fmt(b.get("files")), f"{_fmt(b.get('workers'))} / {_fmt(b.get('partitions'))}",
                       _phase_cpu_text(b.get("cpu_seconds_by_phase")), when or "–"])
    lines += _table(["scale", "products", "nodes", "relationships", "parse", "CSV", "import", "server stop + start",
                     "index", "residuals", "end to end", "products/s end to end", "derive", "total",
                     "products/s total", "(parse + CSV) / import", "graph vs online ingest"], rows)
    lines += ["", "Memory and disk of the bulk build (peak RSS: Python = the largest of the main process and "
              "each worker; workers per phase; the importer's JVM; database = store and transaction logs on disk "
              "after the build; spill and CSV = the work files, deleted afterwards; input = what the loaders read; "
              "CPU seconds per phase of the build's own process and its workers (DuckDB's rules in derive), then "
              "Neo4j's: the importer's JVM and the server started after it)", ""]
    lines += _table(["scale", "Python peak RSS", "main process", "workers", "importer peak RSS", "database on disk",
                     "spill", "CSV", "input", "files", "workers / partitions", "CPU s: Python per phase; Neo4j",
                     "started (UTC)"], memory)
    return lines


def _phase_cpu_text(by_phase: dict | None) -> str:
    if not by_phase:
        return "–"
    python = " / ".join(f"{phase} {_fmt(v, 1)}" for phase, v in by_phase.get("python", {}).items())
    neo4j = " / ".join(f"{part} {_fmt(v, 1)}" for part, v in by_phase.get("neo4j", {}).items())
    return f"{python}; {neo4j}" if neo4j else python


def _ingest_rss(ingest: dict) -> str:
    """The online ingest's peak RSS: its own process, and the largest of one helper process if it had any."""
    helpers = ingest.get("helpers") or {}
    own = f"{_fmt(ingest.get('loader_peak_rss_mb'))} MB"
    return f"{own}, helper {_fmt(helpers['peak_rss_mb'])} MB" if helpers.get("processes") else own


def limit_tables(scales: dict) -> list[str]:
    """The database's own limit for each scale's final graph, and mastgraph's times as ratios to it."""
    measured = {name: s for name, s in scales.items()
                if s.get("limit") and ("single_writer" in s["limit"] or "importer" in s["limit"])}
    skipped = {name: s["limit"]["skipped"] for name, s in scales.items() if (s.get("limit") or {}).get("skipped")}
    if not measured and not skipped:
        return []
    lines = ["", "**The limit** for the same final graph, in the same run: one writer = every node, then every "
             "relationship, `UNWIND $rows … CREATE` (relationship ends MATCHed by key), 10,000 rows a transaction, into a "
             "fresh database with the schema; importer = `neo4j-admin database import full` alone on the final "
             "graph's CSV, + index = the schema's indexes brought online after it; mastgraph's times as multiples "
             "of them (CPU seconds: Python / Neo4j; the ingest's Python: its own process and its helper processes, "
             "the parse workers and the planning helper; its peak RSS: its own process, and the largest of a helper; "
             "the importer's and the build's Neo4j: the importer's JVM and the server started after it, from its "
             "start to the indexes online; the build's Python: its own process, DuckDB's rules in it, and its workers)",
             ""]
    rows = []
    for name, s in measured.items():
        limit = s["limit"]
        writer, importer, ratios = limit.get("single_writer"), limit.get("importer", {}), limit.get("ratios", {})
        ingest = s.get("ingest") or {}
        bulk = bulk_figures(s.get("bulk"))
        phases = ingest.get("phases_seconds") or {}
        phase_text = " / ".join(f"{k} {_fmt(v, 1)}" for k, v in phases.items()) or "–"
        same = limit.get("same_size", {})
        rows.append([
            name, _fmt(limit["graph"]["nodes"]), _fmt(limit["graph"]["relationships"]),
            f"{_fmt(writer['seconds'], 1)} ({_fmt(writer['phases_seconds']['nodes'], 1)} + "
            f"{_fmt(writer['phases_seconds']['relationships'], 1)})" if writer else "not run",
            f"{_fmt(writer.get('python_cpu_seconds'), 1)} / {_fmt(writer.get('neo4j_cpu_seconds'), 1)}" if writer
            else "–",
            importer.get("failed", "")[:80] if "failed" in importer else
            f"{_fmt(importer.get('import_seconds'), 1)} + {_fmt(importer.get('index_seconds'), 1)}",
            _cpu_pair(importer, "importer_cpu_seconds", "server_cpu_seconds"),
            _fmt(ingest.get("seconds"), 1) if ingest else "–", phase_text,
            f"{_fmt(ingest.get('python_cpu_seconds'), 1)} / {_fmt(ingest.get('neo4j_cpu_seconds'), 1)}" if ingest else "–",
            _ingest_rss(ingest) if ingest else "–",
            _ratio_text(ratios.get("online_ingest_to_single_writer")),
            _fmt(bulk.get("total_seconds"), 1) if bulk.get("total_seconds") else "–",
            _cpu_pair(bulk, "python_cpu_seconds", "neo4j_cpu_seconds"),
            _ratio_text(ratios.get("build_to_importer")), _ratio_text(ratios.get("build_to_importer_and_index")),
            "yes" if same and all(value for value in same.values() if value is not None) else "NO",
        ])
    for name, why in skipped.items():
        rows.append([name, why] + [""] * 15)
    lines += _table(["scale", "nodes", "relationships", "one writer s (nodes + relationships)",
                     "one writer CPU s", "importer s + index s", "importer / server CPU s", "online ingest s",
                     "ingest phases s", "ingest CPU s", "ingest peak RSS", "ingest / one writer", "build s",
                     "build CPU s", "build / importer",
                     "build / (importer + index)", "same size"], rows)
    return lines


def _cpu_pair(figures: dict, first: str, second: str, missing: str = "–") -> str:
    """Two CPU-second figures as "first / second" (a build's mastgraph / Neo4j, the importer's JVM /
    the server); `missing` when the first was not measured (results written before they were)."""
    if figures.get(first) is None:
        return missing
    return f"{_fmt(figures[first], 1)} / {_fmt(figures.get(second), 1)}"


def large_file_table(scales: dict) -> list[str]:
    """The sample's listings joined into one file, each size loaded alone (`bench/large_file.py`)."""
    rows = [[name, f"{size['fraction']:g}", f"{size['file_mb']:.1f} MB", _fmt(size["rows"]), _fmt(size["seconds"], 1),
             f"{size['peak_rss_mb']:.0f} MB ({size['rss_before_mb']:.0f} MB before it)", _fmt(size["products"]),
             _fmt(size["relationships"]), "failed" if size["failed_files"] else "loaded"]
            for name, s in scales.items() for size in (s.get("large_file") or {}).get("sizes", [])]
    if not rows:
        return []
    above = next(s["large_file"]["checked_on_disk_above_mb"] for s in scales.values() if s.get("large_file"))
    lines = ["", "**One large file**: the sample's product listings joined into one listing (a quarter, a half and "
             "all of them), each loaded alone into an empty database by the same child loader (online ingest); a "
             f"file over {above:g} MB is checked on disk, one over 10 × MASTGRAPH_BATCH_SIZE records written in "
             "parts, one transaction each", ""]
    return lines + _table(["scale", "part of the listings", "file", "rows", "seconds", "loader peak RSS", "products",
                           "relationships", ""], rows)


def _ratio_text(value: float | None) -> str:
    return "–" if value is None else f"×{value:.2f}"


def markdown(results: dict) -> str:
    scales = results["scales"]
    all_runs = runs(results)
    several = len(all_runs) > 1
    lines = []
    if several:
        lines += [f"Merged from {len(all_runs)} runs (`mastgraph bench --merge`), oldest first:", ""]
        lines += [f"- {_run_line(run, True)}" for run in all_runs]
    else:
        lines.append(_run_line(all_runs[0], False))
    lines += [
        "",
        "**Ingest** into an empty database (online ingest = `mastgraph ingest`: parse + write + derive, one "
        "transaction per file, in a child process; bulk build = `mastgraph build`: Neo4j's importer, then the "
        "derivations, end to end; rates are Product nodes and all relationships, derived ones included, per "
        "second of wall time; the online ingest's CPU and RSS count its helper processes: see the limit's table)",
        "",
    ]
    rows = []
    for name, s in scales.items():
        i = s.get("ingest")
        if i:
            mem = i["loader"]["memory"]
            cpu = f"{_fmt(i.get('python_cpu_seconds'))} / {_fmt(i['loader'].get('neo4j_cpu_seconds'))}"
            rows.append([name, "online ingest", _fmt(i["products"]), _fmt(i["relationships"]), _fmt(i["seconds"], 1),
                         cpu, _fmt(i["products_per_s"]), _fmt(i["relationships_per_s"]),
                         f"{_ingest_rss(i)} ({mem['before_first_file_mb']:.0f} MB before the 1st file)",
                         f"{i['largest_file_mb']:.2f} MB", f"{i['input_mb']:.0f} MB"])
        b = bulk_figures(s.get("bulk"))
        if "products_per_s" in b:
            compared = b["compared_with_online_ingest"]
            label = ("bulk build" + (" (not the same graph!)" if compared == "NOT the same graph" else "")
                     + (" (no online ingest: not compared)" if compared == NOT_COMPARED else "")
                     + (f" ({b['note']})" if b.get("note") else ""))
            rows.append([name, label, _fmt(b["products"]), _fmt(b["relationships"]), _fmt(b["seconds"], 1),
                         _cpu_pair(b, "python_cpu_seconds", "neo4j_cpu_seconds", ""), _fmt(b["products_per_s"]),
                         _fmt(b["relationships_per_s"]),
                         f"{b['python_peak_rss_mb']:.0f} MB (importer {b['importer_peak_rss_mb']:.0f} MB)", "",
                         _bytes(b.get("input_bytes")) if not i else ""])
        elif b:
            rows.append([name, "bulk build", b.get("failed") or b.get("skipped", ""), "", "", "", "", "", "", "", ""])
    lines += _table(["scale", "path", "products", "relationships", "seconds", "CPU s loader / Neo4j", "products/s",
                     "relationships/s",
                     "loader peak RSS", "largest file", "input"], rows, left=2)
    lines += _bulk_tables(scales, results.get("started_at"))
    lines += limit_tables(scales)
    lines += large_file_table(scales)
    on_bulk = [name for name, s in scales.items() if s.get("graph_measured") == "bulk build"]
    lines += ["", "**L3 → raw** (nested query L3 → composedOf → antecedents → antecedents, 5 fields per object; "
              "latency p50 / p95 / p99 in ms over loopback HTTP including JSON decoding; raw Cypher = the same "
              "answer from one query with the Python driver; naive = one query per resolved relation field"
              + (f"; at {', '.join(on_bulk)} on the bulk-built graph (no online ingest)" if on_bulk else "") + ")", ""]
    rows = []
    for name, s in scales.items():
        for x in s.get("lineage", []):
            lat = x["latency_ms"]
            trips = x["round_trips"]
            rows.append([name, _fmt(x["checks"]["members"]), _fmt(x["checks"]["objects"]), _triple(lat["graphql"]),
                         _triple(lat["raw_cypher"]), f"×{x['ratio_graphql_to_raw_p50']:.2f}",
                         _fmt(lat.get("level_by_level", {}).get("p50"), 1), _fmt(x["naive_latency_ms"].get("p50"), 1),
                         f"{trips['graphql']} / {trips.get('level_by_level', '–')} / {trips['naive']:,}",
                         f"×{x['ratio_naive_to_graphql_round_trips']:,.0f}",
                         "yes" if x["checks"]["graphql_equals_raw_cypher"] and x["checks"]["same_raw_exposures"] else "NO"])
    lines += _table(["scale", "members", "objects", "GraphQL", "raw Cypher", "GraphQL/raw p50", "level-by-level p50",
                     "naive p50", "round trips GraphQL / level-by-level / naive", "fewer than naive",
                     "same answer"], rows)
    lines += ["", "Where the GraphQL p50 goes: Neo4j as the API sees it (query, transfer, decoding the rows: the "
              "API's own clock, on separate debug requests), the API and HTTP (the rest), the client's JSON decoding; "
              "the rest is \"–\" where those separate requests' Neo4j p50 is longer than the timed requests' whole "
              "p50 (a few fast requests, a quick run: the split is not resolved).",
              ""]
    rows = []
    for name, s in scales.items():
        for x in s.get("lineage", []):
            total = x["latency_ms"]["graphql"]["p50"]
            neo4j_ms = x.get("graphql_neo4j_ms_p50")
            decode = x.get("graphql_client_json_decode_ms_p50")
            rest = total - (neo4j_ms or 0) - (decode or 0)
            rows.append([name, _fmt(x["checks"]["members"]), f"{total:.1f}", _fmt(neo4j_ms, 1),
                         f"{rest:.1f}" if rest >= 0 else "–",
                         _fmt(decode, 1), f"{x['latency_ms']['raw_cypher']['p50']:.1f}",
                         f"{x['graphql_json_bytes'] / 1024:,.0f} kB"])
    lines += _table(["scale", "members", "GraphQL p50", "Neo4j (API)", "API + HTTP", "client JSON decode",
                     "raw Cypher p50 (sync driver)", "answer JSON"], rows)
    bounds = {(r.get("max_requests"), r.get("max_seconds")) for r in all_runs if r.get("max_requests") is not None}
    if len(bounds) == 1:
        (requests, seconds), = bounds
        bound_text = f"{requests} requests or {seconds:g} s per level"
    else:
        bound_text = "; ".join(f"{', '.join(r['scales'])}: {r['max_requests']} requests or {r['max_seconds']:g} s"
                               for r in all_runs if r.get("max_requests") is not None) + " per level"
    lines += ["", "**Throughput** (the L3 → raw request, concurrent async clients on loopback; bounded by "
              f"{bound_text}; CPU ms per request of the API / Neo4j / the bench client, all on the same cores)", ""]
    rows = []
    for name, s in scales.items():
        for t in s.get("throughput", []):
            cpu = t.get("cpu_ms_per_request", {})
            rows.append([name, _fmt(t["members"]), _fmt(t["concurrency"]), _fmt(t["requests"]),
                         _fmt(t["requests_per_s"], 1), f"{t['latency_ms'].get('p50', 0):.1f} / {t['latency_ms'].get('p95', 0):.1f}",
                         _fmt(t["failed"]), f"{t['api_rss_mb']['peak']:.0f} MB",
                         " / ".join(_fmt(cpu.get(k), 1) for k in ("api", "neo4j", "client"))])
    lines += _table(["scale", "members", "clients", "requests", "requests/s", "latency p50 / p95 ms", "failed",
                     "API RSS peak", "CPU ms/request API / Neo4j / client"], rows)
    lines += page_table(scales)
    lines += ["", "**Targets** (2-core machine)", ""]
    marks = {True: "met", False: "**not met**", None: "–"}
    lines += _table(["target", "measured", "", "note"],
                    [[t["target"], t["measured"], marks[t["met"]], t["note"]] for t in targets(results)], left=4)
    return "\n".join(lines) + "\n"


def page_table(scales: dict) -> list[str]:
    """The explorer page's timings in headless Chromium (bench/page.py), or the line saying why not."""
    lines = ["", "**Explorer page** (headless Chromium on the served API; the page's own `performance.now()`: "
             "answer = request sent → JSON decoded, drawn = answer → grouped picture on screen (next frame); "
             "p50 / p95 / p99 ms; then expanding the largest group)", ""]
    rows, notes = [], []
    for name, s in scales.items():
        page = s.get("page")
        if not page:
            continue
        if "products" not in page:
            notes.append(f"{name}: {page.get('skipped') or page.get('failed')}")
            continue
        for x in page["products"]:
            expand = x.get("expand")
            rows.append([name, _fmt(x["members"]), _fmt(x["objects"]), f"{x['drawn']} ({x['groups']} groups)",
                         _triple(x["fetch_ms"]), _triple(x["render_ms"]),
                         f"{expand['group']}: {expand['ms']:.0f} ms, {expand['drawn']:,} drawn" if expand else "–"])
    if not rows and not notes:
        return []
    if rows:
        lines += _table(["scale", "members", "objects", "drawn", "answer ms", "drawn ms", "expand the largest group"],
                        rows)
    lines += [f"- {note}" for note in notes]
    return lines


def results_markdown(results: dict) -> str:
    intro = ("Several `mastgraph bench` runs, merged (`--merge`); `bench/results.json` holds every number."
             if len(runs(results)) > 1 else "The latest `mastgraph bench` run (`bench/results.json` holds every number).")
    return "# mastgraph benchmark results\n\n" + intro + "\n\n" + markdown(results) + "\n## How to reproduce\n\n" + REPRODUCE + "\n"


def write(results: dict, out: Path, markdown_out: Path | None) -> None:
    results = {**results, "targets": targets(results)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if markdown_out is not None:
        markdown_out.parent.mkdir(parents=True, exist_ok=True)
        markdown_out.write_text(results_markdown(results), encoding="utf-8")
