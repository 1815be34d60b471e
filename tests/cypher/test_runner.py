"""graph/runner.py against a real Neo4j: read-only (both guards), row cap, timeout, one-line errors."""

from __future__ import annotations

import pytest

from mastgraph.graph import queries, runner

from ..conftest import count

WRITES = [
    ("CREATE (n:Product {uri: $uri})", "CREATE"),
    ("MERGE (n:Product {uri: $uri}) RETURN n", "MERGE"),
    ("MATCH (n:Product) SET n.size = 1", "SET"),
    ("MATCH (n:Product) DELETE n", "DELETE"),
    ("MATCH (n:Product) DETACH DELETE n", "DETACH DELETE"),
    ("MATCH (n:Product) REMOVE n:L2b", "REMOVE"),
    ("MATCH (n:Product) WITH collect(n) AS ns FOREACH (x IN ns | SET x.listed = false)", "FOREACH"),
    ("MATCH (n:Product) CALL (n) { CREATE (:Copy {uri: n.uri}) } RETURN count(*)", "CREATE"),
    ("PROFILE CREATE (n:Product {uri: $uri})", "CREATE"),
    ("CALL db.createLabel('Scratch')", "a procedure that writes"),
    ("CREATE INDEX scratch IF NOT EXISTS FOR (n:Scratch) ON (n.x)", "a schema or DBMS command"),
]


def _run(graph, settings, text, params=None, limit=100, timeout=30.0):
    return runner.run_read_only(graph, text, params or {}, database=settings.neo4j_database,
                                timeout=timeout, limit=limit)


def _snapshot(graph):
    return count(graph, "MATCH (n) RETURN count(n)"), count(graph, "MATCH (n) WHERE n.size = 1 OR n:Copy RETURN count(n)")


@pytest.mark.parametrize("text,clause", WRITES)
def test_a_write_is_refused_naming_its_clause(text, clause, graph, neo4j_settings):
    graph.execute_query("CREATE (:Product:L2b {uri: 'mast:JWST/product/a_cal.fits', size: 7})")
    before = _snapshot(graph)
    with pytest.raises(runner.WriteRefused) as refused:
        _run(graph, neo4j_settings, text, {"uri": "mast:JWST/product/b_cal.fits"})
    message = str(refused.value)
    assert message.startswith(f"refused: this query writes ({clause})") and "read-only" in message
    assert "\n" not in message
    assert _snapshot(graph) == before
    indexes = count(graph, "SHOW INDEXES YIELD name WHERE name = 'scratch' RETURN count(*)")
    assert indexes == 0


def test_neo4j_refuses_a_write_in_read_access_mode(graph, neo4j_settings):
    """The second guard alone (no plan check): the READ-mode transaction is refused by the server."""
    with pytest.raises(runner.WriteRefused) as refused:
        runner.read(graph, "CREATE (:Product {uri: $uri})", {"uri": "mast:JWST/product/x.fits"},
                    database=neo4j_settings.neo4j_database, timeout=10, limit=10)
    assert "read-only" in str(refused.value) and "Neo4j refused it" in str(refused.value)
    assert count(graph, "MATCH (n) RETURN count(n)") == 0


def test_reads_run_and_return_plain_values(graph, neo4j_settings):
    graph.execute_query(
        "CREATE (:Product:L3 {uri: 'u3', level: '3'})-[:COMPOSITION {by: 'dither'}]->(:Product:L2b {uri: 'u2'})")
    rows = _run(graph, neo4j_settings,
                "MATCH path = (a:L3)-[r:COMPOSITION]->(b) "
                "RETURN a, r, path, b.uri AS uri, date('2024-02-29') AS day, point({x: 1.5, y: 2.0}) AS at, [1, 2] AS xs")
    assert rows.columns == ("a", "r", "path", "uri", "day", "at", "xs")
    (a, r, path, uri, day, at, xs), = rows.rows
    assert a == {"labels": ["L3", "Product"], "properties": {"uri": "u3", "level": "3"}}
    assert r == {"type": "COMPOSITION", "properties": {"by": "dither"}}
    assert [n["properties"]["uri"] for n in path["nodes"]] == ["u3", "u2"]
    assert (uri, day, xs) == ("u2", "2024-02-29", [1, 2])
    assert at["coordinates"] == [1.5, 2.0]
    assert not rows.truncated


