"""The explorer's routes (api/web.py): the page, its hashed assets and their cache headers, our
GraphiQL instead of Strawberry's CDN page, the config, what the token guard leaves public, and the
page that says to run `make web` when the bundle is missing."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from mastgraph.api import web
from mastgraph.api.app import create_app
from mastgraph.graph import neo4j_browser, queries

from ..api.conftest import api_settings

TOKEN = "s3cret-page"


@pytest.fixture(scope="module")
def app(built_page, neo4j_settings):
    with TestClient(create_app(api_settings(neo4j_settings))) as client:
        yield client


@pytest.fixture(scope="module")
def guarded(built_page, neo4j_settings):
    with TestClient(create_app(api_settings(neo4j_settings, api_token=TOKEN))) as client:
        yield client


def test_page_and_hashed_assets(app):
    page = app.get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-cache"
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    bundles = [a for a in assets if re.search(r"-[A-Z0-9]{8}\.(js|css)$", a)]
    assert len(bundles) == 2, assets  # the explorer's script and style, named by content hash
    for asset in bundles:
        response = app.get(asset)
        assert response.status_code == 200 and "immutable" in response.headers["cache-control"]
    assert app.get("/static/nothing-here.js").status_code == 404
    assert not re.search(r"https?://", page.text)  # nothing from another origin


def test_graphiql_is_ours_not_the_cdn_page(app):
    page = app.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "/static/graphiql-" in page.text and "unpkg" not in page.text and "jsdelivr" not in page.text


def test_config_gives_the_browser_link_and_the_lineage_cypher(app, neo4j_settings):
    config = app.get("/explorer/config.json").json()
    assert config["neo4jBrowser"] == neo4j_browser.browser_url(neo4j_settings)
    assert config["lineageCypher"] == {"UPSTREAM": queries.text("lineage_down"),
                                       "DOWNSTREAM": queries.text("lineage_up")}


def test_token_guard_leaves_the_pages_public_and_the_data_guarded(guarded):
    assert guarded.get("/").status_code == 200
    script = re.search(r'src="(/static/[^"]+\.js)"', guarded.get("/").text).group(1)
    assert guarded.get(script).status_code == 200
    assert guarded.get("/graphql", headers={"Accept": "text/html"}).status_code == 200
    assert guarded.get("/explorer/config.json").status_code == 401
    assert guarded.get("/graphql", params={"query": "{ __typename }"}, headers={"Accept": "text/html"}).status_code == 401
    assert guarded.post("/graphql", json={"query": "{ __typename }"}).status_code == 401
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert guarded.get("/explorer/config.json", headers=bearer).status_code == 200


def test_without_the_bundle_the_page_says_to_run_make_web(app, tmp_path, monkeypatch):
    monkeypatch.setattr(web, "STATIC", tmp_path / "static")
    page = app.get("/")
    assert page.status_code == 503 and "make web" in page.text
    assert "make web" in app.get("/graphql", headers={"Accept": "text/html"}).text
    assert app.get("/static/explorer.js").status_code == 503
    assert "make web" in web.missing_assets_warning(tmp_path / "static")
