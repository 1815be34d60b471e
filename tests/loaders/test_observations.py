"""CAOM observation rows -> Observation and Program records (loaders/observations.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders.observations import ObservationLoader
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.records import Edge, Node

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real" / "listings"
QUERY_OBS = REAL / "jwst_mast_query_readme" / "obsTable.csv"
QUERY_PRODUCTS = REAL / "jwst_mast_query_readme" / "productTable.csv"
API_CSV = REAL / "mastdocs_viz_products_api" / "products_jw01039-o004_t001_miri_ch3-long.csv"
RECORDED = Path(__file__).resolve().parents[1] / "data" / "mast"

REAL_OBSERVATIONS = [QUERY_OBS, RECORDED / "jw01410_observations.ecsv", RECORDED / "jw01039_observations.ecsv"]

CAOM = ["intentType", "obs_collection", "provenance_name", "instrument_name", "project", "filters",
        "wavelength_region", "target_name", "target_classification", "obs_id", "s_ra", "s_dec", "dataproduct_type",
        "proposal_pi", "calib_level", "t_min", "t_max", "t_exptime", "em_min", "em_max", "obs_title",
        "t_obs_release", "proposal_id", "proposal_type", "sequence_number", "s_region", "jpegURL", "dataURL",
        "dataRights", "mtFlag", "srcDen", "obsid", "objID"]


def caom_row(**values: str) -> dict[str, str]:
    """A CAOM row shaped like `query_criteria`'s: program 1039's real ids, stand-in values elsewhere."""
    row = dict.fromkeys(CAOM, "")
    row.update(intentType="science", obs_collection="JWST", provenance_name="CALJWST", instrument_name="MIRI/IFU",
               filters="CH3-LONG", target_name="--", obs_id="jw01039-o004_t001_miri_ch3-long", s_ra="80.4875",
               s_dec="-69.4983", dataproduct_type="cube", proposal_pi="Doe, Jane", calib_level="3",
               t_min="59727.1", t_max="59727.2", t_exptime="1000.5", t_obs_release="59727.5", proposal_id="1039",
               dataRights="PUBLIC", obsid="83209967")
    row.update(values)
    return row


def write_rows(tmp_path: Path, *rows: dict[str, str]) -> Path:
    path = tmp_path / "observations.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def load(path: Path) -> list:
    return list(ObservationLoader().records(path))


def observations(records: list) -> list[Node]:
    return [r for r in records if isinstance(r, Node) and r.label == Label.OBSERVATION]


@pytest.mark.parametrize("path", REAL_OBSERVATIONS, ids=lambda p: p.name)
def test_real_observation_rows_load(path: Path) -> None:
    records = load(path)
    assert records and not [r for r in records if isinstance(r, Reject)]
    for record in records:
        assert record.origin.rsplit(":", 1)[0] == str(path)
    for node in observations(records):
        assert isinstance(node.key, str) and node.key.isdigit()
        assert node.props["program"] in ("01410", "01039")


def test_jwst_mast_query_obs_table() -> None:
    records = load(QUERY_OBS)
    first = observations(records)[0]
    assert (first.key, first.labels, first.origin) == ("71672220", (Label.EXPOSURE,), f"{QUERY_OBS}:2")
    assert first.props == {"obs_id": "jw01410001001_02101_00001_guider1", "program": "01410",
                           "t_min": 59623.957319, "t_exptime": 161.052}
    program = next(r for r in records if isinstance(r, Node) and r.label == Label.PROGRAM)
    assert (program.key, program.props) == ("01410", {"proposal_id": "1410"})
    edge = next(r for r in records if isinstance(r, Edge))
    assert (edge.type, edge.start, edge.end) == (
        Rel.HAS_OBSERVATION, (Label.PROGRAM, "01410"), (Label.OBSERVATION, "71672220"))


def test_full_caom_row_maps_every_property(tmp_path: Path) -> None:
    records = load(write_rows(tmp_path, caom_row()))
    (node,) = observations(records)
    assert node.labels == (Label.COMBINED,)
    assert node.props == {
        "obs_id": "jw01039-o004_t001_miri_ch3-long", "program": "01039", "calib_level": 3,
        "instrument": "MIRI/IFU", "filters": "CH3-LONG", "dataproduct_type": "cube", "intent": "science",
        "data_rights": "PUBLIC", "provenance_name": "CALJWST", "obs_collection": "JWST",
        "s_ra": 80.4875, "s_dec": -69.4983, "t_min": 59727.1, "t_max": 59727.2, "t_exptime": 1000.5,
        "t_obs_release": 59727.5,
    }
    assert "target_name" not in node.props  # masked `--`
    program = next(r for r in records if isinstance(r, Node) and r.label == Label.PROGRAM)
    assert program.props == {"proposal_id": "1039", "pi": "Doe, Jane"}


def test_label_from_calib_level_when_obs_id_form_is_unknown(tmp_path: Path) -> None:
    path = write_rows(tmp_path, caom_row(obs_id="unusual_id", obsid="1"), caom_row(obs_id="other", obsid="2",
                                                                                   calib_level="2"))
    assert [(n.key, n.labels) for n in observations(load(path))] == [("1", (Label.COMBINED,)), ("2", ())]


def test_program_from_obs_id_when_no_proposal_id(tmp_path: Path) -> None:
    row = caom_row()
    del row["proposal_id"]
    (node,) = observations(load(write_rows(tmp_path, row)))
    assert node.props["program"] == "01039"


def test_json_rows_with_integer_obsid(tmp_path: Path) -> None:
    path = tmp_path / "obs.json"
    path.write_text(json.dumps({"data": [{"obsid": 83209967, "obs_id": "jw01039-o004_t001_miri_ch3-long",
                                          "calib_level": 3, "proposal_id": "1039"}]}, indent=1))
    (node,) = observations(load(path))
    assert node.key == "83209967" and node.origin == f"{path}:3"


def test_product_listing_is_refused_naming_the_column() -> None:
    with pytest.raises(LoadError, match="missing required column 'obsid'.*product listing"):
        load(QUERY_PRODUCTS)
    with pytest.raises(LoadError, match="missing required column 'obsid'"):
        load(API_CSV)


def test_missing_obs_id_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "obs.csv"
    path.write_text("obsid,t_min\n1,59000.0\n")
    with pytest.raises(LoadError, match="missing required column 'obs_id'"):
        load(path)


def _reject(tmp_path: Path, **bad: str) -> Reject:
    path = write_rows(tmp_path, caom_row(**bad), caom_row(obsid="83209968"))
    records = load(path)
    rejects = [r for r in records if isinstance(r, Reject)]
    assert len(rejects) == 1 and rejects[0].origin == f"{path}:2"
    assert [n.key for n in observations(records)] == ["83209968"]
    return rejects[0]


def test_reject_non_numeric_coordinate(tmp_path: Path) -> None:
    assert _reject(tmp_path, s_ra="05h21m").reason == "s_ra '05h21m' is not a number"


def test_reject_non_numeric_time(tmp_path: Path) -> None:
    assert _reject(tmp_path, t_min="2022-06-01").reason == "t_min '2022-06-01' is not a number"


def test_reject_bad_calib_level(tmp_path: Path) -> None:
    assert _reject(tmp_path, calib_level="3b").reason == "calib_level '3b' is not an integer"


def test_reject_empty_obsid(tmp_path: Path) -> None:
    assert _reject(tmp_path, obsid="").reason == "obsid is empty"


def test_reject_empty_obs_id(tmp_path: Path) -> None:
    assert _reject(tmp_path, obs_id="--").reason == "obs_id is empty"


def test_reject_bad_proposal_id(tmp_path: Path) -> None:
    assert _reject(tmp_path, proposal_id="123456").reason == "proposal_id '123456' is not a JWST program number"


def test_detect() -> None:
    for path in REAL_OBSERVATIONS:
        assert ObservationLoader.detect(path, path.read_bytes()[:65536]), path
    for path in (QUERY_PRODUCTS, API_CSV):
        assert not ObservationLoader.detect(path, path.read_bytes())
