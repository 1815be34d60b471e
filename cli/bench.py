"""`mastgraph bench`: ingest rate, bulk build, L3-to-raw latency, GraphQL overhead, throughput and memory."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import neo4j
import typer

from mastgraph.graph import db
from mastgraph.graph.server import ServerError
from mastgraph.sample import scales as sample_scales
from mastgraph.sample.generator import DEFAULT_SEED

from .common import console, err_console, errors_as_lines, fail, settings


class Ingest(str, Enum):
    online = "online"
    bulk = "bulk"


def bench(
    scales: str = typer.Option("S,M", "--scales", help="Comma-separated sample scales to measure (demo, S, M, L, XL)."),
    quick: bool = typer.Option(False, "--quick", help="Few runs and short load levels: indicative numbers, fast."),
    out: Path = typer.Option(Path("bench/results.json"), "--out", help="Where to write the results (JSON)."),
    markdown: Path | None = typer.Option(None, "--markdown", help="Where to write the markdown table "
                                         "(default: RESULTS.md beside --out)."),
    force: bool = typer.Option(False, "--force", help="With NEO4J_URI: wipe a database that is not empty."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Sample seed."),
    runs: int | None = typer.Option(None, "--runs", help="Timed L3-to-raw requests per product (default 50, quick 5)."),
    ingest: Ingest = typer.Option(Ingest.online, "--ingest", case_sensitive=False,
                                  help="How each scale's graph is built. online: `mastgraph ingest` (child "
                                       "process; hours at XL), latency and throughput on that graph, then "
                                       "the bulk build of the same files compared with it (unless --no-bulk). "
                                       "bulk: the bulk build only (`mastgraph build`; the bench's own Neo4j, "
                                       "not NEO4J_URI), latency and throughput on the graph it built, no online "
                                       "ingest and no comparison (\"not compared\")."),
    bulk: bool = typer.Option(True, "--bulk/--no-bulk", help="With --ingest online: also time the bulk build "
                              "(`mastgraph build`) on each scale (the bench's own Neo4j only)."),
    limit: bool = typer.Option(True, "--limit/--no-limit", help="Also measure the database's own limit for each "
                               "scale's final graph: one writer (UNWIND ... CREATE, 10k rows a transaction) into a "
                               "fresh database, and the importer alone on its CSV plus the indexes; mastgraph's "
                               "times as ratios to them (the bench's own Neo4j only)."),
    one_writer: bool = typer.Option(True, "--one-writer/--no-one-writer", help="With --limit: also the one writer "
                                    "(the final graph exported, then loaded through the driver: hours at XL). "
                                    "Without it (--ingest bulk only) the limit is the importer alone + the indexes "
                                    "on the build's own CSV."),
    page: bool = typer.Option(True, "--page/--no-page", help="Also time the explorer page in headless Chromium "
                              "(Debian's chromium and chromium-driver; one line says so when they are absent)."),
    large_file: bool = typer.Option(True, "--large-file/--no-large-file", help="With --ingest online: also load "
                                    "the sample's product listings joined into one file (a quarter, a half and "
                                    "all of them), each alone, for the loader's peak RSS per size of that file."),
    merge: bool = typer.Option(False, "--merge", help="Keep the scales already in --out that this run does not "
                               "measure (e.g. S and M, then L, then XL in separate runs) instead of replacing the "
                               "file; each scale records when and how it was measured."),
) -> None:
    """Measure on a Neo4j of the bench's own (or NEO4J_URI), print a markdown table, write the results."""
    import importlib.util

    if importlib.util.find_spec("httpx") is None:  # (the bench's HTTP client: not a dependency of the service)
        raise fail("mastgraph bench needs its extra: pip install 'mastgraph[bench]' (httpx, selenium)")
    from mastgraph.bench import report
    from mastgraph.bench.run import LARGE_SCALES, Options, run_bench
    from mastgraph.bench.target import NotEmpty

    chosen = tuple(s.strip() for s in scales.split(",") if s.strip())
    unknown = [s for s in chosen if s not in sample_scales.SCALES]
    if not chosen or unknown:
        raise fail(f"unknown scale(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(sample_scales.SCALES)}", 2)
    if ingest is Ingest.bulk and not bulk:
        raise fail("--ingest bulk measures the bulk build; --no-bulk contradicts it", 2)
    if not one_writer and ingest is not Ingest.bulk:
        raise fail("--no-one-writer goes with --ingest bulk: the one writer is the online ingest's limit", 2)
    s = settings()
    if ingest is Ingest.bulk and not s.embedded:
        raise fail(f"--ingest bulk needs the bench's own local Neo4j (the bulk importer writes store files on the "
                   f"server's disk); NEO4J_URI is set ({s.neo4j_uri}): unset it, or use --ingest online", 2)
    if merge and out.exists():
        try:
            report.read_previous(out)  # refuse now, not after hours of measuring
        except ValueError as exc:
            raise fail(str(exc), 2) from None
    elif out.exists():
        try:
            dropped = [name for name in report.read_previous(out)["scales"] if name not in chosen]
        except ValueError:
            dropped = []
        if dropped:
            console.print(f"{out} will be replaced: its {', '.join(dropped)} results are dropped (--merge keeps them)",
                          style="yellow", highlight=False, markup=False)
    large = [name for name in chosen if name in LARGE_SCALES]
    sizes = ", ".join(f"{name} ~{sample_scales.SCALES[name].products:,} products" for name in large)
    if large and ingest is Ingest.online:
        err_console.print(f"warning: the online ingest at {sizes} takes hours; going ahead (--ingest bulk measures "
                          "the bulk build alone)", style="yellow", highlight=False)
    elif large and limit and one_writer:
        err_console.print(f"warning: the one writer's limit at {sizes} (the final graph exported, then written "
                          "through the driver) takes hours after the build; going ahead (--no-one-writer leaves it "
                          "out: the limit is then the importer alone + the indexes)", style="yellow",
                          highlight=False)
    changes: dict = {"scales": chosen, "force": force, "seed": seed, "bulk": bulk, "ingest": ingest.value, "page": page,
                     "limit": limit, "one_writer": one_writer, "large_file": large_file}
    if runs is not None:
        changes["runs"] = max(1, runs)
    options = Options.quick_run(**changes) if quick else Options(**changes)
    with errors_as_lines(ServerError, NotEmpty, db.DatabaseUnavailable, neo4j.exceptions.Neo4jError, RuntimeError):
        results = run_bench(s, options, say=lambda line: console.print(line, style="dim", highlight=False, markup=False))
    if merge and out.exists():
        try:
            results = report.merge(report.read_previous(out), results)
        except ValueError as exc:  # changed while measuring: keep this run's numbers beside it
            out = out.with_name(f"{out.stem}-{results['started_at'].replace(':', '')}{out.suffix}")
            markdown = markdown or out.with_suffix(".md")
            err_console.print(f"warning: {exc}; writing this run alone to {out}", style="yellow", highlight=False,
                              markup=False)
    markdown_out = markdown or out.with_name("RESULTS.md")
    report.write(results, out, markdown_out)
    console.print(report.markdown(results), markup=False, highlight=False)
    kept = [name for name in results["scales"] if name not in chosen]
    console.print(f"results: {out}   table: {markdown_out}" + (f"   (kept from before: {', '.join(kept)})" if kept else ""),
                  style="dim", markup=False)


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
