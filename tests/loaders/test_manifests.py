"""Download manifests of mast:JWST/product URIs -> Product records (loaders/manifests.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mastgraph.model.vocabulary import Label
from mastgraph.loaders.manifests import ManifestLoader
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.records import Node

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real"
MANIFEST = REAL / "manifests" / "jw02733_mast_download_uris.txt"
GOOD = "mast:JWST/product/jw02733002001_02103_00001_mirimage_cal.fits"


def load(path: Path) -> list:
    return list(ManifestLoader().records(path))


def test_real_manifest() -> None:
    records = load(MANIFEST)
    assert len(records) == 80 and all(isinstance(r, Node) and r.label == Label.PRODUCT for r in records)
    assert [r.origin for r in records] == [f"{MANIFEST}:{n}" for n in range(1, 81)]
    uris = MANIFEST.read_text().split()
    assert [r.key for r in records] == uris
    by_suffix = {r.props["suffix"]: r for r in records}
    assert set(by_suffix) == {"crf", "cal", "i2d", "rate", "rateints"}
    assert by_suffix["cal"].labels == (Label.L2B,) and by_suffix["rate"].labels == (Label.L2A,)
    crf = records[0]
    assert crf.props["asn_id"] == "o002" and crf.props["exposure_key"] == "jw02733002001_02103_00001_mirimage"
    assert crf.props["filename"] == "jw02733002001_02103_00001_mirimage_o002_crf.fits"
    assert "listed" not in crf.props  # a download bundle is not a MAST listing


def test_comments_blank_lines_crlf_and_download_urls(tmp_path: Path) -> None:
    path = tmp_path / "bundle.txt"
    path.write_bytes(
        b"# MAST download bundle\r\n\r\n"
        + GOOD.encode() + b"\r\n"
        + b"https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:JWST/product/"
          b"jw02733002001_02103_00001_mirimage_rate.fits\r\n"
    )
    records = load(path)
    assert [(r.origin, r.key) for r in records] == [
        (f"{path}:3", GOOD),
        (f"{path}:4", "mast:JWST/product/jw02733002001_02103_00001_mirimage_rate.fits"),
    ]


def _reject(tmp_path: Path, line: str) -> Reject:
    path = tmp_path / "bundle.txt"
    path.write_text(f"{line}\n{GOOD}\n")
    records = load(path)
    reject, good = records
    assert isinstance(reject, Reject) and reject.origin == f"{path}:1"
    assert isinstance(good, Node) and good.origin == f"{path}:2"
    return reject


def test_reject_line_that_is_not_a_uri(tmp_path: Path) -> None:
    assert _reject(tmp_path, "jw02733 products").reason == "line 'jw02733 products' is not a mast: URI"


def test_reject_other_mission_uri(tmp_path: Path) -> None:
    reason = _reject(tmp_path, "mast:HST/product/ib1f01010_drz.fits").reason
    assert reason == "'mast:HST/product/ib1f01010_drz.fits' is not a mast:JWST/product/<file name> URI"


def test_reject_name_breaking_the_rules(tmp_path: Path) -> None:
    reason = _reject(tmp_path, "mast:JWST/product/jw02733002001_02103_00001_mirimage_bogus.fits").reason
    assert "unknown suffix 'bogus'" in reason


def test_not_utf8_fails_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bundle.txt"
    path.write_bytes(GOOD.encode() + b"\n\xff\xfe\n")
    with pytest.raises(LoadError, match="not UTF-8"):
        load(path)


def test_detect(tmp_path: Path) -> None:
    assert ManifestLoader.detect(MANIFEST, MANIFEST.read_bytes()[:65536])
    listing = REAL / "listings" / "mastdocs_viz_products_api" / "products_jw01039-o004_t001_miri_ch3-long.csv"
    assert not ManifestLoader.detect(listing, listing.read_bytes())
    other = tmp_path / "hst.txt"
    other.write_text("# list\nmast:HST/product/ib1f01010_drz.fits\n")
    assert not ManifestLoader.detect(other, other.read_bytes())


def test_a_percent_encoded_download_url_names_its_product(tmp_path: Path) -> None:
    """A URL encoder writes the `uri` parameter as `mast%3AJWST%2Fproduct%2F...`: the same product
    (the file was "unrecognised file kind" when such a URL came first, a reject later)."""
    path = tmp_path / "bundle.txt"
    path.write_text("https://mast.stsci.edu/api/v0.1/Download/file?uri=mast%3AJWST%2Fproduct%2F"
                    "jw02733002001_02103_00001_mirimage_rate.fits&token=x\n"
                    "https://mast.stsci.edu/api/v0.1/Download/file?uri=mast%3aJWST/product/"
                    "jw02733002001_02103_00001_mirimage_cal.fits\n", encoding="utf-8")
    assert ManifestLoader.detect(path, path.read_bytes())
    assert [r.key for r in load(path)] == ["mast:JWST/product/jw02733002001_02103_00001_mirimage_rate.fits",
                                           "mast:JWST/product/jw02733002001_02103_00001_mirimage_cal.fits"]
