"""File and observation names follow the JWST/MAST naming rules."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .formats import EDB_FILE, EXPOSURE_OBS_ID, LEVEL3_OBS_ID, RULES, kind_of, listing_rows, observation_rows


def test_every_listed_file_name_follows_a_naming_rule(demo: Path) -> None:
    kinds = {}
    for _, row in listing_rows(demo):
        name = row["productFilename"]
        kind = kind_of(name)
        assert kind is not None, name
        kinds[kind] = kinds.get(kind, 0) + 1
    assert set(kinds) == set(RULES)


def test_guide_star_stamps_are_dates(demo: Path) -> None:
    stamps = {RULES["guide_star"].match(r["productFilename"])["stamp"] for _, r in listing_rows(demo)
              if kind_of(r["productFilename"]) == "guide_star"}
    assert stamps
    for stamp in stamps:
        datetime.strptime(stamp, "%Y%j%H%M%S")


def test_observation_ids_are_exposure_or_level3_names(demo: Path) -> None:
    rows = observation_rows(demo)
    exposures = [r for r in rows if EXPOSURE_OBS_ID.match(r["obs_id"])]
    combined = [r for r in rows if LEVEL3_OBS_ID.match(r["obs_id"])]
    assert exposures and combined and len(exposures) + len(combined) == len(rows)
    assert {r["calib_level"] for r in exposures} == {"2"} and {r["calib_level"] for r in combined} == {"3"}


def test_files_on_disk_are_named_by_the_rules(demo: Path) -> None:
    for path in demo.glob("programs/*/asn/*"):
        assert RULES["asn"].match(path.name), path.name
    pools = list(demo.glob("programs/*/*_pool.csv"))
    assert pools and all(RULES["pool"].match(p.name) for p in pools)
    for path in demo.glob("programs/*/fits/*"):
        assert kind_of(path.name) in {"exposure", "level3", "msa"}, path.name
    edb = [p for p in (demo / "edb").iterdir() if p.suffix == ".csv"]
    assert edb and all(EDB_FILE.match(p.name) for p in edb)


def test_segmented_time_series_and_asn_ids_appear_in_names(demo: Path) -> None:
    names = {r["productFilename"] for _, r in listing_rows(demo)}
    assert any("-seg001_" in n and n.endswith("_calints.fits") for n in names)
    assert any("-seg003_" in n for n in names)
    assert any(n.endswith("_o002_crf.fits") for n in names)
    assert any("_s{" not in n and "-o066_s" in n and n.endswith("_x1d.fits") for n in names)
