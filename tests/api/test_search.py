"""Search and examples on the small lineage sample: prefixes of every key, order, pages, index seeks."""

from __future__ import annotations

import pytest

from mastgraph.graph import queries, search

from .conftest import IMAGE3, L3_NAME, PROGRAM, gql, ok

SEARCH = """query ($text: String!, $first: Int, $after: String) {
  search(text: $text, first: $first, after: $after) { hits { kind key label detail } endCursor hasNextPage }
}"""


def find(api, text, first=10, after=None):
    return ok(gql(api, SEARCH, {"text": text, "first": first, "after": after}))["search"]


def every_hit(api, text, first):
    """All hits, page by page."""
    hits, after = [], None
    while True:
        page = find(api, text, first, after)
        hits += page["hits"]
        if not page["hasNextPage"]:
            return hits
        after = page["endCursor"]


def sample_products(sample, prefix: str) -> set[str]:
    return {key for label, key, props, _ in sample.nodes if label == "Product" and props["filename"].startswith(prefix)}


def test_file_name_prefix_finds_products_and_their_kind(api, sample_graph):
    prefix = "jw02733002001_02101_0000"
    hits = every_hit(api, prefix.upper(), 3)  # case does not matter
    products = {h["key"] for h in hits if h["kind"] == "PRODUCT"}
    assert products == sample_products(sample_graph, prefix)
    observations = {h["key"] for h in hits if h["kind"] == "OBSERVATION"}
    assert observations == set(sample_graph.exposure_obsids)
    assert len(hits) == len({(h["kind"], h["key"]) for h in hits}), "a page repeated a hit"
    uncal = next(h for h in hits if h["key"] == sample_graph.uncal[0])
    assert uncal["label"] == sample_graph.uncal[0].rsplit("/", 1)[1] and "Level 1b" in uncal["detail"]


def test_order_is_exact_first_then_kind_then_name(api, sample_graph):
    hits = every_hit(api, L3_NAME, 2)
    assert hits[0] == {"kind": "OBSERVATION", "key": sample_graph.combined_obsid, "label": L3_NAME,
                       "detail": hits[0]["detail"]}
    assert "F1130W" in hits[0]["detail"]
    rest = hits[1:]
    ranks = [search.KINDS.index(h["kind"]) for h in rest]
    assert ranks == sorted(ranks)
    products = [h["label"] for h in rest if h["kind"] == "PRODUCT"]
    assert products == sorted(products) and set(products) == {
        k.rsplit("/", 1)[1] for k in sample_products(sample_graph, L3_NAME)}


def test_a_uri_is_searched_by_its_file_name(api, sample_graph):
    hits = find(api, sample_graph.l3)["hits"]
    assert hits[0]["kind"] == "PRODUCT" and hits[0]["key"] == sample_graph.l3
    assert [h["key"] for h in find(api, "MAST:JWST/product/jw02733-o002_t001_miri_f1130w_i2")["hits"]][:1] == [sample_graph.l3]


@pytest.mark.parametrize("typed", ["2733", "02733", "jw02733", "JW2733", "273", "027"])
def test_programs_by_any_spelling(api, sample_graph, typed):
    programs = [h for h in find(api, typed)["hits"] if h["kind"] == "PROGRAM"]
    assert [h["key"] for h in programs] == [PROGRAM]
    assert programs[0]["label"] == "jw" + PROGRAM and "observations" in programs[0]["detail"]


def test_obsid_and_association_names(api, sample_graph):
    hits = find(api, sample_graph.combined_obsid[:3])["hits"]
    assert {h["key"] for h in hits if h["kind"] == "OBSERVATION"} == {sample_graph.combined_obsid, *sample_graph.exposure_obsids}
    assert hits[0]["key"] == sample_graph.combined_obsid  # "900" is no obsid: "90000" first in key order
    exact = find(api, sample_graph.exposure_obsids[1])["hits"]
    assert exact[0]["key"] == sample_graph.exposure_obsids[1]
    associations = [h for h in find(api, IMAGE3[:20], 50)["hits"] if h["kind"] == "ASSOCIATION"]
    assert IMAGE3 in {h["key"] for h in associations}
    assert next(h for h in associations if h["key"] == IMAGE3)["detail"].startswith("image3")


