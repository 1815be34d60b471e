"""Relation lists are capped (`first`) and have connections beside them that page on: `composedOf`,
`composes`, `Association.members` and every other list that can outgrow a page (`CAPPED`);
`exposuresDuringEngineering` caps its lists and says when it did."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mastgraph.api.app import create_app
from mastgraph.api.selection import metadata
from mastgraph.graph.views import LINKS
from mastgraph.model.vocabulary import Label

from .conftest import MNEMONIC, api_settings, gql, ok
from .test_relations import LOOKUP, expected

COMPOSED_OF = """query ($uri: String!, $first: Int, $after: String) { product(uri: $uri) {
  composedOf(first: $first) { uri }
  composedOfConnection(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { uri } } nodes { uri } } } }"""

MEMBERS = """query ($name: String!, $first: Int, $after: String) { association(name: $name) {
  members(first: $first) { exptype asnProduct product { uri } }
  membersConnection(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { exptype asnProduct product { uri } association { name } } }
    nodes { exptype asnProduct product { uri } } } } }"""


def walk(api, query: str, root: str, field: str, variables: dict, first: int) -> tuple[list, list]:
    """Every item of a connection, page by page: (the items, the capped list of each page)."""
    seen, lists, after = [], [], None
    while True:
        answer = gql(api, query, {**variables, "first": first, "after": after})
        node = ok(answer)[root]
        assert answer.queries == 1
        page = node[field + "Connection"]
        assert [e["node"] for e in page["edges"]] == [
            {**n, **({"association": e["node"]["association"]} if "association" in e["node"] else {})}
            for n, e in zip(page["nodes"], page["edges"])]
        assert len(page["nodes"]) <= first
        lists.append(node[field])
        seen.extend(page["nodes"])
        assert page["totalCount"] >= len(seen)
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(seen)
            return seen, lists
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("first", [1, 2, 3])
def test_composed_of_pages_and_its_list_is_capped(api, sample_graph, first):
    seen, lists = walk(api, COMPOSED_OF, "product", "composedOf", {"uri": sample_graph.l3}, first)
    assert [n["uri"] for n in seen] == sorted(sample_graph.cal)
    assert len(lists) == -(-len(sample_graph.cal) // first)
    assert all(cap == [{"uri": u} for u in sorted(sample_graph.cal)[:first]] for cap in lists)


def test_composes_and_its_connection(api, sample_graph):
    data = ok(gql(api, """query ($uri: String!) { product(uri: $uri) {
      composes { uri } none: composes(first: 0) { uri }
      composesConnection(by: [DITHER]) { totalCount nodes { uri } pageInfo { hasNextPage } }
      mosaic: composesConnection(by: [MOSAIC_TILE]) { totalCount nodes { uri } } } }""", {"uri": sample_graph.cal[0]}))
    product = data["product"]
    assert product["composes"] == [{"uri": sample_graph.l3}] and product["none"] == []
    assert product["composesConnection"] == {"totalCount": 1, "nodes": [{"uri": sample_graph.l3}],
                                             "pageInfo": {"hasNextPage": False}}
    assert product["mosaic"] == {"totalCount": 0, "nodes": []}


@pytest.mark.parametrize("first", [1, 2])
def test_members_page_on_with_a_product_that_is_a_member_twice(api, sample_graph, first):
    """The background exposure belongs to both products of the association: two members, both reached."""
    seen, lists = walk(api, MEMBERS, "association", "members", {"name": sample_graph.image2_twice}, first)
    expected = sorted(((b, p, e) for r, a, (_, b), props in sample_graph.edges
                       if r.value == "HAS_MEMBER" and a[1] == sample_graph.image2_twice
                       for p, e in [(props["product"], props["exptype"])]))
    assert len(expected) == 3 and len({uri for uri, _, _ in expected}) == 2
    assert [(m["product"]["uri"], m["asnProduct"], m["exptype"]) for m in seen] == expected
    assert all(cap == seen[:first] for cap in lists)


def test_members_filtered_by_exptype_are_counted(api, sample_graph):
    data = ok(gql(api, """query ($name: String!) { association(name: $name) {
      membersConnection(exptype: ["background"], first: 1) { totalCount nodes { asnProduct } pageInfo { hasNextPage } }
    } }""", {"name": sample_graph.image2_twice}))
    page = data["association"]["membersConnection"]
    assert page["totalCount"] == 2 and len(page["nodes"]) == 1 and page["pageInfo"]["hasNextPage"] is True


def test_a_cursor_of_another_list_is_refused(api, sample_graph):
    products = ok(gql(api, "{ products(first: 1) { pageInfo { endCursor } } }"))["products"]["pageInfo"]["endCursor"]
    answer = gql(api, MEMBERS, {"name": sample_graph.image2_twice, "first": 1, "after": products})
    (error,) = answer.errors
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert "not a cursor of this list" in error["message"]


@pytest.fixture(scope="module")
def small_pages(neo4j_settings):
    with TestClient(create_app(api_settings(neo4j_settings, max_page_size=2))) as client:
        yield client


def test_a_list_without_first_holds_at_most_the_maximum_page_size(small_pages, sample_graph):
    data = ok(gql(small_pages, """query ($uri: String!) { product(uri: $uri) {
      composedOf { uri } composedOfConnection { totalCount pageInfo { hasNextPage } } } }""", {"uri": sample_graph.l3}))
    assert data["product"]["composedOf"] == [{"uri": u} for u in sorted(sample_graph.cal)[:2]]
    assert data["product"]["composedOfConnection"] == {"totalCount": 3, "pageInfo": {"hasNextPage": True}}


@pytest.mark.parametrize("field", ["composedOf", "composes", "composedOfConnection"])
def test_first_out_of_range_is_refused_before_any_resolver(small_pages, sample_graph, field):
    over = gql(small_pages, '{ product(uri: "%s") { %s(first: 3) { __typename } } }' % (sample_graph.l3, field))
    assert over.data is None and over.queries == 0
    assert over.errors[0]["message"] == f"argument `first` of `{field}` is 3; at most 2 allowed (MASTGRAPH_MAX_PAGE_SIZE)"
    assert over.errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    under = gql(small_pages, 'query ($n: Int) { association(name: "x") { members(first: $n) { exptype } } }', {"n": -1})
    assert under.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"} and under.queries == 0


NESTED = """query ($uri: String!) { product(uri: $uri) { composedOf(first: 2) { uri
  composes(first: 1) { uri composedOfConnection(first: 1) { totalCount nodes { uri } } }
  association { membersConnection(first: 1) { totalCount nodes { asnProduct product { uri } } } } } } }"""


def test_capped_lists_and_connections_keep_one_round_trip_per_level(api, neo4j_settings, sample_graph):
    nested = gql(api, NESTED, {"uri": sample_graph.l3})
    data = ok(nested)
    assert nested.queries == 1
    members = data["product"]["composedOf"]
    assert [m["uri"] for m in members] == sorted(sample_graph.cal)[:2]
    assert all(m["composes"][0]["composedOfConnection"]["totalCount"] == 3 for m in members)
    with TestClient(create_app(neo4j_settings, nested=False)) as level_by_level:
        answer = gql(level_by_level, NESTED, {"uri": sample_graph.l3})
    assert answer.data == data
    # one per relation field and nesting level, however many parents:
    # product; composedOf; composes, association; composedOfConnection, membersConnection
    assert answer.queries == 6


IMPACT = """query ($first: Int) { exposuresDuringEngineering(mnemonic: "%s", from: 59800.0, to: 59800.3, first: $first) {
  truncated series { key } exposures { obsid } products { uri } level3Products { uri } } }""" % MNEMONIC


def test_an_engineering_window_caps_its_lists_and_says_so(api, sample_graph):
    whole = ok(gql(api, IMPACT, {"first": None}))["exposuresDuringEngineering"]
    assert whole["truncated"] is False and len(whole["exposures"]) == 2
    capped = ok(gql(api, IMPACT, {"first": 1}))["exposuresDuringEngineering"]
    assert capped["truncated"] is True
    assert capped == {"truncated": True, **{k: v[:1] for k, v in whole.items() if k != "truncated"}}
    assert ok(gql(api, IMPACT, {"first": 2}))["exposuresDuringEngineering"] == whole


# -- every other relation list that can outgrow a page ----------------------------------------

#: The capped lists beside composedOf, composes and Association.members: (node type, list field, link).
CAPPED = [
    (Label.PRODUCT, "antecedents", "Product.antecedents"),
    (Label.PRODUCT, "derivedProducts", "Product.derived_products"),
    (Label.PRODUCT, "endProducts", "Product.end_products"),
    (Label.PROGRAM, "observations", "Program.observations"),
    (Label.OBSERVATION, "members", "Observation.members"),
    (Label.OBSERVATION, "linked", "Observation.linked"),
    (Label.ASSOCIATION, "products", "Association.products"),
    (Label.ASSOCIATION, "perSourceProducts", "Association.per_source_products"),
    (Label.MNEMONIC, "series", "Mnemonic.series"),
    (Label.ENGINEERING_SERIES, "observations", "EngineeringSeries.observations"),
    (Label.ENGINEERING_SERIES, "products", "EngineeringSeries.products"),
    (Label.EXTERNAL_PRODUCT, "preImageOf", "ExternalProduct.pre_image_of"),
    (Label.EXTERNAL_PRODUCT, "linkedFrom", "ExternalProduct.linked_from"),
]
CAPPED_IDS = [f"{label.value}.{field}" for label, field, _ in CAPPED]


def longest(sample, label: Label, link: str) -> tuple[str, list]:
    """The node of the kind whose list is the longest in the sample, and that list (key order)."""
    keys = sorted({k for lab, k, *_ in sample.nodes if lab is label})
    return max(((k, expected(sample, label, k, link)) for k in keys), key=lambda pair: len(pair[1]))


def list_request(label: Label, field: str, link: str) -> tuple[str, str]:
    root, argument, _ = LOOKUP[label]
    item = LOOKUP[LINKS[link].target][2]
    query = f"""query ($k: String!, $n: Int, $first: Int, $after: String) {{ node: {root}({argument}: $k) {{
      all: {field} {{ {item} }} cut: {field}(first: $n) {{ {item} }}
      page: {field}Connection(first: $first, after: $after) {{
        totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {item} }} }} nodes {{ {item} }} }} }} }}"""
    return query, item


@pytest.mark.parametrize("label, field, link", CAPPED, ids=CAPPED_IDS)
def test_a_capped_list_is_cut_at_first_and_its_connection_counts_and_pages_the_whole(api, sample_graph, label, field,
                                                                                    link):
    key, whole = longest(sample_graph, label, link)
    assert whole, f"the sample holds no {label.value}.{field}"
    query, item = list_request(label, field, link)
    for cut in range(len(whole) + 1):
        answer = gql(api, query, {"k": key, "n": cut, "first": 1})
        node = ok(answer)["node"]
        assert answer.queries == 1
        assert [x[item] for x in node["all"]] == whole
        assert [x[item] for x in node["cut"]] == whole[:cut]
        assert node["page"]["totalCount"] == len(whole)
    seen, after = [], None
    while True:
        page = ok(gql(api, query, {"k": key, "n": 0, "first": 1, "after": after}))["node"]["page"]
        assert page["totalCount"] == len(whole) and len(page["nodes"]) == 1
        assert [e["node"] for e in page["edges"]] == page["nodes"]
        seen += [x[item] for x in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert seen == whole
    whole_page = ok(gql(api, query, {"k": key, "n": 0, "first": len(whole)}))["node"]["page"]
    assert [x[item] for x in whole_page["nodes"]] == whole and whole_page["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("label, field, link", CAPPED, ids=CAPPED_IDS)
def test_a_capped_lists_first_out_of_range_is_refused_before_any_resolver(small_pages, label, field, link):
    root, argument, _ = LOOKUP[label]
    for name in (field, field + "Connection"):
        request = 'query ($n: Int) { %s(%s: "x") { %s(first: $n) { __typename } } }' % (root, argument, name)
        over = gql(small_pages, request, {"n": 3})
        assert over.data is None and over.queries == 0
        assert over.errors[0]["message"] == f"argument `first` of `{name}` is 3; at most 2 allowed (MASTGRAPH_MAX_PAGE_SIZE)"
        assert over.errors[0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        under = gql(small_pages, request, {"n": -1})
        assert under.data is None and under.queries == 0
        assert under.errors[0]["message"] == f"argument `first` of `{name}`: must be 0 or more"
        assert under.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}


@pytest.mark.parametrize("label, field, link", [c for c in CAPPED if c[1] in ("observations", "members")
                                                and c[0] in (Label.PROGRAM, Label.OBSERVATION)],
                         ids=["Program.observations", "Observation.members"])
def test_a_capped_list_without_first_holds_at_most_the_maximum_page_size(small_pages, sample_graph, label, field,
                                                                          link):
    key, whole = longest(sample_graph, label, link)
    assert len(whole) > 2
    query, item = list_request(label, field, link)
    node = ok(gql(small_pages, query, {"k": key, "n": None, "first": None}))["node"]
    assert [x[item] for x in node["all"]] == whole[:2] == [x[item] for x in node["cut"]]
    assert node["page"]["totalCount"] == len(whole) and node["page"]["pageInfo"]["hasNextPage"] is True
    assert [x[item] for x in node["page"]["nodes"]] == whole[:2]


def test_every_capped_list_has_its_connection_beside_it():
    """A relation list with `first` has `<field>Connection` (a page link of the same pattern), and every
    connection of a node's relation has its list."""
    from .test_relations import graphql_schema

    schema = graphql_schema()
    capped = set()
    for label in LOOKUP:
        type_ = schema.type_map[label.value]
        for name, field in type_.fields.items():
            link = metadata(field).get("link")
            if link is None or LINKS[link].page:
                continue
            if "first" in field.args:
                capped.add(f"{label.value}.{name}")
                connection = type_.fields.get(name + "Connection")
                assert connection is not None, f"{label.value}.{name} has no connection"
                beside = LINKS[metadata(connection)["link"]]
                assert (beside.pattern, beside.target, beside.filter, beside.page) == (
                    LINKS[link].pattern, LINKS[link].target, LINKS[link].filter, True)
                assert [a for a in connection.args if a != "after"] == list(field.args)
    named = {f"{label.value}.{field}" for label, field, _ in CAPPED}
    assert capped == named | {"Product.composedOf", "Product.composes", "Association.members"}


