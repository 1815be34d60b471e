"""The writer and the derivations on hand-made records, against a real Neo4j."""

from __future__ import annotations

import pytest

from mastgraph.pipeline.ingest import write_records
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders import names
from mastgraph.loaders.records import Conflict, RecordMerger
from mastgraph.model.records import Edge, Node

from ..conftest import count

P = Label.PRODUCT


def product(filename: str, **props) -> Node:
    parsed = names.parse(filename)
    return Node(P, parsed.uri, {**parsed.props, "filename": filename, **props}, parsed.labels, "test:1")


def uri(filename: str) -> str:
    return names.product_uri(filename)


EXP = "jw02733002001_02103_00001_mirimage"
L3 = "jw02733-o002_t001_miri_f1130w"
ASN2 = "jw02733-o002_20240101t000000_image2_00001"
ASN3 = "jw02733-o002_20240101t000000_image3_00001"


def lineage_records() -> list:
    recs = [product(f"{EXP}_{s}.fits", product_type="SCIENCE") for s in ("uncal", "rate", "rateints", "cal")]
    recs.append(product(f"{EXP}_o002_crf.fits"))
    recs.append(product(f"{L3}_i2d.fits", product_type="SCIENCE"))
    recs.append(product(f"{L3}_cat.ecsv", product_type="SCIENCE"))
    recs.append(product(f"{EXP}_cal.jpg"))
    for name, kind, products in ((ASN2, "image2", [EXP]), (ASN3, "image3", [L3])):
        recs.append(Node(Label.ASSOCIATION, name, {"asn_type": kind, "program": "02733", "asn_id": "o002",
                                                   "products": products, "composition_by": "dither" if kind == "image3" else None}))
        recs.append(product(f"{name}_asn.json", association=name))
    recs.append(Edge(Rel.HAS_MEMBER, (Label.ASSOCIATION, ASN2), (P, uri(f"{EXP}_rate.fits")), {"exptype": "science", "product": EXP}))
    recs.append(Edge(Rel.PRODUCED_BY, (P, uri(f"{EXP}_cal.fits")), (Label.ASSOCIATION, ASN2)))
    recs.append(Edge(Rel.HAS_MEMBER, (Label.ASSOCIATION, ASN3), (P, uri(f"{EXP}_cal.fits")), {"exptype": "science", "product": L3}))
    recs.append(Edge(Rel.PRODUCED_BY, (P, uri(f"{L3}_i2d.fits")), (Label.ASSOCIATION, ASN3)))
    return recs


def edges(drv, rel: str) -> set[tuple[str, str]]:
    records, _, _ = drv.execute_query(
        f"MATCH (a)-[:{rel}]->(b) RETURN coalesce(a.filename, a.name, a.obsid) AS a, coalesce(b.filename, b.name, b.obsid) AS b"
    )
    return {(r["a"], r["b"]) for r in records}


def snapshot(drv) -> tuple:
    nodes, _, _ = drv.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels, _, _ = drv.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, elementId(a) AS a, elementId(b) AS b")
    return (sorted(repr((sorted(r["l"]), sorted(r["p"].items()))) for r in nodes),
            sorted(repr((r["t"], sorted(r["p"].items()))) for r in rels))


def test_derivations_from_names_and_associations(graph, neo4j_settings):
    write_records(graph, neo4j_settings, lineage_records())
    ante = edges(graph, "ANTECEDENT")
    assert (f"{EXP}_rate.fits", f"{EXP}_uncal.fits") in ante
    assert (f"{EXP}_rateints.fits", f"{EXP}_uncal.fits") in ante
    assert (f"{EXP}_cal.fits", f"{EXP}_rate.fits") in ante
    assert (f"{EXP}_o002_crf.fits", f"{EXP}_cal.fits") in ante
    assert (f"{EXP}_cal.fits", f"{ASN2}_asn.json") in ante
    assert (f"{L3}_i2d.fits", f"{ASN3}_asn.json") in ante
    assert (f"{EXP}_cal.fits", f"{EXP}_rateints.fits") not in ante
    assert edges(graph, "COMPOSITION") == {(f"{L3}_i2d.fits", f"{EXP}_cal.fits"), (f"{L3}_cat.ecsv", f"{EXP}_cal.fits")}
    assert (f"{L3}_cat.ecsv", ASN3) in edges(graph, "PRODUCED_BY")
    assert edges(graph, "LINKED") == {(f"{EXP}_cal.fits", f"{EXP}_cal.jpg")}
    # the raw exposure is reachable from the L3 product through outgoing lineage only
    assert count(graph, "MATCH (:L3 {filename: $f})-[:COMPOSITION]->()-[:ANTECEDENT*1..2]->(r:L1b) RETURN count(DISTINCT r)",
                 f=f"{L3}_i2d.fits") == 1


def test_order_does_not_matter_and_reload_changes_nothing(graph, neo4j_settings):
    recs = lineage_records()
    write_records(graph, neo4j_settings, recs)
    forward = snapshot(graph)
    write_records(graph, neo4j_settings, recs)
    assert snapshot(graph) == forward
    graph.execute_query("MATCH (n) DETACH DELETE n")
    half = len(recs) // 2
    write_records(graph, neo4j_settings, recs[half:])
    write_records(graph, neo4j_settings, recs[:half])
    assert snapshot(graph) == forward


