"""The API's named queries (cypher/api/): each says what it answers, declares its parameters, plans."""

from __future__ import annotations

import pytest

from mastgraph.graph import queries

NAMED = [q.name for q in queries.all_queries("api")]


def test_the_api_has_its_named_queries():
    assert {"api/l3_to_raw", "api/lineage_upstream_step", "api/lineage_downstream_step", "api/engineering_impact",
            "api/readiness"} <= set(NAMED)


@pytest.mark.parametrize("name", NAMED)
def test_named_query_documents_itself_and_plans(name, sample_graph, session_driver, neo4j_settings):
    named = queries.query(name)
    first = named.text.splitlines()[0]
    assert first.startswith("// ") and len(first) > 20, "the first line says what the query answers"
    assert named.params or "\n// params: none\n" in named.text, "a `// params:` line lists the parameters (or says none)"
    assert all(f"${p}" in named.text for p in named.params)
    params = {p: None for p in named.params}
    with session_driver.session(database=neo4j_settings.neo4j_database, default_access_mode="READ") as session:
        if "\nSHOW " in named.text:
            session.run(named.text, {**params, "names": []}).consume()  # SHOW commands cannot be EXPLAINed
        else:
            session.run("EXPLAIN " + named.text, params).consume()
