"""HAS_ENGINEERING joins every exposure to every engineering series whose window overlaps its own, in
any load order, however long either window: the time-index seeks reach back MAX_EXPOSURE_DAYS and
MAX_SERIES_DAYS, and the longer windows are found by their `window_class` (pipeline/derive.py)."""

from __future__ import annotations

import math
import random

import pytest

from mastgraph.model.records import Node
from mastgraph.model.vocabulary import Label
from mastgraph.pipeline.derive import MAX_EXPOSURE_DAYS, MAX_SERIES_DAYS, WINDOW_CLASSES, window_class
from mastgraph.pipeline.derive_batch import long_windows
from mastgraph.pipeline.ingest import write_records

from ..conftest import empty_graph
from .test_derive_batch import _with
from .test_writer_derive import EXP, L3, product

S0 = 59612.934
O, S = Label.OBSERVATION, Label.ENGINEERING_SERIES


def test_window_class_counts_the_doublings_of_the_bound():
    assert window_class(0.0, 2.0, 2.0) is None  # not longer than the bound
    assert window_class(0.0, 2.5, 2.0) == 0 and window_class(0, 4, 2.0) == 0  # up to twice the bound
    assert window_class(0.0, 4.1, 2.0) == 1 and window_class(0.0, 9.0, 2.0) == 2
    assert window_class(10.0, 10.0 + 31.0 * 2 ** 5, 31.0) == 4
    assert window_class(S0, S0 + 5.0, MAX_SERIES_DAYS) == 2  # 5 days: over 2 and 4 times a day
    assert window_class(0.0, math.inf, 2.0) == WINDOW_CLASSES  # the open-ended last class
    for t_min, t_max in (("0", 5.0), (0.0, None), (True, 9.0), (0.0, math.nan), (math.inf, math.inf)):
        assert window_class(t_min, t_max, 2.0) is None


def test_long_windows_reach_back_as_far_as_each_class_lasts():
    found = long_windows([10.0, 10.5, 40.0, math.nan], 2.0)
    assert found[:4] == [[0, 6.0, 8.5], [0, 36.0, 38.0], [1, 2.0, 8.5], [1, 32.0, 38.0]]
    assert found[-1] == [WINDOW_CLASSES, -math.inf, 38.0]
    assert len([w for w in found if w[0] == WINDOW_CLASSES - 1]) == 1  # far enough back, the two merge
    assert long_windows([], 2.0) == []


def _series(mnemonic: str, t_min: float, t_max: float) -> Node:
    return Node(S, f"{mnemonic}-{t_min:.3f}", {"mnemonic": mnemonic, "t_min": t_min, "t_max": t_max})


EXPOSURES = [
    # 3.5 days, from 2.9 days before the short series
    Node(O, "10", {"obs_id": EXP, "t_min": S0 - 2.9, "t_max": S0 + 0.6}, (Label.EXPOSURE,)),
    # 0.1 days, 40 days into the 60-day series
    Node(O, "11", {"obs_id": EXP.replace("00001", "00002"), "t_min": S0 + 40.0, "t_max": S0 + 40.1},
         (Label.EXPOSURE,)),
    # not an exposure: no window class, no engineering
    Node(O, "12", {"obs_id": L3, "t_min": S0 - 10.0, "t_max": S0 + 10.0}, (Label.COMBINED,)),
    product(f"{L3}_i2d.fits", t_min=S0 - 30.0, t_max=S0 + 20.0),  # 50 days
    product(f"{EXP}_cal.fits", t_min=S0 + 90.0, t_max=S0 + 90.01),
    product(f"{EXP}_rate.fits", t_min=S0 + 400.0, t_max=S0 + 400.01),  # overlaps nothing
]
SERIES = [
    _series("SA_ZATTEST2", S0, S0 + 1e-5),
    _series("SA_ZATTEST3", S0, S0 + 60.0),
    _series("SA_ZATTEST4", S0 - 400.0, S0 + 100.0),  # 500 days
    _series("SA_ZATTEST5", S0 - 5000.0, S0 - 4000.0),  # overlaps nothing
    _series("SA_ZATTEST6", S0 + 37.0, S0 + 42.0),  # 5 days, from 3 days before exposure 11
]


