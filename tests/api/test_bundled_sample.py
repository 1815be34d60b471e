"""Acceptance over HTTP on the bundled sample, loaded exactly as `mastgraph demo` loads it.

The expected answers come from the sample's own files (association members, listings), never
from the graph; the documented example answers in docs/api.md must be what the API returns.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mastgraph.api.app import create_app
from mastgraph.api.examples import EXAMPLES, L3_TO_RAW
from mastgraph.api.schema import build_schema
from mastgraph.api.selection import DEFINITION, metadata
from mastgraph.graph.views import node_field
from mastgraph.model.vocabulary import KEYS, Label

from ..conftest import load_demo

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory, session_driver, neo4j_settings) -> Path:
    return load_demo(session_driver, neo4j_settings, tmp_path_factory.mktemp("demo-home"))


@pytest.fixture(scope="module")
def client(demo_home, neo4j_settings):
    with TestClient(create_app(neo4j_settings)) as test_client:
        yield test_client


def post(client: TestClient, query: str, variables: dict) -> dict:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body


def image3_products(home: Path) -> dict[str, set[str]]:
    """Each image3 association's product name -> its science members (cal files), from the JSON files."""
    out: dict[str, set[str]] = {}
    for path in sorted((home / "sample" / "demo").rglob("*_image3_*_asn.json")):
        asn = json.loads(path.read_text())
        for product in asn["products"]:
            members = {m["expname"] for m in product["members"] if m["exptype"] == "science"}
            out.setdefault(product["name"], set()).update(members)
    return out


def listed_files(home: Path) -> set[str]:
    names: set[str] = set()
    for path in (home / "sample" / "demo").rglob("*.csv"):
        text = path.read_text()
        names.update(re.findall(r"(jw[0-9a-z_\-]+_uncal\.fits)", text))
    return names


def test_l3_to_raw_returns_exactly_the_sample_raw_exposures(client, demo_home):
    products = image3_products(demo_home)
    assert products, "the demo sample has image3 associations"
    listed = listed_files(demo_home)
    for name, members in products.items():
        uri = f"mast:JWST/product/{name}_i2d.fits"
        answer = post(client, L3_TO_RAW, {"uri": uri})["data"]["product"]
        assert answer is not None, uri
        assert {m["filename"] for m in answer["composedOf"]} == members
        raw = {r["filename"] for m in answer["composedOf"] for a in m["antecedents"] for r in a["antecedents"]
               if r["level"] == "1b"}
        expected = {m.replace("_cal.fits", "_uncal.fits") for m in members}
        assert raw == expected, name
        assert expected <= listed, "every raw exposure of the L3 product is in the sample's listings"


def _documented_answer(name: str) -> dict:
    query, variables = EXAMPLES[name]
    text = DOC.read_text()
    start = text.index(query)
    block = re.search(r"```json\n(.*?)\n```", text[start:], re.S)
    assert block, f"docs/api.md shows no answer for {name}"
    return json.loads(block.group(1))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_documented_examples_are_what_the_api_answers(client, name):
    query, variables = EXAMPLES[name]
    assert post(client, query, variables) == _documented_answer(name)


#: Fields the API offers that no loader writes yet (always null).
NEVER_WRITTEN = {(Label.EXTERNAL_PRODUCT, "description")}


def test_every_plain_field_reads_a_property_the_sample_holds(demo_home, session_driver, neo4j_settings):
    """A plain field reads the property of its name, or the one `graph/views.py` VIEWS names: a misspelt
    field would read nothing. Each is held by some node of its kind in the bundled sample."""
    schema = build_schema(neo4j_settings)._schema
    for label in KEYS:
        held = session_driver.execute_query(
            f"MATCH (n:{label.value}) UNWIND keys(n) AS k RETURN collect(DISTINCT k) AS held", routing_="r",
        ).records[0]["held"]
        for field in schema.type_map[label.value].fields.values():
            if "link" in metadata(field):
                continue
            name = field.extensions[DEFINITION].python_name
            read = node_field(label, name)
            if read.startswith(".") and (label, name) not in NEVER_WRITTEN:
                assert read[1:] in held, f"{label.value}.{name} reads {read}, a property no {label.value} holds"
