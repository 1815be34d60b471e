"""graph/read.py on its own: selections compile to parameterised Cypher; the reader's budget and counter."""

from __future__ import annotations

import asyncio

import pytest

from mastgraph.graph import read
from mastgraph.model.vocabulary import Label

HOSTILE = "x'}) DETACH DELETE n //"


def test_values_are_parameters_never_query_text():
    selection = read.Selection(Label.PRODUCT, ("filename", "level"), (
        read.Child("@composedOf", "Product.composed_of", read.Selection(Label.PRODUCT, ("suffix",)), values=(HOSTILE,)),
        read.Child("@observation", "Product.observation", read.Selection(Label.OBSERVATION, ("obs_id",))),
    ))
    text, params = read.compile_projection("p", selection)
    assert HOSTILE not in text and HOSTILE in str(params)
    assert "`@composedOf`: COLLECT { MATCH (p)-[r1:COMPOSITION]->(n2:Product)" in text


def test_unknown_fields_and_keys_are_refused():
    with pytest.raises(ValueError, match="no field"):
        read.compile_projection("p", read.Selection(Label.PRODUCT, ("uri} RETURN 1 //",)))
    with pytest.raises(ValueError, match="not a field key"):
        read.compile_projection("p", read.Selection(Label.PRODUCT, (), (
            read.Child("@a` ", "Product.antecedents", read.Selection(Label.PRODUCT)),)))


def run(coroutine_factory, settings):
    async def main():
        driver = read.open_driver(settings)
        try:
            return await coroutine_factory(driver)
        finally:
            await driver.close()

    return asyncio.run(main())


def test_hostile_values_find_nothing_and_change_nothing(sample_graph, neo4j_settings, session_driver):
    before = session_driver.execute_query("MATCH (n) RETURN count(n) AS n", routing_="r").records[0]["n"]

    async def ask(driver):
        reader = read.Reader(driver, neo4j_settings.neo4j_database, 5.0)
        child = read.Child("@c", "Product.composed_of", read.Selection(Label.PRODUCT), values=(HOSTILE,))
        found = await read.fetch_by_keys(reader, read.Selection(Label.PRODUCT, (), (child,)), [sample_graph.l3, HOSTILE])
        return found, reader.queries

    found, queries = run(ask, neo4j_settings)
    assert list(found) == [sample_graph.l3] and found[sample_graph.l3]["@c"] == [] and queries == 1
    assert session_driver.execute_query("MATCH (n) RETURN count(n) AS n", routing_="r").records[0]["n"] == before


def test_lookups_only_by_known_properties(neo4j_settings):
    async def ask(driver):
        reader = read.Reader(driver, neo4j_settings.neo4j_database, 5.0)
        return await read.fetch_by_keys(reader, read.Selection(Label.PRODUCT), ["x"], by="size")

    with pytest.raises(ValueError, match="cannot be looked up by 'size'"):
        run(ask, neo4j_settings)


def test_the_budget_is_shared_by_a_requests_queries(sample_graph, neo4j_settings):
    async def ask(driver):
        reader = read.Reader(driver, neo4j_settings.neo4j_database, 5.0)
        await read.fetch_by_keys(reader, read.Selection(Label.PRODUCT), [sample_graph.l3])
        reader.deadline -= 5.0  # as if the first query had used the whole budget
        with pytest.raises(read.QueryTimeout):
            await read.fetch_by_keys(reader, read.Selection(Label.PRODUCT), [sample_graph.l3])
        return reader.queries

    assert run(ask, neo4j_settings) == 1


def test_raw_l3_to_raw(sample_graph, neo4j_settings, session_driver):
    answer = run(lambda driver: read.l3_to_raw(driver, sample_graph.l3, neo4j_settings.neo4j_database), neo4j_settings)
    assert answer == read.l3_to_raw_sync(session_driver, sample_graph.l3, neo4j_settings.neo4j_database)
    raws = {r["uri"] for b in answer["composedOf"] for a in b["antecedents"] for r in a["antecedents"]}
    assert raws == set(sample_graph.raw)
    assert read.l3_to_raw_sync(session_driver, "mast:JWST/product/none", neo4j_settings.neo4j_database) is None


def test_readiness_needs_every_constraint(neo4j_settings):
    names = read.schema_constraint_names()
    assert "product_key" in names and len(names) >= 9
    assert run(lambda driver: read.readiness(read.Reader(driver, neo4j_settings.neo4j_database, 5.0)), neo4j_settings)
