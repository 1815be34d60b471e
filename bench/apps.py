"""ASGI factories the bench serves with uvicorn (`--factory`), settings from the environment."""

from __future__ import annotations

from starlette.applications import Starlette

from mastgraph.api.app import create_app


def nested() -> Starlette:
    """The API as shipped: a nested request compiled into one Cypher query."""
    return create_app()


def level_by_level() -> Starlette:
    """The API loading relation fields level by level (one batched query per field and level)."""
    return create_app(nested=False)
