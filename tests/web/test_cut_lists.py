"""A relation list the server cut at its page size says so in the page: the panel's "Ended up in" lists
the first MASTGRAPH_MAX_PAGE_SIZE Level-3 products and says how many there are."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By

from ..conftest import count, load_demo
from .conftest import MOSAIC, Server, click, open_lineage, page_state, start_server, stop_server, wait, wait_idle

ENDS = """query ($uri: String!) { product(uri: $uri) { endProducts { uri } endProductsConnection { totalCount } } }"""
RAW = """query ($uri: String!) { lineage(uri: $uri, direction: UPSTREAM) { nodes { product { uri level } } } }"""


@pytest.fixture
def one_per_page(built_page, demo_home, session_driver, neo4j_settings, browser, explorer_server) -> Iterator[Server]:
    """The served demo with MASTGRAPH_MAX_PAGE_SIZE=1 (beside the `explorer_server`); after the test, the page
    must have asked nothing of an origin but the two servers' and logged no error."""
    if count(session_driver, "MATCH (p:Product {uri: $uri}) RETURN count(p)", uri=MOSAIC) == 0:
        load_demo(session_driver, neo4j_settings, demo_home)
    proc, base = start_server(neo4j_settings, demo_home, MASTGRAPH_MAX_PAGE_SIZE="1")
    browser.requested()
    browser.console_errors()
    try:
        yield Server(base)
        foreign = browser.foreign_requests(explorer_server.base, browser.foreign_requests(base, browser.requested()))
        assert not foreign, f"the page asked other origins: {foreign[:5]}"
        errors = [e for e in browser.console_errors() if "favicon" not in e]
        assert not errors, errors
    finally:
        browser.open("about:blank")
        stop_server(proc)


def ends_panel(browser, server: Server, uri: str) -> tuple[str, list[str], str]:
    """The panel of `uri` opened from its downstream lineage: its "Ended up in" heading, the products it
    lists, and what it says of a cut ("" when nothing was cut)."""
    open_lineage(browser, server, uri, "down")
    click(browser, f'[data-id="p:{uri}"]')
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#panel section h3"), message="the panel has no details")
    wait_idle(browser)
    return page_state(browser, """(() => {
      const section = [...document.querySelectorAll('#panel section')].find((s) => s.querySelector('h3').textContent.startsWith('Ended up in'));
      const cut = section && section.querySelector('[data-cut="endProducts"]');
      return [section ? section.querySelector('h3').textContent : '',
              section ? [...section.querySelectorAll('button[data-open-key]')].map((b) => b.dataset.openKey) : [],
              cut ? cut.textContent : ''];
    })()""")


def test_a_cut_list_of_end_products_says_how_many_there_are(browser, one_per_page, explorer_server):
    raw = sorted(n["product"]["uri"] for n in explorer_server.graphql(RAW, {"uri": MOSAIC})["lineage"]["nodes"]
                 if n["product"]["level"] == "1b")
    ends = {uri: explorer_server.graphql(ENDS, {"uri": uri})["product"] for uri in raw}
    uri, whole = next((uri, p) for uri, p in ends.items() if p["endProductsConnection"]["totalCount"] >= 2)
    total = whole["endProductsConnection"]["totalCount"]
    assert total == len(whole["endProducts"])
    heading, listed, cut = ends_panel(browser, one_per_page, uri)
    assert heading == f"Ended up in ({total} Level-3)"
    assert listed == [whole["endProducts"][0]["uri"]]
    assert cut == f"the first 1 of {total} listed (the server's page size, MASTGRAPH_MAX_PAGE_SIZE)"
    # the same product on a server whose page holds them all: every one listed, no cut said
    heading, listed, cut = ends_panel(browser, explorer_server, uri)
    assert (heading, listed, cut) == (f"Ended up in ({total} Level-3)", [p["uri"] for p in whole["endProducts"]], "")
