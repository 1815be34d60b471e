"""L3 down to raw: GraphQL over HTTP, one raw Cypher query, and a naive one-query-per-field baseline.

For each benchmark L3 product the same answer is fetched four ways, interleaved run by run so
that a change in the machine's load hits every way alike:

- `graphql`: the nested GraphQL query (`L3_TO_RAW`) POSTed over loopback HTTP to the API as
  shipped (a nested request compiled into one Cypher query); the time includes reading and
  decoding the JSON answer (stdlib `json`, as `httpx`'s `response.json()`; recorded apart too);
- `level_by_level`: the same request to the API started with `create_app(nested=False)` (one
  batched query per relation field and nesting level);
- `raw_cypher`: `cypher/api/l3_to_raw.cypher` through the synchronous driver
  (`graph.read.l3_to_raw_sync`): the database's share, with no API in between;
- `naive`: one Cypher query per resolved relation field of every object (the L3's `composedOf`,
  each member's `antecedents`, each antecedent's `antecedents`), as resolvers that each ask the
  database would issue them; fewer runs, since it is slow.

Round trips of the APIs come from their debug extension (`X-Mastgraph-Debug: 1`), counted on
separate requests; the answers are checked to match (same products, same raw exposure URIs).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import neo4j

from mastgraph.graph.read import l3_to_raw_sync

from .stats import summary

L3_TO_RAW = """
query L3ToRaw($uri: String!) {
  product(uri: $uri) {
    uri filename level suffix calibLevel
    composedOf { uri filename level suffix calibLevel
      antecedents(first: 5) { uri filename level suffix calibLevel
        antecedents(first: 5) { uri filename level suffix calibLevel } } }
  }
}"""

#: Object levels of L3_TO_RAW: product, composedOf, antecedents, antecedents.
NESTING_DEPTH = 4

DEBUG = {"X-Mastgraph-Debug": "1"}

_FIELDS = "n {.uri, .filename, .level, .suffix, calibLevel: n.calib_level}"
NAIVE_ROOT = f"MATCH (n:Product {{uri: $uri}}) RETURN {_FIELDS} AS n"
NAIVE_COMPOSED_OF = f"MATCH (:Product {{uri: $uri}})-[:COMPOSITION]->(n:Product) WITH n ORDER BY n.uri RETURN {_FIELDS} AS n"
NAIVE_ANTECEDENTS = f"MATCH (:Product {{uri: $uri}})-[:ANTECEDENT]->(n:Product) WITH n ORDER BY n.uri RETURN {_FIELDS} AS n"


def raw_exposures(product: dict | None) -> set[str]:
    """The Level-1b products at the bottom of an L3-to-raw answer."""
    if not product:
        return set()
    return {raw["uri"] for l2b in product["composedOf"] for l2a in l2b["antecedents"]
            for raw in l2a["antecedents"] if raw.get("level") == "1b"}


def objects_in(product: dict | None) -> int:
    if not product:
        return 0
    return 1 + sum(objects_in_level(c) for c in product["composedOf"])


def objects_in_level(node: dict) -> int:
    return 1 + sum(objects_in_level(c) for c in node.get("antecedents", ()))


class GraphQLClient:
    """POSTs L3_TO_RAW to one API over a kept-alive loopback connection."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=120.0)

    def close(self) -> None:
        self.client.close()

    def ask(self, uri: str, debug: bool = False) -> tuple[dict, int]:
        response = self.client.post("/graphql", json={"query": L3_TO_RAW, "variables": {"uri": uri}},
                                    headers=DEBUG if debug else None)
        response.raise_for_status()
        return response.json(), len(response.content)

    def timed(self, uri: str) -> tuple[float, float]:
        """(ms until the answer is decoded, ms of those spent decoding its JSON)."""
        started = time.perf_counter()
        response = self.client.post("/graphql", json={"query": L3_TO_RAW, "variables": {"uri": uri}})
        response.raise_for_status()
        received = time.perf_counter()
        response.json()
        done = time.perf_counter()
        return (done - started) * 1000, (done - received) * 1000

    def product(self, uri: str) -> dict | None:
        answer, _ = self.ask(uri)
        if answer.get("errors"):
            raise RuntimeError(f"GraphQL errors for {uri}: {answer['errors'][:2]}")
        return answer["data"]["product"]

    def round_trips(self, uri: str) -> dict:
        answer, size = self.ask(uri, debug=True)
        info = (answer.get("extensions") or {}).get("mastgraph")
        if info is None:
            raise RuntimeError("the API sent no round-trip count (extensions.mastgraph) for X-Mastgraph-Debug: 1")
        return {"cypher_queries": info["cypherQueries"], "neo4j_ms": info.get("neo4jMs"), "json_bytes": size}


