"""Root fields' reads: each compiles the field's selection and calls `graph.read` once (or per
lineage depth). Resolvers call these; no Cypher here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import strawberry

from mastgraph.graph import downloads, read
from mastgraph.graph import search as graph_search
from mastgraph.model.vocabulary import Label, Rel

from . import arguments
from .context import RequestContext
from .enums import LineageRelationship
from .errors import BadArgument, LimitExceeded
from .selection import Walker, named_type


def _context(info: strawberry.Info) -> RequestContext:
    return info.context


def _walk(info: strawberry.Info) -> tuple[RequestContext, Walker, Any]:
    context = _context(info)
    raw = info._raw_info
    return context, context.walker(raw), raw


async def node(info: strawberry.Info, key: Any, by: str | None = None) -> dict | None:
    """The node the field returns, by key (or a lookup property), with its whole selection."""
    context, walker, raw = _walk(info)
    selection = walker.of_field(raw)
    found = await read.fetch_by_keys(context.reader, selection, [key], by)
    return found.get(key)


def _field_arguments(walker: Walker, raw) -> dict[str, Any]:
    field = raw.parent_type.fields[raw.field_name]
    return walker.arguments(field, raw.field_nodes[0])


async def products(info: strawberry.Info) -> dict:
    """A page of every product (filtered)."""
    context, walker, raw = _walk(info)
    page, items = walker.page(named_type(raw.return_type), raw.field_nodes, _field_arguments(walker, raw))
    return await read.fetch_products(context.reader, page, items)


async def anchored_page(info: strawberry.Info, label: Label, key: str, link: str) -> dict | None:
    """A page of products related to one node (a reference file's users ...); None for an unknown node."""
    context, walker, raw = _walk(info)
    page, items = walker.page(named_type(raw.return_type), raw.field_nodes, _field_arguments(walker, raw))
    child = read.Child("@page", link, items, None, page)
    found = await read.fetch_by_keys(context.reader, read.Selection(label, (), (child,)), [key])
    anchor = found.get(key)
    return None if anchor is None else anchor["@page"]


def bounded(argument: str, value: int | None, maximum: int, minimum: int = 1) -> int:
    """An argument within [minimum, maximum]; absent means the maximum."""
    if value is None:
        return maximum
    if value < minimum:
        raise BadArgument(argument, f"must be {minimum} or more")
    if value > maximum:
        raise LimitExceeded(f"argument `{argument}` is {value}; at most {maximum} allowed", argument=argument,
                            limit=argument, maximum=maximum)
    return value


async def lineage(
    info: strawberry.Info, uri: str, upstream: bool, relationships: Sequence[str] | None,
    max_depth: int | None, limit: int | None,
) -> dict | None:
    context, walker, raw = _walk(info)
    settings = context.settings
    depth = bounded("maxDepth", max_depth, settings.max_lineage_depth)
    nodes = bounded("limit", limit, settings.max_lineage_nodes)
    if relationships is not None and not relationships:
        raise BadArgument("relationships", "give at least one relationship type, or leave it out for all")
    types = [Rel(r) for r in relationships or [r.value for r in LineageRelationship]]
    walk = await read.lineage(context.reader, uri, upstream=upstream, types=types, max_depth=depth, limit=nodes)
    if walk is None:
        return None
    found: dict[str, dict] = {}
    product_at = walker.at(named_type(raw.return_type), raw.field_nodes, "nodes", "product")
    if product_at is not None:
        found = await read.fetch_by_keys(context.reader, walker.selection(*product_at), list(walk.depths))
    ordered = sorted(walk.depths.items(), key=lambda item: (item[1], item[0]))
    return {
        "nodes": [{"depth": d, "product": found.get(u, {"uri": u})} for u, d in ordered],
        "edges": [{"from_": e["from"], "to": e["to"], "type": e["type"], "properties": e["properties"]}
                  for e in sorted(walk.edges, key=lambda e: (e["from"], e["to"], e["type"]))],
        "truncated": walk.truncated,
    }


#: EngineeringImpact fields -> columns of `cypher/api/engineering_impact.cypher` -> answer keys.
IMPACT_FIELDS = {"series": "series", "exposures": "exposures", "products": "products", "level3Products": "level3"}
IMPACT_KEYS = {"series": "series", "exposures": "exposures", "products": "products", "level3": "level3_products"}


async def engineering_impact(info: strawberry.Info, mnemonic: str, t_from: float, t_to: float,
                             first: int | None) -> dict | None:
    for argument, value in (("from", t_from), ("to", t_to)):
        if not math.isfinite(value):  # (a literal 1e400 is read as infinity: it was "all time")
            raise BadArgument(argument, f"must be a finite MJD, not {value}")
    if t_to < t_from:
        raise BadArgument("to", "must not be before `from`")
    context, walker, raw = _walk(info)
    impact_type = named_type(raw.return_type)
    selections = {}
    for name, column in IMPACT_FIELDS.items():
        found = walker.at(impact_type, raw.field_nodes, name)
        if found is not None:
            selections[column] = walker.selection(*found)
    size = arguments.list_size(first, context.settings.max_page_size)
    answer = await read.engineering_impact(context.reader, mnemonic, t_from, t_to, selections, size)
    if answer is None:
        return None
    return {"truncated": answer["truncated"], **{key: answer.get(column, []) for column, key in IMPACT_KEYS.items()}}


async def search(info: strawberry.Info, text: str, first: int | None, after: str | None) -> dict:
    context = _context(info)
    size = bounded("first", first, context.settings.max_page_size, minimum=0)
    try:
        return await graph_search.search(context.reader, text, size, after)
    except read.ArgumentError as exc:
        raise BadArgument(exc.argument, exc.reason) from None


async def examples(info: strawberry.Info) -> list[dict]:
    return await graph_search.examples(_context(info).reader)


async def download_list(info: strawberry.Info, id: str, upstream: bool, all: bool, levels, product_types,
                        suffixes) -> dict | None:
    context = _context(info)
    try:
        request = downloads.request(id, upstream=upstream, all=all, levels=levels, product_types=product_types,
                                    suffixes=suffixes)
    except read.ArgumentError as exc:
        raise BadArgument(exc.argument, exc.reason) from None
    settings = context.settings
    return await downloads.download_list(context.reader, request, max_nodes=settings.max_lineage_nodes)
