"""The GraphQL route: Strawberry's ASGI view with mastgraph's request context, error codes, a
fast JSON encoder and the self-hosted GraphiQL (built from npm by `make web`, never from a CDN).

A request that is not a GraphQL request (no query, a body that is not a JSON object, a bad GET
parameter ...) is answered in GraphQL's shape like every other error, with its HTTP status:
`{"errors": [{"message": ..., "extensions": {"code": "BAD_REQUEST"}}]}` (Strawberry answers these
in plain text). A method other than GET or POST is answered so too, HTTP 405 (code
`METHOD_NOT_ALLOWED`, with `Allow: GET, POST`), where Starlette's router answered plain text."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http.async_base_view import HTTPException  # what its view answers as a 4xx (whichever module defines it)
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from mastgraph.graph import read
from mastgraph.graph.settings import Settings
from mastgraph.model.errors import cut

from .context import RequestContext
from .errors import present
from .web import graphiql

#: What `parse_json` reads when no parameter is named.
BODY = "the request body"

#: The methods /graphql answers (the route takes every method, so that the others get a JSON 405).
METHODS = ("GET", "POST")


def refusal(error: HTTPException) -> JSONResponse:
    """An HTTP error of the view (400: the request is not a GraphQL request) as a GraphQL-shaped answer."""
    code = HTTPStatus(error.status_code).name if error.status_code in HTTPStatus._value2member_map_ else "BAD_REQUEST"
    return JSONResponse({"errors": [{"message": error.reason, "extensions": {"code": code}}]},
                        status_code=error.status_code)


class LineageGraphQL(GraphQL):
    """Strawberry's ASGI view with mastgraph's request context and error codes."""

    def __init__(self, schema, *, nested: bool = True) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True, subscription_protocols=())
        self.nested = nested

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry's, with its HTTP errors in JSON (`refusal`) instead of plain text, and a JSON 405
        for a method other than GET or POST."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        method = scope["method"]
        if method not in METHODS:
            response = refusal(HTTPException(405, f"/graphql takes GET or POST, not {cut(method)}"))
            response.headers["Allow"] = ", ".join(METHODS)
        else:
            try:
                response = await self.run(Request(scope=scope, receive=receive))
            except HTTPException as error:
                response = refusal(error)
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL from `api/web-build/` instead of Strawberry's page, which loads it from unpkg."""
        return graphiql()

    async def parse_http_body(self, request):
        """Strawberry's, with the content type a POST needs named (it said "Unsupported content type")."""
        if request.method != "GET" and "application/json" not in (request.content_type or ""):
            got = (request.content_type or "none").split(";")[0].strip()
            raise HTTPException(400, f"a POST to /graphql takes Content-Type: application/json, not {cut(got)}")
        return await super().parse_http_body(request)

    def parse_json(self, data: str | bytes, what: str = BODY) -> Any:
        """A POST's body: a JSON object (or a list, which Strawberry refuses as a batch). Anything
        else is one line, HTTP 400 (a string, a number, `null`, text not in UTF-8 or JSON nested
        too deep for the reader answered 500)."""
        try:
            value = self.decode_json(data)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise HTTPException(400, f"{what} is not JSON") from None
        except ValueError as exc:  # (int() refuses an integer of more than 4,300 digits: it answered 500)
            if "integer string conversion" not in str(exc):
                raise
            raise HTTPException(400, f"{what} holds an integer of more than 4,300 digits") from None
        except RecursionError:
            raise HTTPException(400, f"{what} is JSON nested too deeply") from None
        if what == BODY and not isinstance(value, dict | list):
            raise HTTPException(400, 'the request body must be a JSON object: {"query": "...", "variables": {...}}')
        return value

    def parse_query_params(self, params) -> dict[str, Any]:
        """A GET's parameters, `variables` and `extensions` read as JSON (Strawberry then checks they are objects)."""
        params = dict(params)
        for name in ("variables", "extensions"):
            if params.get(name):
                params[name] = self.parse_json(params[name], f"the `{name}` parameter")
        return params

    def encode_json(self, data: object) -> bytes:
        """orjson: about five times faster than json on large lineage answers."""
        return orjson.dumps(data)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Every error in its client form, whichever stage raised it (parsing, limits, execution)."""
        if result.errors:
            result.errors = [present(error) for error in result.errors]
        return await super().process_result(request, result)

    async def get_context(self, request: Request, response: Response) -> RequestContext:
        state = request.app.state
        settings: Settings = state.settings
        return RequestContext(
            reader=read.Reader(state.driver, settings.neo4j_database, settings.tx_timeout),
            settings=settings,
            nested=self.nested,
            debug=request.headers.get("x-mastgraph-debug") == "1",
            request=request,
        )
