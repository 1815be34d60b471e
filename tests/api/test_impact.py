"""Impact questions: a reference file, a CRDS context, an engineering window; MRP of an observation."""

from __future__ import annotations

from mastgraph.model.vocabulary import Label, Rel

from .conftest import MNEMONIC, gql, ok


def users(sample, rel: Rel, label: Label, name: str) -> list[str]:
    return sorted(start[1] for r, start, end, _ in sample.edges if r is rel and end == (label, name))


def test_products_using_a_reference_file(api, sample_graph):
    query = """query ($name: String!) { productsUsingReference(name: $name, first: 2) {
        totalCount nodes { uri composes { uri } } pageInfo { hasNextPage } } }"""
    answer = gql(api, query, {"name": "crds://" + sample_graph.flat})
    page = ok(answer)["productsUsingReference"]
    expected = users(sample_graph, Rel.USED_REFERENCE, Label.REFERENCE_FILE, sample_graph.flat)
    assert answer.queries == 1
    assert page["totalCount"] == len(expected) == 3
    assert [n["uri"] for n in page["nodes"]] == expected[:2] and page["pageInfo"]["hasNextPage"] is True
    assert all(n["composes"] == [{"uri": sample_graph.l3}] for n in page["nodes"])  # the downstream impact
    dark = ok(gql(api, query, {"name": sample_graph.dark}))["productsUsingReference"]
    assert dark["totalCount"] == 2


def test_products_under_a_crds_context(api, sample_graph):
    page = ok(gql(api, '{ productsUnderContext(name: "%s", first: 10) { totalCount nodes { uri } } }'
                  % sample_graph.context))["productsUnderContext"]
    expected = users(sample_graph, Rel.CALIBRATED_UNDER, Label.CRDS_CONTEXT, sample_graph.context)
    assert [n["uri"] for n in page["nodes"]] == expected and page["totalCount"] == len(expected)


def test_unknown_reference_file_or_context_is_null(api, sample_graph):
    data = ok(gql(api, '{ a: productsUsingReference(name: "jwst_none.fits") { totalCount } '
                       'b: productsUnderContext(name: "jwst_0000.pmap") { totalCount } }'))
    assert data == {"a": None, "b": None}


IMPACT = """query ($m: String!, $from: Float!, $to: Float!) {
  exposuresDuringEngineering(mnemonic: $m, from: $from, to: $to) {
    series { key mnemonic { name } } exposures { obsid obsId } products { uri } level3Products { uri }
  } }"""


def test_exposures_during_an_engineering_window(api, sample_graph):
    answer = gql(api, IMPACT, {"m": MNEMONIC, "from": 59800.0, "to": 59800.3})
    impact = ok(answer)["exposuresDuringEngineering"]
    assert answer.queries == 1
    assert impact["series"] == [{"key": sample_graph.series, "mnemonic": {"name": MNEMONIC}}]
    # exposures 1 and 2 are linked to the series; exposure 3 is not
    assert [e["obsid"] for e in impact["exposures"]] == sample_graph.exposure_obsids[:2]
    assert impact["products"] == [{"uri": sample_graph.cal[0]}]
    assert impact["level3Products"] == [{"uri": sample_graph.l3}]


def test_engineering_window_outside_the_series(api, sample_graph):
    impact = ok(gql(api, IMPACT, {"m": MNEMONIC, "from": 59801.0, "to": 59802.0}))["exposuresDuringEngineering"]
    assert impact == {"series": [], "exposures": [], "products": [], "level3Products": []}
    narrow = ok(gql(api, IMPACT, {"m": MNEMONIC, "from": 59800.12, "to": 59800.14}))["exposuresDuringEngineering"]
    assert [e["obsid"] for e in narrow["exposures"]] == sample_graph.exposure_obsids[:1]
    assert ok(gql(api, IMPACT, {"m": "NO_SUCH", "from": 0, "to": 1}))["exposuresDuringEngineering"] is None


def test_an_engineering_window_of_no_finite_time_is_refused(api, sample_graph):
    """(A Float literal past the double's range is read as infinity, which made the window all time.)"""
    for window, argument, value in (("from: 1e400, to: 1e400", "from", "inf"), ("from: 0, to: 1e400", "to", "inf"),
                                     ("from: -1e400, to: 1", "from", "-inf")):
        answer = gql(api, '{ exposuresDuringEngineering(mnemonic: "%s", %s) { exposures { obsid } } }' % (MNEMONIC, window))
        (error,) = answer.errors
        assert error["message"] == f"argument `{argument}`: must be a finite MJD, not {value}"
        assert error["extensions"] == {"argument": argument, "code": "BAD_USER_INPUT"}


def test_minimum_recommended_products_of_an_observation(api, sample_graph):
    data = ok(gql(api, """query ($obsid: String!) { observation(obsid: $obsid) { obsId level
        minimumRecommendedProducts { uri level } mastMinimumRecommendedProducts { uri }
        members { obsId minimumRecommendedProducts { uri } } } }""", {"obsid": sample_graph.combined_obsid}))
    observation = data["observation"]
    assert observation["minimumRecommendedProducts"] == [{"uri": sample_graph.l3, "level": "3"}]
    assert observation["mastMinimumRecommendedProducts"] == [{"uri": sample_graph.l3}]
    # L2b left out where L3 exists: the members' cal products are MRP only in their own exposure
    assert [m["minimumRecommendedProducts"] for m in observation["members"]] == [[{"uri": c}] for c in sample_graph.cal]
