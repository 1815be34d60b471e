"""graph/prov.py: the W3C PROV document of a product, its formats parsed back with `prov`."""

from __future__ import annotations

import pydot
import pytest
from prov.constants import PROV_ROLE
from prov.model import (
    ProvActivity,
    ProvAgent,
    ProvAssociation,
    ProvDerivation,
    ProvDocument,
    ProvEntity,
    ProvGeneration,
    ProvInfluence,
    ProvMembership,
    ProvUsage,
)

from mastgraph.graph import prov

from .conftest import ImagingProgram



def fetch(graph, settings, uri: str, depth: int = 3, limit: int = 20000) -> prov.Subgraph | None:
    return prov.fetch(graph, uri, database=settings.neo4j_database, depth=depth, limit=limit, timeout=60)


def qn(text: str) -> str:
    """`jwst:<file>` for a product URI; names already qualified stay."""
    return "jwst:" + text.rsplit("/", 1)[-1] if text.startswith(prov.JWST.uri) else text


def ids(doc: ProvDocument, kind) -> set[str]:
    return {str(record.identifier) for record in doc.get_records(kind)}


def relations(doc: ProvDocument, kind, arity: int = 2) -> set[tuple[str, ...]]:
    return {tuple(str(a) if a is not None else None for a in record.args[:arity]) for record in doc.get_records(kind)}


def roles(doc: ProvDocument) -> set[tuple[str, str, str]]:
    return {(str(r.args[0]), str(r.args[1]), next(iter(r.get_attribute(PROV_ROLE)))) for r in doc.get_records(ProvUsage)}


def expected_records(p: ImagingProgram) -> dict[str, set]:
    """What the PROV mapping of docs/provenance.md implies for the imaging program's L3 at depth 3."""
    stage3 = f"stage:{p.asn3_name}"
    entities = {qn(p.l3), qn(p.asn3_file), f"crds:{p.flat}", f"crds:{p.dark}", f"crds:{p.context}",
                f"crds:{p.l3_context}", qn(p.ta.cal)}
    activities = {stage3}
    generated = {(qn(p.l3), stage3)}
    used = {(stage3, qn(p.asn3_file), "association")}
    derived = {(qn(p.l3), qn(p.asn3_file))}
    members = set()
    associated = {(stage3, "software:jwst-1.12.5", f"crds:{p.l3_context}")}
    influenced = set()
    for e in p.exposures:
        stage2, stage1 = f"stage:{e.asn_name}", f"stage:{e.rate.rsplit('/', 1)[-1]}"
        entities |= {qn(e.cal), qn(e.rate), qn(e.uncal), qn(e.asn_file)}
        activities |= {stage2, stage1}
        generated |= {(qn(e.cal), stage2), (qn(e.rate), stage1)}
        used |= {(stage3, qn(e.cal), "science"), (stage2, qn(e.rate), "science"), (stage2, f"crds:{p.flat}", "flat"),
                 (stage2, qn(e.asn_file), "association"), (stage1, qn(e.uncal), "science"),
                 (stage1, f"crds:{p.dark}", "dark")}
        derived |= {(qn(p.l3), qn(e.cal)), (qn(e.cal), qn(e.rate)), (qn(e.cal), qn(e.asn_file)),
                    (qn(e.rate), qn(e.uncal))}
        members |= {(qn(p.asn3_file), qn(e.cal)), (qn(e.asn_file), qn(e.rate))}
        associated |= {(stage2, "software:jwst-1.12.5", f"crds:{p.context}"),
                       (stage1, "software:jwst-1.12.5", f"crds:{p.context}")}
        influenced.add((qn(e.cal), qn(p.ta.cal)))
    return dict(entities=entities, activities=activities, generated=generated, used=used, derived=derived,
                members=members, associated=associated, influenced=influenced)


def test_document_maps_products_stages_references_and_members(imaging: ImagingProgram, graph, neo4j_settings):
    subgraph = fetch(graph, neo4j_settings, imaging.l3)
    assert subgraph is not None and not subgraph.truncated
    doc = prov.document(subgraph)
    expected = expected_records(imaging)
    assert ids(doc, ProvEntity) == expected["entities"]
    assert ids(doc, ProvActivity) == expected["activities"]
    assert ids(doc, ProvAgent) == {"software:jwst-1.12.5"}
    assert relations(doc, ProvGeneration) == expected["generated"]
    assert roles(doc) == expected["used"]
    assert relations(doc, ProvDerivation) == expected["derived"]
    assert relations(doc, ProvMembership) == expected["members"]
    assert relations(doc, ProvAssociation, 3) == expected["associated"]
    assert relations(doc, ProvInfluence) == expected["influenced"]
    # The CRDS context is the stage's plan; the reference file carries its reftype.
    plan = doc.get_record(f"crds:{imaging.context}")[0]
    assert "prov:Plan" in {str(t) for t in plan.get_asserted_types()}
    l3 = doc.get_record(qn(imaging.l3))[0]
    assert {str(t) for t in l3.get_asserted_types()} == {"mastgraph:L3"}
    assert l3.label == imaging.l3.rsplit("/", 1)[-1]


