"""`mastgraph server start|stop|status|logs` and `mastgraph init`."""

from __future__ import annotations

import typer

from mastgraph.graph import db, neo4j_browser
from mastgraph.graph.server import LocalNeo4j, ServerError, server_components

from .common import console, ensure_running, errors_as_lines, fail, settings

server_app = typer.Typer(help="The local Neo4j server (used when NEO4J_URI is unset).", no_args_is_help=True)


def _local() -> LocalNeo4j:
    s = settings()
    if not s.embedded:
        raise fail(f"NEO4J_URI is set ({s.neo4j_uri}): mastgraph manages no local server then; unset it to use one")
    return LocalNeo4j(s)


@server_app.command()
def start(timeout: float = typer.Option(None, min=1, help="Seconds to wait for Bolt to answer.")) -> None:
    """Fetch the jars if needed, start Neo4j and wait until it answers."""
    with errors_as_lines(ServerError):
        console.print(_local().start(timeout=timeout))


@server_app.command()
def stop(timeout: float = typer.Option(90.0, min=1, help="Seconds to wait for a clean shutdown (then SIGKILL).")) -> None:
    """Stop the local Neo4j cleanly (SIGTERM, wait)."""
    with errors_as_lines(ServerError):
        console.print(_local().stop(timeout=timeout))


@server_app.command()
def status() -> None:
    """Whether the local Neo4j runs, its Bolt URI and version, and where Neo4j Browser is."""
    local = _local()
    with errors_as_lines(ServerError, OSError):
        info = local.status()
    if not info["running"]:
        console.print(f"Neo4j is not running (state folder {info['home']})")
        raise typer.Exit(3)
    console.print(f"running  pid {info['pid']}  {info['uri']}  Neo4j {info['version']} {info['edition']}")
    started_with = info.get("http_port")
    shown = local.settings if started_with is None else local.settings.model_copy(update={"http_port": started_with})
    url = neo4j_browser.browser_url(shown)
    console.print(f"browser  {url}" if url else "browser  none (MASTGRAPH_HTTP_PORT=0: HTTP off)", highlight=False)


@server_app.command()
def logs(lines: int = typer.Option(50, "--lines", "-n", min=1, help="How many lines from the end.")) -> None:
    """The end of the local server's console log."""
    console.print(_local().log_tail(lines), highlight=False, markup=False)


def init() -> None:
    """Apply the schema (constraints and indexes), and give the exposures and engineering series of
    a graph loaded by an earlier mastgraph their window classes; running it twice changes nothing."""
    from mastgraph.pipeline.derive import set_all_window_classes

    s = settings()
    with errors_as_lines(ServerError, db.DatabaseUnavailable):
        ensure_running(s)
        with db.connect(s) as drv:
            count = db.bootstrap(drv, s.neo4j_database)
            info = server_components(s)
            classes = set_all_window_classes(drv, s.neo4j_database)
    console.print(f"schema applied: {count} statements on {s.uri} (Neo4j {info['version']} {info['edition']})")
    if classes:
        console.print(f"window classes set on {classes:,} exposures and engineering series")


def register(app: typer.Typer) -> None:
    app.add_typer(server_app, name="server")
    app.command("init")(init)
