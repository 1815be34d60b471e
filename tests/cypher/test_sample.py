"""The library, the audit and the PROV export over the bundled real sample, loaded by the ingest pipeline.

Expectations come from the source files themselves: the association JSON files name the members
and outputs; the sample's listings (programs 1410 and 1039) name none of those members.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prov.model import ProvDocument, ProvGeneration, ProvMembership

import mastgraph.sample
from mastgraph.graph import audit, prov, queries, runner
from mastgraph.pipeline.ingest import ingest_paths

from ..conftest import empty_graph

REAL = Path(mastgraph.sample.__file__).parent / "data" / "real"
MAST = "mast:JWST/product/"


def associations() -> dict[str, dict]:
    """Every bundled association file, by association name (the file name without `_asn.json`)."""
    return {path.name.removesuffix("_asn.json"): json.loads(path.read_text())
            for path in sorted((REAL / "asn").rglob("*_asn.json"))}


def members() -> set[str]:
    return {MAST + member["expname"] for asn in associations().values()
            for product in asn["products"] for member in product["members"]}


def level3_associations() -> dict[str, dict]:
    return {name: asn for name, asn in associations().items() if asn["asn_type"].endswith("image3")}


@pytest.fixture(scope="module")
def sample(session_driver, neo4j_settings):
    empty_graph(session_driver, neo4j_settings.neo4j_database)
    report = ingest_paths(session_driver, neo4j_settings, [REAL], skip_bad=True)
    assert not report.failed, [f.error for f in report.failed]
    return session_driver


def rows(driver, settings, query: str, **given) -> list[dict]:
    named = queries.query(query)
    return runner.read(driver, named.text, runner.query_params(named, given), database=settings.neo4j_database,
                       timeout=60, limit=100_000).dicts()


def outputs(driver, settings, name: str) -> list[str]:
    """The Level-3 products an association produced (PRODUCED_BY), as the graph holds them."""
    records, _, _ = driver.execute_query(
        "MATCH (p:L3)-[:PRODUCED_BY]->(:Association {name: $name}) RETURN p.uri AS uri ORDER BY uri",
        name=name, database_=settings.neo4j_database, routing_="r")
    return [r["uri"] for r in records]


def test_no_association_member_is_in_the_sample_listings():
    """The premise of the next test, checked on the files: no listing names any member."""
    listings = " ".join(p.read_text(errors="replace") for p in (REAL / "listings").rglob("*") if p.is_file())
    assert members() and not any(uri.removeprefix(MAST) in listings for uri in members())


def test_every_association_member_is_reported_unlisted(sample, neo4j_settings):
    found = {r["product"] for r in rows(sample, neo4j_settings, "orphan_association_members", limit=10_000)}
    assert found == members()
    report = audit.run_audit(sample, database=neo4j_settings.neo4j_database)
    assert report.finding("unlisted_members").count == len(members())


@pytest.mark.parametrize("name", sorted(level3_associations()))
def test_level3_products_are_composed_of_their_association_members(name, sample, neo4j_settings):
    # Associations that name the same product (the two wavefront-sensing ones of program 632 do)
    # make one Level-3 product, composed of the science members of all of them.
    names = {product["name"] for product in level3_associations()[name]["products"]}
    science = {MAST + m["expname"] for asn in level3_associations().values() for product in asn["products"]
               if product["name"] in names for m in product["members"] if m["exptype"] == "science"}
    produced = outputs(sample, neo4j_settings, name)
    assert produced, f"no Level-3 product of {name} in the graph"
    for uri in produced:
        tree = rows(sample, neo4j_settings, "composition_tree", uri=uri)
        assert {r["member"] for r in tree} == science
        down = {r["product"]: r["distance"] for r in rows(sample, neo4j_settings, "lineage_down", uri=uri, depth=1)}
        assert all(down[member] == 1 for member in science)


@pytest.mark.parametrize("name", sorted(level3_associations()))
def test_prov_of_a_level3_product(name, sample, neo4j_settings):
    asn = level3_associations()[name]
    uri = outputs(sample, neo4j_settings, name)[0]
    subgraph = prov.fetch(sample, uri, database=neo4j_settings.neo4j_database, depth=2, limit=20000, timeout=60)
    doc = prov.document(subgraph)
    back = ProvDocument.deserialize(content=prov.serialize(doc, "provn"), format="provn")
    assert back == doc
    generated = {(str(r.args[0]), str(r.args[1])) for r in back.get_records(ProvGeneration)}
    assert ("jwst:" + uri.removeprefix(MAST), f"stage:{name}") in generated
    collection = f"jwst:{name}_asn.json"
    had = {str(r.args[1]) for r in back.get_records(ProvMembership) if str(r.args[0]) == collection}
    assert had == {"jwst:" + m["expname"] for product in asn["products"] for m in product["members"]}


def test_every_library_query_runs_on_the_sample(sample, neo4j_settings):
    uri = outputs(sample, neo4j_settings, sorted(level3_associations())[0])[0]
    records, _, _ = sample.execute_query(
        "MATCH (f:ReferenceFile) RETURN f.name AS name ORDER BY name LIMIT 1", database_=neo4j_settings.neo4j_database)
    reference = records[0]["name"]
    given = {"uri": uri, "name": reference, "observation": "jw01039-o004_t001_miri_ch3-long", "program": "09505",
             "mnemonic": "SA_ZATTEST2", "t_min": 59612.0, "t_max": 59613.0}
    for named in queries.all_queries():
        if named.name == "schema":
            continue
        params = {spec.name: given[spec.name] for spec in queries.param_specs(named) if spec.name in given}
        if named.name == "impact_of_crds_context":
            params["name"] = "jwst_0641.pmap"
        rows(sample, neo4j_settings, named.name, **params)
    impacted = rows(sample, neo4j_settings, "impact_of_reference_file", name=reference)
    assert impacted and all(r["distance"] >= 0 for r in impacted)
