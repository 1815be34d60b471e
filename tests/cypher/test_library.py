"""The named Cypher library: every file plans (EXPLAIN), and each query returns what the data implies."""

from __future__ import annotations

from pathlib import Path

import pytest

from mastgraph.graph import queries, runner

from .conftest import ImagingProgram, Planted

CYPHER = queries.cypher_dir()
#: Every .cypher file of the repository, as a name `queries.query` loads (sub-folders included).
ALL_FILES = sorted(str(path.relative_to(CYPHER).with_suffix("")) for path in Path(CYPHER).rglob("*.cypher"))
LIBRARY = [q.name for q in queries.all_queries() if q.name != "schema"]


def rows(driver, settings, query: str, **given) -> list[dict]:
    named = queries.query(query)
    params = runner.query_params(named, given)
    return runner.read(driver, named.text, params, database=settings.neo4j_database, timeout=60, limit=100_000).dicts()


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_cypher_file_plans(name, graph, neo4j_settings):
    """EXPLAIN each statement of each file with its declared parameters (values unknown: null)."""
    named = queries.query(name)
    params = {spec.name: None for spec in queries.param_specs(named)}
    statements = queries.statements(named.text) if name == "schema" else [named.text]
    assert statements
    with graph.session(database=neo4j_settings.neo4j_database, notifications_min_severity="OFF") as session:
        for statement in statements:
            summary = session.run("EXPLAIN " + statement, params).consume()
            assert summary.plan is not None, f"{name}: no plan"


@pytest.mark.parametrize("name", LIBRARY)
def test_library_file_says_what_it_answers(name):
    named = queries.query(name)
    assert named.text.startswith("// ") and len(named.description) > 20
    assert named.params == tuple(spec.name for spec in queries.param_specs(named))
    for spec in queries.param_specs(named):
        assert f"${spec.name}" in named.text, f"{name} declares {spec.name} but does not use it"


@pytest.mark.parametrize("name", LIBRARY)
def test_library_queries_are_read_only(name, graph, neo4j_settings):
    named = queries.query(name)
    with graph.session(database=neo4j_settings.neo4j_database, notifications_min_severity="OFF") as session:
        summary = session.run("EXPLAIN " + named.text, {s.name: None for s in queries.param_specs(named)}).consume()
    assert summary.query_type == "r"


def test_lineage_down_reaches_the_raw_exposures(imaging: ImagingProgram, graph, neo4j_settings):
    found = {row["product"]: row["distance"] for row in rows(graph, neo4j_settings, "lineage_down", uri=imaging.l3)}
    expected = {imaging.asn3_file: 1}
    for exposure in imaging.exposures:
        expected |= {exposure.cal: 1, exposure.rate: 2, exposure.asn_file: 2, exposure.uncal: 3}
    assert found == expected
    shallow = rows(graph, neo4j_settings, "lineage_down", uri=imaging.l3, depth=1)
    assert {row["product"] for row in shallow} == {k for k, v in expected.items() if v == 1}
    assert all(row["distance"] == 1 for row in shallow)


def test_lineage_up_reaches_the_combined_product(imaging: ImagingProgram, graph, neo4j_settings):
    exposure = imaging.exposures[0]
    found = {row["product"]: row["distance"] for row in rows(graph, neo4j_settings, "lineage_up", uri=exposure.uncal)}
    assert found == {exposure.rate: 1, exposure.cal: 2, imaging.l3: 3}
    kinds = {row["product"]: row["kinds"] for row in rows(graph, neo4j_settings, "lineage_up", uri=exposure.uncal)}
    assert kinds[imaging.l3] == ["L3"]


def test_lineage_of_an_unknown_product_is_empty(imaging, graph, neo4j_settings):
    assert rows(graph, neo4j_settings, "lineage_down", uri="mast:JWST/product/nothing.fits") == []


