"""Live MAST fetch on recorded responses (loaders/mast.py); astroquery's network calls are replaced."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

from datetime import datetime, timezone

import pytest
import requests
import urllib3
from astropy.table import Table
from astroquery.mast import Observations  # (the extra [mast] is in [test]: these tests run, never skip)

from mastgraph.model.vocabulary import Label
from mastgraph.loaders import mast, mast_retry, registry
from mastgraph.loaders.records import Reject
from mastgraph.model.records import Node

RECORDED = Path(__file__).resolve().parents[1] / "data" / "mast"


@pytest.fixture(autouse=True)
def waits(monkeypatch) -> list[float]:
    """The retries' waits, in seconds: recorded, never slept (loaders/mast_retry.py)."""
    slept: list[float] = []
    monkeypatch.setattr(mast_retry, "_sleep", slept.append)
    return slept


class FakeMast:
    """Recorded answers for `query_criteria`, `get_product_list` and each download (astroquery's
    `_download_file`, which `loaders/mast.py` calls per product: it raises requests' HTTPError with
    the response, as astroquery's does). `fail` makes each download answer that HTTP status instead
    (with `retry_after` as its Retry-After header, when set); `failing` does for the files it names."""

    def __init__(self, program: str, monkeypatch: pytest.MonkeyPatch) -> None:
        self.observations = Table.read(RECORDED / f"jw{program}_observations.ecsv")
        self.products = Table.read(RECORDED / f"jw{program}_products.ecsv")
        self.criteria: list[dict] = []
        self.product_requests: list[list[str]] = []
        self.downloads: list[str] = []  # (the file names asked, in order)
        self.filters: list[dict] = []
        self.fail: int | None = None
        self.failing: dict[str, int] = {}
        self.retry_after: str | None = None
        real_filter = Observations.filter_products
        #: astroquery's own `_download_file`, for a test that fakes the HTTP answers under it instead
        self.real_download_file = Observations._download_file
        monkeypatch.setattr(Observations, "query_criteria", self.query_criteria)
        monkeypatch.setattr(Observations, "get_product_list", self.get_product_list)
        monkeypatch.setattr(Observations, "_download_file", self.download_file)

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

    def download_file(self, url, local_filepath, *, timeout, continuation, cache, head_safe, verbose):
        assert url.startswith("https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:JWST/product/"), url
        assert continuation is False and cache is False and head_safe is True and verbose is False and timeout > 0
        [product] = [p for p in self.products if url.endswith(f"?uri={p['dataURI']}")]
        self.downloads.append(str(product["productFilename"]))
        fail = self.failing.get(str(product["productFilename"]), self.fail)
        if fail is not None:
            answer = _answer(fail, b"<html><body>no</body></html>", "text/html")
            answer.url = url
            if self.retry_after is not None:
                answer.headers["Retry-After"] = self.retry_after
            answer.raise_for_status()
        local = Path(local_filepath)
        local.write_text("recorded download\n")
        os.truncate(local, int(product["size"]))  # (the listed size; sparse)
        return local_filepath


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
    assert fake.downloads == ["jw01039-o004_t001_miri_ch3-long_x1d.fits"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # (no temporary file left)


def test_files_of_an_earlier_fetch_that_mast_no_longer_lists_are_removed(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    """MAST reprocessed the program: a pool of the old processing (a name the product list no longer
    gives) would load beside the new one from the folder; it goes once the new list is in. A file the
    list still gives (of a subgroup this fetch does not download) and any file not of the program stay."""
    FakeMast("01039", monkeypatch)
    listed_uncal = str(next(p["productFilename"] for p in Table.read(RECORDED / "jw01039_products.ecsv")))
    old = [tmp_path / "jw01039_20220101t000000_pool.csv", tmp_path / "jw01039-o004_20220101t000000_spec3_00001_asn.json"]
    for path in old:
        path.write_text("of an earlier processing\n")
    (tmp_path / listed_uncal).write_text("listed\n")
    (tmp_path / "notes.txt").write_text("the user's\n")
    told: list[list[Path]] = []
    files = mast.fetch_program(1039, tmp_path, subgroups=["X1D"], on_removed=told.append)
    assert told == [sorted(old)]
    assert not any(path.exists() for path in old)
    assert (tmp_path / listed_uncal).is_file() and (tmp_path / "notes.txt").is_file()
    assert all(path.is_file() for path in files)
    again: list[list[Path]] = []
    mast.fetch_program(1039, tmp_path, subgroups=["X1D"], on_removed=again.append)
    assert again == []  # (nothing more to remove)


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
    fake.fail = 404
    with pytest.raises(mast.MastError, match="1 of 1 downloads failed, first: .*_s3d.fits: HTTPError: 404 Client Error"):
        mast.fetch_program(1039, tmp_path, subgroups=["S3D"])
    assert fake.downloads == ["jw01039-o004_t001_miri_ch3-long_s3d.fits"]  # (a 404 is not asked again)


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


# -- faults of the network and of MAST, faked under astroquery (requests' Session), so astroquery's own
# -- code meets them as it would a real answer

def _answer(status: int, body: bytes, content_type: str = "application/json", length: bool = True) -> requests.Response:
    answer = requests.Response()
    answer.status_code, answer._content, answer.url = status, body, "https://mast.stsci.edu/api/v0.1/fake"
    answer.reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error",
                     502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}[status]
    answer.headers["Content-Type"] = content_type
    if length:
        answer.headers["content-length"] = str(len(body))
    return answer


def _raise(exc: Exception):
    def answer():
        raise exc
    return answer


HTTP_FAULTS = {
    "connection refused": (_raise(requests.ConnectionError(
        "HTTPSConnectionPool(host='mast.stsci.edu', port=443): Max retries exceeded with url: /portal/Mashup/Mashup.asmx/"
        "columnsconfig (Caused by NewConnectionError('Failed to establish a new connection: [Errno 111] Connection refused'))")),
        "ConnectionError: HTTPSConnectionPool(host='mast.stsci.edu', port=443): Max retries exceeded"),
    "no DNS": (_raise(requests.ConnectionError(
        "HTTPSConnectionPool(host='mast.stsci.edu', port=443): Max retries exceeded (Caused by NameResolutionError("
        "\"Failed to resolve 'mast.stsci.edu' ([Errno -2] Name or service not known)\"))")),
        "Failed to resolve 'mast.stsci.edu'"),
    "timeout": (_raise(requests.ReadTimeout("HTTPSConnectionPool(host='mast.stsci.edu', port=443): Read timed out.")),
                "ReadTimeout: HTTPSConnectionPool(host='mast.stsci.edu', port=443): Read timed out."),
    "HTTP 500": (lambda: _answer(500, b"<html><body>error</body></html>", "text/html"), "HTTPError: 500 Server Error"),
    "HTTP 503": (lambda: _answer(503, b"<html><body>down</body></html>", "text/html"), "HTTPError: 503 Server Error"),
    "HTTP 429": (lambda: _answer(429, b"slow down\n", "text/plain"), "HTTPError: 429 Client Error: Too Many Requests"),
    "an HTML page": (lambda: _answer(200, b"<!DOCTYPE html>\n<html><title>MAST is down</title></html>", "text/html"),
                     "its answer is not JSON (an error page or a cut answer; JSONDecodeError: Expecting value"),
    "cut JSON": (lambda: _answer(200, b'{"status": "COMPLETE", "data": [{"obsid": "7167'),
                 "its answer is not JSON (an error page or a cut answer; JSONDecodeError: Unterminated string"),
    "empty": (lambda: _answer(200, b""), "its answer is not JSON (an error page or a cut answer; JSONDecodeError"),
}


#: the faults asked again: MAST's "not now" answers and timeouts (the others fail at once)
TRANSIENT = {"timeout", "HTTP 503", "HTTP 429"}


@pytest.mark.parametrize("fault", HTTP_FAULTS)
def test_a_network_or_service_fault_is_one_line_naming_it(monkeypatch, tmp_path, waits, fault):
    answer, expected = HTTP_FAULTS[fault]
    asked = []
    monkeypatch.setattr(requests.Session, "request",
                        lambda self, method, url, *args, **kwargs: asked.append(url) or answer())
    with pytest.raises(mast.MastError) as caught:
        mast.fetch_program(2733, tmp_path)
    message = str(caught.value)
    assert message.startswith("MAST query_criteria failed: ") and "\n" not in message, message
    assert expected in message, message
    assert list(tmp_path.iterdir()) == []  # (nothing was written)
    if fault in TRANSIENT:  # (4 retries by default, waiting 2, 4, 8, 16 s: MAST's answers had no Retry-After)
        assert message.endswith(" (still after 4 retries)") and waits == [2, 4, 8, 16] and len(asked) == 5, message
    else:
        assert waits == [] and len(asked) == 1


def _downloads(monkeypatch, fake: FakeMast, answer) -> None:
    """astroquery's own `_download_file` (its HEAD, GET and write), on the HTTP answers of `answer(method)`."""
    monkeypatch.setattr(Observations, "_download_file", fake.real_download_file)
    monkeypatch.setattr(Observations._session, "request", lambda method, url, *args, **kwargs: answer(method))


@pytest.mark.parametrize("body,length,reason", [
    (b"", True, "downloaded empty (0 bytes)"),
    (b"SIMPLE  =  T" * 10, False, "downloaded 120 bytes where the product list gives 190,080 (a cut download; should "
     "MAST list a wrong size, files fetched another way load with `mastgraph ingest FOLDER`)"),
], ids=["empty", "cut without Content-Length"])
def test_a_download_astroquery_calls_complete_but_is_not_whole_is_a_mast_error(monkeypatch, tmp_path, body, length,
                                                                               reason):
    """astroquery checks only that the file exists: an empty answer, or one cut short without a
    Content-Length, is COMPLETE in its manifest. The product list's size says it is not."""
    fake = FakeMast("01039", monkeypatch)
    _downloads(monkeypatch, fake, lambda method: _answer(200, body, "application/octet-stream", length))
    with pytest.raises(mast.MastError) as caught:
        mast.fetch_program(1039, tmp_path, subgroups=["X1D"])
    assert str(caught.value) == f"1 of 1 downloads failed, first: {tmp_path}/jw01039-o004_t001_miri_ch3-long_x1d.fits: {reason}"


def test_a_download_of_the_listed_size_is_kept(monkeypatch, tmp_path):
    fake = FakeMast("01039", monkeypatch)
    _downloads(monkeypatch, fake, lambda method: _answer(200, b"x" * 190080, "application/octet-stream"))
    files = mast.fetch_program(1039, tmp_path, subgroups=["X1D"])
    assert files[-1] == tmp_path / "jw01039-o004_t001_miri_ch3-long_x1d.fits" and files[-1].stat().st_size == 190080


def test_a_full_disk_while_downloading_names_the_file_and_why(monkeypatch, tmp_path):
    fake = FakeMast("01039", monkeypatch)
    _downloads(monkeypatch, fake, lambda method: _answer(200, b"x" * 190080, "application/octet-stream"))
    real_open = open

    class FullDisk:
        def __init__(self, path, mode):
            self.file, self.path = real_open(path, mode), path

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.path)

    monkeypatch.setattr("astroquery.query.open", FullDisk, raising=False)  # (astroquery's write of each download)
    with pytest.raises(mast.MastError) as caught:
        mast.fetch_program(1039, tmp_path, subgroups=["X1D"])
    assert str(caught.value) == (f"cannot write {tmp_path}/jw01039-o004_t001_miri_ch3-long_x1d.fits "
                                 "(No space left on device)")
    assert list(tmp_path.glob("*.fits")) == [] and list(tmp_path.glob(".*")) == []  # (its half went with it)


