"""The Starlette application: the lineage explorer at `/` (its assets under `/static/`, its
settings at `/explorer/config.json`), GraphQL at `/graphql` (the self-hosted GraphiQL in a
browser), `/healthz`, `/readyz`, W3C PROV at `/prov/{uri}` (`api/prov.py`), the
optional token guard (`/`, `/static/` and the GraphiQL page are public: they hold no data and ask
for the token when the API answers 401).

One async Neo4j driver lives in the app's lifespan, on `app.state.driver`, beside
`app.state.settings`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route

from mastgraph.graph import read
from mastgraph.graph.settings import Settings, get_settings

from .auth import BearerTokenGuard
from .bounds import RequestBounds
from .health import Readiness, healthz, readyz
from .prov import prov_endpoint
from .schema import build_schema
from .view import LineageGraphQL
from .web import StaticAssets, config, explorer


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    app.state.driver = read.open_driver(settings)
    app.state.readiness = Readiness(app.state.driver, settings)
    bootstrapping = asyncio.create_task(app.state.readiness.keep_bootstrapping())
    try:
        yield
    finally:
        bootstrapping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await bootstrapping
        await app.state.driver.close()


def create_app(settings: Settings | None = None, *, nested: bool = True) -> Starlette:
    """The API for `settings` (from the environment when None).

    `nested=False` loads relation fields level by level (one query per field and nesting level)
    instead of compiling a whole request into one query; the answers are the same.
    """
    settings = settings or get_settings()
    graphql = LineageGraphQL(build_schema(settings), nested=nested)
    routes = [
        Route("/", explorer, methods=["GET"]),
        Route("/explorer/config.json", config, methods=["GET"]),
        Mount("/static", app=StaticAssets(), name="static"),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql),  # (every method: the view answers one it does not take with a JSON 405)
        Route("/prov/{uri:path}", prov_endpoint, methods=["GET"]),
    ]
    # The token is checked first (a stranger's body is never read), then the request's size.
    middleware = [Middleware(BearerTokenGuard, token=settings.api_token)] if settings.api_token else []
    middleware.append(Middleware(RequestBounds, max_body=settings.max_request_bytes, max_query=settings.max_query_string))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    return app