def test_composition_tree(imaging: ImagingProgram, graph, neo4j_settings):
    tree = rows(graph, neo4j_settings, "composition_tree", uri=imaging.l3)
    assert [row["member"] for row in tree] == sorted(e.cal for e in imaging.exposures)
    for row, exposure in zip(tree, sorted(imaging.exposures, key=lambda e: e.cal)):
        assert row["by"] == "dither" and row["level"] == "2b"
        assert row["l2a"] == [exposure.rate]
        assert row["l1b"] == [exposure.uncal]


def test_minimum_recommended_products_by_obs_id_and_obsid(imaging: ImagingProgram, graph, neo4j_settings):
    by_obs_id = rows(graph, neo4j_settings, "minimum_recommended_products", observation=imaging.obs_id)
    assert [(r["product"], r["mrp"], r["mast_mrp"]) for r in by_obs_id] == [(imaging.l3, True, True)]
    # The numeric obsid, given as a number (as `--param observation=87600000` parses it).
    by_obsid = rows(graph, neo4j_settings, "minimum_recommended_products", observation=int(imaging.obsid))
    assert by_obsid == by_obs_id
    exposure = imaging.exposures[1]
    assert [r["product"] for r in rows(graph, neo4j_settings, "minimum_recommended_products",
                                       observation=exposure.obs_id)] == [exposure.cal]


def test_impact_of_reference_file(imaging: ImagingProgram, graph, neo4j_settings):
    found = {r["product"]: r["distance"] for r in rows(graph, neo4j_settings, "impact_of_reference_file",
                                                       name=imaging.flat)}
    expected = {e.cal: 0 for e in imaging.all_exposures} | {imaging.l3: 1}
    assert found == expected
    prefixed = rows(graph, neo4j_settings, "impact_of_reference_file", name=f"crds://{imaging.flat}")
    assert {r["product"] for r in prefixed} == set(expected)
    observations = {r["product"]: r["observations"] for r in prefixed}
    assert observations[imaging.l3] == [imaging.obs_id]
    assert observations[imaging.ta.cal] == [imaging.ta.obs_id]
    dark = {r["product"]: r["distance"] for r in rows(graph, neo4j_settings, "impact_of_reference_file",
                                                      name=imaging.dark, depth=1)}
    assert dark == {e.rate: 0 for e in imaging.all_exposures} | {e.cal: 1 for e in imaging.all_exposures}


def test_impact_of_crds_context(imaging: ImagingProgram, graph, neo4j_settings):
    found = {r["product"]: r["distance"] for r in rows(graph, neo4j_settings, "impact_of_crds_context",
                                                       name=imaging.context)}
    expected = {imaging.l3: 1}
    for exposure in imaging.all_exposures:
        expected |= {exposure.rate: 0, exposure.cal: 0}
    assert found == expected
    assert {r["product"]: r["distance"] for r in rows(graph, neo4j_settings, "impact_of_crds_context",
                                                      name=imaging.l3_context)} == {imaging.l3: 0}
    # As the PROV export writes it (namespace crds = crds://), like a reference file's name.
    assert {r["product"]: r["distance"] for r in rows(graph, neo4j_settings, "impact_of_crds_context",
                                                      name=f"crds://{imaging.context}")} == expected


def test_impact_of_engineering_window(imaging: ImagingProgram, graph, neo4j_settings):
    first = imaging.exposures[0]
    found = {r["product"]: r["distance"] for r in rows(graph, neo4j_settings, "impact_of_engineering_window",
                                                       mnemonic=imaging.mnemonic, t_min=first.t_min, t_max=first.t_min + 0.001)}
    assert found == {p: 0 for p in first.products | {imaging.guide_star}} | {imaging.l3: 1}
    later = imaging.exposures[1]
    assert rows(graph, neo4j_settings, "impact_of_engineering_window", mnemonic=imaging.mnemonic,
                t_min=later.t_min, t_max=later.t_max) == []
    assert rows(graph, neo4j_settings, "impact_of_engineering_window", mnemonic="NO_SUCH_MNEMONIC",
                t_min=first.t_min, t_max=first.t_max) == []


