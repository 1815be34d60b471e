"""Every derivation, lookup and write query of the online ingest is index-backed at every graph size.

Each query is planned (`EXPLAIN`, nothing runs) with realistic parameters taken from the graph, on a
near-empty graph and on the loaded demo graph, both as the plan cache gives it and planned afresh
(`CYPHER replan=force`): a plan made on an empty graph is reused once the graph has grown, so both
must find their nodes by an index seek. A label scan, an all-nodes scan or a full index scan fails
the test, naming the query and the operator.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mastgraph.graph import downloads, queries
from mastgraph.graph.writer import edge_create_query, edge_query, node_query
from mastgraph.model.vocabulary import EDGE_IDENTITY, KEYS, Label, Rel
from mastgraph.pipeline.derive import query_params
from mastgraph.pipeline.derive_batch import PRODUCT_KEYS, long_windows

from ..conftest import empty_graph, load_demo

#: Operators that read a whole label, the whole graph or a whole index where a seek is meant.
SCANS = ("AllNodesScan", "NodeByLabelScan", "UnionNodeByLabelsScan", "IntersectionNodeByLabelsScan",
         "SubtractionNodeByLabelsScan", "NodeIndexScan", "RelationshipTypeScan", "RelationshipIndexScan")

DERIVE = ("antecedents", "produced_by_products", "produced_by_associations", "linked", "association_members",
          "window_classes", "engineering_series", "engineering_exposures", "mrp", "scope_of_products")


def operators(plan) -> Iterator[tuple[str, str]]:
    """Every operator of a plan tree and its details (the driver gives `summary.plan` as a dict)."""
    if plan is None:
        return
    name, children = plan.get("operatorType", ""), plan.get("children", [])
    yield name.split("@", 1)[0], str(plan.get("args", {}).get("Details", ""))
    for child in children:
        yield from operators(child)


def scans(plan) -> list[str]:
    """The scans of a plan, each as `operator (details)`."""
    return [f"{op} ({details})" if details else op
            for op, details in operators(plan) if any(op.startswith(s) or op.endswith(s) for s in SCANS)]


def _column(drv, database: str, cypher: str) -> list:
    records, _, _ = drv.execute_query(cypher, database_=database, routing_="r")
    return [r[0] for r in records]


def graph_keys(drv, database: str) -> dict[str, list]:
    """Keys of every kind a derivation is passed, a few of each sort of node the queries branch on."""
    products = _column(drv, database, """
        CALL () {
          MATCH (p:Product) WHERE p.exposure_key IS NOT NULL RETURN p.uri AS uri LIMIT 20
          UNION MATCH (p:Product) WHERE p.level IN ['2b', '3'] RETURN p.uri AS uri LIMIT 20
          UNION MATCH (p:Preview) RETURN p.uri AS uri LIMIT 5
          UNION MATCH (p:GuideStar) RETURN p.uri AS uri LIMIT 5
          UNION MATCH (p:MsaFile) RETURN p.uri AS uri LIMIT 5
          UNION MATCH (p:Product) WHERE p.msametfl IS NOT NULL RETURN p.uri AS uri LIMIT 5
          UNION MATCH (p:Product) WHERE p.t_min IS NOT NULL RETURN p.uri AS uri LIMIT 5
        }
        RETURN uri""")
    associations = _column(drv, database, "MATCH (a:Association) RETURN a.name LIMIT 20")
    observations = _column(drv, database, """
        CALL () {
          MATCH (o:Exposure) RETURN o.obsid AS obsid LIMIT 20
          UNION MATCH (o:Observation) RETURN o.obsid AS obsid LIMIT 20
        }
        RETURN obsid""")
    series = _column(drv, database, "MATCH (s:EngineeringSeries) RETURN s.key LIMIT 20")
    # programs with a Program node and programs known only from their products' `program`
    programs = _column(drv, database, """
        CALL () {
          MATCH (g:Program) RETURN g.program AS program LIMIT 5
          UNION MATCH (p:Product) WHERE p.program IS NOT NULL AND NOT EXISTS { (:Program {program: p.program}) }
          RETURN DISTINCT p.program AS program LIMIT 5
        }
        RETURN program""")
    return {"uris": products or ["mast:JWST/product/x.fits"], "names": associations or ["jw00000-o000_image3_00000_asn"],
            "obsids": observations or ["0"], "keys": series or ["x"], "programs": programs or ["00000"]}


def derive_cases(keys: dict[str, list]) -> Iterator[tuple[str, str, dict]]:
    """(name, query text, parameters) of every derivation and lookup query the online ingest runs."""
    for name in DERIVE:
        text = queries.text(f"derive/{name}")
        params = {**query_params(name)}
        if name == "engineering_exposures":
            yield f"{name} (observations)", text, {**params, "obsids": keys["obsids"], "uris": []}
            yield f"{name} (products)", text, {**params, "obsids": [], "uris": keys["uris"]}
            continue
        for param in ("uris", "names", "obsids", "keys"):
            if f"${param}" in text:
                params[param] = keys[param]
        yield name, text, params
    # the online derivation by tables (pipeline/derive_batch.py): its neighbourhood reads and MRP deletion
    values = [*keys["uris"], *keys["names"], *keys["obsids"], *keys["keys"]]
    window = [[59000.0, 59001.0], [60000.0, 60031.0]]
    long = long_windows([59010.0, 59400.0], 2.0)
    yield "read_products", queries.text("derive/read_products"), {
        kind: (window if kind == "windows" else long if kind == "long_windows" else keys["uris"] if kind == "uris"
               else values) for kind in PRODUCT_KEYS}
    yield "read_associations", queries.text("derive/read_associations"), {
        "names": keys["names"], "program_asn": [["02733", "o002"], ["01234", "c1000"]]}
    yield "read_observations", queries.text("derive/read_observations"), {
        "obsids": keys["obsids"], "windows": window, "long_windows": long}
    yield "read_series", queries.text("derive/read_series"), {"keys": keys["keys"], "windows": window,
                                                              "long_windows": long}
    yield "delete_mrp", queries.text("derive/delete_mrp"), {
        "rows": [{"obsid": obsid, "uri": u} for obsid, u in zip(keys["obsids"], keys["uris"])]}
    members = [{"name": name, "members": []} for name in keys["names"]]
    yield "replace_association_members", queries.text("ingest/replace_association_members"), {"associations": members}


def write_cases(keys: dict[str, list]) -> Iterator[tuple[str, str, dict]]:
    """The writer's MERGE queries: one per keyed label, one per relationship group it writes."""
    for label in KEYS:
        yield f"nodes {label.value}", node_query(label), {"rows": [{"key": "k", "props": {"a": 1}, "labels": []}]}
    groups = {(Rel.HAS_PRODUCT, start, end) for start in KEYS for end in KEYS}  # every pair of ends
    groups |= {(rel, start, Label.PRODUCT) for rel in Rel for start in (Label.PRODUCT, Label.ASSOCIATION)}
    # the derived relationships the derivation by tables writes (pipeline/derive_batch.py)
    groups |= {(Rel.HAS_ENGINEERING, Label.OBSERVATION, Label.ENGINEERING_SERIES),
               (Rel.HAS_ENGINEERING, Label.PRODUCT, Label.ENGINEERING_SERIES), (Rel.MRP, Label.OBSERVATION, Label.PRODUCT),
               (Rel.PRODUCED_BY, Label.PRODUCT, Label.ASSOCIATION), (Rel.MULTIPLICITY, Label.PRODUCT, Label.ASSOCIATION)}
    for rel, start, end in sorted(groups, key=lambda g: (g[0].value, g[1].value, g[2].value)):
        identity = EDGE_IDENTITY.get((rel, start), ())
        row = {"start": "a", "end": "b", "props": {}, "ident": {name: "x" for name in identity}}
        yield f"{rel.value} {start.value}->{end.value}", edge_query(rel, start, end, identity), {"rows": [row]}
        yield (f"{rel.value} {start.value}->{end.value} (created)", edge_create_query(rel, start, end),
               {"rows": [{"start": "a", "end": "b", "props": {}}]})


