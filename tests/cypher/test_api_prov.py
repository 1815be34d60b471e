"""api/prov.py mounted in a small Starlette app of the test's own (async driver on app.state)."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from urllib.parse import quote

import httpx
import pytest
from prov.model import ProvDocument, ProvEntity, ProvGeneration
from starlette.applications import Starlette
from starlette.routing import Route

from mastgraph.api.prov import prov_endpoint
from mastgraph.graph import db, prov

from .conftest import ImagingProgram

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@asynccontextmanager
async def serve(settings):
    """The endpoint on `/prov/{uri:path}` of an app whose lifespan opens the async driver."""

    @asynccontextmanager
    async def lifespan(app):
        app.state.settings = settings
        app.state.driver = db.async_driver(settings)
        try:
            yield
        finally:
            await app.state.driver.close()

    app = Starlette(routes=[Route("/prov/{uri:path}", prov_endpoint, methods=["GET"])], lifespan=lifespan)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mastgraph.test") as client:
            yield client


@pytest.fixture
def client(neo4j_settings, imaging):
    return lambda: serve(neo4j_settings)


def entity_ids(doc: ProvDocument) -> set[str]:
    return {str(r.identifier) for r in doc.get_records(ProvEntity)}


@pytest.mark.parametrize("fmt", ["json", "provn", "xml"])
async def test_formats_parse_back(fmt, client, imaging: ImagingProgram):
    async with client() as http:
        response = await http.get(f"/prov/{imaging.l3}", params={"format": fmt, "depth": 3})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(prov.FORMATS[fmt])
    doc = ProvDocument.deserialize(content=response.text, format=fmt)
    name = "jwst:" + imaging.l3.rsplit("/", 1)[-1]
    assert {name} | {"jwst:" + e.uncal.rsplit("/", 1)[-1] for e in imaging.exposures} <= entity_ids(doc)
    generated = {(str(r.args[0]), str(r.args[1])) for r in doc.get_records(ProvGeneration)}
    assert (name, f"stage:{imaging.asn3_name}") in generated


async def test_default_is_prov_json_at_depth_3_and_the_uri_may_be_quoted(client, imaging: ImagingProgram):
    uncal = "jwst:" + imaging.exposures[0].uncal.rsplit("/", 1)[-1]
    async with client() as http:
        response = await http.get("/prov/" + quote(imaging.l3, safe=""))
        shallow = await http.get(f"/prov/{imaging.l3}?depth=1")
    assert response.status_code == 200, response.text
    assert uncal in entity_ids(ProvDocument.deserialize(content=response.text, format="json"))
    assert uncal not in entity_ids(ProvDocument.deserialize(content=shallow.text, format="json"))


async def test_dot(client, imaging: ImagingProgram):
    async with client() as http:
        response = await http.get(f"/prov/{imaging.l3}", params={"format": "dot"})
    assert response.status_code == 200 and response.text.startswith("digraph")
    assert response.headers["content-type"].startswith("text/vnd.graphviz")


@pytest.mark.parametrize("query,status,message", [
    ("format=ttl", 400, "unknown PROV format 'ttl'"),
    ("depth=two", 400, "depth must be a whole number"),
    ("depth=11", 400, "depth must be between 0 and 10"),
])
async def test_bad_requests(query, status, message, client, imaging: ImagingProgram):
    async with client() as http:
        response = await http.get(f"/prov/{imaging.l3}?{query}")
    assert response.status_code == status
    assert message in json.loads(response.text)["error"]


async def test_unknown_product_is_404(client):
    async with client() as http:
        response = await http.get("/prov/mast:JWST/product/none_i2d.fits")
    assert response.status_code == 404
    assert response.json() == {"error": "no product with URI 'mast:JWST/product/none_i2d.fits'"}
