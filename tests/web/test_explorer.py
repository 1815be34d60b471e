"""The lineage explorer in headless Chromium against `mastgraph serve` on the demo sample: find,
picture, direction, expansion, groups, table, "copy as GraphQL"; every test also checks that the
page asked no other origin and logged no error (the `explorer` fixture)."""

from __future__ import annotations

import re

from urllib.parse import unquote

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from mastgraph.graph.neo4j_browser import editor_text

from .conftest import MOSAIC, WIDE, click, drawn, open_lineage, page_state, renders, wait, wait_idle, wait_render

LINEAGE = """query($uri: String!, $direction: LineageDirection!, $maxDepth: Int) {
  lineage(uri: $uri, direction: $direction, maxDepth: $maxDepth) { nodes { product { uri level labels } } }
}"""


def lineage_uris(server, uri: str, direction: str = "UPSTREAM", max_depth: int | None = None) -> dict[str, str | None]:
    """The lineage's products and their levels, as the API answers (guide-star products as "gs")."""
    nodes = server.graphql(LINEAGE, {"uri": uri, "direction": direction, "maxDepth": max_depth})["lineage"]["nodes"]
    return {n["product"]["uri"]: "gs" if "GuideStar" in n["product"]["labels"] else n["product"]["level"] for n in nodes}


def drawn_products(browser) -> dict[str, str | None]:
    return {d["uri"]: d["level"] for d in drawn(browser) if d["type"] == "product"}


def shown(browser) -> set[str]:
    """Every product on screen: drawn alone or as a member of a drawn group."""
    return set(drawn_products(browser)) | {uri for d in drawn(browser) if d["type"] == "group" for uri in d["members"]}


def table_names(browser) -> list[str]:
    return browser.driver.execute_script(
        "return [...document.querySelectorAll('.lineage-table tbody th')].map((cell) => cell.textContent)")


def click_node(browser, entity_id: str) -> None:
    click(browser, f'[data-id="{entity_id}"]')


def test_search_shows_the_mosaic_down_to_its_raw_exposures(browser, explorer):
    browser.open(explorer.base + "/")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "button.example"), message="no examples on the empty page")
    find = browser.driver.find_element(By.ID, "find")
    find.send_keys("jw02733-c1001_t001_miri_f1130w_i2")
    option = wait(browser, lambda d: [o for o in d.find_elements(By.CSS_SELECTOR, "#suggestions [role=option] .label")
                                      if o.text == "jw02733-c1001_t001_miri_f1130w_i2d.fits"],
                  message="the mosaic was not suggested")[0]
    option.click()
    render = wait_render(browser, 0)
    assert "id=" in browser.driver.current_url and "dir=up" in browser.driver.current_url
    expected = lineage_uris(explorer, MOSAIC)
    shown = drawn_products(browser)
    raw = {uri for uri, level in expected.items() if level == "1b"}
    assert len(raw) == 12, raw  # the mosaic's 12 members, each from one raw exposure
    assert {uri for uri, level in shown.items() if level == "1b" and "_gs-" not in uri} == raw
    grouped = {uri for d in drawn(browser) if d["type"] == "group" for uri in d["members"]}
    assert set(shown) | grouped == set(expected) and not set(shown) & grouped  # each product once
    assert render["nodes"] == len(expected)
    browser.screenshot("explorer-mosaic")


def test_direction_switch_walks_from_a_raw_exposure_to_the_mosaic(browser, explorer):
    raw = sorted(uri for uri, level in lineage_uris(explorer, MOSAIC).items() if level == "1b")[0]
    open_lineage(browser, explorer, raw, "up")
    assert MOSAIC not in drawn_products(browser)
    before = renders(browser)
    click(browser, 'input[name="dir"][value="down"]')
    wait_render(browser, before)
    assert "dir=down" in browser.driver.current_url
    expected = lineage_uris(explorer, raw, "DOWNSTREAM")
    assert MOSAIC in expected
    assert set(drawn_products(browser)) == set(expected)