def test_a_full_disk_while_writing_the_tables_names_the_file_and_why(monkeypatch, tmp_path):
    FakeMast("01410", monkeypatch)

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Table, "write", full)
    with pytest.raises(mast.MastError) as caught:
        mast.fetch_program(1410, tmp_path)
    assert str(caught.value) == f"cannot write {tmp_path}/jw01410_observations.ecsv (No space left on device)"


@pytest.mark.parametrize("program", ["²", "٣", "-1", "123456", "abc", "2733.5"])
def test_a_program_number_is_at_most_five_ascii_digits(tmp_path, program):
    """(`str.isdigit` takes '²' and '٣': '²' then failed on `int` with a ValueError the command did not expect)"""
    with pytest.raises(mast.MastError, match="not a JWST program number"):
        mast.fetch_program(program, tmp_path)


def test_an_html_page_where_the_product_list_gives_no_size_is_refused(monkeypatch, tmp_path):
    fake = FakeMast("01039", monkeypatch)
    fake.products.remove_column("size")
    _downloads(monkeypatch, fake, lambda method: _answer(200, b"\n<!DOCTYPE html>\n<html><title>Error</title></html>",
                                                         "text/html"))
    with pytest.raises(mast.MastError) as caught:
        mast.fetch_program(1039, tmp_path, subgroups=["X1D"])
    assert str(caught.value) == (f"1 of 1 downloads failed, first: {tmp_path}/jw01039-o004_t001_miri_ch3-long_x1d.fits: "
                                 "MAST answered with an HTML page (an error page), not the file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jw01039_observations.ecsv", "jw01039_products.ecsv"]