def download_cases(keys: dict[str, list]) -> Iterator[tuple[str, str, dict]]:
    """The download list's queries (graph/downloads.py): the id's anchor, then each kind's view with every
    file or only the Minimum Recommended Products, in both directions."""
    for id in (keys["uris"][0], keys["obsids"][0], keys["names"][0], *keys["programs"]):
        yield "download_anchor", queries.text("api/download_anchor"), {
            "ids": [id, id.lower()], "program": id if id in keys["programs"] else None}
    key_of = {"PRODUCT": keys["uris"], "OBSERVATION": keys["obsids"], "PROGRAM": keys["programs"],
              "ASSOCIATION": keys["names"]}
    for kind, kind_keys in key_of.items():
        for upstream in (True, False):
            for every in (True, False):
                for key in kind_keys[:3] if kind != "PROGRAM" else kind_keys:
                    yield (f"download {kind.lower()} {'all' if every else 'MRP'} {'up' if upstream else 'down'}",
                           downloads.view_text(kind, upstream, every),
                           {"key": key, "upstream": upstream, "limit": 40_000, "levels": list(downloads.LEVELS)})


def planned_scans(drv, database: str, cases, force: bool) -> list[str]:
    problems = []
    with drv.session(database=database) as session:
        for name, text, params in cases:
            prefix = "CYPHER replan=force EXPLAIN " if force else "EXPLAIN "
            summary = session.run(prefix + text, params).consume()
            found = scans(summary.plan)
            if found:
                problems.append(f"{name}{' (replanned)' if force else ''}: {', '.join(sorted(set(found)))}")
    return problems


