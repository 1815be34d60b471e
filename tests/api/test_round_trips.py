"""Bounded round trips: a nested request costs one Cypher query compiled, or one per nesting level."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mastgraph.api.app import create_app

from .conftest import gql, ok
from .test_lineage import L3_TO_RAW, raw_exposures

NESTED = """
query ($uri: String!) {
  product(uri: $uri) {
    uri
    crdsContext { name }
    association { name members(exptype: ["science"]) { exptype product { uri } } }
    composedOf(by: [DITHER]) {
      uri
      referenceFiles { name }
      observation { obsId members(first: 5) { obsid } }
      antecedents(first: 5) { uri antecedents(first: 5) { uri } }
    }
  }
}"""


def test_l3_to_raw_costs_one_query(api, sample_graph):
    answer = gql(api, L3_TO_RAW, {"uri": sample_graph.l3})
    assert raw_exposures(ok(answer)["product"]) == set(sample_graph.raw)
    assert answer.queries == 1


def test_a_wide_nested_request_costs_one_query(api, sample_graph):
    answer = gql(api, NESTED, {"uri": sample_graph.l3})
    product = ok(answer)["product"]
    assert answer.queries == 1
    assert product["crdsContext"]["name"] == sample_graph.context
    assert {m["product"]["uri"] for m in product["association"]["members"]} == set(sample_graph.cal)
    assert all(c["observation"]["obsId"] for c in product["composedOf"])


@pytest.fixture(scope="module")
def level_by_level(neo4j_settings):
    with TestClient(create_app(neo4j_settings, nested=False)) as client:
        yield client


def test_level_by_level_costs_one_query_per_nesting_level(level_by_level, api, sample_graph):
    answer = gql(level_by_level, L3_TO_RAW, {"uri": sample_graph.l3})
    assert raw_exposures(ok(answer)["product"]) == set(sample_graph.raw)
    assert answer.queries == 4  # product, composedOf, antecedents, antecedents
    assert answer.data == ok(gql(api, L3_TO_RAW, {"uri": sample_graph.l3}))


def test_level_by_level_gives_the_same_answers(level_by_level, api, sample_graph):
    answer = gql(level_by_level, NESTED, {"uri": sample_graph.l3})
    assert answer.data == ok(gql(api, NESTED, {"uri": sample_graph.l3}))
    # one per level and relation field: product; crdsContext, association, composedOf; members, referenceFiles,
    # observation, antecedents; members of the observation, antecedents of the antecedents
    assert answer.queries == 10


def test_query_counts_only_with_the_debug_header(api, sample_graph):
    response = api.post("/graphql", json={"query": L3_TO_RAW, "variables": {"uri": sample_graph.l3}})
    assert response.status_code == 200
    assert "mastgraph" not in (response.json().get("extensions") or {})
