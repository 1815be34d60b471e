"""The GraphQL schema: the types of `api/`, the limits, error codes, and the fast executor.

`schema.graphql` at the repository root is `sdl()`; a test fails when the two differ
(regenerate with ``python -m mastgraph.api.schema > schema.graphql``).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import ParserCache
from strawberry.schema.config import StrawberryConfig

from mastgraph.graph.settings import Settings

from .debug import QueryCounter
from .errors import ErrorCodes, log_errors
from .execution import execution_context_class
from .limits import limit_extensions
from .query import Query


def field_value(source: Any, name: str) -> Any:
    """Plain fields read the dicts the graph returns (objects by attribute)."""
    if type(source) is dict:
        return source.get(name)
    return getattr(source, name, None)


class LineageSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        log_errors(errors)


def build_schema(settings: Settings) -> strawberry.Schema:
    schema = LineageSchema(
        query=Query,
        config=StrawberryConfig(default_resolver=field_value),
        extensions=[ErrorCodes, lambda: ParserCache(maxsize=256), *limit_extensions(settings), QueryCounter],
    )
    fast = execution_context_class(settings, schema)  # None: Strawberry's standard execution
    if fast is not None:
        schema.execution_context_class = fast
    return schema


def sdl() -> str:
    """The schema in GraphQL SDL (the same for every setting)."""
    return strawberry.Schema(query=Query).as_str() + "\n"


if __name__ == "__main__":
    print(sdl(), end="")
