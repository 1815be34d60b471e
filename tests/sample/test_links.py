"""Curated links: what MAST files cannot express, pointing at listed products or HST products."""

from __future__ import annotations

import csv
from pathlib import Path

from .formats import listing_rows


def test_links_name_listed_products_and_external_hst_products(demo: Path) -> None:
    with (demo / "links.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["from_uri", "type", "to_uri", "kind"]
        links = list(reader)
    listed = {r["dataURI"] for _, r in listing_rows(demo)}
    kinds = {(link["type"], link["kind"]) for link in links}
    assert kinds == {("EXTERNAL_PRE_IMAGE", ""), ("PREREQUISITE", "pre_image"), ("LINKED", "other_mission")}
    for link in links:
        assert link["from_uri"] in listed
        if link["type"] == "PREREQUISITE":
            assert link["to_uri"] in listed and "_nircam_" in link["to_uri"] and "_nrs" in link["from_uri"]
        else:
            assert link["to_uri"].startswith("mast:HST/product/hst_") and link["to_uri"].endswith("_drc.fits")