def test_an_astroquery_that_downloads_otherwise_is_one_line(monkeypatch, tmp_path):
    """loaders/mast.py calls astroquery's `_download_file` (pyproject.toml bounds the versions that
    have it as it is called); another one is said in one line, not a TypeError mid-fetch."""
    FakeMast("01039", monkeypatch)
    monkeypatch.setattr(Observations, "_download_file", lambda url, local_filepath, **kwargs: local_filepath)
    with pytest.raises(mast.MastError) as caught:
        mast.fetch_program(1039, tmp_path, subgroups=["X1D"])
    assert str(caught.value).startswith("astroquery 0.4.") and str(caught.value).endswith(
        " does not download as mastgraph expects: install the version of requirements.lock "
        "(pip install -c requirements.lock 'mastgraph[mast]')"), caught.value



# -- retries of transient faults (loaders/mast_retry.py): the waits are recorded, never slept

NOW = datetime(2026, 12, 7, 17, 0, 0, tzinfo=timezone.utc)


def _policy(lines: list[str], retries: int = 4) -> mast_retry.RetryPolicy:
    return mast_retry.RetryPolicy(retries=retries, first_wait=2, max_wait=60, now=lambda: NOW, on_retry=lines.append)


def _unavailable(status: int, retry_after: str | None = None) -> requests.Response:
    answer = _answer(status, b"<html><body>busy</body></html>", "text/html")
    if retry_after is not None:
        answer.headers["Retry-After"] = retry_after
    return answer


