"""graph/audit.py: finds the planted problems, finds none in a clean graph, respects --program and the cap."""

from __future__ import annotations

import pytest

from mastgraph.graph import audit, queries

from .conftest import GraphData, build_imaging_program, plant_problems


def _audit(graph, settings, **kwargs):
    return audit.run_audit(graph, database=settings.neo4j_database, **kwargs)


def test_every_check_is_a_library_query():
    names = {q.name for q in queries.all_queries()}
    assert {check.query for check in audit.CHECKS} <= names
    assert len({check.name for check in audit.CHECKS}) == len(audit.CHECKS)


def test_clean_graph_has_no_findings(imaging, graph, neo4j_settings):
    report = _audit(graph, neo4j_settings)
    assert report.clean and report.problems == 0
    assert [f.check for f in report.findings] == [c.name for c in audit.CHECKS]
    assert all(f.count == 0 and f.examples == () and not f.capped for f in report.findings)
    assert _audit(graph, neo4j_settings, program=imaging.program).clean


def test_planted_problems_are_found(planted, graph, neo4j_settings):
    program, problems = planted
    report = _audit(graph, neo4j_settings, examples=10)
    found = {f.check: f for f in report.findings}
    assert {row["product"] for row in found["untraceable_l3"].examples} == problems.untraceable_l3
    assert {row["product"] for row in found["unlisted_members"].examples} == problems.unlisted_members
    assert {row["product"]: row["contexts"] for row in found["several_crds_contexts"].examples} == \
        problems.several_crds_contexts
    assert {(r["observation"], r["product"], r["flagged_by"]) for r in found["mrp_disagreements"].examples} == \
        problems.mrp_disagreements
    assert [row["cycle"] for row in found["cycles"].examples] == problems.cycles
    assert {row["product"] for row in found["orphan_products"].examples} == problems.orphan_products
    assert {row["filename"]: set(row["uris"]) for row in found["duplicate_products"].examples} == \
        problems.duplicate_products
    expected_counts = {
        "untraceable_l3": len(problems.untraceable_l3), "unlisted_members": len(problems.unlisted_members),
        "several_crds_contexts": len(problems.several_crds_contexts),
        "mrp_disagreements": len(problems.mrp_disagreements), "cycles": len(problems.cycles),
        "orphan_products": len(problems.orphan_products), "duplicate_products": len(problems.duplicate_products),
    }
    assert {name: f.count for name, f in found.items()} == expected_counts
    assert not report.clean and report.problems == sum(expected_counts.values())
    assert report.to_dict()["findings"][0]["examples"] == list(report.findings[0].examples)


def test_program_filter_keeps_other_programs_out(graph, neo4j_settings):
    g = GraphData()
    clean = build_imaging_program(g, program="01234", first_obsid=50000000)
    dirty = build_imaging_program(g, program="02733", first_obsid=87600000)
    problems = plant_problems(g, dirty)
    g.write(graph, neo4j_settings.neo4j_database)
    assert _audit(graph, neo4j_settings, program="1234").clean
    assert _audit(graph, neo4j_settings, program=clean.program).program == "01234"
    dirty_report = _audit(graph, neo4j_settings, program=2733)
    assert dirty_report.finding("orphan_products").count == len(problems.orphan_products)
    assert dirty_report.problems == _audit(graph, neo4j_settings).problems


def test_cap_and_examples_bound_the_report(planted, graph, neo4j_settings):
    report = _audit(graph, neo4j_settings, examples=1, cap=1)
    mrp = report.finding("mrp_disagreements")
    assert mrp.count == 1 and mrp.capped and len(mrp.examples) == 1
    cycles = report.finding("cycles")
    assert cycles.count == 1 and not cycles.capped


@pytest.mark.parametrize("program,expected", [(None, None), ("", None), ("2733", "02733"), (1439, "01439"),
                                              ("02733", "02733")])
def test_program_key(program, expected):
    assert audit.program_key(program) == expected


@pytest.mark.parametrize("program", ["jw02733", "123456", "-1", "²", "٣"])
def test_program_key_refuses(program):
    with pytest.raises(ValueError, match="bad program"):
        audit.program_key(program)
