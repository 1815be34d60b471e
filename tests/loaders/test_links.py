"""Curated links: each link type and kind, and the rows that cannot be used."""

from __future__ import annotations

from pathlib import Path

import pytest

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders.links import LinksLoader
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.records import Edge, Node

HEADER = "from_uri,type,to_uri,kind"
P = "mast:JWST/product/"
CAL = P + "jw01345063001_03101_00001_nrs1_cal.fits"
UNCAL = P + "jw01345063001_03101_00001_nrs1_uncal.fits"


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "links.csv"
    path.write_text("\n".join((HEADER, *rows)) + "\n")
    return path


def load(path: Path) -> list:
    return list(LinksLoader().records(path))


def the_edge(records) -> Edge:
    (edge,) = [r for r in records if isinstance(r, Edge)]
    return edge


def the_reject(records) -> Reject:
    (reject,) = [r for r in records if isinstance(r, Reject)]
    return reject


def test_detect(tmp_path):
    path = write(tmp_path)
    assert LinksLoader.detect(path, path.read_bytes())
    other = tmp_path / "listing.csv"
    other.write_text("obsID,obs_collection\n1,JWST\n")
    assert not LinksLoader.detect(other, other.read_bytes())


def test_external_pre_image(tmp_path):
    path = write(tmp_path, f"{UNCAL},EXTERNAL_PRE_IMAGE,mast:HST/product/ib1f01010_drz.fits,")
    records = load(path)
    assert records == [
        Node(Label.PRODUCT, UNCAL, records[0].props, (Label.L1B,), f"{path}:2"),
        Node(Label.EXTERNAL_PRODUCT, "mast:HST/product/ib1f01010_drz.fits", {"mission": "HST"}, (), f"{path}:2"),
        Edge(Rel.EXTERNAL_PRE_IMAGE, (Label.PRODUCT, UNCAL), (Label.EXTERNAL_PRODUCT, "mast:HST/product/ib1f01010_drz.fits"),
             {}, f"{path}:2"),
    ]
    assert records[0].props["filename"] == "jw01345063001_03101_00001_nrs1_uncal.fits"
    assert records[0].props["exposure_key"] == "jw01345063001_03101_00001_nrs1"


@pytest.mark.parametrize("kind", ["pre_image", "target_acquisition", "confirmation"])
def test_prerequisite(tmp_path, kind):
    ta = P + "jw01345063001_02101_00001_nrs1_cal.fits"
    edge = the_edge(load(write(tmp_path, f"{CAL},PREREQUISITE,{ta},{kind}")))
    assert (edge.type, edge.start, edge.end, edge.props) == (
        Rel.PREREQUISITE, (Label.PRODUCT, CAL), (Label.PRODUCT, ta), {"kind": kind})


def test_linked_msa_catalog(tmp_path):
    msa = P + "jw01345063001_01_msa.fits"
    records = load(write(tmp_path, f"{UNCAL},LINKED,{msa},msa_catalog"))
    assert the_edge(records).end == (Label.PRODUCT, msa) and the_edge(records).props == {"kind": "msa_catalog"}
    assert records[1].labels == (Label.MSA_FILE,)


def test_linked_other_mission_is_an_external_product(tmp_path):
    records = load(write(tmp_path, f"{CAL},LINKED,mast:HLSP/ceers/hlsp_ceers_v1_drz.fits,other_mission"))
    assert the_edge(records).end == (Label.EXTERNAL_PRODUCT, "mast:HLSP/ceers/hlsp_ceers_v1_drz.fits")
    assert records[1].props == {"mission": "HLSP"}


def test_contemporaneous_calibration(tmp_path):
    lamp = P + "jw01345063001_04101_00001_nrs1_cal.fits"
    edge = the_edge(load(write(tmp_path, f"{CAL},CONTEMPORANEOUS_CALIBRATION,{lamp},lamp")))
    assert edge.type == Rel.CONTEMPORANEOUS_CALIBRATION and edge.props == {"kind": "lamp"}


