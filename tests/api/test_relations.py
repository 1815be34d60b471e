"""Every relation field of every node type answers what the graph holds, in both directions.

Expected answers come from the sample's own list of relationships (tests/api/conftest.py), read
through each field's link pattern (graph/views.py LINKS): relationship type, direction, far label.
"""

from __future__ import annotations

import re

import pytest
import strawberry
from graphql import GraphQLObjectType

from mastgraph.api.relations import relation, role
from mastgraph.api.selection import metadata
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.graph.views import LINKS

from .conftest import gql, ok

LOOKUP = {
    Label.PRODUCT: ("product", "uri", "uri"), Label.OBSERVATION: ("observation", "obsid", "obsid"),
    Label.PROGRAM: ("program", "id", "programId"), Label.ASSOCIATION: ("association", "name", "name"),
    Label.REFERENCE_FILE: ("referenceFile", "name", "name"), Label.CRDS_CONTEXT: ("crdsContext", "name", "name"),
    Label.MNEMONIC: ("mnemonic", "name", "name"), Label.ENGINEERING_SERIES: ("engineeringSeries", "key", "key"),
    Label.EXTERNAL_PRODUCT: ("externalProduct", "uri", "uri"),
}
HOP = re.compile(r"^\(\{a\}\)(<?)-\[\{r\}:(\w+)\]-(>?)\(\{b\}:(\w+)\)$")


def graphql_schema():
    from mastgraph.api.schema import build_schema
    from mastgraph.graph.settings import Settings

    return build_schema(Settings())._schema


def relation_fields(type_name: str) -> list[tuple[str, str]]:
    """(GraphQL field, link name) of a node type."""
    type_: GraphQLObjectType = graphql_schema().type_map[type_name]
    return [(name, metadata(field)["link"]) for name, field in type_.fields.items() if "link" in metadata(field)]


def selection(field: str, link: str) -> str:
    if LINKS[link].inputs:
        return f"{field} {{ exposures visits observations {{ obsid }} programs {{ programId }} }}"
    target = LINKS[link].target
    key = LOOKUP[target][2]
    member = "exptype asnProduct association { name } product { uri }"
    if LINKS[link].page:
        return f"{field}(first: 100) {{ nodes {{ {member if LINKS[link].edge is not None else key} }} }}"
    if LINKS[link].edge is not None:
        return f"{field} {{ {member} }}"
    return f"{field} {{ {key} }}"


def answer_keys(value, link: str):
    if LINKS[link].inputs:
        return {**value, "observations": [o["obsid"] for o in value["observations"]],
                "programs": [p["programId"] for p in value["programs"]]}
    target_key = LOOKUP[LINKS[link].target][2]
    if LINKS[link].page:
        value = value["nodes"]
        if LINKS[link].edge is None:
            return [n[target_key] for n in value]
    if LINKS[link].edge is not None:
        return [(m["association"]["name"], m["product"]["uri"], m["exptype"], m["asnProduct"]) for m in value]
    if LINKS[link].single:
        return None if value is None else value[target_key]
    return [n[target_key] for n in value]


#: The relationships `inputs` and `endProducts` walk (data flowing into a product).
MADE_FROM = (Rel.COMPOSITION, Rel.ANTECEDENT, Rel.CONTEMPORANEOUS_CALIBRATION)


def reach(sample, start: str, upstream: bool) -> set[str]:
    """Products reached from `start` through MADE_FROM (start included), from the sample's edge list."""
    steps: dict[str, set[str]] = {}
    for r, a, b, _ in sample.edges:
        if r in MADE_FROM and a[0] is Label.PRODUCT and b[0] is Label.PRODUCT:
            steps.setdefault(a[1] if upstream else b[1], set()).add(b[1] if upstream else a[1])
    found, frontier = {start}, {start}
    while frontier:
        frontier = {n for f in frontier for n in steps.get(f, ())} - found
        found |= frontier
    return found


def with_label(sample, keys, extra: Label) -> list[str]:
    return sorted(k for lab, k, _, labels in sample.nodes if lab is Label.PRODUCT and k in keys and extra in labels)


def expected_walk(sample, label: Label, key, link: str):
    """What went into a product, and the Level-3 products downstream (multi-step links)."""
    if link == "Product.end_products":
        return with_label(sample, reach(sample, key, upstream=False) - {key}, Label.L3)
    if link == "ReferenceFile.end_products":
        users = {a[1] for r, a, b, _ in sample.edges if r is Rel.USED_REFERENCE and b == (label, key)}
        return with_label(sample, set().union(*(reach(sample, u, upstream=False) for u in users)), Label.L3)
    raws = set(with_label(sample, reach(sample, key, upstream=True), Label.L1B))
    props = {k: p for lab, k, p, _ in sample.nodes if lab is Label.PRODUCT}
    holders = {a[1] for r, a, b, _ in sample.edges if r is Rel.HAS_PRODUCT and b[1] in raws}
    combined = {k for lab, k, _, labels in sample.nodes if lab is Label.OBSERVATION and Label.COMBINED in labels}
    return {
        "exposures": len(raws),
        "visits": sorted({"jw" + props[r]["visit_id"] for r in raws}),
        "observations": sorted({a[1] for r, a, b, _ in sample.edges
                                if r is Rel.HAS_MEMBER and b[1] in holders and a[1] in combined}),
        "programs": sorted({props[r]["program"] for r in raws}),
    }


