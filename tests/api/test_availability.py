"""Neo4j down: /readyz 503 and DATABASE_UNAVAILABLE; the service recovers by itself when it is back.

A second local Neo4j of this test's own (its own state folder and port) is started, stopped and
started again under a running app. The app starts while that Neo4j is still down.
"""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from mastgraph.api.app import create_app
from mastgraph.graph.server import LocalNeo4j, free_port
from mastgraph.graph.settings import Settings

from .conftest import gql, ok

QUERY = '{ product(uri: "mast:JWST/product/none.fits") { uri } }'


def wait_ready(client: TestClient, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/readyz")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


@pytest.mark.slow
def test_neo4j_down_then_back(tmp_path):
    port = free_port()
    local = LocalNeo4j(Settings(home=tmp_path, bolt_port=port, http_port=0, heap="512m", pagecache="64m"))
    settings = Settings(neo4j_uri=f"bolt://127.0.0.1:{port}", home=tmp_path, tx_timeout=5.0)
    try:
        with TestClient(create_app(settings)) as client:
            # down at start-up: the process is healthy, not ready, and says why without a trace
            assert client.get("/healthz").status_code == 200
            down = client.get("/readyz")
            assert down.status_code == 503 and down.json()["status"] == "unavailable"
            assert "Traceback" not in down.text
            answer = gql(client, QUERY)
            assert answer.errors[0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
            assert "Traceback" not in answer.errors[0]["message"]

            local.start()  # up: the schema bootstrap is applied, the API answers
            assert wait_ready(client).status_code == 200
            assert ok(gql(client, QUERY)) == {"product": None}
            records = local_constraints(settings)
            assert "product_key" in records

            local.stop()  # down again while running
            assert client.get("/readyz").status_code == 503
            answer = gql(client, QUERY)
            assert answer.errors[0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
            assert answer.data == {"product": None}

            local.start()  # back: no restart of the app needed
            assert wait_ready(client).status_code == 200
            assert ok(gql(client, QUERY)) == {"product": None}
    finally:
        local.stop()


def local_constraints(settings: Settings) -> set[str]:
    from mastgraph.graph import db

    with db.connect(settings) as drv:
        return db.schema_names(drv, settings.neo4j_database)[0]
