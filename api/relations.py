"""Relation fields: a node type's field answering a link of the model (`graph/views.py` LINKS).

A relation field is declared once, in `LINKS`, under ``"<Type>.<python_name>"``; its resolver in
the type's module, decorated with `relation`, finds its link by its own qualified name (the
GraphQL type is named after the label), and its one argument, when the link has a filter, is the
filter. See `graph/views.py` for the recipe of a new field.

A relation field's answer is normally already in its parent's dict, under "@<response key>",
fetched with the parent in one query (see `api/selection.py`). When it is not (the request was
compiled level by level, or a selection could not be merged), the field is loaded through a
per-request DataLoader: one `UNWIND $keys` query per field and nesting level.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import strawberry

from mastgraph.graph.views import LINKS

MISSING = object()

#: The roles of the links whose items are relationships (`Link.roles`).
_ROLES = {name for link in LINKS.values() for name, _ in link.roles}

#: Parameters of a resolver that are not GraphQL arguments, and the arguments of pages and capped lists.
_NOT_ARGUMENTS = ("self", "info")
_PAGE_ARGUMENTS = ("first", "after", "filter")


def relation(description: str) -> Callable[[Callable], Any]:
    """Make a resolver the relation field for its link, `LINKS["<Type>.<resolver name>"]`.

    The field's metadata names the link ("link") and the argument holding the filter's wanted
    values ("filter", None when the link has no filter); `first` (and a page's `after` and product
    `filter`) are not the link's filter. A resolver without a link, or whose
    arguments do not fit its link's filter, is refused when its module is imported.
    """

    def make(resolver: Callable) -> Any:
        link_name = ".".join(resolver.__qualname__.split(".")[-2:])
        link = LINKS.get(link_name)
        if link is None:
            raise LookupError(f"{link_name}: no link of that name in graph/views.py LINKS")
        return strawberry.field(resolver=resolver, description=description,
                                metadata={"link": link_name, "filter": _filter_argument(resolver, link.filter)})

    return make


def _filter_argument(resolver: Callable, filter: str | None) -> str | None:
    if filter is None:
        return None
    arguments = [name for name in inspect.signature(resolver).parameters
                 if name not in _NOT_ARGUMENTS and name not in _PAGE_ARGUMENTS]
    if len(arguments) != 1:
        raise TypeError(f"{resolver.__qualname__}: its link filters on {filter}, so it takes one argument, "
                        f"the wanted values (not {len(arguments)})")
    return arguments[0]


def role(description: str) -> Callable[[Callable], Any]:
    """Make a resolver the field of a relationship item giving the node in the role of its name (`Link.roles`)."""

    def make(resolver: Callable) -> Any:
        name = resolver.__name__
        if name not in _ROLES:
            raise LookupError(f"{resolver.__qualname__}: no link of graph/views.py LINKS has a role {name!r}")
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