def expected(sample, label: Label, key, link: str):
    spec = LINKS[link]
    link = link.removesuffix("_connection")  # (a connection answers the items of the list beside it)
    if link in ("Product.end_products", "Product.inputs", "ReferenceFile.end_products"):
        return expected_walk(sample, label, key, link)
    if link == "Observation.linked":
        own = {e[2][1] for e in sample.edges if e[0] is Rel.HAS_PRODUCT and e[1] == (label, key)}
        members = {e[2][1] for e in sample.edges if e[0] is Rel.HAS_MEMBER and e[1] == (label, key)}
        own |= {e[2][1] for e in sample.edges if e[0] is Rel.HAS_PRODUCT and e[1][1] in members and e[1][0] is label}
        return sorted({e[2][1] for e in sample.edges
                       if e[0] is Rel.LINKED and e[1][1] in own and e[2][0] is Label.PRODUCT})
    if link == "Association.association_file":
        files = [k for lab, k, props, _ in sample.nodes if lab is Label.PRODUCT and props.get("association") == key]
        return files[0] if files else None
    incoming, rel, outgoing, far = HOP.match(spec.pattern).groups()
    rel, far = Rel(rel), Label(far)
    found = []
    for r, start, end, props in sample.edges:
        if r is not rel:
            continue
        if outgoing and start == (label, key) and end[0] is far:
            found.append((end[1], props))
        elif incoming and end == (label, key) and start[0] is far:
            found.append((start[1], props))
    if spec.edge is not None:
        role = dict(spec.roles)
        return sorted(((key if role["association"] == "a" else other), (other if role["product"] == "b" else key),
                       props.get("exptype"), props.get("product")) for other, props in found)
    keys = sorted(k for k, _ in found)
    if spec.single:
        return keys[0] if keys else None
    return keys


KINDS = [Label.PRODUCT, Label.OBSERVATION, Label.PROGRAM, Label.ASSOCIATION, Label.REFERENCE_FILE, Label.CRDS_CONTEXT,
         Label.MNEMONIC, Label.ENGINEERING_SERIES, Label.EXTERNAL_PRODUCT]


@pytest.mark.parametrize("label", KINDS, ids=[k.value for k in KINDS])
def test_every_relation_field_of_every_node(api, sample_graph, label):
    fields = relation_fields(label.value)
    assert fields, f"{label.value} has no relation fields"
    root, argument, key_field = LOOKUP[label]
    body = " ".join(selection(field, link) for field, link in fields)
    query = f"query ($k: String!) {{ {root}({argument}: $k) {{ {key_field} {body} }} }}"
    keys = sorted({k for lab, k, *_ in sample_graph.nodes if lab is label})
    checked = 0
    for key in keys:
        answer = gql(api, query, {"k": key})
        node = ok(answer)[root]
        assert answer.queries == 1
        for field, link in fields:
            got = answer_keys(node[field], link)
            want = expected(sample_graph, label, key, link)
            if isinstance(want, list) and LINKS[link].edge is None:
                assert got == sorted(got), f"{label.value}.{field} not in key order"
            assert (sorted(got) if isinstance(got, list) else got) == want, f"{label.value} {key} .{field}"
            checked += bool(want)
    assert checked, f"the sample exercises no relation of {label.value}"


def test_every_link_is_a_field():
    used = {link for kind in KINDS for _, link in relation_fields(kind.value)}
    assert used == set(LINKS)


def test_a_relation_field_is_declared_by_its_link():
    """The resolver names no link: its type and name find it, and its one argument is the link's filter."""

    class Product:
        @relation("Composed of.")
        def composed_of(self, info: strawberry.Info, by: list[str] | None = None) -> list[str]:
            return []

    meta = Product.composed_of.metadata
    assert meta == {"link": "Product.composed_of", "filter": "by"} and Product.composed_of.description == "Composed of."
    with pytest.raises(LookupError, match=r"Product\.made_of: no link of that name in graph/views.py LINKS"):
        class Product:  # noqa: F811
            @relation("Made of.")
            def made_of(self, info):
                return None
    with pytest.raises(TypeError, match=r"Product\.composed_of: its link filters on \{r\}\.by, so it takes one"):
        class Product:  # noqa: F811
            @relation("Composed of.")
            def composed_of(self, info):
                return None
    with pytest.raises(LookupError, match="no link of graph/views.py LINKS has a role 'member'"):
        class AssociationMember:
            @role("The member.")
            def member(self, info):
                return None