@pytest.mark.parametrize("fmt", ["json", "provn", "xml"])
def test_each_format_parses_back(fmt, imaging: ImagingProgram, graph, neo4j_settings):
    doc = prov.document(fetch(graph, neo4j_settings, imaging.l3))
    text = prov.serialize(doc, fmt)
    back = ProvDocument.deserialize(content=text, format=fmt)
    assert back == doc
    expected = expected_records(imaging)
    assert ids(back, ProvEntity) == expected["entities"]
    assert relations(back, ProvGeneration) == expected["generated"]
    assert relations(back, ProvDerivation) == expected["derived"]
    assert relations(back, ProvMembership) == expected["members"]
    assert roles(back) == expected["used"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot")
def test_dot_is_graphviz(imaging: ImagingProgram, graph, neo4j_settings):
    doc = prov.document(fetch(graph, neo4j_settings, imaging.l3))
    text = prov.serialize(doc, "dot")
    (parsed,) = pydot.graph_from_dot_data(text)
    labels = [str(node.get_label()) for node in parsed.get_nodes() if node.get_label()]
    elements = ids(doc, ProvEntity) | ids(doc, ProvActivity) | ids(doc, ProvAgent)
    # Each entity, activity and agent is one node, labelled with its qualified name.
    assert all(sum(f">{name}<" in label for label in labels) == 1 for name in elements)
    assert len(parsed.get_edges()) >= len(expected_records(imaging)["derived"])


def test_depth_bounds_the_document(imaging: ImagingProgram, graph, neo4j_settings):
    doc = prov.document(fetch(graph, neo4j_settings, imaging.l3, depth=1))
    entities = ids(doc, ProvEntity)
    assert {qn(e.cal) for e in imaging.exposures} <= entities
    assert not {qn(e.uncal) for e in imaging.exposures} & entities
    assert relations(doc, ProvDerivation) == {(qn(imaging.l3), qn(x)) for x in
                                              [imaging.asn3_file, *(e.cal for e in imaging.exposures)]}
    only = prov.document(fetch(graph, neo4j_settings, imaging.exposures[0].uncal, depth=0))
    assert ids(only, ProvEntity) == {qn(imaging.exposures[0].uncal)} and not ids(only, ProvActivity)


def test_limit_truncates(imaging: ImagingProgram, graph, neo4j_settings):
    subgraph = fetch(graph, neo4j_settings, imaging.l3, limit=3)
    assert subgraph.truncated and len(subgraph.products) == 3
    assert subgraph.products[0]["uri"] == imaging.l3


def test_unknown_product(imaging, graph, neo4j_settings):
    assert fetch(graph, neo4j_settings, "mast:JWST/product/none_i2d.fits") is None


@pytest.mark.parametrize("fmt,depth,message", [("ttl", 1, "unknown PROV format"), ("json", -1, "between 0 and 10"),
                                               ("json", 11, "between 0 and 10")])
def test_check_request(fmt, depth, message):
    with pytest.raises(prov.ProvError, match=message):
        prov.check_request(fmt, depth, 10)


def test_foreign_uris_get_a_namespace_of_their_own():
    subgraph = prov.Subgraph("hst:abc/x.fits", 1, (
        {"uri": "mast:HST/product/x_drz.fits", "labels": ["Product"], "properties": {"filename": "x_drz.fits"},
         "depth": 0, "inputs": [{"relation": "ANTECEDENT", "uri": "mast:JWST/product/y_cal.fits", "filename": None,
                                 "properties": {}}],
         "prerequisites": [], "references": [], "contexts": [], "associations": []},), (), False)
    doc = prov.document(subgraph)
    back = ProvDocument.deserialize(content=prov.serialize(doc, "provn"), format="provn")
    assert {r.identifier.uri for r in back.get_records(ProvEntity)} == {"mast:HST/product/x_drz.fits",
                                                                        "mast:JWST/product/y_cal.fits"}
