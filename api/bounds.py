"""Bounds on a request's size, enforced before anything reads it: the body (`MASTGRAPH_MAX_REQUEST_BYTES`,
413 Content Too Large) and the query string of a GET (`MASTGRAPH_MAX_QUERY_STRING`, 414 URI Too Long).

Both answers are GraphQL-shaped (`errors[0].extensions.code = "LIMIT_EXCEEDED"`, `extensions.limit`
naming the setting). A declared `Content-Length` over the bound is refused without reading; a body
sent without one (chunked) is read up to the bound and refused as soon as it passes it.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def refusal(status: int, message: str, limit: str) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": "LIMIT_EXCEEDED", "limit": limit}}]}
    return JSONResponse(body, status_code=status)


class RequestBounds:
    """ASGI middleware: refuse bodies over `max_body` bytes and query strings over `max_query` bytes."""

    def __init__(self, app: ASGIApp, max_body: int, max_query: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_query = max_query

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query:
            await refusal(414, f"query string over {self.max_query} bytes: send the request as a POST body",
                          "MASTGRAPH_MAX_QUERY_STRING")(scope, receive, send)
            return
        declared = next((value for name, value in scope.get("headers", ()) if name == b"content-length"), None)
        too_large = refusal(413, f"request body over {self.max_body} bytes", "MASTGRAPH_MAX_REQUEST_BYTES")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await too_large(scope, receive, send)
            return
        # Read the body here (it is at most max_body bytes) and hand it on as one message.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
