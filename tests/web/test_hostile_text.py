"""Text from the loaded data and from the URL is shown as text, never run as HTML or script.

A small graph is loaded through the loaders from files written here (a product listing, observation
rows, an association, a FITS header) whose free-text values carry markup and script: the PI, the
target, the filters, a product's description and subgroup, the association's rule, CAL_VER,
CRDS_VER and reference files named by override. The page is driven through the examples, search,
the picture, the side panels, the table, the download list and the export tab, and opened with a
hostile `id` and `kind` in its query string, and GraphiQL with a hostile fragment. Each hostile
string, if it ran, would set `window.__pwned`; the test checks that it stays undefined and that each
string is shown literally where it belongs.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import urlencode

from astropy.io import fits
import numpy as np
import pytest
from selenium.webdriver.common.by import By

from .conftest import click, page_state, wait, wait_idle, wait_render
from ..conftest import count, empty_graph

IMG = '<img src=x onerror="window.__pwned=1">'
SVG = '"><svg onload=window.__pwned=2>'
JS = "javascript:window.__pwned=3"
QUOTE = "'><img src=x onerror=window.__pwned=4>&amp;"
#: Reference files named by a user's override (stpipe records the name as given; no spaces, and the
#: loader keeps what follows a '/'): markup, and an entity that must show as written.
OVERRIDE = "'\"><b>flat&amp;"
OVERRIDE_JS = "javascript:window.__pwned=6"
URL_ID = '<img src=x onerror="window.__pwned=7">'
URL_KIND = '"><svg onload=window.__pwned=8>'

PROGRAM = "09990"
L3_OBSID, EXP_OBSID = "99900001", "99900002"
L3 = "jw09990-o001_t001_miri_f770w_i2d.fits"
CAL = "jw09990001001_02101_00001_mirimage_cal.fits"
L3_URI, CAL_URI = f"mast:JWST/product/{L3}", f"mast:JWST/product/{CAL}"
ASN = "jw09990-o001_20250101t000000_image3_00001"

#: Where each hostile string is loaded (what the page must show literally).
PI = IMG
TARGET = f"{SVG} {JS}"
FILTERS = QUOTE
DESCRIPTION = f"{IMG} {SVG}"
SUBGROUP = QUOTE
ASN_RULE = f"{QUOTE} {JS}"
CAL_VER = IMG
CRDS_VER = SVG


def write_inputs(folder: Path) -> None:
    """The files the loaders read: one Level-3 mosaic of one calibrated exposure, hostile text in each free field."""
    columns = ["obsID", "obs_collection", "dataproduct_type", "obs_id", "description", "type", "dataURI",
               "productType", "productGroupDescription", "productSubGroupDescription", "project", "prvversion",
               "proposal_id", "productFilename", "size", "parent_obsid", "dataRights", "calib_level"]
    rows = [
        [L3_OBSID, "JWST", "image", "jw09990-o001_t001_miri_f770w", DESCRIPTION, "D", L3_URI, "SCIENCE",
         "Minimum Recommended Products", SUBGROUP, "CALJWST", "1.11.4", "9990", L3, "2000", L3_OBSID, "PUBLIC", "3"],
        [EXP_OBSID, "JWST", "image", "jw09990001001_02101_00001_mirimage", DESCRIPTION, "S", CAL_URI, "SCIENCE",
         "", SUBGROUP, "CALJWST", "1.11.4", "9990", CAL, "1000", L3_OBSID, "PUBLIC", "2"],
    ]
    with open(folder / "jw09990_products.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([columns, *rows])
    observations = [
        ["obsid", "obs_id", "calib_level", "instrument_name", "filters", "target_name", "proposal_id", "proposal_pi"],
        [L3_OBSID, "jw09990-o001_t001_miri_f770w", "3", "MIRI/IMAGE", FILTERS, TARGET, "9990", PI],
        [EXP_OBSID, "jw09990001001_02101_00001_mirimage", "2", "MIRI/IMAGE", FILTERS, TARGET, "9990", PI],
    ]
    with open(folder / "jw09990_observations.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(observations)
    asn = {"asn_type": "image3", "asn_rule": ASN_RULE, "version_id": "20250101t000000", "program": PROGRAM,
           "asn_id": "o001", "asn_pool": "jw09990_20250101t000000_pool.csv", "target": "1",
           "products": [{"name": "jw09990-o001_t001_miri_f770w",
                         "members": [{"expname": CAL, "exptype": "science"}]}]}
    (folder / f"{ASN}_asn.json").write_text(json.dumps(asn, indent=2))
    primary = fits.PrimaryHDU()
    for key, value in {"FILENAME": CAL, "INSTRUME": "MIRI", "EXP_TYPE": "MIR_IMAGE", "PROGRAM": PROGRAM,
                       "OBSERVTN": "001", "VISIT": "001", "CAL_VER": CAL_VER, "CRDS_VER": CRDS_VER,
                       "CRDS_CTX": "jwst_1293.pmap", "R_FLAT": OVERRIDE, "R_DARK": OVERRIDE_JS}.items():
        primary.header[key] = value
    fits.HDUList([primary, fits.ImageHDU(np.zeros((2, 2), dtype="f4"), name="SCI")]).writeto(folder / CAL)


@pytest.fixture
def hostile(explorer_server, session_driver, neo4j_settings, browser, tmp_path):
    """The served graph holding only the hostile sample (the `explorer` fixture loads the demo again
    for the tests after); after the test, the page must have asked nothing of another origin (an
    `<img src=x>` that became an element would ask for /x) and logged no error."""
    from mastgraph.pipeline.ingest import ingest_paths

    folder = tmp_path / "hostile"
    folder.mkdir()
    write_inputs(folder)
    empty_graph(session_driver, neo4j_settings.neo4j_database)
    report = ingest_paths(session_driver, neo4j_settings, [folder])
    assert not report.failed and not report.rejects, ([f.error for f in report.failed], report.rejects)
    assert count(session_driver, "MATCH (p:Product {uri: $uri})-[:COMPOSITION]->(:Product {uri: $cal}) RETURN count(p)",
                 uri=L3_URI, cal=CAL_URI) == 1
    browser.requested()
    browser.console_errors()
    yield explorer_server
    requested = browser.requested()
    errors = [e for e in browser.console_errors() if "favicon" not in e]
    # the next test's page loads afresh (GraphiQL at another fragment would stay as it is)
    browser.open("about:blank")
    browser.requested()
    browser.console_errors()
    foreign = browser.foreign_requests(explorer_server.base, requested)
    assert not foreign, f"the page asked other origins: {foreign[:5]}"
    assert not [url for url in requested if url.rstrip("/").endswith(("/x", "/undefined"))], requested
    assert not errors, errors


def not_run(browser) -> None:
    """No hostile string ran, and none became an element or an event handler."""
    assert page_state(browser, "typeof window.__pwned") == "undefined", page_state(browser, "window.__pwned")
    assert page_state(browser, "document.querySelectorAll('[onerror], [onload], img[src=\"x\"]').length") == 0


def text_of(browser, selector: str) -> str:
    """The text of what `selector` finds (textContent: also the SVG's and hidden parts)."""
    return page_state(browser, f"[...document.querySelectorAll({json.dumps(selector)})].map((e) => e.textContent).join('\\n')")


def test_data_text_is_shown_literally_in_every_view(browser, hostile):
    base = hostile.base
    browser.open(base + "/")
    # the empty page's examples: the program's PI, the observation's filters and target
    examples = wait(browser, lambda d: "PI " in text_of(browser, "#examples") and text_of(browser, "#examples"),
                    message="no examples on the empty page")
    assert f"PI {PI}, 2 observations" in examples
    assert f"{FILTERS}, {TARGET}" in examples
    # search: typed text finds the program, the observations and the association, with their details
    find = browser.driver.find_element(By.ID, "find")
    find.send_keys("jw09990-o001")
    wait(browser, lambda d: ASN_RULE in text_of(browser, "#suggestions"), message="the association was not suggested")
    suggestions = text_of(browser, "#suggestions .detail")
    assert f"image3, {ASN_RULE}, 1 member" in suggestions
    assert f"{FILTERS}, {TARGET}" in suggestions
    not_run(browser)
    click(browser, "#suggestions [role=option]:has(.kind-ASSOCIATION)")
    wait_render(browser, 0)
    wait_idle(browser)
    # the picture and the start's panel (the Level-3 product)
    assert {d["uri"] for d in page_state(browser, "window.mastgraphExplorer.drawn()") if d["uri"]} >= {L3_URI, CAL_URI}
    panel = wait(browser, lambda d: "Made by association" in text_of(browser, "#panel") and text_of(browser, "#panel"))
    assert f"Description{DESCRIPTION}" in panel and f"Subgroup{SUBGROUP}" in panel
    assert f"{ASN} {ASN_RULE}" in panel
    not_run(browser)
    # the calibrated exposure's panel: CAL_VER, CRDS_VER and the overriding reference files; the
    # picture draws those files beside it, their names as SVG text and titles
    click(browser, f'[data-id="p:{CAL_URI}"]')
    wait(browser, lambda d: OVERRIDE in text_of(browser, "#panel"), message="the exposure's panel has no reference files")
    wait_idle(browser)
    panel = text_of(browser, "#panel")
    assert f"CAL_VER{CAL_VER}" in panel and f"CRDS_VER{CRDS_VER}" in panel
    assert f"{OVERRIDE} flat" in panel and f"{OVERRIDE_JS} dark" in panel
    for name in (OVERRIDE, OVERRIDE_JS):  # its line of text, its title (the tooltip) and its accessible name
        assert name in text_of(browser, ".node.contributing text.l1").split("\n")
        assert name in text_of(browser, ".node.contributing > title").split("\n")
    labels = page_state(browser, "[...document.querySelectorAll('.node.contributing')].map((e) => e.getAttribute('aria-label'))")
    assert {f"reference file · flat: {OVERRIDE}", f"reference file · dark: {OVERRIDE_JS}"} <= set(labels)
    not_run(browser)
    # the table and the download list name the products (their names pass the JWST naming rules)
    click(browser, "#tab-table")
    wait(browser, lambda d: {L3, CAL} <= set(text_of(browser, ".lineage-table tbody th").split("\n")))
    click(browser, "#tab-download")
    wait(browser, lambda d: L3 in text_of(browser, "table.files tbody th"), message="the download list is empty")
    click(browser, "#mrp-only")
    wait(browser, lambda d: CAL in text_of(browser, "table.files tbody th"), message="the exposure was not listed")
    click(browser, "#tab-export")
    wait(browser, lambda d: L3_URI in text_of(browser, "pre.graphql"))
    not_run(browser)
    browser.screenshot("explorer-hostile-text")
    # the PROV-XML the export tab links to names the exposure's CAL_VER (the pipeline agent): as XML text
    prov = [a.get_attribute("href") for a in browser.driver.find_elements(By.CSS_SELECTOR, ".prov a")
            if a.get_attribute("href").endswith("format=xml")][0]
    browser.open(prov)
    assert f"JWST calibration pipeline {CAL_VER}" in page_state(browser, "document.documentElement.textContent")
    not_run(browser)


def test_url_text_is_shown_literally(browser, hostile):
    """A hostile `id` and `kind` in the query string (and a fragment) are looked up as text."""
    browser.open(f"{hostile.base}/?{urlencode({'id': URL_ID, 'kind': URL_KIND, 'dir': 'up'})}#{SVG}")
    wait(browser, lambda d: f"nothing called {URL_ID} is loaded" in d.find_element(By.ID, "status").text,
         message="the page did not say that nothing is called so")
    assert browser.driver.find_element(By.ID, "find").get_attribute("value") == URL_ID
    not_run(browser)
    # GraphiQL takes its query and variables from the fragment: shown in its editors as text, and
    # the answer's text (the PI) in its result
    query = f'# {URL_ID}\n{{ program(id: "{PROGRAM}") {{ pi }} }}'
    browser.open(f"{hostile.base}/graphql#{urlencode({'query': query, 'variables': json.dumps({'x': SVG})})}")
    wait(browser, lambda d: URL_ID in text_of(browser, ".graphiql-query-editor"), message="GraphiQL did not show the query")
    wait(browser, lambda d: SVG in page_state(browser, "document.body.innerText"), message="GraphiQL did not show the variables")
    browser.driver.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    wait(browser, lambda d: json.dumps(PI) in d.find_element(By.CSS_SELECTOR, ".result-window").text,
         message="GraphiQL did not show the PI")
    not_run(browser)
