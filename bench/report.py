"""The results as markdown tables, the targets of the issue judged, `results.json` and `RESULTS.md`."""

from __future__ import annotations

import json
from pathlib import Path

#: The targets on a 2-core machine (issue "Benchmarks: ingest rate, lineage latency, GraphQL overhead, memory").
INGEST_PRODUCTS_PER_S = 20_000
INGEST_SCALE = "M"
RSS_FLAT_FACTOR = 1.5  # "flat": RSS grows by at most this factor (across files; peak over the base)
LATENCY_MEMBERS = 1000
LATENCY_P50_MS = 150.0
GRAPHQL_TO_RAW = 2.0
NAIVE_FACTOR = 10.0

REPRODUCE = """\
    make bench                                   # = mastgraph bench: scales S and M, ~45 min on 2 cores
    mastgraph bench --scales S --quick           # a short run, numbers only indicative
    NEO4J_URI=bolt://host:7687 mastgraph bench   # an existing, empty Neo4j (--force wipes a non-empty one)

By default the bench starts its own Neo4j (a local server on a free port, state under
`.mastgraph/bench/`), generates each scale once (cached under `.mastgraph/bench/data/`), loads it
into an empty database with a child loader process, serves the API with uvicorn on a free
loopback port and measures; results go to `bench/results.json` and this table to
`bench/RESULTS.md`."""


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
    bulk = scales.get(INGEST_SCALE, {}).get("bulk") or {}
    if bulk:
        same = all(bulk.get("same_graph_as_online_ingest", {}).values())
        add(f"ingest ≥ {INGEST_PRODUCTS_PER_S:,} products/s at {INGEST_SCALE}: bulk build (`mastgraph build`)",
            f"{bulk['products_per_s']:,.0f} products/s" if "products_per_s" in bulk else "failed",
            bulk["products_per_s"] >= INGEST_PRODUCTS_PER_S and same if "products_per_s" in bulk else False,
            "" if "products_per_s" not in bulk else
            ("same graph as the online ingest" if same else "NOT the same graph as the online ingest"))
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
        base, peak = memory["before_first_file_mb"], memory["peak_rss_mb"]
        per_byte = (peak - base) * 2**20 / max(1, largest["loader"]["largest_file_bytes"])
        add("loader RSS flat in file size (streaming within a file)",
            f"peak {peak:.0f} MB vs {base:.0f} MB before the first file; largest file "
            f"{largest['largest_file_mb']:.1f} MB ({name})", peak / base <= RSS_FLAT_FACTOR,
            f"≈{per_byte:.0f} bytes of RSS per byte of the largest file")
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
    every = [m for s in scales.values() for m in s.get("lineage", [])]
    if every:
        worst = max(m["round_trips"]["graphql"] for m in every)
        depth = every[0]["round_trips"]["nesting_depth"]
        add("round trips per nested request ≤ nesting depth", f"{worst} (depth {depth})", worst <= depth)
        fewest = min(m["ratio_naive_to_graphql_round_trips"] for m in every)
        add(f"≥ {NAIVE_FACTOR:g}× fewer round trips than the naive baseline", f"×{fewest:,.0f} fewer (smallest)",
            fewest >= NAIVE_FACTOR)
    return out


