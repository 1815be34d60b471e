"""`mastgraph serve [--host --port]`: the GraphQL API and the lineage explorer (Starlette on uvicorn).

The explorer at /, GraphQL (GraphiQL in a browser) at /graphql, /healthz, /readyz. Neo4j is NEO4J_URI, or the local
server (`mastgraph server start`); the API starts even while Neo4j is down and becomes ready
(/readyz 200) once it answers.
"""

from __future__ import annotations

import logging
import socket

import typer

from mastgraph.graph.server import LocalNeo4j
from mastgraph.graph.settings import Settings

from .common import console, fail, not_blank, settings


def run_server(s: Settings, host: str, port: int) -> None:
    """Serve the API until interrupted (used by `serve` and `demo`): an address it cannot listen on
    ends it with one line; the API's state (waiting for Neo4j, Neo4j answers) is one line each."""
    import uvicorn

    from mastgraph.api.app import create_app
    from mastgraph.api.web import missing_assets_warning

    refuse_taken_address(host, port)
    missing = missing_assets_warning()
    if missing:
        console.print(f"[yellow]warning: {missing}; the API answers meanwhile[/]", highlight=False)
    api_log_lines()
    uvicorn.run(create_app(s), host=host, port=port, log_level="info")


def refuse_taken_address(host: str, port: int) -> None:
    """One line (exit 1) when nothing can listen on host:port, before uvicorn's start-up says so in
    several."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise fail(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # (as uvicorn binds)
        try:
            probe.bind(address)
        except OSError as exc:
            raise fail(f"cannot serve on http://{host}:{port}/: {exc.strerror or exc}") from None


def api_log_lines() -> None:
    """The API's own log (`mastgraph.api`: waiting for Neo4j, Neo4j answers) on the console, one
    line per message, as uvicorn's lines."""
    from uvicorn.logging import DefaultFormatter

    logger = logging.getLogger("mastgraph.api")
    if any(getattr(h, "mastgraph", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(DefaultFormatter("%(levelprefix)s %(message)s"))
    handler.mastgraph = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on.",
                             callback=not_blank("give an address, e.g. 127.0.0.1")),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the GraphQL lineage API on http://HOST:PORT/graphql."""
    s = settings()
    refuse_taken_address(host, port)
    if s.embedded and not LocalNeo4j(s).running():
        console.print(f"[yellow]the local Neo4j is not running ({s.uri}): start it with `mastgraph server start`; "
                      "/readyz answers 503 until it is up[/]")
    console.print(f"explorer: http://{host}:{port}/   GraphQL: http://{host}:{port}/graphql   health: /healthz   "
                  "readiness: /readyz")
    run_server(s, host, port)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