def test_a_download_answered_not_now_is_retried_as_retry_after_says(monkeypatch, tmp_path, waits):
    """Through astroquery's own `_download_file`: its HEAD answered 503 (Retry-After in seconds), 429
    (Retry-After an HTTP date), 502 (none: the backoff, the third retry's 8 s) and 504 (an hour asked:
    capped at the longest wait), then the file."""
    fake = FakeMast("01039", monkeypatch)
    answers = [_unavailable(503, "7"), _unavailable(429, "Mon, 07 Dec 2026 17:00:30 GMT"), _unavailable(502),
               _unavailable(504, "3600")]
    asked = []

    def answer(method):
        asked.append(method)
        return answers.pop(0) if answers else _answer(200, b"x" * 190080, "application/octet-stream")

    _downloads(monkeypatch, fake, answer)
    lines: list[str] = []
    files = mast.fetch_program(1039, tmp_path, subgroups=["X1D"], retry=_policy(lines))
    assert files[-1].stat().st_size == 190080 and asked == ["HEAD"] * 5 + ["GET"]
    assert waits == [7, 30, 8, 60]
    name = "jw01039-o004_t001_miri_ch3-long_x1d.fits"
    assert lines == [f"MAST download of {name}: HTTP 503 Service Unavailable; retry 1 of 4 in 7 s",
                     f"MAST download of {name}: HTTP 429 Too Many Requests; retry 2 of 4 in 30 s",
                     f"MAST download of {name}: HTTP 502 Bad Gateway; retry 3 of 4 in 8 s",
                     f"MAST download of {name}: HTTP 504 Gateway Timeout; retry 4 of 4 in 60 s (MAST asked for 3,600 s)"]


def test_a_transient_fault_still_there_after_the_last_retry_stops_the_fetch_in_one_line(monkeypatch, tmp_path, waits):
    fake = FakeMast("01039", monkeypatch)
    fake.fail, fake.retry_after = 503, "Mon, 07 Dec 2026 16:59:00 GMT"  # (a date passed: no wait asked)
    lines: list[str] = []
    with pytest.raises(mast.MastError) as caught:
        mast.fetch_program(1039, tmp_path, subgroups=["X1D", "S3D"], retry=_policy(lines, retries=2))
    name = "jw01039-o004_t001_miri_ch3-long_s3d.fits"
    assert str(caught.value) == (f"MAST download of {name} failed: HTTPError: 503 Server Error: Service Unavailable for "
                                 f"url: https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:JWST/product/{name} "
                                 "(still after 2 retries)")
    assert fake.downloads == [name] * 3 and waits == [0, 0]  # (MAST is away: the next file is not asked)
    assert len(lines) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jw01039_observations.ecsv", "jw01039_products.ecsv"]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
def test_another_http_error_of_a_download_is_not_retried(monkeypatch, tmp_path, waits, status):
    fake = FakeMast("01039", monkeypatch)
    fake.fail = status
    with pytest.raises(mast.MastError, match=f"2 of 2 downloads failed, first: .*_s3d.fits: HTTPError: {status} "):
        mast.fetch_program(1039, tmp_path, subgroups=["X1D", "S3D"])
    assert len(fake.downloads) == 2 and waits == []  # (each file asked once)


