"""The online derivation as table joins (pipeline/derive_batch.py, MASTGRAPH_DERIVE=tables) against
the Cypher derivation (MASTGRAPH_DERIVE=cypher): the same graph on the demo sample and on hand-made
records loaded in several orders and batches; and where two associations set one property of one
relationship, the bulk build's answer (the highest association name) whatever the load order."""

from __future__ import annotations

import random

from mastgraph.cli.demo import demo_inputs
from mastgraph.model.records import Edge, Node
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.pipeline.derive_batch import windows
from mastgraph.pipeline.ingest import ingest_paths, write_records

from ..bulk.conftest import canonical_dump
from ..conftest import empty_graph
from .test_writer_derive import ASN3, EXP, L3, P, lineage_records, product, uri


def _with(settings, how: str):
    return settings.model_copy(update={"derive": how})


def _mrp_and_engineering() -> list:
    obs = [Node(Label.OBSERVATION, "1", {"obs_id": L3}, (Label.COMBINED,)),
           Node(Label.OBSERVATION, "2", {"obs_id": EXP, "t_min": 59612.90, "t_max": 59612.95}, (Label.EXPOSURE,)),
           Node(Label.ENGINEERING_SERIES, "SA_ZATTEST2-20220202T222458-20220202T222459",
                {"mnemonic": "SA_ZATTEST2", "t_min": 59612.934, "t_max": 59612.935})]
    return obs + [
        Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "1"), (P, uri(f"{L3}_i2d.fits"))),
        Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "1"), (P, uri(f"{L3}_cat.ecsv"))),
        Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "1"), (P, uri(f"{ASN3}_asn.json"))),
        Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "1"), (P, uri(f"{EXP}_cal.fits"))),
    ] + [Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "2"), (P, uri(f"{EXP}_{s}.fits"))) for s in ("uncal", "rate", "cal")]


def _files(records: list) -> list[list]:
    """The records as files: an association with its HAS_MEMBER relationships together, every other record alone."""
    members: dict[str, list] = {}
    for record in records:
        if isinstance(record, Edge) and record.type is Rel.HAS_MEMBER and record.start[0] is Label.ASSOCIATION:
            members.setdefault(record.start[1], []).append(record)
    units = []
    for record in records:
        if isinstance(record, Node) and record.label is Label.ASSOCIATION:
            units.append([record, *members.pop(record.key, [])])
        elif not (isinstance(record, Edge) and record.type is Rel.HAS_MEMBER):
            units.append([record])
    return units + list(members.values())


def _load(graph, settings, batches: list[list]) -> tuple[list[str], list[str]]:
    empty_graph(graph, settings.neo4j_database)
    for batch in batches:
        write_records(graph, settings, batch)
    return canonical_dump(graph, settings.neo4j_database)


def _differences(found, expected) -> list[str]:
    """The lines only one of two canonical dumps has (nodes, then relationships)."""
    return [f"{'+' if line in set(f) else '-'} {line}" for f, e in zip(found, expected)
            for line in sorted(set(f) ^ set(e))]


def test_windows_merge_where_they_overlap():
    assert windows([(5.0, 6.0), (1.0, 2.0), (1.5, 3.0), (3.0, 4.0)]) == [[1.0, 4.0], [5.0, 6.0]]
    assert windows([]) == []


def test_tables_give_the_cypher_graph_in_any_order(graph, neo4j_settings):
    records = lineage_records() + _mrp_and_engineering()
    expected = _load(graph, _with(neo4j_settings, "cypher"), [records])
    assert any("'MRP'" in line for line in expected[1]) and any("'HAS_ENGINEERING'" in line for line in expected[1])
    tables = _with(neo4j_settings, "tables")
    assert not _differences(_load(graph, tables, [records]), expected)
    # each association with its members is one file (a file gives an association's whole member list)
    units = _files(records)
    shuffled = list(units)
    random.Random(15).shuffle(shuffled)
    orders = {"reversed": [list(reversed(records))],
              "one file a transaction, reversed": list(reversed(units)),
              "shuffled, in four": [[r for unit in shuffled[i::4] for r in unit] for i in range(4)]}
    for name, batches in orders.items():
        assert not _differences(_load(graph, tables, batches), expected), name
    # loading it all again changes nothing
    write_records(graph, tables, records)
    assert canonical_dump(graph, neo4j_settings.neo4j_database) == expected


def _two_associations(first: str, second: str) -> list:
    """One Level-3 product that two Level-3 associations (different composition) both produce from one member."""
    member = product(f"{EXP}_cal.fits", product_type="SCIENCE")
    out = product(f"{L3}_i2d.fits", product_type="SCIENCE")
    records = [member, out]
    for name, by in ((first, "dither"), (second, "mosaic_tile")):
        records.append(Node(Label.ASSOCIATION, name, {"asn_type": "image3", "program": "02733", "asn_id": "o002",
                                                      "products": [L3], "composition_by": by}))
        records.append(Edge(Rel.HAS_MEMBER, (Label.ASSOCIATION, name), (P, member.key),
                            {"exptype": "science", "product": L3}))
    return records


def test_two_associations_setting_one_property_give_the_bulk_answer_in_any_order(graph, neo4j_settings):
    low, high = "jw02733-o002_20240101t000000_image3_00001", "jw02733-o002_20240101t000000_image3_00002"
    records = _two_associations(low, high)  # the high name's composition is mosaic_tile
    tables = _with(neo4j_settings, "tables")
    query = ("MATCH (:Product {uri: $p})-[c:COMPOSITION]->(:Product {uri: $m}) RETURN c.by AS by")
    params = {"p": uri(f"{L3}_i2d.fits"), "m": uri(f"{EXP}_cal.fits")}
    dumps = []
    for batches in ([records], [records[:4], records[4:]], [records[:2] + records[4:], records[2:4]]):
        dumps.append(_load(graph, tables, batches))
        found, _, _ = graph.execute_query(query, params)
        assert [r["by"] for r in found] == ["mosaic_tile"]
    assert dumps[0] == dumps[1] == dumps[2]


def test_tables_give_the_cypher_graph_on_the_demo_sample(graph, neo4j_settings, tmp_path):
    inputs = demo_inputs(tmp_path)
    dumps = {}
    for how in ("cypher", "tables"):
        empty_graph(graph, neo4j_settings.neo4j_database)
        report = ingest_paths(graph, _with(neo4j_settings, how), inputs)
        assert not report.failed, [f.error for f in report.failed]
        dumps[how] = canonical_dump(graph, neo4j_settings.neo4j_database)
        assert report.derived.total_rels_created > 1000
    assert len(dumps["tables"][1]) == len(dumps["cypher"][1])
    assert not _differences(dumps["tables"], dumps["cypher"])
