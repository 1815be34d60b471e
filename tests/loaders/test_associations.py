"""Association JSON: the real files load to exactly what their members imply; broken files fail
as the loader protocol says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders.associations import AssociationLoader, composition_by, load_located_json, output_names
from mastgraph.loaders.names import parse
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.records import Edge, Node

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real" / "asn"
P = "mast:JWST/product/"

#: Per real file: (members, primary outputs, composition_by).
EXPECTED = {
    "jw00632-o003_image2_00001_asn.json": (1, ["jw00632003002_03105_00002_nrca1_cal.fits"], None),
    "jw00632-o003_image2_00002_asn.json": (1, ["jw00632003002_03105_00001_nrca1_cal.fits"], None),
    "jw00632-o003_image2_00003_asn.json": (1, ["jw00632003001_03105_00002_nrca1_cal.fits"], None),
    "jw00632-o003_image2_00004_asn.json": (1, ["jw00632003001_03105_00001_nrca1_cal.fits"], None),
    "jw00632-o003_wfs-image3_00001_asn.json": (2, ["jw00632-o003_t001_nircam_f212n-wlp8-nrca1_wfscmb-05.fits"], "dither"),
    "jw00632-o003_wfs-image3_00002_asn.json": (2, ["jw00632-o003_t001_nircam_f212n-wlp8-nrca1_wfscmb-05.fits"], "dither"),
    "jw01439-o001_20250101t000000_image2_00001_asn.json": (1, ["jw01439001001_02102_00001_nrca3_cal.fits"], None),
    "jw01439-o002_20250101t000000_image2_00001_asn.json": (1, ["jw01439002001_02101_00001_nrca4_cal.fits"], None),
    "jw01439-o002_20250101t000000_image2_00002_asn.json": (1, ["jw01439002001_02101_00001_nrca1_cal.fits"], None),
    "jw01439-o002_20250101t000000_image2_00003_asn.json": (1, ["jw01439002001_02101_00001_nrca3_cal.fits"], None),
    "jw01439-o002_20250101t000000_image2_00004_asn.json": (1, ["jw01439002001_02101_00001_nrcalong_cal.fits"], None),
    "jw01439-o002_20250101t000000_image2_00005_asn.json": (1, ["jw01439002001_02101_00001_nrca2_cal.fits"], None),
    "jw09505-o001_20251216t202003_image2_00001_asn.json": (1, ["jw09505001003_02101_00001_mirimage_cal.fits"], None),
    "jw09505-o001_20251216t202003_image2_00002_asn.json": (1, ["jw09505001002_02101_00002_mirimage_cal.fits"], None),
    "jw09505-o001_20251216t202003_image2_00003_asn.json": (1, ["jw09505001002_02101_00001_mirimage_cal.fits"], None),
    "jw09505-o001_20251216t202003_image2_00004_asn.json": (1, ["jw09505001001_02101_00001_mirimage_cal.fits"], None),
    # science members from visits 001, 002 and 003: mosaic_tile by the rule
    "jw09505-o001_20251216t202003_image3_00001_asn.json": (4, ["jw09505-o001_t001_miri_f560w_i2d.fits"], "mosaic_tile"),
    "jw09505-o001_20251216t202003_spec2_00001_asn.json": (4, ["jw09505001001_02102_00004_mirimage_cal.fits"], None),
    "jw09505-o001_20251216t202003_spec2_00002_asn.json": (4, ["jw09505001001_02102_00003_mirimage_cal.fits"], None),
    "jw09505-o001_20251216t202003_spec2_00003_asn.json": (4, ["jw09505001001_02102_00002_mirimage_cal.fits"], None),
    "jw09505-o001_20251216t202003_spec2_00004_asn.json": (4, ["jw09505001001_02102_00001_mirimage_cal.fits"], None),
    "jw09505-o001_20251216t202003_spec3_00001_asn.json": (4, ["jw09505-o001_t001_miri_p750l_x1d.fits"], "dither"),
}
REAL_FILES = sorted(REAL.rglob("*_asn.json"))


def load(path: Path) -> list:
    return list(AssociationLoader().records(path))


def nodes(records, label=None):
    return [r for r in records if isinstance(r, Node) and (label is None or r.label == label)]


def edges(records, rel=None):
    return [r for r in records if isinstance(r, Edge) and (rel is None or r.type == rel)]


def rejects(records):
    return [r for r in records if isinstance(r, Reject)]


def write(tmp_path: Path, doc, name: str | None = None) -> Path:
    """The association in a file named as the generator names it (after its asn_type), or `name`."""
    if name is None:
        asn_type = doc.get("asn_type") if isinstance(doc, dict) else None
        if not isinstance(asn_type, str) or not asn_type.replace("-", "").isalnum():
            asn_type = "image3"
        name = f"jw01234-o001_20240101t000000_{asn_type.lower()}_00001_asn.json"
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=4))
    return path


def asn(asn_type="image3", products=None, **extra) -> dict:
    doc = {"asn_type": asn_type, "asn_rule": "candidate_Asn_Lv3Image", "asn_id": "o001", "program": "01234",
           "asn_pool": "jw01234_20240101t000000_pool.csv", "target": "t001", "version_id": "20240101t000000",
           "code_version": "3.0.0", "degraded_status": "No known degraded exposures in association.",
           "products": products if products is not None else []}
    doc.update(extra)
    return doc


def member(expname, exptype="science") -> dict:
    return {"expname": expname, "exptype": exptype}


def test_every_real_file_is_in_the_table():
    assert sorted(p.name for p in REAL_FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_file_is_detected(path):
    assert AssociationLoader.detect(path, path.read_bytes()[:65536])


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_file_loads_to_exactly_what_its_members_imply(path):
    n_members, outputs, by = EXPECTED[path.name]
    doc = json.loads(path.read_text())
    records = load(path)
    name = path.name[: -len("_asn.json")]
    assert rejects(records) == []
    # one Association, its file, one Product per member, one Product per primary output
    assert len(nodes(records, Label.ASSOCIATION)) == 1
    assert len(nodes(records, Label.PRODUCT)) == 1 + n_members + len(outputs)
    assert len(records) == 2 + 2 * n_members + 2 * len(outputs)
    has_member = {(e.end[1], e.props["exptype"], e.props["product"]) for e in edges(records, Rel.HAS_MEMBER)}
    implied = {(P + m["expname"], m["exptype"], p["name"]) for p in doc["products"] for m in p["members"]}
    assert has_member == implied and len(implied) == n_members
    assert all(e.start == (Label.ASSOCIATION, name) for e in edges(records, Rel.HAS_MEMBER))
    produced = [(e.start, e.end) for e in edges(records, Rel.PRODUCED_BY)]
    assert produced == [((Label.PRODUCT, P + o), (Label.ASSOCIATION, name)) for o in outputs]
    (association,) = nodes(records, Label.ASSOCIATION)
    assert association.key == name
    assert association.props.get("composition_by") == by
    assert association.props["products"] == [p["name"] for p in doc["products"]]
    assert association.props["asn_type"] == doc["asn_type"]


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_file_origins_are_the_lines_of_the_items(path):
    lines = path.read_text().splitlines()
    for edge in edges(load(path), Rel.HAS_MEMBER):
        file, line = edge.origin.rsplit(":", 1)
        assert file == str(path)
        assert lines[int(line) - 1].strip() == "{"
        assert edge.end[1].rsplit("/", 1)[-1] in lines[int(line)]  # expname is the object's first key


def test_image3_association_node_exact():
    path = REAL / "jw09505" / "jw09505-o001_20251216t202003_image3_00001_asn.json"
    (association,) = nodes(load(path), Label.ASSOCIATION)
    assert association.props == {
        "asn_type": "image3", "asn_rule": "candidate_Asn_Lv3Image", "asn_pool": "jw09505_20251216t202003_pool.csv",
        "asn_id": "o001", "program": "09505", "target": "t001", "code_version": "3.0.0",
        "version_id": "20251216t202003", "degraded_status": "No known degraded exposures in association.",
        "products": ["jw09505-o001_t001_miri_f560w"], "composition_by": "mosaic_tile",
    }
    assert association.origin == f"{path}:1"


def test_image3_exact_member_edge_and_output():
    path = REAL / "jw09505" / "jw09505-o001_20251216t202003_image3_00001_asn.json"
    records = load(path)
    name = "jw09505-o001_20251216t202003_image3_00001"
    assert Edge(Rel.HAS_MEMBER, (Label.ASSOCIATION, name), (Label.PRODUCT, P + "jw09505001002_02101_00002_mirimage_cal.fits"),
                {"exptype": "science", "product": "jw09505-o001_t001_miri_f560w"}, f"{path}:28") in records
    (i2d,) = [n for n in nodes(records, Label.PRODUCT) if n.key == P + "jw09505-o001_t001_miri_f560w_i2d.fits"]
    assert i2d.labels == (Label.L3,)
    assert i2d.props["suffix"] == "i2d" and i2d.props["stem"] == "jw09505-o001_t001_miri_f560w"
    assert i2d.origin == f"{path}:13"


def test_spec2_wfss_members_exact():
    path = REAL / "jw09505" / "jw09505-o001_20251216t202003_spec2_00001_asn.json"
    records = load(path)
    got = {(e.end[1], e.props["exptype"]) for e in edges(records, Rel.HAS_MEMBER)}
    assert got == {
        (P + "jw09505001001_02102_00004_mirimage_rate.fits", "science"),
        (P + "jw09505-o001_t001_miri_f560w_i2d.fits", "direct_image"),
        (P + "jw09505-o001_t001_miri_f560w_cat.ecsv", "sourcecat"),
        (P + "jw09505-o001_t001_miri_f560w_segm.fits", "segmap"),
    }
    (cat,) = [n for n in nodes(records) if n.key == P + "jw09505-o001_t001_miri_f560w_cat.ecsv"]
    assert cat.labels == (Label.L3, Label.CATALOG)
    assert cat.props["filename"] == "jw09505-o001_t001_miri_f560w_cat.ecsv" and cat.props["extension"] == "ecsv"


def test_wfs_image3_output_fills_the_suffix_placeholder():
    path = REAL / "jw00632" / "jw00632-o003_wfs-image3_00001_asn.json"
    records = load(path)
    (produced,) = edges(records, Rel.PRODUCED_BY)
    assert produced.start == (Label.PRODUCT, P + "jw00632-o003_t001_nircam_f212n-wlp8-nrca1_wfscmb-05.fits")
    (output,) = [n for n in nodes(records) if n.key == produced.start[1]]
    assert output.props["filename"] == "jw00632-o003_t001_nircam_f212n-wlp8-nrca1_wfscmb-05.fits"
    assert output.props["suffix"] == "wfscmb" and output.labels == (Label.L3,)


def test_association_file_node():
    path = REAL / "jw00632" / "jw00632-o003_image2_00001_asn.json"
    (file_node,) = [n for n in nodes(load(path)) if Label.ASSOCIATION_FILE in n.labels]
    assert file_node.key == P + "jw00632-o003_image2_00001_asn.json"
    assert file_node.props["association"] == "jw00632-o003_image2_00001"
    assert file_node.props["filename"] == "jw00632-o003_image2_00001_asn.json"
    assert file_node.props["suffix"] == "asn" and file_node.props["asn_type"] == "image2"


def test_member_node_props_come_from_the_name():
    path = REAL / "jw00632" / "jw00632-o003_image2_00001_asn.json"
    (rate,) = [n for n in nodes(load(path)) if n.key.endswith("_rate.fits")]
    expected = {k: v for k, v in parse("jw00632003002_03105_00002_nrca1_rate.fits").props.items() if v is not None}
    assert rate.props == {**expected, "filename": "jw00632003002_03105_00002_nrca1_rate.fits"}
    assert rate.labels == (Label.L2A,)
    assert all(v is not None for v in rate.props.values())


def test_member_of_two_products_gets_two_edges(tmp_path):
    shared = "jw01234001001_02101_00001_nrca1_cal.fits"
    doc = asn(products=[
        {"name": "jw01234-o001_t001_nircam_f200w", "members": [member(shared)]},
        {"name": "jw01234-o001_t001_nircam_f200w-sub", "members": [member(shared)]},
    ])
    got = edges(load(write(tmp_path, doc)), Rel.HAS_MEMBER)
    assert [e.props["product"] for e in got] == ["jw01234-o001_t001_nircam_f200w", "jw01234-o001_t001_nircam_f200w-sub"]
    assert {e.end for e in got} == {(Label.PRODUCT, P + shared)}


def test_json_name_without_asn_suffix(tmp_path):
    path = write(tmp_path, asn(products=[]), name="my_association.json")
    records = load(path)
    assert nodes(records, Label.ASSOCIATION)[0].key == "my_association"
    (file_node,) = [n for n in nodes(records) if Label.ASSOCIATION_FILE in n.labels]
    assert file_node.props == {"filename": "my_association.json", "suffix": "asn", "extension": "json",
                               "association": "my_association"}


def test_unknown_values_are_left_out(tmp_path):
    doc = asn(products=[], version_id=None, target="null", degraded_status="")
    (association,) = nodes(load(write(tmp_path, doc)), Label.ASSOCIATION)
    assert {"version_id", "target", "degraded_status"}.isdisjoint(association.props)


# ---- broken files: one test per case ----

def test_bad_json_is_a_load_error_naming_the_line(tmp_path):
    path = write(tmp_path, '{\n  "asn_type": "image3",\n  "products": [\n}\n')
    with pytest.raises(LoadError) as err:
        load(path)
    assert err.value.origin == f"{path}:4"
    assert "bad JSON" in err.value.reason


def test_missing_products_is_a_load_error(tmp_path):
    path = write(tmp_path, {"asn_type": "image3"})
    with pytest.raises(LoadError, match="products"):
        load(path)


def test_top_level_list_is_a_load_error(tmp_path):
    with pytest.raises(LoadError):
        load(write(tmp_path, [1, 2]))


def test_member_name_breaking_the_rules_is_a_reject(tmp_path):
    doc = asn(products=[{"name": "jw01234-o001_t001_nircam_f200w", "members": [
        member("jw01234001001_02101_00001_nrca1_cal.fits"), member("not_a_jwst_name_cal.fits")]}])
    records = load(write(tmp_path, doc))
    (reject,) = rejects(records)
    assert "not_a_jwst_name_cal.fits" in reject.reason
    assert len(edges(records, Rel.HAS_MEMBER)) == 1  # the file goes on


def test_unknown_exptype_is_a_reject(tmp_path):
    doc = asn(products=[{"name": "jw01234-o001_t001_nircam_f200w", "members": [
        member("jw01234001001_02101_00001_nrca1_cal.fits", "sciense")]}])
    (reject,) = rejects(load(write(tmp_path, doc)))
    assert "exptype" in reject.reason and "sciense" in reject.reason


def test_member_without_expname_is_a_reject(tmp_path):
    doc = asn(products=[{"name": "jw01234-o001_t001_nircam_f200w", "members": [{"exptype": "science"}]}])
    (reject,) = rejects(load(write(tmp_path, doc)))
    assert "expname" in reject.reason


def test_product_without_name_is_a_reject(tmp_path):
    doc = asn(products=[{"members": [member("jw01234001001_02101_00001_nrca1_cal.fits")]}])
    (reject,) = rejects(load(write(tmp_path, doc)))
    assert "name" in reject.reason


def test_product_without_members_is_a_reject(tmp_path):
    doc = asn(products=[{"name": "jw01234-o001_t001_nircam_f200w"}])
    (reject,) = rejects(load(write(tmp_path, doc)))
    assert "members" in reject.reason


def test_unknown_asn_type_is_a_reject(tmp_path):
    (reject,) = rejects(load(write(tmp_path, asn(asn_type="image9"))))
    assert "asn_type" in reject.reason and "image9" in reject.reason


def test_bad_program_is_a_reject(tmp_path):
    records = load(write(tmp_path, asn(program="12x")))
    (reject,) = rejects(records)
    assert "program" in reject.reason
    assert "program" not in nodes(records, Label.ASSOCIATION)[0].props


# ---- the rules: primary outputs and composition ----

@pytest.mark.parametrize("asn_type, rule, name, exptypes, expected", [
    ("tso-spec2", "", "jw01366002001_04101_00001-seg001_nrs1", {"science"}, ["jw01366002001_04101_00001-seg001_nrs1_calints.fits"]),
    ("nrslamp-spec2", "", "jw01234001001_02101_00001_nrs1", {"science"}, ["jw01234001001_02101_00001_nrs1_cal.fits"]),
    ("spec3", "candidate_Asn_Lv3NRSIFU", "jw01234-o001_t001_nirspec_g395h-f290lp", {"science"},
     ["jw01234-o001_t001_nirspec_g395h-f290lp_s3d.fits", "jw01234-o001_t001_nirspec_g395h-f290lp_x1d.fits"]),
    ("spec3", "candidate_Asn_Lv3MIRMRS", "jw01039-o004_t001_miri", {"science"}, []),
    ("spec3", "candidate_Asn_Lv3MOS", "jw01345-o064_s{source_id}_nirspec_clear-prism", {"science"}, []),
    ("tso3", "candidate_Asn_Lv3TSO", "jw01366-o002_t001_nirspec_clear-prism-s1600a1-sub512", {"science"},
     ["jw01366-o002_t001_nirspec_clear-prism-s1600a1-sub512_x1dints.fits"]),
    ("tso3", "candidate_Asn_Lv3TSO", "jw01366-o001_t001_nircam_f210m-clear-sub64p", {"science"},
     ["jw01366-o001_t001_nircam_f210m-clear-sub64p_phot.ecsv"]),
    ("ami3", "candidate_Asn_Lv3AMI", "jw01093-o012_t001_niriss_f380m-nrm", {"science", "psf"},
     ["jw01093-o012_t001_niriss_f380m-nrm_aminorm-oi.fits"]),
    ("ami3", "candidate_Asn_Lv3AMI", "jw01093-o012_t001_niriss_f380m-nrm", {"science"}, []),
    ("coron3", "candidate_Asn_Lv3NRCCoron", "jw01386-a3001_t004_nircam_f444w-maskrnd", {"science", "psf"},
     ["jw01386-a3001_t004_nircam_f444w-maskrnd_i2d.fits"]),
    ("user_built", "", "anything", {"science"}, []),
])
def test_primary_output_rules(asn_type, rule, name, exptypes, expected):
    assert output_names({"asn_type": asn_type, "asn_rule": rule}, name, exptypes) == expected


def test_tso3_imaging_output_loads_as_a_product(tmp_path):
    doc = asn(asn_type="tso3", products=[{"name": "jw01366-o001_t001_nircam_f210m-clear-sub64p", "members": [
        member("jw01366001001_04103_00001-seg001_nrca3_calints.fits")]}])
    records = load(write(tmp_path, doc))
    assert rejects(records) == []
    (produced,) = edges(records, Rel.PRODUCED_BY)
    assert produced.start[1] == P + "jw01366-o001_t001_nircam_f210m-clear-sub64p_phot.ecsv"
    assert nodes(records, Label.ASSOCIATION)[0].props["composition_by"] == "segment"


def _names(*filenames):
    return [parse(f) for f in filenames]


@pytest.mark.parametrize("asn_type, members, expected", [
    ("image2", ["jw01234001001_02101_00001_nrca1_rate.fits"], None),
    ("tso3", ["jw01234001001_02101_00001-seg001_nrca1_calints.fits"], "segment"),
    ("coron3", ["jw01234001001_02101_00001_nrca1_calints.fits"], "orientation"),
    ("image3", ["jw01234001001_02101_00001_nrca1_cal.fits", "jw01234001002_02101_00001_nrca1_cal.fits"], "mosaic_tile"),
    ("image3", ["jw01234001001_02101_00001_nrca1_cal.fits", "jw01234001001_02101_00001_nrca2_cal.fits"], "detector"),
    ("image3", ["jw01234001001_02101_00001_nrca1_cal.fits", "jw01234001001_02101_00002_nrca1_cal.fits"], "dither"),
])
def test_composition_by_rule(asn_type, members, expected):
    assert composition_by(asn_type, _names(*members)) == expected


def test_located_json_lines():
    doc = load_located_json('{"a": [\n  {"b": 1},\n\n  {"c": {"d": 2}}\n]}')
    assert doc.line == 1
    assert [item.line for item in doc["a"]] == [2, 4]
    assert doc["a"][1]["c"].line == 4


@pytest.mark.parametrize("field", ["target", "asn_rule", "code_version", "degraded_status", "asn_pool", "asn_id",
                                   "version_id", "program"])
@pytest.mark.parametrize("value, kind", [(["x"], "list"), ({"a": 1}, "object")])
def test_a_header_field_that_is_a_json_list_or_object_is_refused(tmp_path, field, value, kind):
    """docs/formats.md: a JSON list or object where text is expected is refused naming the field and
    what it is, never turned into the text of a Python list (`"target": ["1"]` was kept as "['1']")."""
    records = load(write(tmp_path, asn(**{field: value})))
    assert [r.reason for r in rejects(records)] == [f"{field}: a JSON {kind} is not text"]
