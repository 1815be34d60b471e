"""`mastgraph browser [--guide]`: open Neo4j Browser already connected to mastgraph's database."""

from __future__ import annotations

import os
import sys
import time
import webbrowser
from urllib.parse import quote

import typer

from mastgraph.graph import neo4j_browser
from mastgraph.graph.browser_guide import GUIDE_PATH, guide_html, serve_guide
from mastgraph.graph.server import LocalNeo4j, ServerError
from mastgraph.graph.settings import Settings
from mastgraph.model.errors import first_line

from .common import console, ensure_running, err_console, errors_as_lines, fail, settings

NO_BROWSER = (
    "no Neo4j Browser: the local server runs with HTTP off (MASTGRAPH_HTTP_PORT=0); "
    "with NEO4J_URI, set MASTGRAPH_NEO4J_BROWSER_URL to the Browser's address (e.g. http://127.0.0.1:7474/browser/)"
)


def has_display() -> bool:
    """Whether a web browser can be shown here (a desktop session, macOS or Windows)."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def connected_url(s: Settings) -> str:
    """The Browser's address for these settings, starting the local server when it is not running: the
    local server's on the HTTP port it was started with (its pid file says which), as `server status`
    shows it, not the port these settings name (the default 7474 taken at its start, it runs without
    HTTP; started with another MASTGRAPH_HTTP_PORT than this command's, it serves the Browser there)."""
    with errors_as_lines(ServerError):
        ensure_running(s)
    if s.embedded:
        started_with = LocalNeo4j(s).running_http_port()
        if started_with == 0 and s.http_port:
            raise fail(f"no Neo4j Browser: the local server was started without HTTP (port {s.http_port} was in use, "
                       "or MASTGRAPH_HTTP_PORT was 0); stop it and start it again with MASTGRAPH_HTTP_PORT set to a "
                       "free port")
        if started_with is not None:
            s = s.model_copy(update={"http_port": started_with})
    url = neo4j_browser.browser_url(s)
    if url is None:
        raise fail(NO_BROWSER)
    return url


def show(url: str, open_it: bool = True) -> None:
    """Open `url` in the desktop's web browser when there is a display; always print it."""
    typer.echo(url)
    if open_it and has_display():
        webbrowser.open(url)


def _examples(s: Settings) -> dict:
    """The loaded graph's examples for the guide's parameters; none (and a line saying why) when they
    cannot be read: the guide serves without them."""
    import neo4j

    from mastgraph.graph import db
    from mastgraph.graph.browser_guide import guide_examples

    try:
        with db.connect(s) as driver:
            found = guide_examples(driver, s.neo4j_database)
    except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError, db.DatabaseUnavailable, OSError) as exc:
        err_console.print(f"the guide has no examples of the graph: {first_line(exc)}", style="dim", highlight=False,
                          markup=False)
        return {}
    if not found:
        err_console.print("the guide has no examples: the graph is empty", style="dim", highlight=False)
    return found


def browser(
    guide: bool = typer.Option(False, "--guide", help="Serve the query library as a Browser guide and open it."),
    guide_port: int = typer.Option(0, "--guide-port", min=0, max=65535, help="The guide's port on loopback (0: a free one)."),
    open_it: bool = typer.Option(True, "--open/--no-open", help="Open a web browser (when a display exists)."),
) -> None:
    """Open Neo4j Browser connected to the database (prints its URL when there is no display)."""
    s = settings()
    url = connected_url(s)
    if not guide:
        show(url, open_it)
        return
    from .cypher import library

    examples = _examples(s)
    try:
        server = serve_guide(guide_html(library(), examples), "127.0.0.1", guide_port)
    except OSError as exc:
        raise fail(f"cannot serve the guide on 127.0.0.1:{guide_port}: {exc.strerror or exc}")
    # `localhost` is on every Neo4j's default list of hosts a guide may come from.
    page = f"http://localhost:{server.server_address[1]}{GUIDE_PATH}"
    show(f"{url}&cmd=play&arg={quote(page, safe=':/')}", open_it)
    console.print(f"serving the query library's guide at {page}; Ctrl-C stops it", style="dim", highlight=False)
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def register(app: typer.Typer) -> None:
    app.command("browser")(browser)
