"""All read access of the GraphQL API.

A `Reader` belongs to one API request. It runs every query in a read transaction (a cluster
routes it to a reader) within the request's time budget (`Settings.tx_timeout`, spent across all
its queries), counts the round trips, and turns driver failures into `DatabaseUnavailable` or
`QueryTimeout`. Queries answer in one row (lists are collected in Cypher): the async driver reads
one large row much faster than many small ones.

Two kinds of query text:

- named queries, `cypher/api/*.cypher` (lineage steps, engineering impact, readiness, the raw
  L3-to-raw query a benchmark compares with);
- selections compiled into one query. A `Selection` says which fields of a node kind an answer
  needs and which related nodes, through the `LINKS` of the model (an L3 product, its members,
  their antecedents ...). `compile_projection` turns it into one Cypher map projection with nested
  `COLLECT {}` subqueries, so a nested request costs one round trip. The text is assembled only
  from this module's fixed fragments, labels and relationship types of `model/vocabulary.py`, and
  property names of `VIEWS`; every value is a parameter.

Answers are plain dicts (what the driver returns for map projections); related nodes sit under
the key their `Child` names (``"@composedOf"``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j import Query, RoutingControl

from . import queries
from . import db
from .db import DatabaseUnavailable, schema_statements
from mastgraph.model.vocabulary import KEYS, Label, Rel
from .settings import Settings

__all__ = [
    "ArgumentError", "Child", "DatabaseUnavailable", "EdgeSelection", "LINKS", "Link", "Page", "QueryTimeout", "Reader",
    "Selection", "VIEWS", "Walk", "compile_projection", "engineering_impact", "fetch_by_keys",
    "fetch_children", "fetch_products", "l3_to_raw", "l3_to_raw_sync", "lineage", "open_driver",
    "readiness", "schema_constraint_names",
]


class QueryTimeout(RuntimeError):
    """A request used up its Neo4j transaction time (`Settings.tx_timeout`)."""


class ArgumentError(ValueError):
    """An argument of a read (search, download list) that cannot be used; `argument` names it."""

    def __init__(self, argument: str, reason: str) -> None:
        super().__init__(f"{argument}: {reason}")
        self.argument = argument
        self.reason = reason


# -- the connection ------------------------------------------------------------------------


def open_driver(settings: Settings) -> neo4j.AsyncDriver:
    """The API's async driver: fails fast while Neo4j is down and reconnects by itself after.

    Managed transactions retry for at most a second (the default, 30 s, would hold every request
    while Neo4j is down); server notifications are not requested.
    """
    return db.async_driver(
        settings,
        user_agent="mastgraph-api",
        max_transaction_retry_time=1.0,
        connection_timeout=min(5.0, settings.tx_timeout),
        connection_acquisition_timeout=max(1.0, settings.tx_timeout),
    )


_UNAVAILABLE_CODES = ("Neo.TransientError.General.DatabaseUnavailable", "Neo.ClientError.Database.DatabaseNotFound")


class Reader:
    """The read side of one request: one driver, one database, one time budget, a query counter."""

    def __init__(self, driver: neo4j.AsyncDriver, database: str, timeout: float) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        #: Cypher round trips sent so far.
        self.queries = 0
        #: Seconds spent waiting for Neo4j (answers included).
        self.seconds = 0.0

    async def values(self, text: str, params: Mapping[str, Any]) -> list[Any]:
        """The first column of every row."""
        return await self._run(text, params, _first_column)

    async def _run(self, text: str, params: Mapping[str, Any], transform) -> Any:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0.001:
            raise QueryTimeout(f"the request used up its {self.timeout:g} s of Neo4j time")
        self.queries += 1
        started = time.perf_counter()
        try:
            return await self.driver.execute_query(
                Query(text, timeout=remaining), dict(params), routing_=RoutingControl.READ,
                database_=self.database, bookmark_manager_=None, result_transformer_=transform,
            )
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired, OSError) as exc:
            raise DatabaseUnavailable(f"Neo4j is not reachable ({_first_line(exc)})") from exc
        except neo4j.exceptions.Neo4jError as exc:
            code = exc.code or ""
            if "TransactionTimedOut" in code or "Terminated" in code:
                raise QueryTimeout(f"the request used up its {self.timeout:g} s of Neo4j time") from exc
            if code in _UNAVAILABLE_CODES:
                raise DatabaseUnavailable(f"database {self.database!r} is not available ({code})") from exc
            raise
        finally:
            self.seconds += time.perf_counter() - started


async def _first_column(result: neo4j.AsyncResult) -> list[Any]:
    return await result.value()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


# -- what each node kind offers --------------------------------------------------------------


def _view(*names: str, **renamed: str) -> dict[str, str]:
    """Output keys -> Cypher: a property of the same name, a renamed property, or an expression."""
    view = {name: "." + name for name in names}
    view.update(renamed)
    return view


#: For each node kind, the fields an answer may carry: output key -> property (".name") or an
#: expression over the node "{n}". Output keys are the API's Python field names.
VIEWS: dict[Label, dict[str, str]] = {
    Label.PROGRAM: _view("pi", "proposal_id", program_id=".program"),
    Label.OBSERVATION: _view(
        "obsid", "obs_id", "calib_level", "instrument", "filters", "target_name", "target_classification",
        "t_min", "t_max", "t_exptime", "s_ra", "s_dec", "dataproduct_type", "intent", "data_rights",
        "t_obs_release", "provenance_name", "mast_listed", program_id=".program",
        level="CASE WHEN {n}:Combined THEN 'COMBINED' WHEN {n}:Exposure THEN 'EXPOSURE' END",
    ),
    Label.PRODUCT: _view(
        "uri", "filename", "size", "description", "product_type", "subgroup", "calib_level", "dataproduct_type",
        "project", "prvversion", "data_rights", "exp_type", "mast_mrp", "listed", "suffix", "extension", "level",
        "visit", "visit_id", "visit_group", "parallel", "activity", "exposure", "segment", "detector", "asn_id",
        "source_id", "target", "instrument", "optical_elements", "gs_kind", "stem", "exposure_key", "source_stem",
        "cal_ver", "crds_ver", "asnpool", "asntable", "t_min", "t_max", "effexptm", "hdrtab_inputs",
        "previews", "thumbnail", program_id=".program", observation_number=".observation", association_name=".association",
        labels="labels({n})",
    ),
    Label.ASSOCIATION: _view(
        "name", "asn_type", "asn_rule", "asn_pool", "asn_id", "target", "code_version", "version_id",
        "degraded_status", "composition_by", program_id=".program", product_names=".products",
    ),
    Label.REFERENCE_FILE: _view("name", "instrument", "reftype"),
    Label.CRDS_CONTEXT: _view("name"),
    Label.MNEMONIC: _view("name", "subsystem", "raw_type", "eu_type", "sql_type"),
    Label.ENGINEERING_SERIES: _view(
        "key", "t_min", "t_max", "n_samples", "times", "values", "sql_type", mnemonic_name=".mnemonic",
    ),
    Label.EXTERNAL_PRODUCT: _view("uri", "mission", "description"),
}

#: For each node kind, the output key that carries its key property (always in an answer).
KEY_FIELDS: dict[Label, str] = {
    label: next(name for name, expr in view.items() if expr == "." + KEYS[label]) for label, view in VIEWS.items()
}

#: Fields of the relationships an answer may carry as items (association membership).
EDGE_VIEWS: dict[Rel, dict[str, str]] = {Rel.HAS_MEMBER: _view("exptype", asn_product=".product")}

#: Properties a node kind may be looked up by, besides its key.
LOOKUPS: dict[Label, tuple[str, ...]] = {Label.PRODUCT: ("filename",), Label.OBSERVATION: ("obs_id",)}


# -- how related nodes are reached -------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """One way from a node `{a}` to related nodes `{b}` through relationships `{r}`.

    `filter` is the expression a list of wanted values is matched against (a relationship's kind,
    a series' mnemonic); `single` links give one node or null; `page` links give keyset pages of
    products; `roles` make a link's items relationships (name of the role -> "a" or "b").
    """

    pattern: str
    target: Label
    filter: str | None = None
    where: str | None = None
    single: bool = False
    page: bool = False
    distinct: bool = False
    edge: Rel | None = None
    roles: tuple[tuple[str, str], ...] = ()
    inputs: bool = False


def _out(rel: Rel, target: Label) -> str:
    return "({a})-[{r}:%s]->({b}:%s)" % (rel.value, target.value)


def _in(rel: Rel, source: Label) -> str:
    return "({a})<-[{r}:%s]-({b}:%s)" % (rel.value, source.value)


_P, _O, _A = Label.PRODUCT, Label.OBSERVATION, Label.ASSOCIATION
_KIND, _BY = "{r}.kind", "{r}.by"

#: The relationships data flows through into a product: what a pipeline stage read (ANTECEDENT),
#: combined (COMPOSITION) or subtracted/applied (CONTEMPORANEOUS_CALIBRATION). Not PREREQUISITE
#: (a target acquisition points the telescope; its pixels go nowhere) nor LINKED.
MADE_FROM = "|".join(r.value for r in (Rel.COMPOSITION, Rel.ANTECEDENT, Rel.CONTEMPORANEOUS_CALIBRATION))
#: How many MADE_FROM steps an inputs / end-products walk follows (an L3 reaches its raw exposures in 3 or 4).
MADE_FROM_DEPTH = 10
_UPSTREAM = f"[:{MADE_FROM}*0..{MADE_FROM_DEPTH}]"
_DOWNSTREAM = f"[:{MADE_FROM}*1..{MADE_FROM_DEPTH}]"

#: Every relationship field of the API, in both directions, named "<NodeKind>.<field>".
LINKS: dict[str, Link] = {
    "Program.observations": Link(_out(Rel.HAS_OBSERVATION, _O), _O),
    "Observation.program": Link(_in(Rel.HAS_OBSERVATION, Label.PROGRAM), Label.PROGRAM, single=True),
    "Observation.products": Link(_out(Rel.HAS_PRODUCT, _P), _P, page=True),
    "Observation.members": Link(_out(Rel.HAS_MEMBER, _O), _O),
    "Observation.member_of": Link(_in(Rel.HAS_MEMBER, _O), _O),
    "Observation.minimum_recommended_products": Link(_out(Rel.MRP, _P), _P),
    "Observation.mast_minimum_recommended_products": Link(_out(Rel.MAST_MRP, _P), _P),
    "Observation.aggregated": Link(_out(Rel.AGGREGATION, _P), _P, filter=_KIND),
    "Observation.linked": Link(
        "({a})-[:HAS_MEMBER*0..1]->(:Observation)-[:HAS_PRODUCT]->(:Product)-[{r}:LINKED]->({b}:Product)",
        _P, filter=_KIND, distinct=True,
    ),
    "Observation.engineering": Link(_out(Rel.HAS_ENGINEERING, Label.ENGINEERING_SERIES), Label.ENGINEERING_SERIES,
                                    filter="{b}.mnemonic"),
    "Product.observation": Link(_in(Rel.HAS_PRODUCT, _O), _O, single=True),
    "Product.association": Link(_out(Rel.PRODUCED_BY, _A), _A, single=True),
    "Product.member_of": Link(_in(Rel.HAS_MEMBER, _A), _A, filter="{r}.exptype", edge=Rel.HAS_MEMBER,
                              roles=(("association", "b"), ("product", "a"))),
    "Product.composed_of": Link(_out(Rel.COMPOSITION, _P), _P, filter=_BY),
    "Product.composes": Link(_in(Rel.COMPOSITION, _P), _P, filter=_BY),
    "Product.antecedents": Link(_out(Rel.ANTECEDENT, _P), _P),
    "Product.derived_products": Link(_in(Rel.ANTECEDENT, _P), _P),
    "Product.multiplicity_of": Link(_out(Rel.MULTIPLICITY, _A), _A, single=True),
    "Product.contemporaneous_calibrations": Link(_out(Rel.CONTEMPORANEOUS_CALIBRATION, _P), _P, filter=_KIND),
    "Product.calibrates": Link(_in(Rel.CONTEMPORANEOUS_CALIBRATION, _P), _P, filter=_KIND),
    "Product.prerequisites": Link(_out(Rel.PREREQUISITE, _P), _P, filter=_KIND),
    "Product.prerequisite_for": Link(_in(Rel.PREREQUISITE, _P), _P, filter=_KIND),
    "Product.linked": Link(_out(Rel.LINKED, _P), _P, filter=_KIND),
    "Product.linked_from": Link(_in(Rel.LINKED, _P), _P, filter=_KIND),
    "Product.linked_external_products": Link(_out(Rel.LINKED, Label.EXTERNAL_PRODUCT), Label.EXTERNAL_PRODUCT,
                                             filter=_KIND),
    "Product.external_pre_images": Link(_out(Rel.EXTERNAL_PRE_IMAGE, Label.EXTERNAL_PRODUCT), Label.EXTERNAL_PRODUCT),
    "Product.reference_files": Link(_out(Rel.USED_REFERENCE, Label.REFERENCE_FILE), Label.REFERENCE_FILE,
                                    filter="{r}.reftype"),
    "Product.crds_context": Link(_out(Rel.CALIBRATED_UNDER, Label.CRDS_CONTEXT), Label.CRDS_CONTEXT, single=True),
    "Product.engineering": Link(_out(Rel.HAS_ENGINEERING, Label.ENGINEERING_SERIES), Label.ENGINEERING_SERIES,
                                filter="{b}.mnemonic"),
    "Product.aggregated_by": Link(_in(Rel.AGGREGATION, _O), _O, filter=_KIND),
    "Product.minimum_recommended_for": Link(_in(Rel.MRP, _O), _O),
    "Product.mast_minimum_recommended_for": Link(_in(Rel.MAST_MRP, _O), _O),
    "Product.end_products": Link("({a})<-%s-({b}:Product:L3)" % _DOWNSTREAM, _P, distinct=True),
    "Product.inputs": Link("({a})-%s->({b}:Product:L1b)" % _UPSTREAM, _P, single=True, inputs=True),
    "Association.members": Link(_out(Rel.HAS_MEMBER, _P), _P, filter="{r}.exptype", edge=Rel.HAS_MEMBER,
                                roles=(("association", "a"), ("product", "b"))),
    "Association.products": Link(_in(Rel.PRODUCED_BY, _P), _P),
    "Association.per_source_products": Link(_in(Rel.MULTIPLICITY, _P), _P),
    "Association.association_file": Link("({b}:Product:AssociationFile)", _P, where="{b}.association = {a}.name",
                                         single=True),
    "ReferenceFile.products": Link(_in(Rel.USED_REFERENCE, _P), _P, page=True),
    "ReferenceFile.end_products": Link(
        "({a})<-[:USED_REFERENCE]-(:Product)<-%s-({b}:Product:L3)" % _UPSTREAM, _P, page=True, distinct=True,
    ),
    "CrdsContext.products": Link(_in(Rel.CALIBRATED_UNDER, _P), _P, page=True),
    "Mnemonic.series": Link(_in(Rel.OF_MNEMONIC, Label.ENGINEERING_SERIES), Label.ENGINEERING_SERIES),
    "EngineeringSeries.mnemonic": Link(_out(Rel.OF_MNEMONIC, Label.MNEMONIC), Label.MNEMONIC, single=True),
    "EngineeringSeries.observations": Link(_in(Rel.HAS_ENGINEERING, _O), _O),
    "EngineeringSeries.products": Link(_in(Rel.HAS_ENGINEERING, _P), _P),
    "ExternalProduct.pre_image_of": Link(_in(Rel.EXTERNAL_PRE_IMAGE, _P), _P),
    "ExternalProduct.linked_from": Link(_in(Rel.LINKED, _P), _P),
}

#: Product filters of keyset pages: name -> condition on the product "{n}" and the value "{v}".
PRODUCT_FILTERS: dict[str, str] = {
    "program": "{n}.program = {v}",
    "instrument": (
        "toLower(coalesce({n}.instrument, COLLECT { MATCH (filter_obs:Observation)-[:HAS_PRODUCT]->({n}) "
        "RETURN filter_obs.instrument }[0], '')) STARTS WITH {v}"
    ),
    "level": "{n}.level = {v}",
    "suffix": "{n}.suffix = {v}",
    "product_type": "{n}.product_type = {v}",
    "calib_level": "{n}.calib_level = {v}",
    "mrp": "EXISTS { (:Observation)-[:MRP]->({n}) } = {v}",
    "mast_mrp": "coalesce({n}.mast_mrp, false) = {v}",
}


# -- selections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A keyset page of products: `first` after the URI `after`, optionally filtered and counted."""

    first: int
    after: str = ""
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
    when there is a next page).
    """

    key: str
    link: str
    selection: Selection | EdgeSelection | InputsSelection
    values: tuple[Any, ...] | None = None
    page: Page | None = None


_NAME = re.compile(r"^[@A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class _Compiler:
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
        view = VIEWS[selection.label]
        items: list[str] = []
        for name in dict.fromkeys((KEY_FIELDS[selection.label], *selection.fields)):
            expr = view.get(name)
            if expr is None:
                raise ValueError(f"{selection.label.value} has no field {name!r}")
            items.append(expr if expr == "." + name else f"{name}: {self.expression(expr, var)}")
        for child in selection.children:
            items.append(f"`{_checked(child.key)}`: {self.child(var, child)}")
        return f"{var} {{{', '.join(items)}}}"

    @staticmethod
    def expression(expr: str, var: str) -> str:
        return f"{var}{expr}" if expr.startswith(".") else expr.replace("{n}", var)

    def edge(self, link: Link, selection: EdgeSelection, names: dict[str, str], rel: str) -> str:
        view = EDGE_VIEWS[link.edge]
        items = [f"{name}: {self.expression(view[name], rel)}" for name in dict.fromkeys(selection.fields)]
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
            page = child.page or Page(first=0)
            conditions.extend(self.product_filters(b, page.filters))
            where = _where(conditions)
            after = self.param(page.after)
            limit = self.param(page.first + 1)
            distinct = "DISTINCT " if link.distinct else ""
            items = (f"COLLECT {{ {match}{_where([*conditions, f'{b}.uri > {after}'])} "
                     f"WITH {distinct}{b} ORDER BY {b}.uri LIMIT {limit} RETURN {self.node(b, child.selection)} }}")
            parts = [f"first: {self.param(page.first)}", f"items: {items}"]
            if page.count:
                counted = f"COUNT {{ {match}{where} WITH DISTINCT {b} RETURN {b} }}" if link.distinct \
                    else f"COUNT {{ {match}{where} }}"
                parts.append(f"total_count: {counted}")
            return "{" + ", ".join(parts) + "}"
        where = _where(conditions)
        order = f"ORDER BY {b}.{KEYS[link.target]}"
        if link.edge is not None:
            body = f"WITH {parent}, {names['r']}, {b} {order} RETURN {self.edge(link, child.selection, names, names['r'])}"
        else:
            distinct = "DISTINCT " if link.distinct else ""
            body = f"WITH {distinct}{b} {order} RETURN {self.node(b, child.selection)}"
        if link.single:
            return f"COLLECT {{ {match}{where} {body} LIMIT 1 }}[0]"
        return f"COLLECT {{ {match}{where} {body} }}"

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


def _where(conditions: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _checked(key: str) -> str:
    if not _NAME.match(key):
        raise ValueError(f"not a field key: {key!r}")
    return key


def compile_projection(var: str, selection: Selection) -> tuple[str, dict[str, Any]]:
    """The Cypher map projection of `selection` for the node `var`, and its parameters."""
    compiler = _Compiler()
    return compiler.node(var, selection), compiler.params


# -- fetching selections -----------------------------------------------------------------------


async def fetch_by_keys(reader: Reader, selection: Selection, keys: Sequence[Any], by: str | None = None) -> dict[Any, dict]:
    """The nodes of one kind whose key (or lookup property `by`) is one of `keys`, projected."""
    label = selection.label
    prop = by or KEYS[label]
    if prop != KEYS[label] and prop not in LOOKUPS.get(label, ()):
        raise ValueError(f"{label.value} cannot be looked up by {prop!r}")
    compiler = _Compiler()
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
    compiler = _Compiler()
    expression = compiler.child("node", child)
    text = (f"UNWIND $keys AS key MATCH (node:{label.value} {{{KEYS[label]}: key}}) "
            f"RETURN collect([key, {expression}])")
    pairs = (await reader.values(text, {**compiler.params, "keys": list(keys)}))[0]
    return dict(pairs)


async def fetch_products(reader: Reader, page: Page, selection: Selection) -> dict[str, Any]:
    """A keyset page of every product (filtered): ``{"first", "items", "total_count"}``."""
    compiler = _Compiler()
    conditions = compiler.product_filters("node", page.filters)
    after = compiler.param(page.after)
    limit = compiler.param(page.first + 1)
    items = (f"COLLECT {{ MATCH (node:Product){_where([*conditions, f'node.uri > {after}'])} "
             f"WITH node ORDER BY node.uri LIMIT {limit} RETURN {compiler.node('node', selection)} }}")
    parts = [f"first: {compiler.param(page.first)}", f"items: {items}"]
    if page.count:
        parts.append(f"total_count: COUNT {{ MATCH (node:Product){_where(conditions)} }}")
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
    reader: Reader, mnemonic: str, t_from: float, t_to: float, selections: Mapping[str, Selection]
) -> dict[str, list[dict]] | None:
    """`cypher/api/engineering_impact.cypher`, each column projected with its selection.

    `selections` maps the columns wanted ("series", "exposures", "products", "level3") to the
    selection of their nodes. None when no mnemonic or series of that name exists.
    """
    compiler = _Compiler()
    parts = ["known: known"]
    for column, selection in selections.items():
        if IMPACT_COLUMNS[column] != selection.label:
            raise ValueError(f"column {column} holds {IMPACT_COLUMNS[column].value} nodes")
        parts.append(f"{column}: [x IN {column} | {compiler.node('x', selection)}]")
    text = f"CALL () {{\n{queries.text('api/engineering_impact')}}}\nRETURN {{{', '.join(parts)}}}"
    params = {**compiler.params, "mnemonic": mnemonic, "t_from": float(t_from), "t_to": float(t_to)}
    answer = (await reader.values(text, params))[0]
    if not answer.pop("known"):
        return None
    for column, nodes in answer.items():
        key = KEYS[IMPACT_COLUMNS[column]]
        nodes.sort(key=lambda node: node[key])
    return answer


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
        bookmark_manager_=None, result_transformer_=_first_column,
    )
    return rows[0] if rows else None


def l3_to_raw_sync(driver: neo4j.Driver, uri: str, database: str = "neo4j") -> dict | None:
    """`l3_to_raw` through a synchronous driver."""
    records, _, _ = driver.execute_query(
        queries.text("api/l3_to_raw"), {"uri": uri}, routing_=RoutingControl.READ, database_=database,
        bookmark_manager_=None,
    )
    return records[0]["product"] if records else None