def test_blank_lines_are_skipped(tmp_path):
    path = write(tmp_path, "", f"{CAL},LINKED,{UNCAL},preview")
    assert the_edge(load(path)).origin == f"{path}:3"


# ---- broken rows and files: one test per case ----

def test_unknown_type_is_a_reject(tmp_path):
    reject = the_reject(load(write(tmp_path, f"{CAL},ANTECEDENT,{UNCAL},")))
    assert "ANTECEDENT" in reject.reason


def test_unknown_kind_is_a_reject(tmp_path):
    path = write(tmp_path, f"{CAL},LINKED,{UNCAL},cousin")
    reject = the_reject(load(path))
    assert reject.origin == f"{path}:2" and "cousin" in reject.reason


def test_missing_kind_is_a_reject(tmp_path):
    assert "kind" in the_reject(load(write(tmp_path, f"{CAL},PREREQUISITE,{UNCAL},"))).reason


def test_kind_on_external_pre_image_is_a_reject(tmp_path):
    reject = the_reject(load(write(tmp_path, f"{CAL},EXTERNAL_PRE_IMAGE,mast:HST/product/x_drz.fits,pre_image")))
    assert "pre_image" in reject.reason


def test_from_side_not_a_jwst_uri_is_a_reject(tmp_path):
    records = load(write(tmp_path, f"mast:HST/product/x_drz.fits,LINKED,{CAL},preview"))
    assert "from_uri" in the_reject(records).reason
    assert not [r for r in records if isinstance(r, (Node, Edge))]


def test_from_side_breaking_the_naming_rules_is_a_reject(tmp_path):
    reject = the_reject(load(write(tmp_path, f"{P}not_jwst_cal.fits,LINKED,{CAL},preview")))
    assert "not_jwst_cal.fits" in reject.reason


def test_product_target_not_a_jwst_uri_is_a_reject(tmp_path):
    reject = the_reject(load(write(tmp_path, f"{CAL},PREREQUISITE,mast:HST/product/x_drz.fits,pre_image")))
    assert "to_uri" in reject.reason


def test_empty_target_is_a_reject(tmp_path):
    assert "to_uri" in the_reject(load(write(tmp_path, f"{CAL},EXTERNAL_PRE_IMAGE,,"))).reason


def test_wrong_header_is_a_load_error(tmp_path):
    path = tmp_path / "links.csv"
    path.write_text("from,type,to\n")
    with pytest.raises(LoadError, match="header"):
        load(path)


def test_quote_left_open_is_a_load_error_at_its_row(tmp_path):
    """A quoted field still open at the file's end refuses the file at the row where it starts."""
    path = write(tmp_path, f"{UNCAL},LINKED,{CAL},msa_catalog",
                 f'{UNCAL},"LINKED,{CAL},msa_catalog', f"{CAL},PREREQUISITE,{UNCAL},target_acquisition")
    with pytest.raises(LoadError) as caught:
        load(path)
    assert str(caught.value) == (f"{path}:3: bad CSV: a quoted field of the record that starts on this line is not "
                                 "closed before the file ends")


@pytest.mark.parametrize("uri", ["http://example.org/x.fits", "garbage here", "HST/product/x_drz.fits",
                                 "mast:HST/product/x_drz.fits trailing"])
@pytest.mark.parametrize("kind", ["EXTERNAL_PRE_IMAGE,", "LINKED,other_mission"])
def test_external_target_not_a_mast_uri_is_a_reject(tmp_path, uri, kind):
    """docs/formats.md: `to_uri` is a JWST product URI, or any `mast:` URI for external products."""
    reject = the_reject(load(write(tmp_path, f"{CAL},{kind.split(',')[0]},{uri},{kind.split(',')[1]}")))
    assert reject.reason == f"to_uri {uri!r} is not a mast: URI (mast:<mission>/...)"