def test_program_summary_counts_each_kind(imaging: ImagingProgram, graph, neo4j_settings):
    summary = {r["kind"]: (r["products"], r["listed"], r["mrp"]) for r in
               rows(graph, neo4j_settings, "program_summary", program=imaging.program)}
    n = len(imaging.all_exposures)
    assert summary == {"L1b": (n, n, 0), "L2a": (n, n, 0), "L2b": (n, n, n), "L3": (1, 1, 1),
                       "AssociationFile": (n + 1, n + 1, 0), "GuideStar": (1, 1, 0)}


CHECK_QUERIES = ["orphan_association_members", "untraceable_products", "cycles", "mrp_disagreements",
                 "duplicate_products", "several_crds_contexts", "orphan_products"]


@pytest.mark.parametrize("name", CHECK_QUERIES)
def test_consistency_queries_find_nothing_in_a_clean_graph(name, imaging, graph, neo4j_settings):
    assert rows(graph, neo4j_settings, name) == []
    assert rows(graph, neo4j_settings, name, program=imaging.program) == []


def test_consistency_queries_find_what_was_planted(planted: tuple[ImagingProgram, Planted], graph, neo4j_settings):
    program, problems = planted
    assert {r["product"] for r in rows(graph, neo4j_settings, "orphan_association_members")} == problems.unlisted_members
    assert {r["product"] for r in rows(graph, neo4j_settings, "untraceable_products")} == problems.untraceable
    assert {r["product"] for r in rows(graph, neo4j_settings, "untraceable_products", level="3")} == problems.untraceable_l3
    assert [r["cycle"] for r in rows(graph, neo4j_settings, "cycles")] == problems.cycles
    assert {(r["observation"], r["product"], r["flagged_by"]) for r in
            rows(graph, neo4j_settings, "mrp_disagreements")} == problems.mrp_disagreements
    assert {r["filename"]: set(r["uris"]) for r in rows(graph, neo4j_settings, "duplicate_products")} == \
        problems.duplicate_products
    assert {r["product"]: r["contexts"] for r in rows(graph, neo4j_settings, "several_crds_contexts")} == \
        problems.several_crds_contexts
    assert {r["product"] for r in rows(graph, neo4j_settings, "orphan_products")} == problems.orphan_products
    # The same answers through the program filter, and none for another program.
    assert {r["product"] for r in rows(graph, neo4j_settings, "orphan_products", program=program.program)} == \
        problems.orphan_products
    assert {r["product"] for r in rows(graph, neo4j_settings, "orphan_products", program=str(int(program.program)))} == \
        problems.orphan_products
    assert rows(graph, neo4j_settings, "orphan_products", program="09999") == []


def test_limit_parameter_bounds_the_answer(planted, graph, neo4j_settings):
    program, problems = planted
    assert len(rows(graph, neo4j_settings, "untraceable_products", limit=2)) == 2
    assert len(rows(graph, neo4j_settings, "untraceable_products")) == len(problems.untraceable)


def test_an_association_file_is_claimed_by_its_association(graph, neo4j_settings):
    from mastgraph.model.vocabulary import Label

    from .conftest import GraphData

    g = GraphData()
    for name in ("jw02733-o002_20230101t000000_image3_00001", "jw02733-o002_20230101t000000_image3_00002"):
        g.node(Label.PRODUCT, f"mast:JWST/product/{name}_asn.json", Label.ASSOCIATION_FILE,
               filename=f"{name}_asn.json", association=name, program="02733")
    g.node(Label.ASSOCIATION, "jw02733-o002_20230101t000000_image3_00001", program="02733")
    g.write(graph, neo4j_settings.neo4j_database)
    assert [r["product"] for r in rows(graph, neo4j_settings, "orphan_products")] == [
        "mast:JWST/product/jw02733-o002_20230101t000000_image3_00002_asn.json"]
