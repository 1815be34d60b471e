"""The export tab's PROV links and buttons reach `/prov/{uri}` for any product URI: the URI is one
path segment encoded whole (`encodeURIComponent`), so a `?`, `#` or `%` in it is part of the URI,
not the start of a query or fragment, and the server's `{uri:path}` route decodes its `/` again."""

from __future__ import annotations

from urllib.parse import unquote

import httpx
import pytest
from selenium.webdriver.common.by import By

from ..api.conftest import PREFIX
from .conftest import click, open_lineage, wait, wait_idle

#: A product URI holding what `encodeURI` leaves as it is (`?`, `#`) and what must stay literal (`%41`, `&`).
ODD = PREFIX + "jw09991-o001_t001_miri_f770w?x=1&y#frag%41_i2d.fits"


@pytest.fixture
def odd_product(explorer, session_driver, neo4j_settings):
    database = neo4j_settings.neo4j_database
    session_driver.execute_query("MERGE (p:Product {uri: $uri}) SET p:L3, p.filename = $name, p.level = '3', "
                                 "p.calib_level = 3", uri=ODD, name=ODD.removeprefix(PREFIX), database_=database)
    yield explorer
    session_driver.execute_query("MATCH (p:Product {uri: $uri}) DETACH DELETE p", uri=ODD, database_=database)


def test_prov_links_and_buttons_of_a_uri_with_query_and_fragment_characters(browser, odd_product):
    open_lineage(browser, odd_product, ODD, "up")
    click(browser, "#tab-export")
    links = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".prov a"))
    hrefs = [a.get_attribute("href") for a in links]
    assert len(hrefs) == 4
    for href in hrefs:
        path, _, query = href.partition("?")
        assert query.startswith("format=") and "#" not in href
        assert unquote(path.removeprefix(odd_product.base)) == "/prov/" + ODD
        response = httpx.get(href, timeout=60)
        assert response.status_code == 200, response.text
    # the PROV-JSON document is of this product (named `jwst:<file name>`, as written)
    json_link = next(h for h in hrefs if h.endswith("format=json"))
    assert "jwst:" + ODD.removeprefix(PREFIX) in httpx.get(json_link, timeout=60).json()["entity"]
    browser.network_events()  # (forget what came before the button)
    click(browser, 'button[data-prov="provn"]')
    wait_idle(browser)
    answered = [event["params"]["response"] for event in browser.network_events()
                if event.get("method") == "Network.responseReceived" and "/prov/" in event["params"]["response"]["url"]]
    assert [(unquote(r["url"].removeprefix(odd_product.base).partition("?")[0]), r["status"]) for r in answered] == [
        ("/prov/" + ODD, 200)]
    assert "failed" not in browser.driver.find_element(By.ID, "status").text.lower()
