"""`mastgraph serve [--host --port]`: the GraphQL API and the lineage explorer (Starlette on uvicorn).

The explorer at /, GraphQL (GraphiQL in a browser) at /graphql, /healthz, /readyz. Neo4j is NEO4J_URI, or the local
server (`mastgraph server start`); the API starts even while Neo4j is down and becomes ready
(/readyz 200) once it answers.
"""

from __future__ import annotations

import typer

from mastgraph.graph.server import LocalNeo4j
from mastgraph.graph.settings import Settings

from .common import console, settings


def run_server(s: Settings, host: str, port: int) -> None:
    """Serve the API until interrupted (used by `serve` and `demo`)."""
    import uvicorn

    from mastgraph.api.app import create_app
    from mastgraph.api.web import missing_assets_warning

    missing = missing_assets_warning()
    if missing:
        console.print(f"[yellow]warning: {missing}; the API answers meanwhile[/]", highlight=False)

    uvicorn.run(create_app(s), host=host, port=port, log_level="info")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the GraphQL lineage API on http://HOST:PORT/graphql."""
    s = settings()
    if s.embedded and not LocalNeo4j(s).running():
        console.print(f"[yellow]the local Neo4j is not running ({s.uri}): start it with `mastgraph server start`; "
                      "/readyz answers 503 until it is up[/]")
    console.print(f"explorer: http://{host}:{port}/   GraphQL: http://{host}:{port}/graphql   health: /healthz   "
                  "readiness: /readyz")
    run_server(s, host, port)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
