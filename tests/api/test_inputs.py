"""What went into a product (`Product.inputs`) and what it ended up in (`endProducts`), on the small sample."""

from __future__ import annotations

from starlette.testclient import TestClient

from mastgraph.api.app import create_app

from .conftest import PROGRAM, gql, ok

INPUTS = """query ($uri: String!) {
  product(uri: $uri) {
    uri
    inputs { exposures visits programObservations observations { obsId level program { programId } } programs { programId proposalId } }
    endProducts { uri level }
  }
}"""

REFERENCE = """query ($name: String!, $first: Int, $after: String) {
  referenceFile(name: $name) { endProducts(first: $first, after: $after) { totalCount nodes { uri } pageInfo { hasNextPage endCursor } } }
}"""


def visit(uri: str) -> str:
    return "jw" + uri.rsplit("/", 1)[1][2:13]


def test_inputs_of_the_l3_are_its_raw_exposures_visits_observations_and_programs(api, sample_graph):
    answer = gql(api, INPUTS, {"uri": sample_graph.l3})
    inputs = ok(answer)["product"]["inputs"]
    assert answer.queries == 1
    assert inputs["exposures"] == len(sample_graph.uncal)
    assert inputs["visits"] == sorted({visit(u) for u in sample_graph.uncal})
    assert inputs["programObservations"] == sorted({visit(u)[:7] + "-o" + visit(u)[7:10] for u in sample_graph.uncal})
    assert [o["obsId"] for o in inputs["observations"]] == [
        props["obs_id"] for label, key, props, _ in sample_graph.nodes if key == sample_graph.combined_obsid]
    assert inputs["observations"][0]["level"] == "COMBINED"
    assert inputs["observations"][0]["program"] == {"programId": PROGRAM}
    assert inputs["programs"] == [{"programId": PROGRAM, "proposalId": str(int(PROGRAM))}]


def test_a_raw_exposure_went_into_itself_and_ended_up_in_the_l3(api, sample_graph):
    product = ok(gql(api, INPUTS, {"uri": sample_graph.uncal[0]}))["product"]
    assert product["inputs"]["exposures"] == 1
    assert product["endProducts"] == [{"uri": sample_graph.l3, "level": "3"}]


def test_end_products_follow_composition_antecedents_and_calibrations_only(api, sample_graph):
    def ends(uri):
        return [p["uri"] for p in ok(gql(api, INPUTS, {"uri": uri}))["product"]["endProducts"]]

    assert ends(sample_graph.rate[1]) == [sample_graph.l3]
    assert ends(sample_graph.background) == [sample_graph.l3]  # a contemporaneous calibration of a member
    assert ends(sample_graph.target_acquisition) == []  # a prerequisite's pixels go into nothing
    assert ends(sample_graph.l3) == []
    assert ends(sample_graph.cycle[0]) == []  # a cycle of L2b products ends nowhere, and ends


def test_reference_file_end_products_are_each_l3_once(api, sample_graph):
    users = [a[1] for rel, a, b, _ in sample_graph.edges if rel == "USED_REFERENCE" and b[1] == sample_graph.dark]
    assert len(users) > 1, "the sample's dark calibrates several members of one L3"
    page = ok(gql(api, REFERENCE, {"name": sample_graph.dark, "first": 5}))["referenceFile"]["endProducts"]
    assert page["totalCount"] == 1 and page["nodes"] == [{"uri": sample_graph.l3}]
    first = ok(gql(api, REFERENCE, {"name": sample_graph.dark, "first": 0}))["referenceFile"]["endProducts"]
    assert first["nodes"] == [] and first["pageInfo"]["hasNextPage"]


def test_loaded_level_by_level_the_answer_is_the_same(neo4j_settings, api, sample_graph):
    with TestClient(create_app(neo4j_settings, nested=False)) as flat:
        for uri in (sample_graph.l3, sample_graph.uncal[0]):
            assert ok(gql(flat, INPUTS, {"uri": uri})) == ok(gql(api, INPUTS, {"uri": uri}))
