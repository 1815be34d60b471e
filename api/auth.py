"""The optional bearer token (`MASTGRAPH_API_TOKEN`): when set, every route but `/healthz` needs
``Authorization: Bearer <token>``."""

from __future__ import annotations

import hmac

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

OPEN_PATHS = frozenset({"/healthz"})


class BearerTokenGuard:
    """ASGI middleware refusing requests without the token (401, GraphQL-shaped error body)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("path") in OPEN_PATHS:
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
