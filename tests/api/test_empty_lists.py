"""One rule for an empty list: every list argument is a filter's wanted values, and `[]` is refused
before anything runs, saying to leave the argument out for no filter (it meant no filter for
`downloadList`, nothing for the relation fields, and an error for `lineage`)."""

from __future__ import annotations

import pytest
from graphql import GraphQLList, GraphQLNonNull

from .conftest import gql, ok
from .test_relations import graphql_schema

U = '"mast:JWST/product/x"'
#: Every list argument of the schema, with a request that gives it.
REQUESTS = {
    ("Query", "lineage", "relationships"): "{ lineage(uri: %s, relationships: []) { truncated } }" % U,
    ("Query", "downloadList", "levels"): '{ downloadList(id: "x", all: true, levels: []) { count } }',
    ("Query", "downloadList", "productTypes"): '{ downloadList(id: "x", productTypes: []) { count } }',
    ("Query", "downloadList", "suffixes"): '{ downloadList(id: "x", suffixes: []) { count } }',
    ("Association", "members", "exptype"): '{ association(name: "x") { members(exptype: []) { exptype } } }',
    ("Association", "membersConnection", "exptype"):
        '{ association(name: "x") { membersConnection(exptype: []) { totalCount } } }',
    **{("Product", field, argument): "{ product(uri: %s) { %s(%s: []) { __typename } } }" % (U, field, argument)
       for field, argument in [
           ("memberOf", "exptype"), ("composedOf", "by"), ("composes", "by"), ("composedOfConnection", "by"),
           ("composesConnection", "by"), ("contemporaneousCalibrations", "kind"), ("calibrates", "kind"),
           ("prerequisites", "kind"), ("prerequisiteFor", "kind"), ("linked", "kind"), ("linkedFrom", "kind"),
           ("linkedExternalProducts", "kind"), ("referenceFiles", "reftype"), ("aggregatedBy", "kind")]},
    ("Observation", "aggregated", "kind"): '{ observation(obsid: "1") { aggregated(kind: []) { uri } } }',
    ("Observation", "linked", "kind"): '{ observation(obsid: "1") { linked(kind: []) { uri } } }',
    ("Observation", "linkedConnection", "kind"): '{ observation(obsid: "1") { linkedConnection(kind: []) { totalCount } } }',
}


def list_arguments() -> set[tuple[str, str, str]]:
    schema = graphql_schema()
    found = set()
    for type_name, type_ in schema.type_map.items():
        for field_name, field in (getattr(type_, "fields", None) or {}).items():
            for argument, definition in getattr(field, "args", {}).items():
                inner = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
                if isinstance(inner, GraphQLList):
                    found.add((type_name, field_name, argument))
    return found


def test_every_list_argument_is_tested():
    assert list_arguments() == set(REQUESTS)


@pytest.mark.parametrize("where", sorted(REQUESTS), ids=[".".join(k) for k in sorted(REQUESTS)])
def test_an_empty_list_is_refused_before_anything_runs(api, where):
    _, field, argument = where
    answer = gql(api, REQUESTS[where])
    assert answer.data is None and answer.queries == 0
    (error,) = answer.errors
    assert error["message"] == (f"argument `{argument}` of `{field}`: an empty list would match nothing; "
                                f"leave `{argument}` out (or null) for no filter")
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


def test_an_empty_list_in_a_variable_or_its_default_is_refused_too(api, sample_graph):
    query = "query ($e: [String!]) { association(name: \"x\") { members(exptype: $e) { exptype } } }"
    assert gql(api, query, {"e": []}).errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "exptype"}
    with_default = "query ($l: [String!] = []) { downloadList(id: \"x\", levels: $l) { count } }"
    assert gql(api, with_default).errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "levels"}
    # given, the variable's value counts, not its default
    assert ok(gql(api, with_default, {"l": ["3"]}))["downloadList"] is None


def test_a_left_out_or_null_filter_is_no_filter(api, sample_graph):
    query = """query ($by: [CompositionBy!], $levels: [String!]) { product(uri: "%s") { composedOf(by: $by) { uri } }
      downloadList(id: "%s", all: true, levels: $levels) { count } }""" % (sample_graph.l3, sample_graph.l3)
    left_out = ok(gql(api, query))
    assert left_out == ok(gql(api, query, {"by": None, "levels": None}))
    assert [p["uri"] for p in left_out["product"]["composedOf"]] == sorted(sample_graph.cal)
    assert left_out["downloadList"]["count"] > len(sample_graph.cal)
