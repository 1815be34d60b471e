"""Keyset pagination: walking a list page by page gives every product once, in URI order."""

from __future__ import annotations

import pytest

from .conftest import PROGRAM, gql, ok

PRODUCTS = """
query ($filter: ProductFilter, $first: Int, $after: String) {
  products(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { uri } }
    nodes { uri level }
  }
}"""


def all_products(session_driver, where: str = "true", **params) -> list[str]:
    records, _, _ = session_driver.execute_query(
        f"MATCH (p:Product) WHERE {where} RETURN p.uri AS uri ORDER BY uri", params, routing_="r")
    return [r["uri"] for r in records]


def walk_pages(api, first: int, filter: dict | None = None) -> tuple[list[str], list[int]]:
    seen, totals, after = [], [], None
    while True:
        page = ok(gql(api, PRODUCTS, {"filter": filter, "first": first, "after": after}))["products"]
        assert [e["node"]["uri"] for e in page["edges"]] == [n["uri"] for n in page["nodes"]]
        assert len(page["nodes"]) <= first
        seen.extend(n["uri"] for n in page["nodes"])
        totals.append(page["totalCount"])
        if not page["pageInfo"]["hasNextPage"]:
            return seen, totals
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("first", [1, 4, 7])
def test_walking_all_pages_has_no_repeats_or_gaps(api, sample_graph, session_driver, first):
    expected = all_products(session_driver)
    seen, totals = walk_pages(api, first)
    assert seen == expected
    assert set(totals) == {len(expected)}


@pytest.mark.parametrize("filter, where, params", [
    ({"program": "2733", "level": "2b"}, "p.program = $program AND p.level = '2b'", {"program": PROGRAM}),
    ({"suffix": "UNCAL"}, "p.suffix = 'uncal'", {}),
    ({"instrument": "MIRI", "calibLevel": 3}, "p.calib_level = 3 AND toLower(coalesce(p.instrument, "
     "COLLECT { MATCH (o:Observation)-[:HAS_PRODUCT]->(p) RETURN o.instrument }[0], '')) STARTS WITH 'miri'", {}),
    ({"mrp": True}, "EXISTS { (:Observation)-[:MRP]->(p) }", {}),
    ({"mrp": False, "productType": "science"}, "NOT EXISTS { (:Observation)-[:MRP]->(p) } AND p.product_type = 'SCIENCE'", {}),
    ({"mastMrp": True}, "p.mast_mrp = true", {}),
])
def test_filtered_pages(api, sample_graph, session_driver, filter, where, params):
    expected = all_products(session_driver, where, **params)
    assert expected, "the filter should match something in the sample"
    seen, totals = walk_pages(api, 2, filter)
    assert seen == expected and set(totals) == {len(expected)}


def test_observation_products_are_paged_per_observation(api, sample_graph):
    query = """query ($obsid: String!, $after: String) { observation(obsid: $obsid) {
        products(first: 2, after: $after, filter: {level: "2b"}) { totalCount nodes { uri } pageInfo { hasNextPage endCursor } }
        all: products(first: 10) { nodes { uri } } } }"""
    answer = gql(api, query, {"obsid": sample_graph.exposure_obsids[0]})
    observation = ok(answer)["observation"]
    assert answer.queries == 1
    assert [n["uri"] for n in observation["products"]["nodes"]] == [sample_graph.cal[0]]
    assert observation["products"]["totalCount"] == 1 and observation["products"]["pageInfo"]["hasNextPage"] is False
    own = {sample_graph.uncal[0], sample_graph.rate[0], sample_graph.cal[0]}
    assert [n["uri"] for n in observation["all"]["nodes"]] == sorted(own)


def test_a_bad_cursor_names_the_argument(api, sample_graph):
    answer = gql(api, PRODUCTS, {"first": 2, "after": "not-a-cursor"})
    assert answer.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert "after" in answer.errors[0]["message"]


def test_a_bad_filter_names_the_argument(api, sample_graph):
    answer = gql(api, PRODUCTS, {"filter": {"program": "NGC 7469"}})
    assert answer.errors[0]["extensions"]["argument"] == "filter.program"
    answer = gql(api, PRODUCTS, {"filter": {"level": "4"}})
    assert answer.errors[0]["extensions"]["argument"] == "filter.level"


@pytest.mark.parametrize("field", ["instrument", "suffix", "productType"])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_filter_value_is_refused(api, sample_graph, field, value):
    """An instrument prefix of "" matched every product, an empty suffix or type none: both refused."""
    answer = gql(api, PRODUCTS, {"filter": {field: value}})
    assert answer.data is None and len(answer.errors) == 1
    assert answer.errors[0]["message"] == f"argument `filter.{field}`: an empty value matches nothing"
    assert answer.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": f"filter.{field}"}
    nested = gql(api, '{ observation(obsid: "%s") { products(filter: {%s: "%s"}) { totalCount } } }'
                 % (sample_graph.combined_obsid, field, value))
    assert nested.errors[0]["extensions"]["argument"] == f"filter.{field}"


def test_first_zero_gives_an_empty_page_with_the_count(api, sample_graph, session_driver):
    page = ok(gql(api, PRODUCTS, {"first": 0}))["products"]
    assert page["nodes"] == [] and page["pageInfo"] == {"hasNextPage": True, "endCursor": None}
    assert page["totalCount"] == len(all_products(session_driver))


def test_each_product_filter_has_its_condition():
    """The filter input's fields are the conditions of graph/views.py PRODUCT_FILTERS, one for one:
    a field without its condition, or a condition without its field, is refused at import."""
    from mastgraph.api.pagination import ProductFilter, filters_declared
    from mastgraph.graph.views import PRODUCT_FILTERS

    def input_of(*names: str) -> type:
        return type("ProductFilter", (), {"__annotations__": {name: str | None for name in names}})

    assert list(ProductFilter.__annotations__) == list(PRODUCT_FILTERS)
    assert filters_declared(input_of(*reversed(PRODUCT_FILTERS))).__name__ == "ProductFilter"
    with pytest.raises(LookupError, match=r"ProductFilter: fields without a condition in graph/views.py "
                                          r"PRODUCT_FILTERS: colour; conditions without a field: none$"):
        filters_declared(input_of(*PRODUCT_FILTERS, "colour"))
    with pytest.raises(LookupError, match=r"fields without a condition in graph/views.py PRODUCT_FILTERS: none; "
                                          r"conditions without a field: calib_level, mast_mrp$"):
        filters_declared(input_of(*(n for n in PRODUCT_FILTERS if n not in ("calib_level", "mast_mrp"))))