def test_temporal_values_are_iso_8601_text(graph, neo4j_settings):
    """Dates, times and durations as docs/cypher.md says: ISO 8601 text (a duration is a tuple to the
    driver, and came out as a list of its months, days, seconds and nanoseconds)."""
    rows = _run(graph, neo4j_settings, "RETURN duration('P1DT2H') AS span, duration({months: 14, seconds: 1.5}) AS long, "
                "datetime('2024-01-02T03:04:05Z') AS at, localtime('10:30') AS clock, [duration('PT5M')] AS spans")
    assert rows.dicts() == [{"span": "P1DT2H", "long": "P1Y2MT1.5S", "at": "2024-01-02T03:04:05.000000000+00:00",
                             "clock": "10:30:00.000000000", "spans": ["PT5M"]}]


def test_explain_and_parameters_pass_through(graph, neo4j_settings):
    assert _run(graph, neo4j_settings, "RETURN $n + 1 AS m, $s AS s", {"n": 41, "s": "x"}).dicts() == [{"m": 42, "s": "x"}]
    explained = _run(graph, neo4j_settings, "EXPLAIN MATCH (n:Product) RETURN n")
    assert explained.rows == ()


def test_row_cap(graph, neo4j_settings):
    capped = _run(graph, neo4j_settings, "UNWIND range(1, 50) AS i RETURN i", limit=10)
    assert [row[0] for row in capped.rows] == list(range(1, 11)) and capped.truncated
    whole = _run(graph, neo4j_settings, "UNWIND range(1, 50) AS i RETURN i", limit=50)
    assert len(whole.rows) == 50 and not whole.truncated


def test_timeout_stops_a_long_query(graph, neo4j_settings):
    with pytest.raises(runner.CypherTimeout) as stopped:
        _run(graph, neo4j_settings, "UNWIND range(1, 2000000000) AS i WITH i WHERE i < 0 RETURN count(i)", timeout=0.5)
    assert "timeout of 0.5 s" in str(stopped.value)


@pytest.mark.parametrize("text,params,expected", [
    ("MATCH (n RETURN n", {}, "Cypher syntax error: Invalid input"),
    ("MATCH (n {uri: $uri}) RETURN n", {}, "--param"),
    ("RETURN 1/0 AS x", {}, "/ by zero"),
])
def test_errors_are_one_line(text, params, expected, graph, neo4j_settings):
    with pytest.raises(runner.CypherError) as error:
        _run(graph, neo4j_settings, text, params)
    assert expected in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("text,expected", [
    ("limit=5", ("limit", 5)),
    ("t_min=60000.25", ("t_min", 60000.25)),
    ("kinds=[\"L3\", \"L2b\"]", ("kinds", ["L3", "L2b"])),
    ("program=02733", ("program", "02733")),
    ("program=\"2733\"", ("program", "2733")),
    ("uri=mast:JWST/product/a=b_cal.fits", ("uri", "mast:JWST/product/a=b_cal.fits")),
    ("flag=true", ("flag", True)),
    ("empty=", ("empty", "")),
])
def test_parse_param(text, expected):
    assert runner.parse_param(text) == expected


@pytest.mark.parametrize("text,declared,expected", [
    ("level=3", "string", ("level", "3")),
    ("t_min=60000.10", "string", ("t_min", "60000.10")),
    ("level=\"3\"", "string", ("level", "3")),
    ("depth=3", "int", ("depth", 3)),
])
def test_parse_param_keeps_the_text_of_declared_strings(text, declared, expected):
    assert runner.parse_param(text, declared) == expected


def test_parse_params_reads_the_declaration_of_a_named_query():
    named = queries.query("untraceable_products")
    assert runner.parse_params(["level=3", "program=2733", "limit=5"], named) == {
        "level": "3", "program": "2733", "limit": 5}
    assert runner.parse_params(["level=3"]) == {"level": 3}


@pytest.mark.parametrize("text", ["novalue", "=5", "bad name=1"])
def test_parse_param_refuses(text):
    with pytest.raises(runner.CypherError):
        runner.parse_param(text)


def test_query_params_fill_check_and_cap():
    named = queries.query("lineage_down")
    assert runner.query_params(named, {"uri": "u"}, limit=7) == {"uri": "u", "depth": None, "limit": 7}
    assert runner.query_params(named, {"uri": "u", "limit": 3}, limit=7)["limit"] == 3
    with pytest.raises(runner.CypherError, match="needs --param uri="):
        runner.query_params(named, {})
    with pytest.raises(runner.CypherError, match="not colour"):
        runner.query_params(named, {"uri": "u", "colour": "red"})