def markdown(results: dict) -> str:
    m = results["machine"]
    neo = results.get("neo4j", {})
    load = results.get("load_average", {})
    lines = [
        f"Measured {results.get('started_at', '?')} on {m['cpu_model']}, {m['cores_usable']} cores usable, "
        f"{m['memory_total_mb'] / 1024:.1f} GB RAM; {m['python']}; Neo4j {neo.get('version', '?')} "
        f"{neo.get('edition', '')} ({'own local server, heap ' + str(neo.get('heap')) + ', page cache ' + str(neo.get('pagecache')) if neo.get('own_server') else neo.get('how', '')}). "
        f"Load average (1/5/15 min) at start {load.get('start')}, at end {load.get('end')}"
        f"{'; quick run: indicative only' if results.get('options', {}).get('quick') else ''}.",
        "",
        "**Ingest** into an empty database (online ingest = `mastgraph ingest`: parse + write + derive, one "
        "transaction per file, in a child process; bulk build = `mastgraph build`: Neo4j's importer, then the "
        "derivations, end to end; rates are Product nodes and all relationships, derived ones included, per "
        "second of wall time)",
        "",
    ]
    rows = []
    for name, s in results["scales"].items():
        i = s.get("ingest")
        if not i:
            continue
        mem = i["loader"]["memory"]
        cpu = f"{_fmt(i['loader'].get('cpu_seconds'))} / {_fmt(i['loader'].get('neo4j_cpu_seconds'))}"
        rows.append([name, "online ingest", _fmt(i["products"]), _fmt(i["relationships"]), _fmt(i["seconds"], 1), cpu,
                     _fmt(i["products_per_s"]), _fmt(i["relationships_per_s"]), f"{i['loader_peak_rss_mb']:.0f} MB "
                     f"({mem['before_first_file_mb']:.0f} MB before the 1st file)", f"{i['largest_file_mb']:.2f} MB",
                     f"{i['input_mb']:.0f} MB"])
        b = s.get("bulk") or {}
        if "products_per_s" in b:
            same = "" if all(b["same_graph_as_online_ingest"].values()) else " (not the same graph!)"
            note = f" ({b['note']})" if b.get("note") else ""
            rows.append([name, f"bulk build{same}{note}", _fmt(b["products"]), _fmt(b["relationships"]), _fmt(b["seconds"], 1),
                         "", _fmt(b["products_per_s"]), _fmt(b["relationships_per_s"]),
                         f"{b['python_peak_rss_mb']:.0f} MB (importer {b['importer_peak_rss_mb']:.0f} MB)", "", ""])
        elif b:
            rows.append([name, "bulk build", b.get("failed") or b.get("skipped", ""), "", "", "", "", "", "", "", ""])
    lines += _table(["scale", "path", "products", "relationships", "seconds", "CPU s loader / Neo4j", "products/s",
                     "relationships/s",
                     "loader peak RSS", "largest file", "input"], rows, left=2)
    lines += ["", "**L3 → raw** (nested query L3 → composedOf → antecedents → antecedents, 5 fields per object; "
              "latency p50 / p95 / p99 in ms over loopback HTTP including JSON decoding; raw Cypher = the same "
              "answer from one query with the Python driver; naive = one query per resolved relation field)", ""]
    rows = []
    for name, s in results["scales"].items():
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
              "API's own clock, on separate debug requests), the API and HTTP (the rest), the client's JSON decoding.",
              ""]
    rows = []
    for name, s in results["scales"].items():
        for x in s.get("lineage", []):
            total = x["latency_ms"]["graphql"]["p50"]
            neo4j_ms = x.get("graphql_neo4j_ms_p50")
            decode = x.get("graphql_client_json_decode_ms_p50")
            rest = total - (neo4j_ms or 0) - (decode or 0)
            rows.append([name, _fmt(x["checks"]["members"]), f"{total:.1f}", _fmt(neo4j_ms, 1), f"{rest:.1f}",
                         _fmt(decode, 1), f"{x['latency_ms']['raw_cypher']['p50']:.1f}",
                         f"{x['graphql_json_bytes'] / 1024:,.0f} kB"])
    lines += _table(["scale", "members", "GraphQL p50", "Neo4j (API)", "API + HTTP", "client JSON decode",
                     "raw Cypher p50 (sync driver)", "answer JSON"], rows)
    lines += ["", "**Throughput** (the L3 → raw request, concurrent async clients on loopback; bounded by "
              f"{results['options']['max_requests']} requests or {results['options']['max_seconds']:g} s per level; "
              "CPU ms per request of the API / Neo4j / the bench client, all on the same cores)", ""]
    rows = []
    for name, s in results["scales"].items():
        for t in s.get("throughput", []):
            cpu = t.get("cpu_ms_per_request", {})
            rows.append([name, _fmt(t["members"]), _fmt(t["concurrency"]), _fmt(t["requests"]),
                         _fmt(t["requests_per_s"], 1), f"{t['latency_ms'].get('p50', 0):.1f} / {t['latency_ms'].get('p95', 0):.1f}",
                         _fmt(t["failed"]), f"{t['api_rss_mb']['peak']:.0f} MB",
                         " / ".join(_fmt(cpu.get(k), 1) for k in ("api", "neo4j", "client"))])
    lines += _table(["scale", "members", "clients", "requests", "requests/s", "latency p50 / p95 ms", "failed",
                     "API RSS peak", "CPU ms/request API / Neo4j / client"], rows)
    lines += ["", "**Targets** (2-core machine)", ""]
    marks = {True: "met", False: "**not met**", None: "–"}
    lines += _table(["target", "measured", "", "note"],
                    [[t["target"], t["measured"], marks[t["met"]], t["note"]] for t in targets(results)], left=4)
    return "\n".join(lines) + "\n"


def results_markdown(results: dict) -> str:
    return ("# mastgraph benchmark results\n\nThe latest `mastgraph bench` run (`bench/results.json` holds every "
            "number).\n\n" + markdown(results) + "\n## How to reproduce\n\n" + REPRODUCE + "\n")


def write(results: dict, out: Path, markdown_out: Path | None) -> None:
    results = {**results, "targets": targets(results)}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if markdown_out is not None:
        markdown_out.write_text(results_markdown(results), encoding="utf-8")
