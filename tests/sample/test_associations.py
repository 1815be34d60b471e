"""Association files in the JWST association schema, pools with a real pool's columns, and the
consistency between associations, pools and listings."""

from __future__ import annotations

import re
from pathlib import Path

from .formats import REAL, associations, listing_files, listing_rows, read_csv

_REAL_ASN = REAL / "asn" / "jw09505"


def _real_keys(asn_type: str) -> tuple[list[str], set[str]]:
    import json

    real = json.loads(next(_REAL_ASN.glob(f"*_{asn_type}_00001_asn.json")).read_text())
    member_keys = {k for p in real["products"] for m in p["members"] for k in m}
    return list(real), member_keys


def test_associations_have_the_real_generators_keys(demo: Path) -> None:
    level2_keys, level2_member_keys = _real_keys("image2")
    level3_keys, level3_member_keys = _real_keys("image3")
    found = {2: 0, 3: 0}
    for path, asn in associations(demo):
        level = 3 if asn["asn_type"].endswith("3") else 2
        found[level] += 1
        assert list(asn) == (level3_keys if level == 3 else level2_keys), path.name
        assert path.name.startswith(f"jw{asn['program']}-{asn['asn_id']}_{asn['version_id']}_{asn['asn_type']}_")
        assert asn["asn_pool"].startswith(f"jw{asn['program']}_{asn['version_id']}")
        assert asn["degraded_status"] and asn["constraints"].startswith("DMSAttrConstraint(")
        (product,) = asn["products"]
        for member in product["members"]:
            allowed = level3_member_keys if level == 3 else level2_member_keys | {"exposerr"}
            assert set(member) <= allowed and {"expname", "exptype"} <= set(member)
            assert member["exptype"] in {"science", "background", "psf", "target_acquisition", "imprint",
                                         "selfcal", "sourcecat", "segmap", "direct_image"}
    assert found[2] and found[3]


def test_level2_takes_rate_and_names_the_product_by_the_exposure(demo: Path) -> None:
    for path, asn in associations(demo):
        if asn["asn_type"] in {"image2", "spec2", "tso-image2", "tso-spec2"}:
            (product,) = asn["products"]
            science = [m for m in product["members"] if m["exptype"] == "science"]
            assert len(science) == 1, path.name
            assert science[0]["expname"] in {f"{product['name']}_rate.fits", f"{product['name']}_rateints.fits"}


def test_level3_takes_calibrated_members_and_names_the_level3_product(demo: Path) -> None:
    listed = {p.name.removesuffix("_products.csv") for p in listing_files(demo)}
    for path, asn in associations(demo):
        if asn["asn_type"] in {"image3", "spec3", "coron3", "tso3", "ami3"}:
            (product,) = asn["products"]
            assert product["name"].startswith(f"jw{asn['program']}-{asn['asn_id']}_")
            for member in product["members"]:
                assert re.search(r"_(cal|calints)\.fits$", member["expname"]), member["expname"]
                assert member["asn_candidate"].startswith("[(")
            if "{source_id}" in product["name"]:
                pattern = re.compile(re.escape(product["name"]).replace(r"s\{source_id\}", r"s\d{5}") + "$")
                sources = [name for name in listed if pattern.match(name)]
                assert len(sources) >= 3, product["name"]  # one combined observation per source
            else:
                assert product["name"] in listed


def test_every_association_member_appears_in_some_listing(small: Path) -> None:
    listed = {r["productFilename"] for _, r in listing_rows(small)}
    members = {m["expname"] for _, asn in associations(small) for p in asn["products"] for m in p["members"]}
    assert members and members <= listed


def test_association_and_pool_files_are_listed_with_their_sizes(demo: Path) -> None:
    sizes = {r["productFilename"]: int(r["size"]) for _, r in listing_rows(demo)}
    files = [p for p, _ in associations(demo)] + list(demo.glob("programs/*/*_pool.csv"))
    for path in files:
        assert sizes[path.name] == path.stat().st_size, path.name


def test_pools_have_the_columns_of_a_real_pool_and_one_row_per_uncal_file(demo: Path) -> None:
    real_header = (REAL / "pools" / "jw09505_20251216t202003_pool.csv").read_text().splitlines()[0].split("|")
    uncal = {r["productFilename"] for _, r in listing_rows(demo) if r["productFilename"].endswith("_uncal.fits")
             and "_gs-" not in r["productFilename"]}
    pooled = set()
    for path in demo.glob("programs/*/*_pool.csv"):
        lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
        assert lines[0].split("|") == real_header
        for line in lines[1:]:
            fields = line.split("|")
            assert len(fields) == len(real_header)
            row = dict(zip(real_header, fields))
            pooled.add(row["FILENAME"])
            assert row["ASN_CANDIDATE"].startswith("[('o")
    assert pooled == uncal


def test_candidate_members_name_their_candidate(demo: Path) -> None:
    """A member's `asn_candidate` in a candidate-level association names that candidate."""
    seen = 0
    for _, asn in associations(demo):
        if asn["asn_id"].startswith("c"):
            for member in asn["products"][0]["members"]:
                assert f"('{asn['asn_id']}', 'mosaic')" in member["asn_candidate"]
                seen += 1
    assert seen


def test_listing_files_parse_with_plain_csv(demo: Path) -> None:
    for path in listing_files(demo):
        columns, rows = read_csv(path)
        assert all(len(r) == len(columns) and None not in r for r in rows)
