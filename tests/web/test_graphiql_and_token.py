"""GraphiQL is served by mastgraph from its own bundle (no CDN) and runs a query; with
MASTGRAPH_API_TOKEN set, the page asks for the token once and then works."""

from __future__ import annotations

from urllib.parse import urlencode

from selenium.webdriver.common.by import By

from .conftest import MOSAIC, Server, start_server, stop_server, wait


def test_graphiql_is_self_hosted_and_runs_a_query(browser, explorer):
    query = '{ product(uri: "%s") { filename level } }' % MOSAIC
    browser.open(f"{explorer.base}/graphql#{urlencode({'query': query})}")
    run = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".graphiql-execute-button"), message="GraphiQL did not render")
    run.click()
    wait(browser, lambda d: "jw02733-c1001_t001_miri_f1130w_i2d.fits" in d.find_element(By.CSS_SELECTOR, ".result-window").text,
         message="GraphiQL showed no answer")
    browser.screenshot("graphiql")


def test_token_is_asked_once_and_kept_for_the_tab(browser, explorer, neo4j_settings, demo_home):
    proc, base = start_server(neo4j_settings, demo_home, token="s3cret-explorer")
    try:
        guarded = Server(base, token="s3cret-explorer")
        browser.open(base + "/")
        field = wait(browser, lambda d: d.find_element(By.ID, "token-input"), message="no token prompt")
        field.send_keys("s3cret-explorer")
        browser.driver.find_element(By.ID, "token-ok").click()
        wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "button.example"), message="no examples after the token")
        browser.open(f"{base}/?id={MOSAIC}&dir=up")  # the same tab: no second prompt
        wait(browser, lambda d: d.execute_script("return window.mastgraphExplorer && window.mastgraphExplorer.renders"))
        assert not browser.driver.find_elements(By.ID, "token-input")
        assert guarded.graphql('{ product(uri: "%s") { level } }' % MOSAIC)["product"]["level"] == "3"
        foreign = browser.foreign_requests(base, browser.requested())
        assert not foreign, foreign
        errors = browser.console_errors()  # Chromium logs the first, refused requests
        assert all("401 (Unauthorized)" in error for error in errors), errors
    finally:
        browser.driver.execute_script("sessionStorage.clear()")
        browser.open("about:blank")
        stop_server(proc)
        browser.requested()  # the explorer fixture checks requests against its own server
        browser.console_errors()
