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
from mastgraph.graph import queries
from mastgraph.graph.views import node_field
from mastgraph.model.vocabulary import KEYS, Label

from ..conftest import load_demo
from .test_download_list import compare_lists

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


DOWNLOAD = """query ($id: String!, $all: Boolean) {
  downloadList(id: $id, all: $all) { files { uri filename mrp mastMrp } count truncated anchor { kind key label } uris }
}"""
REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real"


@pytest.mark.parametrize("program", ["632", "1439", "9505"])
def test_a_program_known_only_from_association_files_lists_its_products(client, demo_home, program, cli,
                                                                        session_driver):
    """Programs 632, 1439 and 9505 come only as association files and pools (no listing: no Program
    node): the list of the program is its products, every association file, pool and member the files
    name among them; nothing flags a minimum recommended product of theirs, so the MRP list is empty."""
    key = program.zfill(5)
    asn = sorted((REAL / "asn" / f"jw{key}").glob("*_asn.json"))
    assert asn, "the sample has the program's association files"
    named = {path.name for path in asn} | {path.name for path in (REAL / "pools").glob(f"jw{key}_*_pool.csv")}
    for path in asn:
        named |= {m["expname"] for product in json.loads(path.read_text())["products"] for m in product["members"]}
    # (as many as the library's program_summary counts by their `program`)
    summary = session_driver.execute_query(queries.text("program_summary"), program=program, routing_="r").records
    products = sum(row["products"] for row in summary)
    assert products >= len(named)
    for spelling in (program, key, "jw" + key):
        answer = post(client, DOWNLOAD, {"id": spelling, "all": True})["data"]["downloadList"]
        assert answer["anchor"] == {"kind": "PROGRAM", "key": key, "label": "jw" + key}
        names = {f["filename"] for f in answer["files"]}
        assert named <= names and answer["count"] == products and not answer["truncated"]
    mrp = post(client, DOWNLOAD, {"id": program})["data"]["downloadList"]
    assert mrp["anchor"]["key"] == key and mrp["files"] == [] and mrp["count"] == 0
    result = cli("download-list", program, "--all")
    assert result.exit_code == 0, result.output
    assert result.stdout == answer["uris"]


def test_minimum_recommended_lists_are_the_full_lists_filtered(demo_home, session_driver, neo4j_settings):
    """On the bundled sample as on the small one (tests/api/test_download_list.py): every observation,
    program (those known only from association files too), association and Level-3 product."""
    ids = [row["id"] for row in session_driver.execute_query("""
        CALL () {
          MATCH (o:Observation) RETURN o.obsid AS id
          UNION MATCH (p:Product) WHERE p.program IS NOT NULL RETURN DISTINCT p.program AS id
          UNION MATCH (a:Association) RETURN a.name AS id
          UNION MATCH (p:L3) RETURN p.uri AS id
        }
        RETURN id ORDER BY id""", routing_="r").records]
    assert {"00632", "01439", "09505"} <= set(ids)
    assert compare_lists(neo4j_settings, ids) == 2 * len(ids)
