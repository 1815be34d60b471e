"""The explorer page and the self-hosted GraphiQL: `/`, `/static/...`, `/explorer/config.json`.

The page and GraphiQL are built from `web/` (npm packages pinned by `web/package-lock.json`,
bundled by esbuild) into `api/web-build/` by `make web`; nothing is committed and nothing is loaded
from a CDN. Without the built assets, `/` and the GraphiQL page answer a short page saying to run
`make web`. Bundles carry a content hash in their names, so they are cached for a year; the HTML
pages are revalidated on every load.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from mastgraph.graph import neo4j_browser, queries

#: Where `make web` writes the bundle (inside the package, so a non-editable install serves it). Its
#: name is not a Python identifier, so setuptools takes it for the package data it is, not for a
#: subpackage missing from `packages`.
STATIC = Path(__file__).resolve().parent / "web-build"
#: The pages built from web/src (their script and style names carry content hashes).
EXPLORER_PAGE = "index.html"
GRAPHIQL_PAGE = "graphiql.html"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

def assets_built(static: Path | None = None) -> bool:
    static = static or STATIC
    return (static / EXPLORER_PAGE).is_file() and (static / GRAPHIQL_PAGE).is_file()


def missing_assets_warning(static: Path | None = None) -> str | None:
    """One line for the operator when the page was never built, else None."""
    static = static or STATIC
    if assets_built(static):
        return None
    return f"the explorer page is not built ({static} has no {EXPLORER_PAGE}): run `make web` (needs Node.js and npm)"


def _not_built(what: str) -> HTMLResponse:
    text = html.escape(missing_assets_warning() or "")
    body = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>mastgraph: {what} not built</title></head>"
            f"<body style='font-family:sans-serif;max-width:40em;margin:3em auto'><h1>The {what} is not built</h1>"
            f"<p>{text}.</p><p>Run <code>make web</code> in the mastgraph checkout, then reload this page. "
            "The GraphQL API itself answers at <code>POST /graphql</code>.</p></body></html>")
    return HTMLResponse(body, status_code=503, headers={"Cache-Control": REVALIDATE})


def page(name: str, what: str) -> Response:
    path = STATIC / name
    if not path.is_file():
        return _not_built(what)
    return HTMLResponse(path.read_bytes(), headers={"Cache-Control": REVALIDATE})


async def explorer(request: Request) -> Response:
    """The lineage explorer (`/`)."""
    return page(EXPLORER_PAGE, "explorer page")


def graphiql() -> Response:
    """The self-hosted GraphiQL (what `GET /graphql` shows in a browser)."""
    return page(GRAPHIQL_PAGE, "GraphiQL page")


async def config(request: Request) -> Response:
    """What the page needs to know about this server: where a Neo4j Browser is (or null), and the
    lineage Cypher it is handed (`cypher/lineage_down.cypher` walks toward the raw exposures:
    the page's UPSTREAM)."""
    settings = request.app.state.settings
    return JSONResponse({
        "neo4jBrowser": neo4j_browser.browser_url(settings),
        # The Cypher a Neo4j Browser runs for a lineage (parameter `uri`), by the page's direction.
        "lineageCypher": {"UPSTREAM": queries.text("lineage_down"), "DOWNSTREAM": queries.text("lineage_up")},
    }, headers={"Cache-Control": REVALIDATE})


class StaticAssets(StaticFiles):
    """`api/web-build/` with long cache lifetimes for hashed bundles (their names change when they do)."""

    def __init__(self) -> None:
        super().__init__(directory=STATIC, check_dir=False)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not STATIC.is_dir():
            return _not_built("explorer page")
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            hashed = "-" in Path(path).stem and not path.endswith(".html")
            response.headers["Cache-Control"] = IMMUTABLE if hashed else REVALIDATE
        return response