def _expected() -> tuple[set, dict]:
    """Every overlapping (exposure, series) pair, and every window class, from the records alone."""
    pairs = {(e.key, s.key) for e in EXPOSURES for s in SERIES
             if (e.label is Label.PRODUCT or Label.EXPOSURE in e.labels)
             and e.props["t_min"] <= s.props["t_max"] and e.props["t_max"] >= s.props["t_min"]}
    classes = {e.key: window_class(e.props["t_min"], e.props["t_max"], MAX_EXPOSURE_DAYS) for e in EXPOSURES
               if e.label is Label.PRODUCT or Label.EXPOSURE in e.labels}
    classes.update({s.key: window_class(s.props["t_min"], s.props["t_max"], MAX_SERIES_DAYS) for s in SERIES})
    return pairs, {key: klass for key, klass in classes.items() if klass is not None}


def _found(graph, database: str) -> tuple[set, dict]:
    records, _, _ = graph.execute_query(
        "MATCH (e)-[:HAS_ENGINEERING]->(s:EngineeringSeries) RETURN coalesce(e.uri, e.obsid) AS e, s.key AS s",
        database_=database, routing_="r")
    pairs = {(r["e"], r["s"]) for r in records}
    records, _, _ = graph.execute_query(
        "MATCH (n) WHERE n.window_class IS NOT NULL RETURN coalesce(n.uri, n.obsid, n.key) AS key, "
        "n.window_class AS class", database_=database, routing_="r")
    return pairs, {r["key"]: r["class"] for r in records}


@pytest.mark.parametrize("how", ["cypher", "tables"])
def test_every_overlapping_window_is_joined_in_any_order(graph, neo4j_settings, how):
    settings = _with(neo4j_settings, how)
    pairs, classes = _expected()
    # what the seeks by t_min alone miss, in one order or the other
    assert ("10", SERIES[0].key) in pairs and ("11", SERIES[1].key) in pairs
    assert (EXPOSURES[3].key, SERIES[2].key) in pairs and (EXPOSURES[4].key, SERIES[2].key) in pairs
    assert set(classes.values()) >= {0, 4}
    shuffled = EXPOSURES + SERIES
    random.Random(15).shuffle(shuffled)
    orders = {"together": [EXPOSURES + SERIES], "exposures first": [EXPOSURES, SERIES],
              "series first": [SERIES, EXPOSURES], "one at a time, shuffled": [[r] for r in shuffled]}
    for name, batches in orders.items():
        empty_graph(graph, settings.neo4j_database)
        for batch in batches:
            write_records(graph, settings, batch)
        assert _found(graph, settings.neo4j_database) == (pairs, classes), name
    # a window that shrinks loses its class (and keeps the pairs it still overlaps)
    shorter = Node(O, "10", {"obs_id": EXP, "t_min": S0 - 1.0, "t_max": S0 + 0.6}, (Label.EXPOSURE,))
    write_records(graph, settings, [shorter])
    assert "10" not in _found(graph, settings.neo4j_database)[1]


def test_init_gives_a_graph_loaded_before_window_classes_its_classes(graph, neo4j_settings, tmp_path):
    """`mastgraph init` on a graph whose exposures and series have no window_class (loaded by an
    earlier mastgraph) sets them, wrong ones included; a second run changes nothing."""
    from typer.testing import CliRunner

    from mastgraph.cli.main import app

    database = neo4j_settings.neo4j_database
    empty_graph(graph, database)
    write_records(graph, neo4j_settings, EXPOSURES + SERIES)
    pairs, classes = _expected()
    graph.execute_query("MATCH (n) WHERE n.window_class IS NOT NULL REMOVE n.window_class", database_=database)
    graph.execute_query("MATCH (n:Observation {obsid: '11'}) SET n.window_class = 3", database_=database)
    env = {"NEO4J_URI": neo4j_settings.uri, "NEO4J_DATABASE": database, "MASTGRAPH_HOME": str(tmp_path)}
    if neo4j_settings.neo4j_password is not None:
        env.update(NEO4J_USER=neo4j_settings.neo4j_user, NEO4J_PASSWORD=neo4j_settings.neo4j_password)
    first = CliRunner().invoke(app, ["init"], env=env)
    assert first.exit_code == 0, first.output
    assert f"window classes set on {len(classes) + 1} exposures and engineering series" in first.output
    assert _found(graph, database) == (pairs, classes)
    again = CliRunner().invoke(app, ["init"], env=env)
    assert again.exit_code == 0 and "window classes" not in again.output, again.output
