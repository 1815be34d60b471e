"""manifest.json tells what is on disk; the benchmark Level-3 products have exactly 10, 100 and
1,000 members."""

from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter
from pathlib import Path

from mastgraph.sample import edb, programs
from mastgraph.sample.builder import Obsids
from mastgraph.sample.generator import build_program
from mastgraph.sample.manifest import Manifest
from mastgraph.sample.writer import write_program

from .formats import EXPOSURE_OBS_ID, LEVEL3_OBS_ID, listing_files, listing_rows, observation_rows, read_csv


def _manifest(root: Path) -> dict:
    return json.loads((root / "manifest.json").read_text())


def test_manifest_counts_match_the_files_on_disk(small: Path) -> None:
    manifest = _manifest(small)
    counts = manifest["counts"]
    assert manifest["scale"] == "S" and manifest["fits"] is True
    on_disk = Counter({
        "listing": len(listing_files(small)),
        "observations": len(list(small.glob("programs/*/*_observations.csv"))),
        "pool": len(list(small.glob("programs/*/*_pool.csv"))),
        "asn": len(list(small.glob("programs/*/asn/*_asn.json"))),
        "fits": len(list(small.glob("programs/*/fits/*.fits"))),
        "edb": len(list((small / "edb").glob("*.csv"))),
        "edb_dictionary": 1, "links": 1, "manifest": 1,
    })
    assert counts["files"] == dict(on_disk)
    assert sum(on_disk.values()) == sum(1 for p in small.rglob("*") if p.is_file())
    uris = {r["dataURI"] for _, r in listing_rows(small)}
    assert counts["products"] == len(uris) >= 10_000
    assert counts["listing_rows"] == sum(len(read_csv(p)[1]) for p in listing_files(small))
    rows = observation_rows(small)
    assert counts["observations"] == {
        "combined": sum(bool(LEVEL3_OBS_ID.match(r["obs_id"])) for r in rows),
        "exposure": sum(bool(EXPOSURE_OBS_ID.match(r["obs_id"])) for r in rows),
    }
    with (small / "links.csv").open() as handle:
        assert counts["links"] == sum(1 for _ in handle) - 1
    assert counts["edb_series"] == counts["files"]["edb"]


def test_scale_s_holds_the_10_and_100_member_benchmark_products(small: Path) -> None:
    benchmark = _manifest(small)["benchmark"]
    assert [b["members"] for b in benchmark] == [10, 100]
    uris = {r["dataURI"] for _, r in listing_rows(small)}
    for entry in benchmark:
        assert entry["uri"] in uris
        asn = json.loads(next(small.glob(f"programs/*/asn/{entry['association']}")).read_text())
        science = [m for m in asn["products"][0]["members"] if m["exptype"] == "science"]
        assert len(science) == entry["members"]
        listing = next(small.glob(f"programs/*/listings/{entry['obs_id']}_products.csv"))
        members = {r["obsID"] for r in read_csv(listing)[1] if r["obsID"] != r["parent_obsid"]}
        assert len(members) == entry["members"]


def test_the_1000_member_mosaic_has_exactly_1000_members(tmp_path: Path) -> None:
    """Built and written alone (the M scale and above carry it), from the same recipe."""
    program, _ = build_program(programs.benchmark((1000,)), 11, Obsids(), 60000.0)
    manifest = Manifest("M", 11, False)
    write_program(tmp_path, program, manifest, fits=False, engineering=edb.Selection(10),
                  links=csv.writer(io.StringIO()), rng=random.Random(0))
    (obs_id,) = programs.benchmark_obs_ids((1000,)).values()
    listing = tmp_path / "programs" / "jw09000" / "listings" / f"{obs_id}_products.csv"
    rows = read_csv(listing)[1]
    assert len({r["obsID"] for r in rows if r["obsID"] != r["parent_obsid"]}) == 1000
    (asn_path,) = [p for p in (tmp_path / "programs" / "jw09000" / "asn").glob("*-c1001_*_image3_*_asn.json")]
    members = json.loads(asn_path.read_text())["products"][0]["members"]
    assert len(members) == len({m["expname"] for m in members}) == 1000
    assert sum(1 for p in listing_files(tmp_path) if "-o1" in p.name and "_t001_" in p.name) == 10
