"""The whole answer is bounded before it runs: the most objects an operation can return (page sizes and
limits multiplied along nesting, summed over fields, aliases and fragments) at most MASTGRAPH_MAX_RESULT_OBJECTS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse
from starlette.testclient import TestClient

from mastgraph.api.app import create_app
from mastgraph.api.estimate import answer_objects
from mastgraph.api.examples import EXAMPLES
from mastgraph.api.limits import _defaults, _operation
from mastgraph.api.schema import build_schema
from mastgraph.graph.settings import Settings

from .conftest import api_settings, gql, ok

SETTINGS = Settings()  # the defaults: pages of at most 1000, walks of at most 20000, 500,000 objects
SCHEMA = build_schema(SETTINGS)._schema
WEB = Path(__file__).resolve().parents[2] / "web" / "src"


def estimate(query: str, variables: dict | None = None, settings: Settings = SETTINGS) -> int:
    document = parse(query)
    operation = _operation(document, None)
    return answer_objects(SCHEMA, document, operation, variables or {}, _defaults(operation), settings)


LINEAGE_WALK = "nodes { depth product { uri } } edges { from to }"


@pytest.mark.parametrize("query, variables, objects", [
    ('{ product(uri: "x") { uri observation { obsid } } }', {}, 2),
    # a capped list: its `first`, else the maximum page size; a list without one counts one per parent
    ('{ product(uri: "x") { composedOf(first: 7) { antecedents(first: 3) { uri } } } }', {}, 1 + 7 + 7 * 3),
    ('{ product(uri: "x") { composedOf(first: 7) { referenceFiles { name } } } }', {}, 1 + 7 + 7),
    ('{ product(uri: "x") { composedOf { uri } } }', {}, 1 + 1000),
    ('{ product(uri: "x") { composedOf(first: 2) { antecedents { uri } } } }', {}, 1 + 2 + 2 * 1000),
    ('{ program(id: "x") { observations(first: 4) { members(first: 3) { obsid } } } }', {}, 1 + 4 + 4 * 3),
    ('{ observation(obsid: "x") { members { linked(first: 2) { uri } } } }', {}, 1 + 1000 + 1000 * 2),
    ('{ association(name: "x") { products(first: 2) { uri } perSourceProducts { uri } } }', {}, 1 + 2 + 1000),
    ('{ mnemonic(name: "x") { series(first: 2) { observations(first: 3) { obsid } products(first: 4) { uri } } } }',
     {}, 1 + 2 + 2 * 3 + 2 * 4),
    ('{ externalProduct(uri: "x") { preImageOf(first: 2) { endProducts(first: 3) { uri } } linkedFrom { uri } } }',
     {}, 1 + 2 + 2 * 3 + 1000),
    ('{ product(uri: "x") { derivedProducts { uri } antecedentsConnection { nodes { uri } } } }', {},
     1 + 1000 + 1 + 100),
    # a connection: one object, its nodes and edges (and each edge's node) `first` each; 100 when not given
    ('{ products(first: 5) { totalCount pageInfo { hasNextPage } nodes { composes(first: 2) { uri } } } }', {},
     1 + 1 + 5 + 5 * 2),
    ("{ products { edges { node { uri } } } }", {}, 1 + 100 + 100),
    ('query ($n: Int = 3) { products(first: $n) { nodes { uri } } }', {}, 1 + 3),
    ('query ($n: Int = 3) { products(first: $n) { nodes { uri } } }', {"n": 9}, 1 + 9),
    # a walk: its limit (the walk itself), and that many in each of its lists
    (f'{{ lineage(uri: "x", limit: 10) {{ {LINEAGE_WALK} }} }}', {}, 1 + 10 + 10 + 10 + 10),
    ('{ lineage(uri: "x") { truncated } }', {}, 1 + 20000),
    ('{ downloadList(id: "x") { count files { uri } } }', {}, 1 + 20000 + 20000),
    ('{ exposuresDuringEngineering(mnemonic: "m", from: 0, to: 1, first: 4) { series { key } exposures { obsid } } }',
     {}, 1 + 4 + 4),
    ('{ search(text: "jw") { hits { key } } }', {}, 1 + 10),
    # aliases and fragments add up; @skip and @include are followed
    ('{ a: product(uri: "x") { ...F } b: product(uri: "y") { ...F } } fragment F on Product { composes(first: 3) { uri } }',
     {}, 2 * (1 + 3)),
    ('query ($s: Boolean!) { product(uri: "x") { composes(first: 3) @skip(if: $s) { uri } } }', {"s": True}, 1),
    ('{ product(uri: "x") { ... on Product { composes(first: 3) @include(if: true) { uri } } } }', {}, 1 + 3),
])
def test_the_estimate_multiplies_along_nesting_and_adds_across_fields(query, variables, objects):
    assert estimate(query, variables) == objects


@pytest.fixture(scope="module")
def bounded(neo4j_settings):
    with TestClient(create_app(api_settings(neo4j_settings, max_result_objects=1000))) as client:
        yield client


def test_an_answer_over_the_bound_is_refused_with_the_estimate_and_the_bound(bounded, sample_graph):
    aliases = " ".join(f'a{i}: lineage(uri: "{sample_graph.l3}", limit: 100) {{ {LINEAGE_WALK} }}' for i in range(3))
    answer = gql(bounded, "{ %s }" % aliases)
    assert answer.data is None and answer.queries == 0
    (error,) = answer.errors
    estimated = 3 * (1 + 4 * 100)
    assert error["message"] == (
        f"the answer could hold up to {estimated:,} objects (page sizes and limits multiplied along nesting, summed "
        "over fields and aliases); at most 1,000 allowed (MASTGRAPH_MAX_RESULT_OBJECTS): ask for smaller `first` or "
        "`limit`, or fewer aliases")
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": "max_result_objects", "maximum": 1000,
                                   "estimate": estimated}


def test_variables_count_and_an_answer_within_the_bound_runs(bounded, sample_graph):
    query = "query ($n: Int) { products(first: $n) { nodes { composes(first: $n) { uri } } } }"
    assert gql(bounded, query, {"n": 40}).errors[0]["extensions"]["estimate"] == 1 + 40 + 40 * 40
    answer = gql(bounded, query, {"n": 30})  # 1 + 30 + 900
    products = len({key for label, key, *_ in sample_graph.nodes if label.value == "Product"})
    assert len(ok(answer)["products"]["nodes"]) == min(30, products) and answer.queries == 1


def test_thirty_full_walks_are_refused_by_default(api, sample_graph):
    aliases = " ".join(f'a{i}: lineage(uri: "{sample_graph.l3}", limit: 20000) {{ truncated }}' for i in range(30))
    answer = gql(api, "{ %s }" % aliases)
    assert answer.errors[0]["extensions"]["estimate"] == 30 * (1 + 20000) and answer.queries == 0


def web_queries() -> dict[str, str]:
    """The explorer's own requests (web/src/queries.js), as the page sends them."""
    text = (WEB / "queries.js").read_text()
    fields = re.search(r'PRODUCT_FIELDS = "([^"]+)"', text).group(1)
    found = {name: body.replace("${PRODUCT_FIELDS}", fields)
             for name, body in re.findall(r"export const (\w+) = `(.*?)`;", text, re.S)}
    graphiql = re.search(r"(query L3ToRaw.*?\n})", (WEB / "graphiql.js").read_text(), re.S).group(1)
    return {**found, "GRAPHIQL_DEFAULT": graphiql.replace("\\n", "\n")}


def test_the_explorers_and_the_docs_requests_stay_well_within_the_default():
    queries = web_queries()
    assert {"LINEAGE", "DOWNLOAD_LIST", "OBSERVATION_PRODUCTS", "PRODUCT_DETAIL", "GRAPHIQL_DEFAULT"} <= set(queries)
    sizes = {name: estimate(body, {"first": SETTINGS.max_page_size}) for name, body in queries.items()}
    sizes |= {name: estimate(query, variables) for name, (query, variables) in EXAMPLES.items()}
    assert sizes["LINEAGE"] == 1 + 4 * SETTINGS.max_lineage_nodes  # the largest: one whole walk
    assert max(sizes.values()) <= SETTINGS.max_result_objects / 5, sizes