def test_a_cursor_of_a_product_list_is_refused_by_an_observation_list(api, sample_graph):
    products = ok(gql(api, "{ products(first: 1) { pageInfo { endCursor } } }"))["products"]["pageInfo"]["endCursor"]
    query, _ = list_request(Label.PROGRAM, "observations", "Program.observations")
    answer = gql(api, query, {"k": "2733", "n": 1, "first": 1, "after": products})
    (error,) = answer.errors
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"} and answer.queries == 0
    observations = ok(gql(api, query, {"k": "2733", "n": 1, "first": 1}))["node"]["page"]["pageInfo"]["endCursor"]
    answer = gql(api, COMPOSED_OF, {"uri": sample_graph.l3, "first": 1, "after": observations})
    assert answer.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}


NESTED_LISTS = """query ($id: String!) { program(id: $id) { observations(first: 3) { obsid
  members(first: 2) { obsid products(first: 5) { nodes { uri antecedents(first: 1) { uri }
    derivedProductsConnection(first: 1) { totalCount nodes { uri endProducts(first: 1) { uri } } } } } }
  linkedConnection(first: 1) { totalCount nodes { uri } } }
  observationsConnection(first: 2) { totalCount nodes { obsid membersConnection(first: 1) { totalCount } } } } }"""


def test_the_capped_lists_nest_in_one_query(api, neo4j_settings, sample_graph):
    nested = gql(api, NESTED_LISTS, {"id": "2733"})
    data = ok(nested)
    assert nested.queries == 1
    program = data["program"]
    assert len(program["observations"]) == 3 and program["observationsConnection"]["totalCount"] == 4
    members = [m for o in program["observations"] for m in o["members"]]
    assert members and all(len(p["antecedents"]) <= 1 for m in members for p in m["products"]["nodes"])
    with TestClient(create_app(neo4j_settings, nested=False)) as level_by_level:
        answer = gql(level_by_level, NESTED_LISTS, {"id": "2733"})
    assert answer.data == data
    # program; observations, observationsConnection; members, linkedConnection, membersConnection; products;
    # antecedents, derivedProductsConnection; endProducts
    assert answer.queries == 10