def test_mrp_follows_the_rule(graph, neo4j_settings):
    obs = [Node(Label.OBSERVATION, "1", {"obs_id": L3}, (Label.COMBINED,)),
           Node(Label.OBSERVATION, "2", {"obs_id": EXP}, (Label.EXPOSURE,))]
    recs = lineage_records() + obs + [
        Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "1"), (P, uri(f"{L3}_i2d.fits"))),
        Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "1"), (P, uri(f"{L3}_cat.ecsv"))),
        Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "1"), (P, uri(f"{ASN3}_asn.json"))),
        Edge(Rel.HAS_MEMBER, (Label.OBSERVATION, "1"), (Label.OBSERVATION, "2")),
    ] + [Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "2"), (P, uri(f"{EXP}_{s}.fits"))) for s in ("uncal", "rate", "cal")]
    write_records(graph, neo4j_settings, recs)
    assert edges(graph, "MRP") == {("1", f"{L3}_i2d.fits"), ("1", f"{L3}_cat.ecsv"), ("2", f"{EXP}_cal.fits")}
    # a later product of a higher level takes over the exposure's MRP
    write_records(graph, neo4j_settings, [Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "1"), (P, uri(f"{EXP}_cal.fits")))])
    assert ("1", f"{EXP}_cal.fits") not in edges(graph, "MRP")


def test_engineering_join_by_time(graph, neo4j_settings):
    recs = [
        Node(Label.OBSERVATION, "10", {"obs_id": EXP, "t_min": 59612.90, "t_max": 59612.95}, (Label.EXPOSURE,)),
        Node(Label.OBSERVATION, "11", {"obs_id": EXP.replace("00001", "00002"), "t_min": 59613.5, "t_max": 59613.6}, (Label.EXPOSURE,)),
        Node(Label.ENGINEERING_SERIES, "SA_ZATTEST2-20220202T222458-20220202T222459",
             {"mnemonic": "SA_ZATTEST2", "t_min": 59612.934, "t_max": 59612.935, "times": [59612.934, 59612.935], "values": [1.0, 2.0]}),
    ]
    write_records(graph, neo4j_settings, recs)
    assert count(graph, "MATCH (e {obsid: '10'})-[:HAS_ENGINEERING]->(s) RETURN count(s)") == 1
    assert count(graph, "MATCH (e {obsid: '11'})-[:HAS_ENGINEERING]->(s) RETURN count(s)") == 0


def test_conflicting_duplicates_are_refused():
    merger = RecordMerger()
    merger.add(Node(P, "u", {"size": 10}, (), "a.csv:2"))
    merger.add(Node(P, "u", {"size": 10, "description": "x"}, (), "a.csv:3"))
    with pytest.raises(Conflict, match=r"a.csv:4: Product u: size 12 conflicts with 10 \(a.csv:2\)"):
        merger.add(Node(P, "u", {"size": 12}, (), "a.csv:4"))


def test_member_of_two_products_has_two_edges(graph, neo4j_settings):
    a = Label.ASSOCIATION
    recs = [Edge(Rel.HAS_MEMBER, (a, "x"), (P, "m"), {"exptype": "science", "product": "p1"}),
            Edge(Rel.HAS_MEMBER, (a, "x"), (P, "m"), {"exptype": "background", "product": "p2"})]
    write_records(graph, neo4j_settings, recs)
    assert count(graph, "MATCH (:Association {name: 'x'})-[r:HAS_MEMBER]->(:Product {uri: 'm'}) RETURN count(r)") == 2


def test_touched_keeps_the_products_a_node_record_describes():
    from mastgraph.pipeline.derive import Touched

    touched = Touched()
    touched.add(product(f"{EXP}_cal.fits", t_min=59612.9, t_max=None))
    touched.add(product(f"{EXP}_rate.fits"))
    touched.add(Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "2"), (P, uri(f"{EXP}_uncal.fits"))))
    assert touched.uris == {uri(f"{EXP}_{s}.fits") for s in ("cal", "rate", "uncal")}
    assert touched.described == {uri(f"{EXP}_cal.fits"), uri(f"{EXP}_rate.fits")}
    assert touched.timed == {uri(f"{EXP}_cal.fits")}


def test_links_and_product_engineering_whatever_writes_bring_their_facts(graph, neo4j_settings):
    """LINKED and a product's HAS_ENGINEERING are derived only for products a node record wrote: the
    graph is the same whether each side comes first, and a write naming products only as ends adds none."""
    gs = "jw02733002001_gs-fg_2022020222245_cal.fits"
    series = Node(Label.ENGINEERING_SERIES, "SA_ZATTEST2-20220202T222458-20220202T222459",
                  {"mnemonic": "SA_ZATTEST2", "t_min": 59612.934, "t_max": 59612.935, "times": [59612.934], "values": [1.0]})
    first = [product(f"{EXP}_uncal.fits"), product(f"{EXP}_cal.jpg"),
             product(f"{EXP}_rate.fits", t_min=59612.90, t_max=59612.95)]
    second = [product(gs), product(f"{EXP}_cal.fits"), series]
    ends = [Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "2"), (P, uri(f"{EXP}_{s}")))
            for s in ("uncal.fits", "cal.jpg", "rate.fits", "cal.fits")] + [Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "2"), (P, uri(gs)))]
    write_records(graph, neo4j_settings, first)
    write_records(graph, neo4j_settings, second)
    write_records(graph, neo4j_settings, ends)
    forward = snapshot(graph)
    assert edges(graph, "LINKED") == {(f"{EXP}_cal.fits", f"{EXP}_cal.jpg"), (f"{EXP}_uncal.fits", gs)}
    assert count(graph, "MATCH (e)-[:HAS_ENGINEERING]->(s {key: $k}) RETURN collect(e.filename)", k=series.key) == [
        f"{EXP}_rate.fits"]
    graph.execute_query("MATCH (n) DETACH DELETE n")
    write_records(graph, neo4j_settings, ends)
    write_records(graph, neo4j_settings, second)
    write_records(graph, neo4j_settings, first)
    assert snapshot(graph) == forward