@pytest.mark.parametrize("items,message", [
    (["uri=u", "depth=abc"], "--param depth takes a whole number, 0 or more (int), not 'abc'"),
    (["uri=u", "depth=2.5"], "--param depth takes a whole number, 0 or more (int), not '2.5'"),
    (["uri=u", "depth=-1"], "--param depth takes a whole number, 0 or more (int), not '-1'"),
    (["uri=u", "depth=true"], "--param depth takes a whole number, 0 or more (int), not 'true'"),
    (["uri=u", "limit=1e3"], "--param limit takes a whole number, 0 or more (int), not '1e3'"),
    (["uri=u", "depth=13"], "--param depth is at most 12, not '13'"),
    (["uri=u", "uri=v"], "--param uri is given twice; give each parameter once"),
])
def test_parse_params_refuses_a_value_the_declaration_does_not_allow(items, message):
    """A value of the wrong type would reach the query and answer nothing (`depth=abc`: no rows) or fail
    deep in Neo4j (`limit=abc`: a Java class name); a depth beyond the query's bound would be cut to it."""
    with pytest.raises(runner.CypherError) as refused:
        runner.parse_params(items, queries.query("lineage_down"))
    assert str(refused.value) == message


def test_parse_params_takes_the_values_the_declaration_allows():
    named = queries.query("impact_of_engineering_window")
    assert runner.parse_params(["mnemonic=SA_ZATTEST2", "t_min=60000", "t_max=60000.5", "depth=12", "limit=0"],
                               named) == {"mnemonic": "SA_ZATTEST2", "t_min": 60000, "t_max": 60000.5, "depth": 12,
                                          "limit": 0}
    assert runner.parse_params(["mnemonic=X", "t_min=60000", "t_max=60001", "depth=null"], named)["depth"] is None
    with pytest.raises(runner.CypherError, match=r"^--param t_min takes a number \(float\), not 'yesterday'$"):
        runner.parse_params(["t_min=yesterday"], named)
    # Without a declaration (-e, a file without `// params:`) any value goes, but still once per name.
    assert runner.parse_params(["depth=abc", "n=-1"]) == {"depth": "abc", "n": -1}
    with pytest.raises(runner.CypherError, match="given twice"):
        runner.parse_params(["x=1", "x=2"])


@pytest.mark.parametrize("given", ["jw02733", "123456", "2733.0", " 2733", "\u0663", "[2733]"])
def test_a_program_parameter_is_a_program_number(given):
    """The queries pad the text to five digits (`right('0000' + $program, 5)`): 123456 read as 23456, and
    2733.0 or " 2733" matched nothing; audit's --program refuses them too."""
    named = queries.query("orphan_products")
    with pytest.raises(runner.CypherError) as refused:
        runner.parse_params([f"program={given}"], named)
    assert str(refused.value) == f"--param program takes a JWST program number, e.g. 2733 or 02733, not {given!r}"
    assert runner.parse_params(["program=2733"], named) == {"program": "2733"}
    assert runner.parse_params(["program=02733", "limit=5"], named) == {"program": "02733", "limit": 5}


@pytest.mark.parametrize("given", ["L3", "1b", "three", "3.0"])
def test_a_level_parameter_is_one_of_the_levels_its_note_names(given):
    named = queries.query("untraceable_products")
    with pytest.raises(runner.CypherError) as refused:
        runner.parse_params([f"level={given}"], named)
    assert str(refused.value) == f"--param level takes 2a, 2b or 3, not {given!r}"
    assert runner.parse_params(["level=3"], named) == {"level": "3"}
    assert runner.parse_params(['level="2b"'], named) == {"level": "2b"}


def test_a_dbms_procedure_planned_as_a_schema_write_is_refused_in_words_that_fit_it(graph, neo4j_settings):
    """Neo4j plans `CALL dbms.components()` (a read) as a schema write: refused, but not called "a schema change"."""
    with pytest.raises(runner.WriteRefused) as refused:
        _run(graph, neo4j_settings, "CALL dbms.components()")
    assert "(a schema or DBMS command)" in str(refused.value)
