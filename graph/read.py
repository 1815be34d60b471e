"""All read access of the GraphQL API: the reads each resolver asks for, in one place.

Split in four modules, `graph.read` being the one the API imports:

- `graph/reader.py`: the `Reader` of one request (read transactions, time budget, round-trip
  counter) and the read errors (`DatabaseUnavailable`, `QueryTimeout`, `ArgumentError`);
- `graph/views.py`: the read plan, declared once: the fields of each node kind and the links
  relation fields follow (`VIEWS`, `LINKS`), with the recipe for a new API field;
- `graph/compiler.py`: selections (`Selection`, `Child`, `Page`) compiled into one Cypher map
  projection with nested `COLLECT {}` subqueries, values as parameters;
- this module: the reads themselves. Selections fetched by key, children of many nodes at once,
  product pages (compiled); lineage steps, engineering impact, readiness and the raw L3-to-raw
  query a benchmark compares with (named queries, `cypher/api/*.cypher`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j import RoutingControl

from mastgraph.model.vocabulary import KEYS, Label, Rel

from . import queries
from .compiler import Child, Compiler, EdgeSelection, InputsSelection, Page, Selection, compile_projection, where_clause
from .db import schema_statements
from .reader import ArgumentError, DatabaseUnavailable, QueryTimeout, Reader, first_column, open_driver
from .views import KEY_FIELDS, LINKS, LOOKUPS

__all__ = [
    "ArgumentError", "Child", "DatabaseUnavailable", "EdgeSelection", "InputsSelection", "KEY_FIELDS", "LINKS",
    "Page", "QueryTimeout", "Reader", "Selection", "Walk", "compile_projection",
    "engineering_impact", "fetch_by_keys", "fetch_children", "fetch_products", "l3_to_raw", "l3_to_raw_sync",
    "lineage", "open_driver", "readiness", "schema_constraint_names",
]


# -- fetching selections -----------------------------------------------------------------------


async def fetch_by_keys(reader: Reader, selection: Selection, keys: Sequence[Any], by: str | None = None) -> dict[Any, dict]:
    """The nodes of one kind whose key (or lookup property `by`) is one of `keys`, projected."""
    label = selection.label
    prop = by or KEYS[label]
    if prop != KEYS[label] and prop not in LOOKUPS.get(label, ()):
        raise ValueError(f"{label.value} cannot be looked up by {prop!r}")
    compiler = Compiler()
    projection = compiler.node("node", selection)
    text = (f"UNWIND $keys AS key MATCH (node:{label.value} {{{prop}: key}}) "
            f"WITH key, node ORDER BY node.{KEYS[label]} RETURN collect([key, {projection}])")
    pairs = (await reader.values(text, {**compiler.params, "keys": list(keys)}))[0]
    found: dict[Any, dict] = {}
    for key, node in pairs:
        found.setdefault(key, node)
    return found


async def fetch_children(reader: Reader, label: Label, keys: Sequence[Any], child: Child) -> dict[Any, Any]:
    """`child` answered for each node of one kind whose key is in `keys` (one batched query)."""
    compiler = Compiler()
    expression = compiler.child("node", child)
    text = (f"UNWIND $keys AS key MATCH (node:{label.value} {{{KEYS[label]}: key}}) "
            f"RETURN collect([key, {expression}])")
    pairs = (await reader.values(text, {**compiler.params, "keys": list(keys)}))[0]
    return dict(pairs)


async def fetch_products(reader: Reader, page: Page, selection: Selection) -> dict[str, Any]:
    """A keyset page of every product (filtered): ``{"first", "items", "total_count"}``."""
    compiler = Compiler()
    conditions = compiler.product_filters("node", page.filters)
    after = compiler.param(page.after)
    limit = compiler.param(page.first + 1)
    items = (f"COLLECT {{ MATCH (node:Product){where_clause([*conditions, f'node.uri > {after}'])} "
             f"WITH node ORDER BY node.uri LIMIT {limit} RETURN {compiler.node('node', selection)} }}")
    parts = [f"first: {compiler.param(page.first)}", f"items: {items}"]
    if page.count:
        parts.append(f"total_count: COUNT {{ MATCH (node:Product){where_clause(conditions)} }}")
    rows = await reader.values("RETURN {" + ", ".join(parts) + "}", compiler.params)
    return rows[0]


# -- lineage -----------------------------------------------------------------------------------


@dataclass
class Walk:
    """A lineage walk: each product reached with its distance, the relationships among them."""

    depths: dict[str, int]
    edges: list[dict[str, Any]]
    truncated: bool


async def lineage(
    reader: Reader, uri: str, *, upstream: bool, types: Sequence[Rel], max_depth: int, limit: int
) -> Walk | None:
    """Breadth-first lineage walk from a product, one query per depth; None for an unknown product.

    Each product appears once, at its shortest distance (a diamond is one node; a cycle stops at
    products already reached). Edges are every relationship walked between reached products.
    `truncated` says the walk stopped at `limit` products or at `max_depth` with more beyond.
    """
    if not await reader.values("MATCH (p:Product {uri: $uri}) RETURN count(p)", {"uri": uri}) == [1]:
        return None
    step = queries.text("api/lineage_upstream_step" if upstream else "api/lineage_downstream_step")
    kinds = [t.value for t in types]
    depths = {uri: 0}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    frontier = [uri]
    truncated = False
    depth = 0
    while frontier:
        rows = (await reader.values(step, {"frontier": frontier, "types": kinds}))[0]
        depth += 1
        found: list[str] = []
        for row in sorted(rows, key=lambda r: (r["from"], r["to"], r["type"])):
            other = row["to"] if upstream else row["from"]
            if other not in depths:
                if depth > max_depth or len(depths) >= limit:
                    truncated = True
                    continue
                depths[other] = depth
                found.append(other)
            edges.setdefault((row["from"], row["to"], row["type"]), row)
        frontier = found
    return Walk(depths, list(edges.values()), truncated)


# -- engineering impact ------------------------------------------------------------------------

IMPACT_COLUMNS = {"series": Label.ENGINEERING_SERIES, "exposures": Label.OBSERVATION,
                  "products": Label.PRODUCT, "level3": Label.PRODUCT}


async def engineering_impact(
    reader: Reader, mnemonic: str, t_from: float, t_to: float, selections: Mapping[str, Selection], first: int
) -> dict[str, Any] | None:
    """`cypher/api/engineering_impact.cypher`, each column projected with its selection.

    `selections` maps the columns wanted ("series", "exposures", "products", "level3") to the
    selection of their nodes; each column keeps its first `first` nodes in key order, and
    "truncated" says whether one held more. None when no mnemonic or series of that name exists.
    """
    compiler = Compiler()
    parts = ["known: known"]
    limit = compiler.param(first + 1)
    for column, selection in selections.items():
        if IMPACT_COLUMNS[column] != selection.label:
            raise ValueError(f"column {column} holds {IMPACT_COLUMNS[column].value} nodes")
        key = KEYS[IMPACT_COLUMNS[column]]
        parts.append(f"{column}: COLLECT {{ UNWIND {column} AS x WITH x ORDER BY x.{key} LIMIT {limit} "
                     f"RETURN {compiler.node('x', selection)} }}")
    text = f"CALL () {{\n{queries.text('api/engineering_impact')}}}\nRETURN {{{', '.join(parts)}}}"
    params = {**compiler.params, "mnemonic": mnemonic, "t_from": float(t_from), "t_to": float(t_to)}
    answer = (await reader.values(text, params))[0]
    if not answer.pop("known"):
        return None
    truncated = any(len(nodes) > first for nodes in answer.values())
    for nodes in answer.values():  # (in key order already: each column's ORDER BY)
        del nodes[first:]
    return {**answer, "truncated": truncated}


# -- readiness and the raw comparison query ----------------------------------------------------


def schema_constraint_names() -> list[str]:
    """The constraint names `cypher/schema.cypher` creates."""
    names = []
    for statement in schema_statements():
        match = re.match(r"CREATE\s+CONSTRAINT\s+(\w+)", statement, re.IGNORECASE)
        if match:
            names.append(match.group(1))
    return names


async def readiness(reader: Reader) -> bool:
    """True when Neo4j answers and every constraint of the schema exists."""
    names = schema_constraint_names()
    present = await reader.values(queries.text("api/readiness"), {"names": names})
    return present == [len(names)]


async def l3_to_raw(driver: neo4j.AsyncDriver, uri: str, database: str = "neo4j") -> dict | None:
    """An L3 product down to its raw exposures through one raw Cypher query (`api/l3_to_raw`).

    The same answer as the GraphQL "L3 to raw" query of docs/api.md, for comparing the two.
    """
    rows = await driver.execute_query(
        queries.text("api/l3_to_raw"), {"uri": uri}, routing_=RoutingControl.READ, database_=database,
        bookmark_manager_=None, result_transformer_=first_column,
    )
    return rows[0] if rows else None


def l3_to_raw_sync(driver: neo4j.Driver, uri: str, database: str = "neo4j") -> dict | None:
    """`l3_to_raw` through a synchronous driver."""
    records, _, _ = driver.execute_query(
        queries.text("api/l3_to_raw"), {"uri": uri}, routing_=RoutingControl.READ, database_=database,
        bookmark_manager_=None,
    )
    return records[0]["product"] if records else None
