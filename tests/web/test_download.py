"""The download panel uses the API's `downloadList`: what the page lists and exports is what
scripts get from GraphQL (and `mastgraph download-list`)."""

from __future__ import annotations

import time
from pathlib import Path

from selenium.webdriver.common.by import By

from .conftest import MOSAIC, click, open_lineage, wait

DOWNLOAD_LIST = """query($id: String!, $all: Boolean) {
  downloadList(id: $id, all: $all) { count uris files { uri level suffix } }
}"""


def listed(browser) -> list[str]:
    """The files listed, read in one step (the list is redrawn when a filter changes)."""
    return browser.driver.execute_script(
        "return [...document.querySelectorAll('table.files tbody tr')].map((row) => row.dataset.uri)")


def downloaded(folder: Path, name: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    path = folder / name
    while not path.exists() or any(folder.glob("*.crdownload")):
        assert time.monotonic() < deadline, f"{name} was not saved: {sorted(p.name for p in folder.iterdir())}"
        time.sleep(0.1)
    return path.read_text()


def test_mrp_checkbox_and_uri_export_match_the_api(browser, explorer, tmp_path):
    browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_lineage(browser, explorer, MOSAIC, "up")
    click(browser, "#tab-download")
    mrp = explorer.graphql(DOWNLOAD_LIST, {"id": MOSAIC, "all": False})["downloadList"]
    everything = explorer.graphql(DOWNLOAD_LIST, {"id": MOSAIC, "all": True})["downloadList"]
    checkbox = wait(browser, lambda d: d.find_element(By.ID, "mrp-only"))
    assert checkbox.is_selected()  # the seed's default: Minimum Recommended Products only
    wait(browser, lambda d: listed(browser) == [f["uri"] for f in mrp["files"]], message="MRP list differs from the API")
    assert not any(f["level"] in ("1b", "2a") for f in mrp["files"])
    click(browser, "#mrp-only")
    wait(browser, lambda d: listed(browser) == [f["uri"] for f in everything["files"]], message="full list differs from the API")
    levels = {f["level"] for f in everything["files"]}
    assert {"1b", "2a", "2b"} <= levels  # raw and intermediate files revealed
    summary = browser.driver.find_element(By.ID, "download-summary").text
    assert summary.startswith(f"{everything['count']} of {everything['count']} files")
    browser.screenshot("explorer-download")
    click(browser, 'button[data-export="uris"]')
    name = "jw02733-c1001_t001_miri_f1130w_i2d_uris.txt"
    assert downloaded(tmp_path, name) == everything["uris"]


def test_filters_and_unchecked_files(browser, explorer, tmp_path):
    browser.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_lineage(browser, explorer, MOSAIC, "up")
    click(browser, "#tab-download")
    wait(browser, lambda d: listed(browser))
    click(browser, "#mrp-only")
    wait(browser, lambda d: len(listed(browser)) > 20)
    click(browser, 'input[data-facet="levels"][value="1b"]')
    raw = explorer.graphql("""query($id: String!) { downloadList(id: $id, all: true, levels: ["1b"]) { files { uri } } }""",
                           {"id": MOSAIC})["downloadList"]["files"]
    wait(browser, lambda d: listed(browser) == [f["uri"] for f in raw], message="the level filter differs from the API")
    first = raw[0]["uri"]
    click(browser, f'input[data-file="{first}"]')
    click(browser, 'button[data-export="uris"]')
    text = downloaded(tmp_path, "jw02733-c1001_t001_miri_f1130w_i2d_uris.txt")
    assert text.split() == [f["uri"] for f in raw[1:]]
