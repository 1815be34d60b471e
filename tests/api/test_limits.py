"""Every configured limit rejects its abusive request with a clear error, before Neo4j is asked."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mastgraph.api.app import create_app

from .conftest import api_settings, gql, ok

LIMITS = dict(max_query_depth=5, max_aliases=3, max_tokens=120, max_page_size=5, max_lineage_depth=2,
              max_lineage_nodes=4)


@pytest.fixture(scope="module")
def strict(neo4j_settings):
    with TestClient(create_app(api_settings(neo4j_settings, **LIMITS))) as client:
        yield client


DEEP = "{ product(uri: $u) { composedOf { antecedents { antecedents { derivedProducts { derivedProducts { uri } } } } } } }"
ALIASES = "{ a: product(uri: $u) { uri } b: product(uri: $u) { uri } c: product(uri: $u) { uri } d: product(uri: $u) { uri } }"
TOKENS = "{ product(uri: $u) { " + " ".join(["uri"] * 150) + " } }"


@pytest.mark.parametrize("name, body, variables, needle", [
    ("depth", DEEP, {}, "exceeds maximum operation depth of 5"),
    ("aliases", ALIASES, {}, "4 aliases found. Allowed: 3"),
    ("tokens", TOKENS, {}, "more than 120 tokens"),
    ("page size", "{ products(first: 6) { nodes { uri } } }", {}, "`first` of `products` is 6; at most 5"),
    ("nested page size", "query($n: Int) { observation(obsid: \"1\") { products(first: $n) { totalCount } } }",
     {"n": 50}, "`first` of `products` is 50; at most 5"),
    ("lineage depth", "{ lineage(uri: $u, maxDepth: 3) { truncated } }", {}, "`maxDepth` of `lineage` is 3; at most 2"),
    ("lineage nodes", "query($l: Int = 100) { lineage(uri: $u, limit: $l) { truncated } }", {},
     "`limit` of `lineage` is 100; at most 4"),
])
def test_each_limit_rejects_its_abusive_query(strict, sample_graph, name, body, variables, needle):
    query = body.replace("$u", '"%s"' % sample_graph.l3)
    answer = gql(strict, query, variables)
    assert answer.data is None, name
    assert len(answer.errors) == 1
    assert needle in answer.errors[0]["message"]
    assert answer.errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert answer.queries == 0, "the database was asked"


def test_requests_within_the_limits_pass(strict, sample_graph):
    answer = gql(strict, '{ lineage(uri: "%s", maxDepth: 2, limit: 4) { nodes { depth } truncated } '
                         'products(first: 5) { nodes { uri } } }' % sample_graph.l3)
    data = ok(answer)
    assert len(data["lineage"]["nodes"]) == 4 and data["lineage"]["truncated"] is True
    assert len(data["products"]["nodes"]) == 5


@pytest.mark.parametrize("query, argument", [
    ("{ products(first: -1) { totalCount } }", "first"),
    ('{ lineage(uri: "x", maxDepth: 0) { truncated } }', "maxDepth"),
    ('{ lineage(uri: "x", limit: 0) { truncated } }', "limit"),
])
def test_out_of_range_arguments_are_named(strict, query, argument):
    answer = gql(strict, query)
    assert answer.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert answer.queries == 0


def test_the_default_page_size_follows_the_maximum(strict, sample_graph):
    assert len(ok(gql(strict, "{ products { nodes { uri } } }"))["products"]["nodes"]) == 5


def test_the_transaction_budget_is_enforced(neo4j_settings, sample_graph):
    with TestClient(create_app(api_settings(neo4j_settings, tx_timeout=0.0005))) as client:
        answer = gql(client, '{ product(uri: "%s") { uri } }' % sample_graph.l3)
    assert answer.errors[0]["extensions"]["code"] == "QUERY_TIMEOUT"
    assert answer.data == {"product": None}


def _fragment_bomb(levels: int, leaf: str) -> str:
    """`levels` fragments, each spreading the next twice: 2**levels copies of `leaf` once expanded."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "query { ...F0 }\n" + "\n".join([*fragments, f"fragment F{levels} on Query {{ {leaf} }}"])


def test_fragments_spread_at_every_level_are_refused_before_validation(neo4j_settings, sample_graph):
    """Strawberry's depth and alias limiters walk a fragment again at each spread: this 1.6 KB document
    held the server's event loop for hours; it is refused in one error before any validation runs."""
    import time

    from mastgraph.api.limits import MAX_EXPANDED_SELECTIONS, expanded_selections
    from graphql import parse

    bomb = _fragment_bomb(40, 'product(uri: "x") { uri }')
    assert len(bomb) < 2000 and expanded_selections(parse(bomb)) > MAX_EXPANDED_SELECTIONS
    with TestClient(create_app(api_settings(neo4j_settings))) as client:
        started = time.perf_counter()
        answer = gql(client, bomb)
        assert time.perf_counter() - started < 5
        assert answer.data is None and len(answer.errors) == 1 and answer.queries == 0
        assert answer.errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert answer.errors[0]["message"].startswith("the document expands to more than 20,000 selections")
        # a fragment spread a few times within the bound is validated and answered as before
        small = _fragment_bomb(3, 'product(uri: "%s") { uri }' % sample_graph.l3)
        assert expanded_selections(parse(small)) == 2 + 4 + 8 + 8 * 2 + 1
        assert ok(gql(client, small))["product"]["uri"] == sample_graph.l3
