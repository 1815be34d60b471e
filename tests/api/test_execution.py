"""The fast executor answers exactly as graphql-core's own, errors included."""

from __future__ import annotations

import asyncio

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig

from mastgraph.api.context import RequestContext
from mastgraph.api.errors import ErrorCodes
from mastgraph.api.execution import _SLOW, coercer
from mastgraph.api.query import Query
from mastgraph.api.schema import build_schema, field_value
from mastgraph.graph import read

from .test_impact import IMPACT
from .test_relations import KINDS, LOOKUP, relation_fields, selection

QUERIES = [
    ("l3", """query ($k: String!) { product(uri: $k) { uri size sizeAgain: size labels level calibLevel mastMrp
        composedOf { uri ...F antecedents(first: 5) { uri suffix tMin antecedents(first: 5) { uri labels } } }
        association { name productNames members { exptype asnProduct product { uri } association { name } } } } }
        fragment F on Product { filename programId exposureKey tMax }"""),
    ("series", """query ($k: String!) { engineeringSeries(key: $k) { key times values nSamples mnemonic { name eu: euType } } }"""),
    ("observation", """query ($k: String!) { observation(obsid: $k) { obsid level tMin sRa mastListed
        products(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { uri } } } } }"""),
]


def standard_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query, config=StrawberryConfig(default_resolver=field_value), extensions=[ErrorCodes])


async def both(neo4j_settings, query: str, variables: dict):
    driver = read.open_driver(neo4j_settings)
    try:
        answers = []
        for schema in (build_schema(neo4j_settings), standard_schema()):
            context = RequestContext(read.Reader(driver, neo4j_settings.neo4j_database, 10.0), neo4j_settings)
            result = await schema.execute(query, variables, context_value=context)
            answers.append((result.data, [(e.message, e.path, (e.extensions or {}).get("code")) for e in result.errors or []]))
        return answers
    finally:
        await driver.close()


@pytest.mark.parametrize("name, query", QUERIES, ids=[q[0] for q in QUERIES])
def test_same_answers_as_graphql_core(sample_graph, neo4j_settings, name, query):
    key = {"l3": sample_graph.l3, "series": sample_graph.series, "observation": sample_graph.exposure_obsids[0]}[name]
    fast, standard = asyncio.run(both(neo4j_settings, query, {"k": key}))
    assert fast == standard and fast[0] and not fast[1]


@pytest.mark.parametrize("label", KINDS, ids=[k.value for k in KINDS])
def test_same_answers_for_every_relation(sample_graph, neo4j_settings, label):
    root, argument, key_field = LOOKUP[label]
    body = " ".join(selection(field, link) for field, link in relation_fields(label.value))
    query = f"query ($k: String!) {{ {root}({argument}: $k) {{ {key_field} {body} }} }}"
    key = next(k for lab, k, *_ in sample_graph.nodes if lab is label)
    fast, standard = asyncio.run(both(neo4j_settings, query, {"k": key}))
    assert fast == standard and fast[0][root] is not None


def test_same_answers_for_impact(sample_graph, neo4j_settings):
    fast, standard = asyncio.run(both(neo4j_settings, IMPACT, {"m": "SA_ZATTEST2", "from": 59800.0, "to": 59800.3}))
    assert fast == standard


def test_values_of_other_types_take_the_ordinary_path(sample_graph, neo4j_settings, session_driver):
    # a 3.5 GB file size is beyond GraphQL's Int but fine as Float; a string in a Float field is an error
    session_driver.execute_query("MATCH (p:Product {uri: $uri}) SET p.t_min = 'not a number'", uri=sample_graph.cal[0])
    try:
        query = '{ product(uri: "%s") { size composedOf { uri tMin } } }' % sample_graph.l3
        fast, standard = asyncio.run(both(neo4j_settings, query, {}))
    finally:
        session_driver.execute_query("MATCH (p:Product {uri: $uri}) SET p.t_min = $t", uri=sample_graph.cal[0],
                                     t=59800.1)
    assert fast == standard
    assert fast[0]["product"]["size"] == 3.5e9
    assert fast[1] and fast[1][0][1] == ["product", "composedOf", 0, "tMin"]


def test_coercer_refuses_what_graphql_would_convert():
    from graphql import GraphQLFloat, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLString

    assert coercer(GraphQLString)(5) is _SLOW  # an int in a String field is left to graphql-core
    assert coercer(GraphQLInt)(2**40) is _SLOW  # beyond 32 bits: graphql-core reports the error
    assert coercer(GraphQLNonNull(GraphQLString))(None) is _SLOW
    assert coercer(GraphQLFloat)(3) == 3.0
    assert coercer(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString))))(["a", "b"]) == ["a", "b"]
    assert coercer(GraphQLList(GraphQLString))(None) is None


def test_a_null_in_a_non_null_field_propagates_as_in_graphql_core(sample_graph, neo4j_settings, session_driver):
    session_driver.execute_query("MATCH (p:Product {uri: $uri}) SET p.uri = null, p.lost_uri = $uri", uri=sample_graph.cal[2])
    try:
        query = '{ product(uri: "%s") { uri composedOf { uri antecedents(first: 5) { uri } } } }' % sample_graph.l3
        fast, standard = asyncio.run(both(neo4j_settings, query, {}))
    finally:
        session_driver.execute_query("MATCH (p:Product {lost_uri: $uri}) SET p.uri = $uri REMOVE p.lost_uri",
                                     uri=sample_graph.cal[2])
    assert fast == standard
    assert fast[0] == {"product": None}
    assert fast[1][0][1] == ["product", "composedOf", 2, "uri"]
