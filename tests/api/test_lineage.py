"""L3 down to raw over HTTP, and lineage walks: deduplicated, cycle-safe, bounded."""

from __future__ import annotations

import pytest

from mastgraph.api.examples import L3_TO_RAW
from mastgraph.model.vocabulary import Rel

from .conftest import gql, ok




def raw_exposures(l3: dict) -> set[str]:
    return {p["uri"] for b in l3["composedOf"] for a in b["antecedents"] for p in a["antecedents"] if p["level"] == "1b"}


def test_l3_to_raw_returns_exactly_the_raw_exposures(api, sample_graph):
    l3 = ok(gql(api, L3_TO_RAW, {"uri": sample_graph.l3}))["product"]
    assert l3["uri"] == sample_graph.l3 and l3["level"] == "3"
    assert [p["uri"] for p in l3["composedOf"]] == sorted(sample_graph.cal)
    assert raw_exposures(l3) == set(sample_graph.raw)
    # antecedents of a cal: its rate and its Level-2 association file; the file has no antecedents
    first = l3["composedOf"][0]
    assert {a["uri"] for a in first["antecedents"]} == {sample_graph.rate[0], sample_graph.image2_files[0]}


def test_l3_to_raw_is_the_raw_cypher_answer(api, sample_graph, session_driver, neo4j_settings):
    from mastgraph.graph.read import l3_to_raw_sync

    raw = l3_to_raw_sync(session_driver, sample_graph.l3, neo4j_settings.neo4j_database)
    assert ok(gql(api, L3_TO_RAW, {"uri": sample_graph.l3}))["product"] == raw


LINEAGE = """
query ($uri: String!, $direction: LineageDirection, $rels: [LineageRelationship!], $depth: Int, $limit: Int) {
  lineage(uri: $uri, direction: $direction, relationships: $rels, maxDepth: $depth, limit: $limit) {
    nodes { depth product { uri level } }
    edges { from to type properties }
    truncated
  }
}"""


def walk(api, uri, **variables):
    return ok(gql(api, LINEAGE, {"uri": uri, **variables}))["lineage"]


def test_upstream_lineage_reaches_every_input_once(api, sample_graph):
    result = walk(api, sample_graph.l3)
    depths = {n["product"]["uri"]: n["depth"] for n in result["nodes"]}
    assert len(depths) == len(result["nodes"]), "a product appears twice"
    assert depths[sample_graph.l3] == 0
    assert all(depths[c] == 1 for c in sample_graph.cal)
    assert all(depths[r] == 2 for r in sample_graph.rate)
    assert all(depths[u] == 3 for u in sample_graph.uncal)
    # the diamond: two cal products share one target acquisition, reached once at depth 2
    assert depths[sample_graph.target_acquisition] == 2
    into_ta = [e for e in result["edges"] if e["to"] == sample_graph.target_acquisition]
    assert {e["from"] for e in into_ta} == set(sample_graph.cal[:2])
    assert {e["type"] for e in into_ta} == {"PREREQUISITE"}
    assert into_ta[0]["properties"] == {"kind": "target_acquisition"}
    assert result["truncated"] is False
    # every edge joins two reached products and points downstream -> upstream
    assert all(e["from"] in depths and e["to"] in depths and depths[e["from"]] < depths[e["to"]] for e in result["edges"])


def test_lineage_edges_are_the_graphs_relationships(api, sample_graph, session_driver):
    result = walk(api, sample_graph.l3, rels=["COMPOSITION", "ANTECEDENT"])
    uris = [n["product"]["uri"] for n in result["nodes"]]
    records, _, _ = session_driver.execute_query(
        "MATCH (a:Product)-[r:COMPOSITION|ANTECEDENT]->(b:Product) WHERE a.uri IN $uris AND b.uri IN $uris "
        "RETURN a.uri AS a, b.uri AS b, type(r) AS t", uris=uris, routing_="r",
    )
    assert sorted((e["from"], e["to"], e["type"]) for e in result["edges"]) == sorted((r["a"], r["b"], r["t"]) for r in records)


def test_downstream_lineage_from_a_raw_exposure(api, sample_graph):
    result = walk(api, sample_graph.uncal[1], direction="DOWNSTREAM", rels=["ANTECEDENT", "COMPOSITION"])
    depths = {n["product"]["uri"]: n["depth"] for n in result["nodes"]}
    assert depths == {sample_graph.uncal[1]: 0, sample_graph.rate[1]: 1, sample_graph.cal[1]: 2, sample_graph.l3: 3}
    assert all(e["type"] in ("ANTECEDENT", "COMPOSITION") for e in result["edges"])


def test_lineage_is_cycle_safe(api, sample_graph):
    result = walk(api, sample_graph.cycle[0], rels=["ANTECEDENT"])
    depths = {n["product"]["uri"]: n["depth"] for n in result["nodes"]}
    assert depths == {sample_graph.cycle[0]: 0, sample_graph.cycle[1]: 1, sample_graph.cycle[2]: 2}
    assert len(result["edges"]) == 3  # the edge closing the cycle is reported, its end is not repeated
    assert result["truncated"] is False


def test_lineage_limit_and_depth_truncate(api, sample_graph):
    limited = walk(api, sample_graph.l3, limit=2)
    assert len(limited["nodes"]) == 2 and limited["truncated"] is True
    shallow = walk(api, sample_graph.l3, depth=1)
    assert {n["depth"] for n in shallow["nodes"]} == {0, 1} and shallow["truncated"] is True
    reached = {n["product"]["uri"] for n in shallow["nodes"]}
    assert all(e["from"] in reached and e["to"] in reached for e in shallow["edges"])
    leaf = walk(api, sample_graph.uncal[0], rels=["ANTECEDENT"], depth=1)
    assert [n["depth"] for n in leaf["nodes"]] == [0] and leaf["truncated"] is False


def test_lineage_of_an_unknown_product_is_null(api, sample_graph):
    assert ok(gql(api, LINEAGE, {"uri": "mast:JWST/product/nothing.fits"}))["lineage"] is None


@pytest.mark.parametrize("value", [[], None])
def test_lineage_relationship_choice(api, sample_graph, value):
    answer = gql(api, LINEAGE, {"uri": sample_graph.l3, "rels": value})
    if value == []:
        assert answer.errors and answer.errors[0]["extensions"]["argument"] == "relationships"
    else:
        types = {e["type"] for e in ok(answer)["lineage"]["edges"]}
        assert types <= {r.value for r in (Rel.COMPOSITION, Rel.ANTECEDENT, Rel.PREREQUISITE, Rel.LINKED,
                                            Rel.CONTEMPORANEOUS_CALIBRATION)}
        assert {"COMPOSITION", "ANTECEDENT", "PREREQUISITE", "CONTEMPORANEOUS_CALIBRATION"} <= types
