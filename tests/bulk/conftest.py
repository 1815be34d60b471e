"""A local Neo4j of the bulk tests' own (free port, throw-away state folder): a bulk build stops and
starts its server, so it never runs against the shared test server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mastgraph.graph import db
from mastgraph.model.vocabulary import KEYS
from mastgraph.graph.server import LocalNeo4j, free_port
from mastgraph.graph.settings import Settings
from mastgraph.sample.generator import generate

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real"
_KEYED = {label.value: key for label, key in KEYS.items()}
_KEY_PROPS = sorted(set(KEYS.values()))


@pytest.fixture(scope="session")
def bulk_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of a local server the bulk build may stop and start (NEO4J_URI unset: embedded)."""
    settings = Settings(neo4j_uri=None, home=tmp_path_factory.mktemp("bulk-state"), bolt_port=free_port(), http_port=0,
                        heap="768m", pagecache="256m")
    local = LocalNeo4j(settings)
    local.start()
    try:
        yield settings
    finally:
        local.stop()


@pytest.fixture(scope="session")
def demo_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's demo scale, written once per test run."""
    out = tmp_path_factory.mktemp("demo-sample") / "demo"
    generate(out, "demo")
    return out


def bulk_driver(settings: Settings):
    return db.driver(settings)


def _node_ref(labels: list[str], keys: dict) -> tuple:
    for label in sorted(labels):
        if label in _KEYED:
            return (label, keys.get(_KEYED[label]))
    return (tuple(sorted(labels)), tuple(sorted(keys.items())))


def canonical_dump(drv, database: str = "neo4j") -> tuple[list[str], list[str]]:
    """Every node (labels, properties) and every relationship (type, ends by key, properties), as
    sorted text lines: two graphs are the same when their dumps are equal."""
    nodes, _, _ = drv.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p", database_=database)
    projection = ", ".join(f".`{k}`" for k in _KEY_PROPS)
    rels, _, _ = drv.execute_query(
        f"MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, labels(a) AS al, a {{{projection}}} AS ak, "
        f"labels(b) AS bl, b {{{projection}}} AS bk", database_=database)
    node_lines = sorted(repr((sorted(r["l"]), sorted(r["p"].items()))) for r in nodes)
    rel_lines = sorted(repr((r["t"], _node_ref(r["al"], r["ak"]), _node_ref(r["bl"], r["bk"]), sorted(r["p"].items())))
                       for r in rels)
    return node_lines, rel_lines


def label_and_type_counts(drv, database: str = "neo4j") -> tuple[dict, dict]:
    labels, _, _ = drv.execute_query("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) AS c", database_=database)
    types, _, _ = drv.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS c", database_=database)
    return {r["l"]: r["c"] for r in labels}, {r["t"]: r["c"] for r in types}