def test_nothing_found_and_bad_input(api, sample_graph):
    assert find(api, "zz-no-such-thing") == {"hits": [], "endCursor": None, "hasNextPage": False}
    for variables, argument in (({"text": "  "}, "text"), ({"text": "jw", "after": "bm90LWEtY3Vyc29y"}, "after"),
                                ({"text": "jw", "first": -1}, "first")):
        answer = gql(api, SEARCH, variables)
        assert answer.errors and answer.errors[0]["extensions"]["code"] == "BAD_USER_INPUT", answer
        assert answer.errors[0]["extensions"]["argument"] == argument


def test_page_size_is_bounded_by_the_server_limit(api, sample_graph, neo4j_settings):
    answer = gql(api, SEARCH, {"text": "jw", "first": neo4j_settings.max_page_size + 1})
    assert answer.errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"


def test_one_query_per_search(api, sample_graph):
    assert gql(api, SEARCH, {"text": "jw02733"}).queries == 1


def test_examples_come_from_the_graph(api, sample_graph):
    hits = ok(gql(api, "{ examples { kind key label detail } }"))["examples"]
    assert hits[0] == {"kind": "PRODUCT", "key": sample_graph.l3, "label": L3_NAME + "_i2d.fits",
                       "detail": hits[0]["detail"]}
    assert f"{len(sample_graph.cal)} members" in hits[0]["detail"]
    assert {"kind": "PROGRAM", "key": PROGRAM} in [{"kind": h["kind"], "key": h["key"]} for h in hits]
    assert sample_graph.combined_obsid in [h["key"] for h in hits if h["kind"] == "OBSERVATION"]


def test_examples_are_read_again_only_when_the_graph_changes(api, sample_graph, session_driver, neo4j_settings):
    examples = "{ examples { kind key label detail } }"
    first = ok(gql(api, examples))
    again = gql(api, examples)
    assert again.queries == 1 and ok(again) == first  # the graph's counts only: the same examples
    uri = "mast:JWST/product/jw02733-o099_t001_miri_f1130w_i2d.fits"
    members = len(sample_graph.cal) + 5
    database = neo4j_settings.neo4j_database
    session_driver.execute_query(
        "CREATE (p:Product:L3 {uri: $uri, filename: $name, level: '3'}) WITH p UNWIND range(1, $members) AS i "
        "CREATE (p)-[:COMPOSITION]->(:Product {uri: $uri + '#' + i, filename: 'member' + i})",
        uri=uri, name=uri.rsplit("/", 1)[1], members=members, database_=database)
    try:
        changed = gql(api, examples)
        assert changed.queries == 2 and ok(changed)["examples"][0]["key"] == uri  # (more members than any)
        assert f"{members} members" in ok(changed)["examples"][0]["detail"]
    finally:
        session_driver.execute_query("MATCH (p:Product) WHERE p.uri STARTS WITH $uri DETACH DELETE p", uri=uri,
                                     database_=database)
    assert ok(gql(api, examples)) == first


def _operators(plan) -> set[str]:
    found = {plan.get("operatorType", "").split("@")[0]}
    for child in plan.get("children", ()):
        found |= _operators(child)
    return found


@pytest.mark.parametrize("typed", ["jw02733-o002", "90001", "2733", "02733"])
def test_search_plans_use_index_seeks_not_label_scans(sample_graph, session_driver, neo4j_settings, typed):
    wanted = search.prefixes(typed)
    params = {name: getattr(wanted, name) for name in ("filename", "obs_id", "obsid", "program", "proposal", "association")}
    params |= {"after": {k: "" for k in search.KINDS}, "limit": 10}
    with session_driver.session(database=neo4j_settings.neo4j_database) as session:
        plan = session.run("EXPLAIN " + queries.text("api/search"), params).consume().plan
    operators = _operators(plan)
    assert not {op for op in operators if "LabelScan" in op or op == "AllNodesScan"}, operators
    assert {op for op in operators if "IndexSeek" in op}, operators
