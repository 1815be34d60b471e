"""Relation fields: how a node type's field names a link of the model (`graph.read.LINKS`).

A relation field's answer is normally already in its parent's dict, under "@<response key>",
fetched with the parent in one query (see `api/selection.py`). When it is not (the request was
compiled level by level, or a selection could not be merged), the field is loaded through a
per-request DataLoader: one `UNWIND $keys` query per field and nesting level.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

MISSING = object()


def relation(link: str, description: str, *, filter: str | None = None) -> Callable[[Callable], Any]:
    """Make a resolver the relation field for `LINKS[link]`; `filter` names its filter argument."""

    def make(resolver: Callable) -> Any:
        return strawberry.field(resolver=resolver, description=description, metadata={"link": link, "filter": filter})

    return make


def role(name: str, description: str) -> Callable[[Callable], Any]:
    """Make a resolver the field of a relationship item giving the node in one role (`Link.roles`)."""

    def make(resolver: Callable) -> Any:
        return strawberry.field(resolver=resolver, description=description, metadata={"role": name})

    return make


def end(source: dict, info: strawberry.Info) -> Any:
    """A relationship item's node in a role (always fetched with the item)."""
    return source["@" + info.path.key]


def related(source: dict, info: strawberry.Info) -> Any:
    """The relation field's answer: prefetched with the parent, else loaded (an awaitable)."""
    value = source.get("@" + info.path.key, MISSING)
    if value is not MISSING:
        return value
    return info.context.load_related(info._raw_info, source)
