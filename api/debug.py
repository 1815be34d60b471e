"""Request diagnostics: the Cypher round trips a request cost, in the response's `extensions`.

Sent when the request carries the header `X-Mastgraph-Debug: 1`:
``{"extensions": {"mastgraph": {"cypherQueries": 1, "neo4jMs": 12.3}}}``.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension


class QueryCounter(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not getattr(context, "debug", False):
            return {}
        reader = context.reader
        return {"mastgraph": {"cypherQueries": reader.queries, "neo4jMs": round(reader.seconds * 1000, 2)}}