def test_operators_walks_the_plan_tree():
    plan = {"operatorType": "ProduceResults@neo4j", "children": [
        {"operatorType": "Apply@neo4j", "children": [
            {"operatorType": "NodeByLabelScan@neo4j", "children": []},
            {"operatorType": "NodeIndexSeek@neo4j", "children": []}]}]}
    assert [op for op, _ in operators(plan)] == ["ProduceResults", "Apply", "NodeByLabelScan", "NodeIndexSeek"]
    assert scans(plan) == ["NodeByLabelScan"]
    assert scans({"operatorType": "NodeUniqueIndexSeek", "children": [
        {"operatorType": "NodeIndexSeekByRange", "children": []}]}) == []
    assert scans({"operatorType": "NodeIndexScan", "children": []}) == ["NodeIndexScan"]


@pytest.mark.parametrize("which", ["derive", "write", "download"])
def test_queries_seek_on_a_near_empty_and_on_the_loaded_graph(which, graph, neo4j_settings, tmp_path):
    database = neo4j_settings.neo4j_database
    cases = {"derive": derive_cases, "write": write_cases, "download": download_cases}[which]
    # near empty: plans made now are cached, and reused on the loaded graph below
    empty_graph(graph, database)
    keys = graph_keys(graph, database)
    problems = planned_scans(graph, database, list(cases(keys)), force=False)
    problems += planned_scans(graph, database, list(cases(keys)), force=True)
    load_demo(graph, neo4j_settings, tmp_path)
    keys = graph_keys(graph, database)
    assert len(keys["uris"]) > 20 and keys["names"] and keys["obsids"] and keys["keys"], keys
    problems += planned_scans(graph, database, list(cases(keys)), force=False)
    problems += planned_scans(graph, database, list(cases(keys)), force=True)
    assert not problems, "queries planned with a scan where a seek is meant:\n" + "\n".join(problems)