def test_expand_a_node_one_step_from_its_panel(browser, explorer):
    raw = sorted(uri for uri, level in lineage_uris(explorer, MOSAIC).items() if level == "1b")[0]
    open_lineage(browser, explorer, raw, "up")
    before = set(drawn_products(browser))
    click_node(browser, f"p:{raw}")
    config = httpx.get(explorer.base + "/explorer/config.json", timeout=30).json()
    if config["neo4jBrowser"]:  # the panel hands the node's lineage to Neo4j Browser, `uri` as a parameter
        link = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, '#panel a[data-action="neo4j"]'))
        base, _, arg = link.get_attribute("href").partition("&cmd=edit&arg=")
        assert base == config["neo4jBrowser"]
        assert unquote(arg).strip() == editor_text(config["lineageCypher"]["UPSTREAM"], {"uri": raw}).strip()
    click(browser, '#panel [data-action="expand"][data-direction="DOWNSTREAM"]')
    step = set(lineage_uris(explorer, raw, "DOWNSTREAM", 1))
    wait(browser, lambda d: step <= set(drawn_products(browser)), message="the step was not drawn")
    assert set(drawn_products(browser)) == before | step
    assert any(level == "2a" for level in drawn_products(browser).values())


def test_groups_collapse_and_expand(browser, explorer):
    open_lineage(browser, explorer, WIDE, "up")
    members = lineage_uris(explorer, WIDE, "UPSTREAM", 1)
    cal = [uri for uri in members if uri.endswith("_cal.fits")]
    assert len(cal) == 48
    groups = [d for d in drawn(browser) if d["type"] == "group"]
    cal_group = next(g for g in groups if g["kind"] == "cal")
    assert cal_group["count"] == 48 and cal_group["label"].startswith("48 cal — ")
    assert not any(uri in drawn_products(browser) for uri in cal)
    browser.screenshot("explorer-grouped")
    click_node(browser, cal_group["id"])
    wait(browser, lambda d: set(cal) <= set(drawn_products(browser)), message="the group did not expand")
    assert not any(d["id"] == cal_group["id"] for d in drawn(browser))
    wait_idle(browser)
    collapse = browser.driver.find_element(By.CSS_SELECTOR, f'[data-id="c:{cal_group["id"]}"]')
    collapse.send_keys(Keys.ENTER)  # keyboard works as the mouse does
    wait(browser, lambda d: any(g["id"] == cal_group["id"] for g in drawn(browser)), message="the group did not collapse")
    assert not any(uri in drawn_products(browser) for uri in cal)
    assert page_state(browser, "window.mastgraphExplorer.lastRender.expandMs") < 1000


def test_table_view_sorts_and_copies(browser, explorer):
    open_lineage(browser, explorer, MOSAIC, "up")
    expected = lineage_uris(explorer, MOSAIC)
    click(browser, "#tab-table")
    rows = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".lineage-table tbody tr"))
    assert len(rows) == len(expected)
    header = browser.driver.find_element(By.CSS_SELECTOR, 'button[data-sort="filename"]')
    header.click()
    names = table_names(browser)
    assert names == sorted(names)
    assert browser.driver.find_element(By.CSS_SELECTOR, 'th[aria-sort="ascending"]').text.startswith("File name")
    browser.driver.switch_to.active_element.send_keys(Keys.ENTER)  # the header kept the focus
    names = table_names(browser)
    assert names == sorted(names, reverse=True)
    click(browser, 'button[data-action="copy-tsv"]')
    tsv = wait(browser, lambda d: page_state(browser, "window.mastgraphExplorer.lastCopy"))
    lines = tsv.strip("\n").split("\n")
    assert lines[0].split("\t")[0] == "File name" and len(lines) == len(expected) + 1
    browser.screenshot("explorer-table")


def test_copy_as_graphql_fetches_what_is_on_screen(browser, explorer):
    raw = sorted(uri for uri, level in lineage_uris(explorer, MOSAIC).items() if level == "1b")[0]
    open_lineage(browser, explorer, raw, "up")
    click_node(browser, f"p:{raw}")
    click(browser, '#panel [data-direction="DOWNSTREAM"]')
    wait(browser, lambda d: any(level == "2a" for level in drawn_products(browser).values()))
    click(browser, "#tab-export")
    click(browser, 'button[data-action="copy-graphql"]')
    document = wait(browser, lambda d: page_state(browser, "window.mastgraphExplorer.lastCopy"))
    # each walk is bounded by what it reached (MASTGRAPH_MAX_RESULT_OBJECTS counts limits, not the server's largest)
    assert re.search(r"^  lineage\(.*, limit: \d+\)", document, re.M) and re.search(r"expand1: .*maxDepth: 1, limit: \d+\)", document)
    answer = explorer.graphql(document)
    fetched = {n["product"]["uri"] for walk in answer.values() for n in walk["nodes"]}
    assert fetched == shown(browser)
    links = [a.get_attribute("href") for a in browser.driver.find_elements(By.CSS_SELECTOR, ".prov a")]
    assert {link.rsplit("format=", 1)[1] for link in links} == {"json", "provn", "xml", "dot"}