def test_every_model_relationship_is_reachable_both_ways():
    patterns = [LINKS[name].pattern for name in LINKS]
    for rel in Rel:
        assert any(f":{rel.value}]->" in p for p in patterns), f"{rel.value} outgoing"
        assert any(f"<-[{{r}}:{rel.value}]" in p for p in patterns), f"{rel.value} incoming"


@pytest.mark.parametrize("query, expected_field", [
    ('{ product(uri: "%(l3)s", filename: "x") { uri } }', "filename"),
    ("{ product { uri } }", "uri"),
    ('{ observation(obsid: "1", obsId: "x") { obsid } }', "obsId"),
    ('{ program(id: "NGC7469") { programId } }', "id"),
    ('{ exposuresDuringEngineering(mnemonic: "SA_ZATTEST2", from: 2, to: 1) { series { key } } }', "to"),
])
def test_bad_arguments_are_named(api, sample_graph, query, expected_field):
    answer = gql(api, query % {"l3": sample_graph.l3})
    assert answer.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": expected_field}
    assert f"`{expected_field}`" in answer.errors[0]["message"]


def test_lookups_by_other_keys_and_unknown_ids(api, sample_graph):
    filename = sample_graph.l3.rsplit("/", 1)[1]
    data = ok(gql(api, '{ a: product(filename: "%s") { uri } b: product(uri: "mast:JWST/product/none") { uri } '
                       'c: observation(obsId: "jw02733-o002_t001_miri_f1130w") { obsid level } '
                       'd: program(id: "jw2733") { programId proposalId } e: program(id: "1") { programId } '
                       'f: referenceFile(name: "crds://%s") { name reftype } }' % (filename, sample_graph.flat)))
    assert data["a"] == {"uri": sample_graph.l3} and data["b"] is None
    assert data["c"] == {"obsid": sample_graph.combined_obsid, "level": "COMBINED"}
    assert data["d"] == {"programId": "02733", "proposalId": "2733"} and data["e"] is None
    assert data["f"] == {"name": sample_graph.flat, "reftype": "flat"}


def test_relation_filters(api, sample_graph):
    data = ok(gql(api, """query ($l3: String!, $cal: String!) {
        l3: product(uri: $l3) { dither: composedOf(by: [DITHER]) { uri } tiles: composedOf(by: [MOSAIC_TILE]) { uri } }
        cal: product(uri: $cal) {
          flats: referenceFiles(reftype: ["flat"]) { name } all: referenceFiles { name }
          background: contemporaneousCalibrations(kind: [BACKGROUND]) { uri } psf: contemporaneousCalibrations(kind: [PSF]) { uri }
          series: engineering(mnemonic: "SA_ZATTEST2") { key } none: engineering(mnemonic: "OTHER") { key }
          science: memberOf(exptype: ["science"]) { association { name } } } }""",
                      {"l3": sample_graph.l3, "cal": sample_graph.cal[0]}))
    assert [p["uri"] for p in data["l3"]["dither"]] == sorted(sample_graph.cal) and data["l3"]["tiles"] == []
    assert [r["name"] for r in data["cal"]["flats"]] == [sample_graph.flat]
    assert {r["name"] for r in data["cal"]["all"]} == {sample_graph.flat, sample_graph.dark}
    assert data["cal"]["background"] == [{"uri": sample_graph.background}] and data["cal"]["psf"] == []
    assert data["cal"]["series"] == [{"key": sample_graph.series}] and data["cal"]["none"] == []
    assert [m["association"]["name"] for m in data["cal"]["science"]] == ["jw02733-o002_20250101t000000_image3_00001"]


def test_fragments_aliases_and_directives(api, sample_graph):
    query = """query ($uri: String!, $deep: Boolean!) {
      product(uri: $uri) { ...Names up: composedOf { ...Names antecedents(first: 5) @include(if: $deep) { uri } }
                           same: composedOf @skip(if: $deep) { uri } ... on Product { crdsContext { name } } } }
      fragment Names on Product { uri filename }"""
    deep = gql(api, query, {"uri": sample_graph.l3, "deep": True})
    product = ok(deep)["product"]
    assert deep.queries == 1 and "same" not in product
    assert product["crdsContext"] == {"name": sample_graph.context}
    assert all(len(p["antecedents"]) == 2 for p in product["up"])
    shallow = ok(gql(api, query, {"uri": sample_graph.l3, "deep": False}))["product"]
    assert "antecedents" not in shallow["up"][0] and [p["uri"] for p in shallow["same"]] == sorted(sample_graph.cal)
