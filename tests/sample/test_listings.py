"""Product listings: astroquery's columns, the Level-3/exposure listing structure, MAST's MRP flag,
and products repeated under several parents with identical values."""

from __future__ import annotations

from pathlib import Path

from .formats import LEVEL_2B_SCIENCE, LISTING_COLUMNS, MRP, OBSERVATION_COLUMNS, listing_files, listing_rows
from .formats import observation_rows, read_csv, suffix_of


def test_listings_have_astroquery_columns_and_plain_values(demo: Path) -> None:
    files = listing_files(demo)
    assert files
    for path in files:
        columns, rows = read_csv(path)
        assert columns == LISTING_COLUMNS, path
        assert rows, path
        for row in rows:
            assert row["obs_collection"] == "JWST"
            assert row["dataURI"] == f"mast:JWST/product/{row['productFilename']}"
            assert row["productType"] in {"SCIENCE", "AUXILIARY", "INFO", "PREVIEW", "THUMBNAIL", "CALIBRATION"}
            assert row["productGroupDescription"] in {"", MRP}
            assert row["productDocumentationURL"] == ""  # masked: empty
            assert row["type"] in {"D", "S"}
            assert int(row["size"]) > 0
            assert int(row["calib_level"]) in {1, 2, 3}
            assert row["proposal_id"] == str(int(row["proposal_id"]))
            assert row["dataRights"] in {"PUBLIC", "EXCLUSIVE_ACCESS"}


def test_level3_listing_holds_own_products_then_member_products(demo: Path) -> None:
    level3 = [p for p in listing_files(demo) if not p.name.endswith("_exposures_products.csv")]
    assert level3
    for path in level3:
        rows = read_csv(path)[1]
        parent = {r["parent_obsid"] for r in rows}
        assert len(parent) == 1
        own = [r for r in rows if r["obsID"] == r["parent_obsid"]]
        members = [r for r in rows if r["obsID"] != r["parent_obsid"]]
        assert own and members
        assert {r["type"] for r in own} == {"D"} and {r["type"] for r in members} == {"S"}
        assert {r["obs_id"] for r in own} == {path.name.removesuffix("_products.csv")}
        assert all(r["calib_level"] in {"2", "3"} for r in own)


def test_exposure_listings_list_each_exposure_as_its_own_parent(demo: Path) -> None:
    for path in listing_files(demo):
        if path.name.endswith("_exposures_products.csv"):
            rows = read_csv(path)[1]
            assert all(r["obsID"] == r["parent_obsid"] and r["type"] == "S" for r in rows), path


def test_mast_mrp_flag_follows_the_listing_context(demo: Path) -> None:
    flagged = 0
    for _, row in listing_rows(demo):
        mrp = row["productGroupDescription"] == MRP
        flagged += mrp
        science = row["productType"] == "SCIENCE"
        if row["obsID"] != row["parent_obsid"]:
            assert not mrp, row["productFilename"]  # member rows of a Level-3 listing
        elif row["type"] == "D":
            assert mrp == (science and row["calib_level"] == "3"), row["productFilename"]
        else:
            assert mrp == (science and suffix_of(row["productFilename"]) in LEVEL_2B_SCIENCE), row["productFilename"]
    assert flagged


def test_a_cal_flagged_in_its_own_listing_is_not_flagged_as_a_level3_member(demo: Path) -> None:
    own_mrp = {r["productFilename"] for _, r in listing_rows(demo)
               if r["obsID"] == r["parent_obsid"] and r["productGroupDescription"] == MRP
               and r["productFilename"].endswith("_cal.fits")}
    as_member = [r for _, r in listing_rows(demo) if r["obsID"] != r["parent_obsid"] and r["productFilename"] in own_mrp]
    assert as_member
    assert all(r["productGroupDescription"] == "" for r in as_member)


def test_repeated_products_carry_identical_product_values(demo: Path) -> None:
    context = {"obsID", "obs_id", "parent_obsid", "type", "productGroupDescription"}
    seen: dict[str, dict[str, str]] = {}
    repeated = 0
    for path, row in listing_rows(demo):
        values = {k: v for k, v in row.items() if k not in context}
        if row["dataURI"] in seen:
            repeated += 1
            assert values == seen[row["dataURI"]], (path, row["dataURI"])
        else:
            seen[row["dataURI"]] = values
    assert repeated > len(seen) / 2


def test_every_member_row_belongs_to_an_exposure_listed_on_its_own(demo: Path) -> None:
    own = {(r["obsID"], r["productFilename"]) for _, r in listing_rows(demo) if r["obsID"] == r["parent_obsid"]}
    members = {(r["obsID"], r["productFilename"]) for _, r in listing_rows(demo) if r["obsID"] != r["parent_obsid"]}
    assert members and members <= own


def test_observation_rows_have_caom_columns_and_cover_every_listed_observation(demo: Path) -> None:
    for path in sorted(demo.glob("programs/*/*_observations.csv")):
        assert read_csv(path)[0] == OBSERVATION_COLUMNS
    rows = observation_rows(demo)
    by_obsid = {r["obsid"]: r for r in rows}
    assert len(by_obsid) == len(rows)
    for _, row in listing_rows(demo):
        obs = by_obsid[row["obsID"]]
        assert obs["obs_id"] == row["obs_id"]
        assert obs["dataRights"] == row["dataRights"]
    for r in rows:
        assert float(r["t_min"]) < float(r["t_max"])
        assert 0.0 <= float(r["s_ra"]) < 360.0 and -90.0 <= float(r["s_dec"]) <= 90.0
        assert r["calib_level"] in {"2", "3"} and r["provenance_name"] == "CALJWST"
