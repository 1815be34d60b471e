"""The optional bearer token (`MASTGRAPH_API_TOKEN`): when set, every route needs
``Authorization: Bearer <token>`` except `/healthz` and what holds no data: the explorer page
(`/`), its assets (`/static/...`) and the GraphiQL page (a browser's `GET /graphql` without a
query). Those pages ask for the token when the API answers 401 and keep it for the tab."""

from __future__ import annotations

import hmac

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

OPEN_PATHS = frozenset({"/healthz", "/", "/favicon.ico"})
OPEN_PREFIXES = ("/static/",)


def is_public(scope: Scope) -> bool:
    """Whether the request may pass without the token (health, and the pages that hold no data)."""
    path = scope.get("path", "")
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return True
    if path == "/graphql" and scope.get("method") == "GET" and b"query=" not in scope.get("query_string", b""):
        accept = next((value for name, value in scope.get("headers", ()) if name == b"accept"), b"")
        return b"text/html" in accept
    return False


class BearerTokenGuard:
    """ASGI middleware refusing requests without the token (401, GraphQL-shaped error body)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or is_public(scope):
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope.get("headers", ()) if name == b"authorization"), b"")
        if hmac.compare_digest(given, self.expected):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = {"errors": [{"message": "missing or wrong bearer token (Authorization: Bearer <MASTGRAPH_API_TOKEN>)",
                            "extensions": {"code": "UNAUTHENTICATED"}}]}
        response = JSONResponse(body, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="mastgraph"'})
        await response(scope, receive, send)