def naive(driver: neo4j.Driver, uri: str, database: str) -> tuple[dict | None, int]:
    """The L3-to-raw answer with one query per resolved relation field; (answer, queries sent)."""
    queries = 0
    with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:

        def ask(text: str, key: str) -> list[dict]:
            nonlocal queries
            queries += 1
            return [record["n"] for record in session.run(text, uri=key)]

        roots = ask(NAIVE_ROOT, uri)
        if not roots:
            return None, queries
        product = roots[0]
        product["composedOf"] = ask(NAIVE_COMPOSED_OF, uri)
        for l2b in product["composedOf"]:
            l2b["antecedents"] = ask(NAIVE_ANTECEDENTS, l2b["uri"])
            for l2a in l2b["antecedents"]:
                l2a["antecedents"] = ask(NAIVE_ANTECEDENTS, l2a["uri"])
    return product, queries


def _graphql(client: GraphQLClient, uri: str, decoding: list[float]) -> float:
    total, decode = client.timed(uri)
    decoding.append(decode)
    return total


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def measure_product(entry: dict, driver: neo4j.Driver, database: str, nested: GraphQLClient,
                    level: GraphQLClient | None, runs: int, warmups: int, naive_runs: int) -> dict:
    """Every way of answering L3-to-raw for one benchmark product, checked and timed."""
    uri = entry["uri"]
    raw = l3_to_raw_sync(driver, uri, database)
    graphql = nested.product(uri)
    naive_answer, naive_queries = naive(driver, uri, database)
    checks = {
        "found": raw is not None,
        "graphql_equals_raw_cypher": graphql == raw,
        "naive_equals_raw_cypher": naive_answer == raw,
        "raw_exposures": len(raw_exposures(raw)),
        "same_raw_exposures": raw_exposures(graphql) == raw_exposures(raw) == raw_exposures(naive_answer),
        "objects": objects_in(raw),
        "members": len(raw["composedOf"]) if raw else 0,
    }
    decoding: list[float] = []  # the client's JSON decoding, part of each GraphQL time
    ways: dict[str, Callable[[], float]] = {
        "graphql": lambda: _graphql(nested, uri, decoding),
        "raw_cypher": lambda: _timed(lambda: l3_to_raw_sync(driver, uri, database)),
    }
    if level is not None:
        level_answer = level.product(uri)
        checks["level_by_level_equals_raw_cypher"] = level_answer == raw
        ways["level_by_level"] = lambda: level.timed(uri)[0]
    samples: dict[str, list[float]] = {name: [] for name in ways}
    for i in range(warmups + runs):
        for name, way in ways.items():
            ms = way()
            if i >= warmups:
                samples[name].append(ms)
    decoding = decoding[warmups:]
    naive_samples = [_timed(lambda: naive(driver, uri, database)) for _ in range(1 + naive_runs)][1:]
    trips = [nested.round_trips(uri) for _ in range(min(5, max(1, runs)))]
    result = {
        "uri": uri,
        "members_in_manifest": entry.get("members"),
        "checks": checks,
        "latency_ms": {name: summary(values) for name, values in samples.items()},
        "naive_latency_ms": summary(naive_samples),
        "round_trips": {
            "graphql": trips[0]["cypher_queries"],
            "naive": naive_queries,
            "nesting_depth": NESTING_DEPTH,
        },
        "graphql_client_json_decode_ms_p50": summary(decoding).get("p50"),
        "graphql_neo4j_ms_p50": summary([t["neo4j_ms"] for t in trips if t["neo4j_ms"] is not None]).get("p50"),
        "graphql_json_bytes": trips[0]["json_bytes"],
    }
    if level is not None:
        result["round_trips"]["level_by_level"] = level.round_trips(uri)["cypher_queries"]
    latency = result["latency_ms"]
    result["ratio_graphql_to_raw_p50"] = round(latency["graphql"]["p50"] / latency["raw_cypher"]["p50"], 2)
    result["ratio_naive_to_graphql_round_trips"] = round(naive_queries / max(1, result["round_trips"]["graphql"]), 1)
    result["ratio_naive_to_graphql_p50"] = round(result["naive_latency_ms"]["p50"] / latency["graphql"]["p50"], 2)
    return result
