"""Derived relationships: what needs knowledge beyond one file (cypher/derive/*.cypher).

Run after a file's records are written, in the same transaction, over what the file touched
(`derive`); the bulk build runs the same queries over the whole graph (`derive_all`): every key
of each kind, page by page in key order, one write transaction per page and query. Every query
MERGEs in both directions where order matters, so files loaded in any order give the same graph.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import neo4j

from mastgraph.graph import queries
from mastgraph.model.vocabulary import EXPOSURE_INPUTS, KEYS, Label, Rel
from mastgraph.graph.writer import Runner, WriteCounts
from mastgraph.loaders.names import INTERMEDIATE_SUFFIXES
from mastgraph.model.records import Edge, Node

#: The longest exposure (days): bounds the time-index seek of the engineering join.
MAX_EXPOSURE_DAYS = 2.0
#: The longest engineering series window (days), likewise.
MAX_SERIES_DAYS = 31.0


@dataclass
class Touched:
    """The keys a file wrote, by kind: the scope of the derivations."""

    uris: set[str] = field(default_factory=set)
    associations: set[str] = field(default_factory=set)
    obsids: set[str] = field(default_factory=set)
    series: set[str] = field(default_factory=set)

    def add(self, record: Node | Edge) -> None:
        refs = [record.ref] if isinstance(record, Node) else [record.start, record.end]
        for label, key in refs:
            if label is Label.PRODUCT:
                self.uris.add(key)
            elif label is Label.ASSOCIATION:
                self.associations.add(key)
            elif label is Label.OBSERVATION:
                self.obsids.add(key)
            elif label is Label.ENGINEERING_SERIES:
                self.series.add(key)

    def __bool__(self) -> bool:
        return bool(self.uris or self.associations or self.obsids or self.series)


def _chunks(values: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for value in sorted(values):
        chunk.append(value)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def query_params(name: str) -> dict[str, Any]:
    """The fixed parameters of a derivation query (the same for `derive` and `derive_all`)."""
    if name == "antecedents":
        return {"inputs": EXPOSURE_INPUTS, "both": True}
    if name == "linked":
        return {"both": True}
    if name == "engineering_series":
        return {"max_exposure_days": MAX_EXPOSURE_DAYS}
    if name == "engineering_exposures":
        # max_exposure_days: used by derive_all's key filter for this step (Neo4j ignores it otherwise)
        return {"max_series_days": MAX_SERIES_DAYS, "max_exposure_days": MAX_EXPOSURE_DAYS}
    if name == "mrp":
        return {"intermediate": sorted(INTERMEDIATE_SUFFIXES)}
    return {}


def _run(tx: Runner, name: str, counts: WriteCounts, label: str, **params) -> None:
    started = time.perf_counter()
    summary = tx.run(queries.text(f"derive/{name}"), {**query_params(name), **params}).consume()
    counts.seconds[name] = counts.seconds.get(name, 0.0) + time.perf_counter() - started
    counts.rels_created[label] += summary.counters.relationships_created
    counts.rels_deleted[label] += summary.counters.relationships_deleted
    counts.properties_set += summary.counters.properties_set


def _column(tx: Runner, name: str, column: str, counts: WriteCounts, **params) -> set[str]:
    started = time.perf_counter()
    found = {record[column] for record in tx.run(queries.text(f"derive/{name}"), params)}
    counts.seconds[name] = counts.seconds.get(name, 0.0) + time.perf_counter() - started
    return found


def derive(tx: Runner, touched: Touched, batch_size: int = 5000) -> WriteCounts:
    """Derive every relationship the touched keys can affect. Returns what was created/deleted."""
    counts = WriteCounts()
    size = max(1, batch_size // 5)  # derivations fan out: keep each statement's work bounded
    for uris in _chunks(touched.uris, size):
        _run(tx, "antecedents", counts, Rel.ANTECEDENT.value, uris=uris)
        _run(tx, "produced_by_products", counts, Rel.PRODUCED_BY.value, uris=uris)
    for names in _chunks(touched.associations, size):
        _run(tx, "produced_by_associations", counts, Rel.PRODUCED_BY.value, names=names)
    associations = set(touched.associations)
    observations = set(touched.obsids)
    for uris in _chunks(touched.uris, size):
        associations |= _column(tx, "associations_of_products", "name", counts, uris=uris)
        observations |= _column(tx, "observations_of_products", "obsid", counts, uris=uris)
        _run(tx, "linked", counts, Rel.LINKED.value, uris=uris)
    for names in _chunks(associations, max(1, size // 10)):
        _run(tx, "association_members", counts, "(from associations)", names=names)
    for keys in _chunks(touched.series, size):
        _run(tx, "engineering_series", counts, Rel.HAS_ENGINEERING.value, keys=keys)
    for obsids in _chunks(touched.obsids, size):
        _run(tx, "engineering_exposures", counts, Rel.HAS_ENGINEERING.value, obsids=obsids, uris=[])
    for uris in _chunks(touched.uris, size):
        _run(tx, "engineering_exposures", counts, Rel.HAS_ENGINEERING.value, obsids=[], uris=uris)
    for obsids in _chunks(observations, size):
        _run(tx, "mrp", counts, Rel.MRP.value, obsids=obsids)
    return counts


@dataclass(frozen=True)
class WholeGraphStep:
    """One derivation query run over every key of one node kind (`derive_all`)."""

    query: str  # cypher/derive/<query>.cypher
    label: Label  # whose keys are passed ...
    param: str  # ... as this list parameter
    counted_as: str  # the WriteCounts name of what it creates
    divisor: int = 1  # keys per statement: batch_size // 5 // divisor, as in `derive`
    params: tuple[tuple[str, Any], ...] = ()  # besides `query_params(query)`
    #: Only the keys of nodes `n` for which this holds (a predicate the query itself applies, or
    #: one that provably changes nothing: see WHOLE_GRAPH_STEPS). Fixed text, values as parameters.
    only: str = ""
    #: Whether its pages may run at once: not when they SET properties two pages could both set.
    concurrent: bool = True


#: `derive`'s queries in `derive`'s order, each over every key of its kind. Where `derive` passes
#: the keys a file touched (and the associations and observations related to them), the whole
#: graph passes all keys of the kind: a superset, so the result is what loading file by file gives.
#:
#: Two narrowings. Each step passes only the keys its query can act on (`only`: the query's own
#: first WHERE). `antecedents` and `linked` MERGE both directions of each kind of pair so that
#: load order does not matter; over every key the second direction finds only pairs the first
#: finds from the other end, so it is turned off (`both: false`).
#:
#: And `engineering_series` over every series finds every (exposure, series) pair that
#: overlaps in time for each exposure not longer than MAX_EXPOSURE_DAYS (its index seek only
#: assumes that bound), so `engineering_exposures` is run for the longer exposures only; together
#: they give what both queries over everything give, at a fraction of the cost (the series
#: window, MAX_SERIES_DAYS, is 15 times wider than the exposure window).
WHOLE_GRAPH_STEPS: tuple[WholeGraphStep, ...] = (
    WholeGraphStep("antecedents", Label.PRODUCT, "uris", Rel.ANTECEDENT.value, params=(("both", False),),
                   only="n.exposure_key IS NOT NULL AND NOT n:Preview AND NOT n:GuideStar "
                        "AND $inputs[n.suffix] IS NOT NULL"),
    WholeGraphStep("produced_by_products", Label.PRODUCT, "uris", Rel.PRODUCED_BY.value,
                   only="n.level IN ['2b', '3'] AND n.stem IS NOT NULL AND NOT n:Preview"),
    WholeGraphStep("produced_by_associations", Label.ASSOCIATION, "names", Rel.PRODUCED_BY.value),
    WholeGraphStep("linked", Label.PRODUCT, "uris", Rel.LINKED.value, params=(("both", False),),
                   only="n:Preview OR (n:L1b AND NOT n:GuideStar AND n.visit_id IS NOT NULL) "
                        "OR n.msametfl IS NOT NULL"),
    WholeGraphStep("association_members", Label.ASSOCIATION, "names", "(from associations)", divisor=10,
                   concurrent=False),
    WholeGraphStep("engineering_series", Label.ENGINEERING_SERIES, "keys", Rel.HAS_ENGINEERING.value),
    WholeGraphStep("engineering_exposures", Label.OBSERVATION, "obsids", Rel.HAS_ENGINEERING.value,
                   params=(("uris", []), ("max_exposure_days", MAX_EXPOSURE_DAYS)),
                   only="n:Exposure AND n.t_max - n.t_min > $max_exposure_days"),
    WholeGraphStep("engineering_exposures", Label.PRODUCT, "uris", Rel.HAS_ENGINEERING.value,
                   params=(("obsids", []), ("max_exposure_days", MAX_EXPOSURE_DAYS)),
                   only="n.t_max - n.t_min > $max_exposure_days"),
    WholeGraphStep("mrp", Label.OBSERVATION, "obsids", Rel.MRP.value),
)

#: Indexes that make the whole-graph queries' lookups by label index-backed (`linked` finds the
#: guide stars, and the Level-1b exposures, of a visit). Created for `derive_all` when the schema
#: has none on that label and property, and dropped afterwards.
WHOLE_GRAPH_INDEXES: tuple[tuple[Label, str], ...] = (
    (Label.GUIDE_STAR, "visit_id"),
    (Label.L1B, "visit_id"),
)

#: Called after each page: (step, keys done, keys of the kind, seconds so far in the step).
StepProgress = Callable[[WholeGraphStep, int, int, float], None]


def _key_pages(session: neo4j.Session, step: WholeGraphStep, size: int) -> Iterator[list[str]]:
    """Every key of a node kind in key order, `size` at a time (an index-backed seek per page)."""
    label, key = step.label, KEYS[step.label]
    only = f" AND ({step.only})" if step.only else ""
    first = (f"MATCH (n:`{label.value}`) WHERE n.`{key}` IS NOT NULL{only} "
             f"RETURN n.`{key}` AS k ORDER BY k LIMIT $size")
    after = f"MATCH (n:`{label.value}`) WHERE n.`{key}` > $after{only} RETURN n.`{key}` AS k ORDER BY k LIMIT $size"
    params = {**query_params(step.query), **dict(step.params), "size": size}
    page = session.execute_read(lambda tx: [r["k"] for r in tx.run(first, params)])
    while page:
        yield page
        if len(page) < size:
            return
        last = page[-1]
        page = session.execute_read(lambda tx: [r["k"] for r in tx.run(after, {**params, "after": last})])


def _count(session: neo4j.Session, step: WholeGraphStep) -> int:
    """How many keys `step` passes (its `only` applied)."""
    where = f" WHERE {step.only}" if step.only else ""
    text = f"MATCH (n:`{step.label.value}`){where} RETURN count(n) AS c"
    params = {**query_params(step.query), **dict(step.params)}
    return session.execute_read(lambda tx: tx.run(text, params).single()["c"])


def _helper_indexes(driver: neo4j.Driver, database: str) -> list[str]:
    """Create the WHOLE_GRAPH_INDEXES the schema lacks; returns the names of those created."""
    records, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name, labelsOrTypes, properties, entityType WHERE entityType = 'NODE' "
        "RETURN labelsOrTypes AS labels, properties", database_=database, routing_="r")
    present = {(tuple(r["labels"] or ()), tuple(r["properties"] or ())) for r in records}
    created = []
    for label, prop in WHOLE_GRAPH_INDEXES:
        if ((label.value,), (prop,)) in present:
            continue
        name = f"mastgraph_derive_{label.value.lower()}_{prop}"
        driver.execute_query(f"CREATE INDEX `{name}` IF NOT EXISTS FOR (n:`{label.value}`) ON (n.`{prop}`)",
                             database_=database)
        created.append(name)
    if created:
        driver.execute_query("CALL db.awaitIndexes(3600)", database_=database)
    return created


def derive_all(driver: neo4j.Driver, database: str, batch_size: int = 5000,
               progress: StepProgress | None = None, concurrency: int = 2) -> tuple[WriteCounts, dict[str, float]]:
    """Run every derivation over the whole graph (after a bulk import). Returns what was created
    and the seconds each step took (keyed ``query:label``).

    Pages of one step run in `concurrency` write transactions at once (each page is one query
    over its keys, as `derive` runs it; MERGE locks both ends, so concurrent pages never make
    duplicates, and a deadlock is retried); the steps run one after the other, in order.
    """
    counts = WriteCounts()
    seconds: dict[str, float] = {}
    size = max(1, batch_size // 5)
    created = _helper_indexes(driver, database)
    try:
        with driver.session(database=database) as session, ThreadPoolExecutor(max(1, concurrency)) as pool:
            for step in WHOLE_GRAPH_STEPS:
                started = time.perf_counter()
                total = _count(session, step)
                done = 0
                pending: set[Future] = set()
                at_once = max(1, concurrency) if step.concurrent else 1
                for keys in _key_pages(session, step, max(1, size // step.divisor)):
                    pending.add(pool.submit(_run_page, driver, database, step, keys))
                    if len(pending) >= at_once:
                        done += _collect(pending, counts, step, wait_for=FIRST_COMPLETED)
                        if progress:
                            progress(step, done, total, time.perf_counter() - started)
                done += _collect(pending, counts, step, wait_for=ALL_COMPLETED)
                if progress:
                    progress(step, done, total, time.perf_counter() - started)
                name = f"{step.query}:{step.label.value}"
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
    finally:
        for name in created:
            driver.execute_query(f"DROP INDEX `{name}` IF EXISTS", database_=database)
    return counts, seconds


def _run_page(driver: neo4j.Driver, database: str, step: WholeGraphStep, keys: list[str]):
    text = queries.text(f"derive/{step.query}")
    params = {**query_params(step.query), **dict(step.params), step.param: keys}
    with driver.session(database=database) as session:
        summary = session.execute_write(lambda tx: tx.run(text, params).consume())
    return len(keys), summary.counters


def _collect(pending: set[Future], counts: WriteCounts, step: WholeGraphStep, wait_for: str) -> int:
    finished, _ = wait(pending, return_when=wait_for)
    done = 0
    for future in finished:
        pending.discard(future)
        keys, counters = future.result()
        counts.rels_created[step.counted_as] += counters.relationships_created
        counts.rels_deleted[step.counted_as] += counters.relationships_deleted
        counts.properties_set += counters.properties_set
        done += keys
    return done
