"""Selections compiled into one Cypher query.

A `Selection` says which fields of a node kind an answer needs and which related nodes (each a
`Child` through a link of `graph/views.py`: an L3 product, its members, their antecedents ...).
`Compiler.node` turns it into one Cypher map projection with nested `COLLECT {}` subqueries, so a
nested request costs one round trip. The text is assembled only from this module's fixed
fragments, labels and relationship types of `model/vocabulary.py`, and the fields and links of
`graph/views.py` (field names are checked to be names); every value is a parameter.

Answers are plain dicts (what the driver returns for map projections); related nodes sit under
the key their `Child` names (``"@composedOf"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mastgraph.model.vocabulary import KEYS, Label

from .views import EDGE_KEYS, KEY_FIELDS, LINKS, PRODUCT_FILTERS, Link, edge_field, node_field

__all__ = [
    "Child", "Compiler", "EdgeSelection", "InputsSelection", "Page", "Selection", "compile_projection", "where_clause",
]


@dataclass(frozen=True)
class Page:
    """A keyset page of nodes: `first` after the key `after` (a product's URI, an observation's obsid ...),
    optionally filtered (products) and counted.

    For a page of relationship items (a link with `edge`), `after` is the (product URI, relationship
    key) pair of the last item seen: one product may be a member twice (of two association products).
    On a plain list link, a `Page` only caps the list at `first` items (`after` is not read).
    """

    first: int
    after: Any = ""
    filters: tuple[tuple[str, Any], ...] = ()
    count: bool = False


@dataclass(frozen=True)
class Selection:
    """Which fields of a node kind an answer needs, and which related nodes (`children`)."""

    label: Label
    fields: tuple[str, ...] = ()
    children: tuple[Child, ...] = ()


@dataclass(frozen=True)
class EdgeSelection:
    """Items that are relationships: their fields, and the nodes in their roles (key, role, selection)."""

    fields: tuple[str, ...] = ()
    ends: tuple[tuple[str, str, Selection], ...] = ()


@dataclass(frozen=True)
class InputsSelection:
    """What went into a product (`Product.inputs`): the node selections of its observations and programs.

    The answer is ``{"exposures": n, "visits": [...], "program_observations": [...],
    "observations": [...], "programs": [...]}``.
    """

    observations: Selection | None = None
    programs: Selection | None = None


@dataclass(frozen=True)
class Child:
    """Related nodes under `key` of the parent's answer, through `LINKS[link]`.

    `values` (when not None) keeps only relationships whose link filter is one of them; a `page`
    link answers ``{"first": n, "items": [...], "total_count": n}`` (one item more than `first`
    when there is a next page; relationship items carry their cursor's pair under "@after"). On a
    list link, `page` (when not None) keeps the list's first `page.first` items.
    """

    key: str
    link: str
    selection: Selection | EdgeSelection | InputsSelection
    values: tuple[Any, ...] | None = None
    page: Page | None = None


_NAME = re.compile(r"^[@A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class Compiler:
    """One query's text under construction: its parameters and variable names."""

    params: dict[str, Any] = field(default_factory=dict)
    variables: int = 0

    def param(self, value: Any) -> str:
        name = f"sel{len(self.params)}"
        self.params[name] = value
        return "$" + name

    def var(self, prefix: str) -> str:
        self.variables += 1
        return f"{prefix}{self.variables}"

    def node(self, var: str, selection: Selection) -> str:
        """A map projection of the node `var`."""
        items: list[str] = []
        for name in dict.fromkeys((KEY_FIELDS[selection.label], *selection.fields)):
            expr = node_field(selection.label, name)
            items.append(expr if expr == "." + name else f"{name}: {self.expression(expr, var)}")
        for child in selection.children:
            items.append(f"`{_checked(child.key)}`: {self.child(var, child)}")
        return f"{var} {{{', '.join(items)}}}"

    @staticmethod
    def expression(expr: str, var: str) -> str:
        return f"{var}{expr}" if expr.startswith(".") else expr.replace("{n}", var)

    def edge(self, link: Link, selection: EdgeSelection, names: dict[str, str], rel: str) -> str:
        items = [f"{name}: {self.expression(edge_field(link.edge, name), rel)}"
                 for name in dict.fromkeys(selection.fields)]
        roles = dict(link.roles)
        for key, role, node in selection.ends:
            items.append(f"`{_checked(key)}`: {self.node(names[roles[role]], node)}")
        return "{" + ", ".join(items) + "}"

    def child(self, parent: str, child: Child) -> str:
        """The subquery expression answering `child` for the node `parent`."""
        link = LINKS[child.link]
        names = {"a": parent, "r": self.var("r"), "b": self.var("n")}
        b = names["b"]
        match = f"MATCH {link.pattern.format(**names)}"
        conditions = [link.where.format(**names)] if link.where else []
        if child.values is not None and link.filter:
            conditions.append(f"{link.filter.format(**names)} IN {self.param(list(child.values))}")
        if link.inputs:
            return self.inputs(match, b, child.selection)
        if link.page:
            return self.page(link, match, conditions, names, child)
        where = where_clause(conditions)
        order = f"ORDER BY {self.order(link, names)}"
        if child.page is not None and not link.single:
            order += f" LIMIT {self.param(child.page.first)}"
        if link.edge is not None:
            body = f"WITH {parent}, {names['r']}, {b} {order} RETURN {self.edge(link, child.selection, names, names['r'])}"
        else:
            distinct = "DISTINCT " if link.distinct else ""
            body = f"WITH {distinct}{b} {order} RETURN {self.node(b, child.selection)}"
        if link.single:
            return f"COLLECT {{ {match}{where} {body} LIMIT 1 }}[0]"
        return f"COLLECT {{ {match}{where} {body} }}"

    @staticmethod
    def order(link: Link, names: dict[str, str]) -> str:
        """The order of a link's items: the target's key, then (relationship items) the relationship's key."""
        keys = [f"{names['b']}.{KEYS[link.target]}"]
        if link.edge is not None:
            keys += [f"coalesce({names['r']}.{name}, '')" for name in EDGE_KEYS.get(link.edge, ())]
        return ", ".join(keys)

    def page(self, link: Link, match: str, conditions: list[str], names: dict[str, str], child: Child) -> str:
        """A keyset page of the link's items: ``{first, items, total_count}`` (see `Child`)."""
        b, r = names["b"], names["r"]
        page = child.page or Page(first=0)
        conditions = [*conditions, *self.product_filters(b, page.filters)]
        where = where_clause(conditions)
        limit = self.param(page.first + 1)
        distinct = "DISTINCT " if link.distinct else ""
        if link.edge is None:
            key = f"{b}.{KEYS[link.target]}"
            after = f"{key} > {self.param(page.after)}"
            items = (f"COLLECT {{ {match}{where_clause([*conditions, after])} "
                     f"WITH {distinct}{b} ORDER BY {key} LIMIT {limit} RETURN {self.node(b, child.selection)} }}")
        else:
            (key,) = EDGE_KEYS[link.edge]  # (a page of items with a one-property relationship key)
            far, tie = f"{b}.{KEYS[link.target]}", f"coalesce({r}.{key}, '')"
            last, last_tie = (self.param(value) for value in (page.after or ("", "")))
            after = f"({far} > {last} OR ({far} = {last} AND {tie} > {last_tie}))"
            item = self.edge(link, child.selection, names, r)
            item = item[:-1] + (", " if item != "{}" else "") + f"`@after`: [{far}, {tie}]}}"
            items = (f"COLLECT {{ {match}{where_clause([*conditions, after])} "
                     f"WITH {names['a']}, {r}, {b} ORDER BY {far}, {tie} LIMIT {limit} RETURN {item} }}")
        parts = [f"first: {self.param(page.first)}", f"items: {items}"]
        if page.count:
            counted = f"COUNT {{ {match}{where} WITH DISTINCT {b} RETURN {b} }}" if link.distinct \
                else f"COUNT {{ {match}{where} }}"
            parts.append(f"total_count: {counted}")
        return "{" + ", ".join(parts) + "}"

    def inputs(self, match: str, raw: str, selection: InputsSelection) -> str:
        """What went into a product: the raw exposures `raw` reached by `match`, summarised in one map.

        No aggregating function: the whole projection may sit inside the caller's `collect()`.
        """
        raws, item, value = self.var("raws"), self.var("x"), self.var("v")
        obs, program = self.var("o"), self.var("g")
        observations = programs = "[]"
        if selection.observations is not None:
            observations = (f"COLLECT {{ UNWIND {raws} AS {item} MATCH ({obs}:Observation:Combined)-[:HAS_MEMBER]->"
                            f"(:Observation)-[:HAS_PRODUCT]->({item}) WITH DISTINCT {obs} ORDER BY {obs}.obsid "
                            f"RETURN {self.node(obs, selection.observations)} }}")
        if selection.programs is not None:
            programs = (f"COLLECT {{ MATCH ({program}:Program) WHERE {program}.program IN [{item} IN {raws} | "
                        f"{item}.program] WITH {program} ORDER BY {program}.program "
                        f"RETURN {self.node(program, selection.programs)} }}")
        visit = f"'jw' + {item}.visit_id"
        number = f"'jw' + {item}.program + '-o' + coalesce({item}.observation, substring({item}.visit_id, 5, 3))"
        return (
            f"COLLECT {{ UNWIND [COLLECT {{ {match} RETURN DISTINCT {raw} }}] AS {raws} "
            f"RETURN {{exposures: size({raws}), visits: {self.distinct_sorted(raws, item, value, visit)}, "
            f"program_observations: {self.distinct_sorted(raws, item, value, number)}, "
            f"observations: {observations}, programs: {programs}}} }}[0]"
        )

    @staticmethod
    def distinct_sorted(values: str, item: str, value: str, expression: str) -> str:
        """The distinct non-null values of `expression` over the list `values`, sorted."""
        return (f"COLLECT {{ UNWIND {values} AS {item} WITH DISTINCT {expression} AS {value} "
                f"WHERE {value} IS NOT NULL RETURN {value} ORDER BY {value} }}")

    def product_filters(self, var: str, filters: Iterable[tuple[str, Any]]) -> list[str]:
        out = []
        for name, value in filters:
            template = PRODUCT_FILTERS[name]
            out.append(template.replace("{n}", var).replace("{v}", self.param(value)))
        return out


def where_clause(conditions: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _checked(key: str) -> str:
    if not _NAME.match(key):
        raise ValueError(f"not a field key: {key!r}")
    return key


def compile_projection(var: str, selection: Selection) -> tuple[str, dict[str, Any]]:
    """The Cypher map projection of `selection` for the node `var`, and its parameters."""
    compiler = Compiler()
    return compiler.node(var, selection), compiler.params
