"""`mastgraph demo`: the main job on the embedded default, in one command.

Starts the local Neo4j (fetching its jars the first time), applies the schema, generates the
bundled synthetic sample once, loads it with the bundled real MAST files (idempotent: running the
demo again changes nothing), and serves GraphQL.
"""

from __future__ import annotations

from pathlib import Path

import neo4j
import typer

from mastgraph.graph import db
from mastgraph.pipeline.ingest import IngestStopped, ingest_paths
from mastgraph.pipeline.parse_pass import WorkFolderError
from mastgraph.graph.server import ServerError

from .common import console, ensure_running, error_line, errors_as_lines, fail, not_blank, settings

#: The bundled real files (sample/data/real) that are mastgraph inputs, by folder.
REAL_INPUTS = ("asn", "pools", "headers", "edb", "manifests", "listings/mastdocs_viz_products_api")


def real_sample_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "sample" / "data" / "real"


def demo_inputs(home: Path) -> list[Path]:
    """The synthetic demo archive (generated under HOME once) and the bundled real files."""
    from mastgraph.sample.generator import generate

    synthetic = Path(home) / "sample" / "demo"
    if not (synthetic / "manifest.json").exists():
        console.print(f"generating the demo sample into {synthetic}", markup=False)
        generate(synthetic, "demo")
    real = real_sample_dir()
    return [synthetic, *(real / folder for folder in REAL_INPUTS if (real / folder).exists())]


def demo(
    host: str = typer.Option("127.0.0.1", help="Address to serve GraphQL on.",
                             callback=not_blank("give an address, e.g. 127.0.0.1")),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to serve GraphQL on."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve GraphQL after loading."),
) -> None:
    """Start Neo4j, load the bundled sample, serve GraphQL on http://HOST:PORT/graphql."""
    s = settings()
    with errors_as_lines(ServerError, db.DatabaseUnavailable, neo4j.exceptions.Neo4jError, WorkFolderError):
        ensure_running(s)
        inputs = demo_inputs(s.home)
        with db.connect(s) as drv:  # (ingest_paths applies the schema when any of it is missing)
            try:
                report = ingest_paths(drv, s, inputs)
            except IngestStopped as exc:
                raise fail(exc.describe(s.uri, s.embedded), 130 if exc.interrupted else 1) from None
    written, derived = report.totals()
    console.print(
        f"sample loaded: {len(report.files)} files, {report.records} records, "
        f"{written.total_nodes_created} nodes and {written.total_rels_created + derived.total_rels_created} "
        f"relationships created in {report.seconds:.1f} s"
    )
    if report.failed:
        for failed in report.failed:
            error_line(failed.error)
        raise fail("the bundled sample did not load cleanly")
    if serve:
        from .serve import run_server

        console.print(f"explorer: http://{host}:{port}/   GraphQL: http://{host}:{port}/graphql   (Ctrl-C stops; "
                      "the Neo4j server keeps running: `mastgraph server stop`)")
        run_server(s, host, port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