RESET = requests.ConnectionError(urllib3.exceptions.ProtocolError(
    "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))


@pytest.mark.parametrize(("fault", "reason"), [
    (RESET, "connection reset"),
    (requests.exceptions.ChunkedEncodingError(urllib3.exceptions.ProtocolError(
        "Response ended prematurely")), "connection reset"),
    (requests.ReadTimeout("HTTPSConnectionPool(host='mast.stsci.edu', port=443): Read timed out. (read timeout=600)"),
     "timed out"),
    (requests.ConnectionError(urllib3.exceptions.ReadTimeoutError(None, "/api/v0.1/Download/file", "Read timed out.")),
     "timed out"),
    (requests.ConnectTimeout("HTTPSConnectionPool(host='mast.stsci.edu', port=443): Max retries exceeded"), "timed out"),
])
def test_a_reset_or_a_timeout_is_retried_then_the_fetch_goes_on(monkeypatch, tmp_path, waits, fault, reason):
    fake = FakeMast("01039", monkeypatch)
    faults = {"query_criteria": [fault], "get_product_list": [fault, fault], "download": [fault]}

    def failing(step, real):
        def call(*args, **kwargs):
            if faults[step]:
                if step == "download":  # (a part written before the reset: written again whole)
                    Path(args[1]).write_bytes(b"SIMPLE  =  T")
                raise faults[step].pop()
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(Observations, "query_criteria", failing("query_criteria", fake.query_criteria))
    monkeypatch.setattr(Observations, "get_product_list", failing("get_product_list", fake.get_product_list))
    download = failing("download", fake.download_file)
    monkeypatch.setattr(Observations, "_download_file", lambda url, local_filepath, *, timeout, continuation, cache,
                        head_safe, verbose: download(url, local_filepath, timeout=timeout, continuation=continuation,
                                                     cache=cache, head_safe=head_safe, verbose=verbose))
    lines: list[str] = []
    files = mast.fetch_program(1039, tmp_path, subgroups=["X1D"], retry=_policy(lines))
    assert files[-1].stat().st_size == 190080
    assert waits == [2, 2, 4, 2]
    assert lines == [f"MAST query_criteria: {reason}; retry 1 of 4 in 2 s",
                     f"MAST get_product_list: {reason}; retry 1 of 4 in 2 s",
                     f"MAST get_product_list: {reason}; retry 2 of 4 in 4 s",
                     f"MAST download of jw01039-o004_t001_miri_ch3-long_x1d.fits: {reason}; retry 1 of 4 in 2 s"]


@pytest.mark.parametrize("fault", [
    requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/api/v0/invoke", urllib3.exceptions.NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused"))),
    requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/api/v0/invoke", urllib3.exceptions.NameResolutionError(
        "mast.stsci.edu", None, OSError(-2, "Name or service not known")))),
    requests.exceptions.SSLError("certificate verify failed"),
    ValueError("no JSON"),
], ids=["refused", "no DNS", "TLS", "not JSON"])
def test_a_refused_connection_an_unknown_host_or_a_bad_answer_is_not_retried(fault):
    assert mast_retry.transient(fault) is None


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0), (" 7 ", 7.0), ("0", 0.0), ("-5", 0.0), ("1.5", 1.5),
    ("Mon, 07 Dec 2026 17:01:00 GMT", 60.0), ("Mon, 07 Dec 2026 16:00:00 GMT", 0.0),
    ("Monday, 07-Dec-26 17:00:10 GMT", 10.0),  # (RFC 850, which HTTP still allows)
    ("soon", None), ("", None), ("nan", None),
])
def test_retry_after_in_seconds_or_as_an_http_date(value, seconds):
    answer = _unavailable(503, value)
    assert mast_retry.retry_after(requests.HTTPError(response=answer), lambda: NOW) == seconds


def test_no_retries_when_set_so(monkeypatch, tmp_path, waits):
    fake = FakeMast("01039", monkeypatch)
    fake.fail = 429
    with pytest.raises(mast.MastError, match=r"HTTPError: 429 Client Error: .* \(still after 0 retries\)$"):
        mast.fetch_program(1039, tmp_path, subgroups=["X1D"], retry=mast_retry.RetryPolicy(retries=0))
    assert waits == [] and len(fake.downloads) == 1
