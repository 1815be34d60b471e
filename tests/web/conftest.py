"""The explorer page in a real browser: one `mastgraph serve` subprocess on the test Neo4j with the
bundled demo sample loaded (as `mastgraph demo` loads it), shared by every page test.

The built page (`make web`) must be there: without it the tests fail with one line saying so.
Expected answers come from the GraphQL API itself (the page must show what the API answers).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from mastgraph.api.web import missing_assets_warning
from mastgraph.graph.server import free_port

from ..conftest import count, load_demo

#: The demo's Level-3 mosaic across two MIRI observations (12 members), and a 48-member mosaic.
MOSAIC = "mast:JWST/product/jw02733-c1001_t001_miri_f1130w_i2d.fits"
WIDE = "mast:JWST/product/jw01345-o001_t001_nircam_clear-f200w_i2d.fits"
TIMEOUT = 45  # generous: the test machine may be shared and loaded


@dataclass
class Server:
    base: str
    token: str | None = None

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = httpx.post(self.base + "/graphql", json={"query": query, "variables": variables or {}},
                              headers=headers, timeout=60)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


def start_server(neo4j_settings, home: Path, token: str = "", **settings: str) -> tuple[subprocess.Popen, str]:
    """`mastgraph serve` on the test Neo4j (`settings`: more environment, MASTGRAPH_MAX_PAGE_SIZE="1" ...)."""
    port = free_port()
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri, "MASTGRAPH_HOME": str(home), "MASTGRAPH_API_TOKEN": token,
           **settings}
    if neo4j_settings.neo4j_password:
        env.update(NEO4J_USER=neo4j_settings.neo4j_user, NEO4J_PASSWORD=neo4j_settings.neo4j_password)
    if neo4j_settings.neo4j_browser_url:  # the test Neo4j's Browser, for the panel's links
        env["MASTGRAPH_NEO4J_BROWSER_URL"] = neo4j_settings.neo4j_browser_url
    # The server's log goes to a file: a pipe nobody reads would fill up and stop the server.
    log = open(home / f"serve-{port}.log", "w")  # noqa: SIM115 - closed by stop_server
    proc = subprocess.Popen([sys.executable, "-m", "mastgraph.cli", "serve", "--port", str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    proc.log = log
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code in (200, 401):
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"mastgraph serve exited: {stop_server(proc)[-2000:]}", pytrace=False)
        if time.monotonic() > deadline:
            proc.terminate()
            pytest.fail("mastgraph serve was not ready within 60 s", pytrace=False)
        time.sleep(0.3)


def stop_server(proc: subprocess.Popen) -> str:
    """Stop the server; its log."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.log.close()
    return Path(proc.log.name).read_text()


@pytest.fixture(scope="session")
def built_page() -> None:
    message = missing_assets_warning()
    if message:
        pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory, session_driver, neo4j_settings) -> Path:
    return load_demo(session_driver, neo4j_settings, tmp_path_factory.mktemp("explorer-home"))


@pytest.fixture(scope="session")
def explorer_server(built_page, demo_home, neo4j_settings) -> Iterator[Server]:
    proc, base = start_server(neo4j_settings, demo_home)
    try:
        yield Server(base)
    finally:
        stop_server(proc)


@pytest.fixture
def explorer(explorer_server, session_driver, demo_home, neo4j_settings, browser) -> Iterator[Server]:
    """The served demo (reloaded if another test emptied the graph); after the test, the page
    must have asked nothing of another origin and logged no error."""
    if count(session_driver, "MATCH (p:Product {uri: $uri}) RETURN count(p)", uri=MOSAIC) == 0:
        load_demo(session_driver, neo4j_settings, demo_home)
    browser.requested()
    browser.console_errors()
    yield explorer_server
    foreign = browser.foreign_requests(explorer_server.base, browser.requested())
    assert not foreign, f"the page asked other origins: {foreign[:5]}"
    errors = [e for e in browser.console_errors() if "favicon" not in e]
    assert not errors, errors


def wait(browser, condition, timeout: float = TIMEOUT, message: str = ""):
    """Wait until `condition(driver)` is truthy; its value."""
    return WebDriverWait(browser.driver, timeout, poll_frequency=0.1).until(condition, message)


def page_state(browser, expression: str):
    return browser.driver.execute_script(f"return {expression}")


def drawn(browser) -> list[dict]:
    return page_state(browser, "window.mastgraphExplorer.drawn()")


def open_lineage(browser, server: Server, key: str, direction: str = "up") -> dict:
    """Load a deep link and wait until its picture is drawn; the last render's timing."""
    browser.open(f"{server.base}/?{urlencode({'id': key, 'dir': direction})}")
    return wait_render(browser, 0)


def renders(browser) -> int:
    return page_state(browser, "window.mastgraphExplorer ? window.mastgraphExplorer.renders : 0")


def wait_render(browser, before: int) -> dict:
    """Wait until the page drew a lineage more than `before` times and is idle; the last render."""
    def rendered(driver):
        return driver.execute_script(
            "const e = window.mastgraphExplorer; return e && e.idle() && e.renders > arguments[0] && e.lastRender", before)
    return wait(browser, rendered, message="the lineage was not drawn")


def wait_idle(browser) -> None:
    """Wait until the page has no request under way (its picture and panel are final)."""
    wait(browser, lambda d: d.execute_script("return window.mastgraphExplorer.idle()"), message="the page stayed busy")


def click(browser, selector: str) -> None:
    """Click what `selector` finds once the page is idle (a redraw replaces the elements)."""
    wait_idle(browser)
    for _ in range(5):
        try:
            wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, selector)).click()
            return
        except StaleElementReferenceException:
            wait_idle(browser)
    raise AssertionError(f"{selector} kept being redrawn")
