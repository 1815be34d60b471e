"""schema.graphql is checked in and must be the code's schema."""

from __future__ import annotations

from pathlib import Path

from mastgraph.api.schema import sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_is_the_codes_schema():
    assert SCHEMA_FILE.exists(), "schema.graphql is missing: python -m mastgraph.api.schema > schema.graphql"
    assert SCHEMA_FILE.read_text() == sdl(), "schema.graphql differs: python -m mastgraph.api.schema > schema.graphql"


def test_schema_names_every_node_kind_and_the_seed_relationships():
    text = sdl()
    for kind in ("Program", "Observation", "Product", "Association", "ReferenceFile", "CrdsContext", "Mnemonic",
                 "EngineeringSeries", "ExternalProduct"):
        assert f"type {kind} {{" in text
    for field in ("composedOf(", "antecedents(", "derivedProducts(", "contemporaneousCalibrations(", "prerequisites(",
                  "referenceFiles(", "crdsContext:", "association:", "observation:", "members(",
                  "minimumRecommendedProducts:", "aggregated(", "linked(", "engineering(", "productsUsingReference(",
                  "productsUnderContext(", "exposuresDuringEngineering(", "lineage("):
        assert field in text, field
