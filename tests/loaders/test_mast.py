"""Live MAST fetch on recorded responses (loaders/mast.py); astroquery's network calls are replaced."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from astropy.table import Table

from mastgraph.model.vocabulary import Label
from mastgraph.loaders import mast, registry
from mastgraph.loaders.records import Reject
from mastgraph.model.records import Node

RECORDED = Path(__file__).resolve().parents[1] / "data" / "mast"

Observations = pytest.importorskip("astroquery.mast").Observations


class FakeMast:
    """Recorded answers for `query_criteria`, `get_product_list` and `download_products`."""

    def __init__(self, program: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.observations = Table.read(RECORDED / f"jw{program}_observations.ecsv")
        self.products = Table.read(RECORDED / f"jw{program}_products.ecsv")
        self.criteria: list[dict] = []
        self.product_requests: list[list[str]] = []
        self.downloads: list[Table] = []
        self.filters: list[dict] = []
        self.status = "COMPLETE"
        real_filter = Observations.filter_products
        monkeypatch.setattr(Observations, "query_criteria", self.query_criteria)
        monkeypatch.setattr(Observations, "get_product_list", self.get_product_list)
        monkeypatch.setattr(Observations, "download_products", self.download_products)

        def filter_products(products, **filters):
            self.filters.append(filters)
            return real_filter(products, **filters)

        monkeypatch.setattr(Observations, "filter_products", filter_products)

    def query_criteria(self, **criteria):
        self.criteria.append(criteria)
        return self.observations.copy()

    def get_product_list(self, observations):
        obsids = [str(o) for o in observations["obsid"]]
        self.product_requests.append(obsids)
        return self.products[[str(p) in obsids for p in self.products["obsID"]]]

    def download_products(self, products, *, download_dir, flat, cache, verbose):
        assert flat is True and verbose is False
        self.downloads.append(products)
        rows = []
        for product in products:
            local = Path(download_dir) / str(product["productFilename"])
            if self.status == "COMPLETE":
                local.write_text("recorded download\n")
            rows.append((str(local), self.status, None if self.status == "COMPLETE" else "HTTP 503",
                         f"https://mast.stsci.edu/api/v0.1/Download/file?uri={product['dataURI']}"))
        return Table(rows=rows, names=("Local Path", "Status", "Message", "URL"))


def test_fetch_program_writes_tables_the_ingest_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = FakeMast("01410", monkeypatch)
    files = mast.fetch_program(1410, tmp_path)
    assert files == [tmp_path / "jw01410_observations.ecsv", tmp_path / "jw01410_products.ecsv"]
    assert fake.criteria == [{"obs_collection": "JWST", "proposal_id": "1410"}]
    assert fake.product_requests == [["71672220", "71673297", "71673298"]]
    assert fake.filters == [{"productSubGroupDescription": ["ASN", "POOL"]}]
    assert fake.downloads == []  # program 1410's recorded products are three uncal files: nothing small to fetch

    observations = list(registry.detect(files[0]).records(files[0]))
    assert type(registry.detect(files[0])).__name__ == "ObservationLoader"
    assert {n.key for n in observations if isinstance(n, Node) and n.label == Label.OBSERVATION} == {
        "71672220", "71673297", "71673298"}
    products = list(registry.detect(files[1]).records(files[1]))
    assert type(registry.detect(files[1])).__name__ == "ListingLoader"
    assert not [r for r in products if isinstance(r, Reject)]
    assert len([r for r in products if isinstance(r, Node) and r.label == Label.PRODUCT]) == 3


def test_fetch_program_downloads_the_chosen_subgroups(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = FakeMast("01039", monkeypatch)
    files = mast.fetch_program("01039", tmp_path, subgroups=["X1D"])
    downloaded = tmp_path / "jw01039-o004_t001_miri_ch3-long_x1d.fits"
    assert files == [tmp_path / "jw01039_observations.ecsv", tmp_path / "jw01039_products.ecsv", downloaded]
    assert downloaded.is_file()
    assert [list(d["productSubGroupDescription"]) for d in fake.downloads] == [["X1D"]]


def test_fetched_product_list_keeps_mast_mrp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    FakeMast("01039", monkeypatch)
    _, products_file = mast.fetch_program(1039, tmp_path, subgroups=())
    products = [r for r in registry.detect(products_file).records(products_file)
                if isinstance(r, Node) and r.label == Label.PRODUCT]
    assert [p.props["mast_mrp"] for p in products] == [True, True]


def test_product_lists_are_asked_in_batches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = FakeMast("01410", monkeypatch)
    monkeypatch.setattr(mast, "PRODUCT_BATCH", 2)
    _, products_file = mast.fetch_program(1410, tmp_path)
    assert [len(r) for r in fake.product_requests] == [2, 1]
    assert len(Table.read(products_file)) == 3


def test_failed_download_is_a_mast_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = FakeMast("01039", monkeypatch)
    fake.status = "ERROR"
    with pytest.raises(mast.MastError, match="1 of 1 downloads failed, first: .*_s3d.fits: ERROR HTTP 503"):
        mast.fetch_program(1039, tmp_path, subgroups=["S3D"])


def test_program_without_observations_is_a_mast_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = FakeMast("01410", monkeypatch)
    fake.observations = fake.observations[:0]
    with pytest.raises(mast.MastError, match="no JWST observations for program 09999"):
        mast.fetch_program(9999, tmp_path)


def test_service_error_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(**criteria):
        raise ConnectionError("Max retries exceeded\nwith url: /api/v0/invoke")

    monkeypatch.setattr(Observations, "query_criteria", refuse)
    with pytest.raises(mast.MastError) as caught:
        mast.fetch_program(2733, tmp_path)
    assert str(caught.value) == "MAST query_criteria failed: ConnectionError: Max retries exceeded"


def test_bad_program_number_is_a_mast_error(tmp_path: Path) -> None:
    with pytest.raises(mast.MastError, match="not a JWST program number"):
        mast.fetch_program("GO-2733", tmp_path)


def test_missing_astroquery_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "astroquery.mast", None)
    with pytest.raises(mast.MastError, match=r"pip install 'mastgraph\[mast\]'"):
        mast.fetch_program(1410, tmp_path)
