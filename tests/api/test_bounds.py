"""Request size bounds (api/bounds.py): a body over MASTGRAPH_MAX_REQUEST_BYTES gets 413, a GET query
string over MASTGRAPH_MAX_QUERY_STRING gets 414, both GraphQL-shaped; requests within them are answered."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from mastgraph.api.app import create_app

from .conftest import api_settings

BODY, QUERY = 2_000, 300


@pytest.fixture(scope="module")
def bounded(neo4j_settings):
    with TestClient(create_app(api_settings(neo4j_settings, max_request_bytes=BODY, max_query_string=QUERY))) as client:
        yield client


def refused(response, status: int, limit: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": limit}


def padded(size: int) -> bytes:
    """A GraphQL request of exactly `size` bytes (a comment pads the document)."""
    base = json.dumps({"query": "{ __typename }\n#"}).encode()
    body = json.dumps({"query": "{ __typename }\n#" + "x" * (size - len(base))}).encode()
    assert len(body) == size
    return body


def test_a_body_at_the_bound_is_answered_one_byte_more_is_refused(bounded):
    ok = bounded.post("/graphql", content=padded(BODY), headers={"Content-Type": "application/json"})
    assert ok.status_code == 200 and ok.json() == {"data": {"__typename": "Query"}}
    refused(bounded.post("/graphql", content=padded(BODY + 1), headers={"Content-Type": "application/json"}),
            413, "MASTGRAPH_MAX_REQUEST_BYTES")


def test_a_body_without_content_length_is_counted_as_it_arrives(bounded):
    def chunks(body: bytes):
        for start in range(0, len(body), 500):
            yield body[start:start + 500]

    ok = bounded.post("/graphql", content=chunks(padded(BODY)), headers={"Content-Type": "application/json"})
    assert ok.status_code == 200, ok.text
    refused(bounded.post("/graphql", content=chunks(padded(BODY * 3)), headers={"Content-Type": "application/json"}),
            413, "MASTGRAPH_MAX_REQUEST_BYTES")


def test_a_long_query_string_is_refused(bounded):
    assert bounded.get("/graphql", params={"query": "{ __typename }"}).json() == {"data": {"__typename": "Query"}}
    refused(bounded.get("/graphql", params={"query": "{ __typename }", "pad": "x" * QUERY}),
            414, "MASTGRAPH_MAX_QUERY_STRING")
