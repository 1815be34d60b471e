"""`mastgraph bench`: ingest rate, L3-to-raw latency, GraphQL overhead, throughput and memory."""

from __future__ import annotations

from pathlib import Path

import neo4j
import typer

from mastgraph.graph import db
from mastgraph.graph.server import ServerError
from mastgraph.sample import scales as sample_scales
from mastgraph.sample.generator import DEFAULT_SEED

from .common import console, errors_as_lines, fail, settings


def bench(
    scales: str = typer.Option("S,M", "--scales", help="Comma-separated sample scales to measure (demo, S, M, L, XL)."),
    quick: bool = typer.Option(False, "--quick", help="Few runs and short load levels: indicative numbers, fast."),
    out: Path = typer.Option(Path("bench/results.json"), "--out", help="Where to write the results (JSON)."),
    markdown: Path | None = typer.Option(None, "--markdown", help="Where to write the markdown table "
                                         "(default: RESULTS.md beside --out)."),
    force: bool = typer.Option(False, "--force", help="With NEO4J_URI: wipe a database that is not empty."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Sample seed."),
    runs: int | None = typer.Option(None, "--runs", help="Timed L3-to-raw requests per product (default 50, quick 5)."),
    bulk: bool = typer.Option(True, "--bulk/--no-bulk", help="Also time the bulk build (`mastgraph build`) on "
                              "each scale (the bench's own Neo4j only)."),
) -> None:
    """Measure on a Neo4j of the bench's own (or NEO4J_URI), print a markdown table, write the results."""
    from mastgraph.bench import report
    from mastgraph.bench.run import Options, run_bench
    from mastgraph.bench.target import NotEmpty

    chosen = tuple(s.strip() for s in scales.split(",") if s.strip())
    unknown = [s for s in chosen if s not in sample_scales.SCALES]
    if not chosen or unknown:
        raise fail(f"unknown scale(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(sample_scales.SCALES)}", 2)
    changes: dict = {"scales": chosen, "force": force, "seed": seed, "bulk": bulk}
    if runs is not None:
        changes["runs"] = max(1, runs)
    options = Options.quick_run(**changes) if quick else Options(**changes)
    s = settings()
    with errors_as_lines(ServerError, NotEmpty, db.DatabaseUnavailable, neo4j.exceptions.Neo4jError, RuntimeError):
        results = run_bench(s, options, say=lambda line: console.print(line, style="dim", highlight=False))
    markdown_out = markdown or out.with_name("RESULTS.md")
    report.write(results, out, markdown_out)
    console.print(report.markdown(results), markup=False, highlight=False, soft_wrap=True)
    console.print(f"results: {out}   table: {markdown_out}", style="dim")


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
