"""`GET /prov/{uri:path}?format=json|provn|xml|dot&depth=N`: a product's lineage as W3C PROV."""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mastgraph.graph import prov as graph_prov
from mastgraph.model.errors import shown

#: Lineage steps followed when the request names no depth.
DEFAULT_DEPTH = 3
#: The query parameters the route reads, each at most once.
PARAMETERS = ("format", "depth")
#: A depth as written: ASCII digits, a sign for the range check to name (int() also takes " 3", "1_0", "٣").
_WHOLE = re.compile(r"[-+]?[0-9]+")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def prov_endpoint(request: Request) -> Response:
    """A product's provenance as PROV-JSON (default), PROV-N, PROV-XML or Graphviz DOT.

    Mount it as ``Route("/prov/{uri:path}", prov_endpoint, methods=["GET"])``. It needs, on the
    application's state, ``request.app.state.driver`` (a ``neo4j.AsyncDriver``) and
    ``request.app.state.settings`` (the ``Settings``: database, ``tx_timeout``,
    ``max_lineage_depth``, ``max_lineage_nodes``). Answers 400 for an empty URI or a bad format or
    depth, 404 for an unknown URI, 503 when Neo4j fails (400 also for a query parameter other than ``format`` and
    ``depth``, or one given twice); errors are ``{"error": "<one line>"}``. A document cut at
    ``max_lineage_nodes`` products carries the header ``X-Mastgraph-Truncated: true``.
    """
    settings = request.app.state.settings
    driver = request.app.state.driver
    uri = request.path_params["uri"]
    if not uri.strip():  # `/prov/` or `/prov/%20` (the route's path matches the empty text too)
        return _error(400, "give a product URI after /prov/, e.g. /prov/mast:JWST/product/<file name>")
    params = request.query_params
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        return _error(400, f"unknown parameter {shown(unknown[0])}: /prov/{{uri}} takes {' and '.join(PARAMETERS)}")
    repeated = next((name for name in PARAMETERS if len(params.getlist(name)) > 1), None)
    if repeated:
        return _error(400, f"{repeated} is given {len(params.getlist(repeated))} times: give it once")
    fmt = params.get("format", "json")
    raw_depth = params.get("depth", str(DEFAULT_DEPTH))
    if not _WHOLE.fullmatch(raw_depth):
        return _error(400, f"depth must be a whole number, not {shown(raw_depth)}")
    try:
        depth = int(raw_depth)
    except ValueError:  # more digits than int() reads (4,300): far beyond any limit
        return _error(400, f"depth must be between 0 and {settings.max_lineage_depth}, not {shown(raw_depth)}")
    try:
        graph_prov.check_request(fmt, depth, settings.max_lineage_depth)
    except graph_prov.ProvError as exc:
        return _error(400, str(exc))
    try:
        subgraph = await graph_prov.fetch_async(
            driver, uri, database=settings.neo4j_database, depth=depth,
            limit=settings.max_lineage_nodes, timeout=settings.tx_timeout,
        )
    except graph_prov.ProvError as exc:
        return _error(503, str(exc))
    if subgraph is None:
        return _error(404, f"no product with URI {shown(uri)}")
    try:
        text = await run_in_threadpool(lambda: graph_prov.serialize(graph_prov.document(subgraph), fmt))
    except graph_prov.ProvError as exc:
        return _error(501, str(exc))
    headers = {"X-Mastgraph-Truncated": "true"} if subgraph.truncated else {}
    return Response(text, media_type=graph_prov.FORMATS[fmt], headers=headers)
