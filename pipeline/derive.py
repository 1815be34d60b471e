"""Derived relationships: what needs knowledge beyond one file (cypher/derive/*.cypher).

Run by the online ingest after a file's records are written, in the same transaction, over what
the file touched (`derive`); with MASTGRAPH_DERIVE=tables the ingest derives with the bulk build's
rules instead (`pipeline/derive_batch.py`), which give the same graph. Every query MERGEs in both directions where order matters, so files
loaded in any order give the same graph. The bulk build computes the same relationships before its
import, from the same rules written as SQL (`pipeline/derive_tables.py`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mastgraph.graph import queries
from mastgraph.graph.writer import Runner, WriteCounts, unlogged
from mastgraph.loaders.names import INTERMEDIATE_SUFFIXES
from mastgraph.model.records import Edge, Node
from mastgraph.model.vocabulary import EXPOSURE_INPUTS, Label, Rel

#: An exposure (days) longer than this has a `window_class`: the time-index seek of the engineering
#: join reaches this far back for the others.
MAX_EXPOSURE_DAYS = 2.0
#: An engineering series window (days) longer than this has a `window_class`, likewise. EDB series
#: cover minutes to hours: the seek of a new exposure reads every series that began in the day
#: before it (a month of series was read per exposure at 31 days).
MAX_SERIES_DAYS = 1.0
#: How many window classes below the last, open-ended one (`window_class`).
WINDOW_CLASSES = 16


def window_class(t_min: Any, t_max: Any, bound: float) -> int | None:
    """The `window_class` of an exposure (`bound` MAX_EXPOSURE_DAYS) or an engineering series
    (MAX_SERIES_DAYS) whose window is [t_min, t_max], as cypher/derive/window_classes.cypher sets it
    online and the bulk build writes it (`pipeline.bulk_merge`).

    None unless both are numbers and the window is longer than `bound`; else how many of
    ``bound * 2**1 ... bound * 2**WINDOW_CLASSES`` it is longer than. A window of class k below
    WINDOW_CLASSES lasts at most ``bound * 2**(k + 1)``: the engineering join finds the long windows
    that hold a time by one bounded index seek per class (`Product`, `Exposure` and
    `EngineeringSeries` (window_class, t_min)), where one seek reaching back as far as the longest
    window would read every window of the months before.
    """
    if type(t_min) not in (int, float) or type(t_max) not in (int, float):
        return None
    span = float(t_max) - float(t_min)
    if not span > bound:
        return None
    return sum(1 for i in range(WINDOW_CLASSES) if span > bound * 2.0 ** (i + 1))


@dataclass
class Touched:
    """The keys a file wrote, by kind: the scope of the derivations.

    Besides every product touched (`uris`), the products a Node record wrote (`described`: their
    properties or labels may have changed) and those given an exposure time (`timed`). A LINKED or
    a product's HAS_ENGINEERING follows from properties and labels alone and is never deleted, so
    it is derived when the last of the facts it needs is written: a product touched only as a
    relationship's end brings none.
    """

    uris: set[str] = field(default_factory=set)
    associations: set[str] = field(default_factory=set)
    obsids: set[str] = field(default_factory=set)
    series: set[str] = field(default_factory=set)
    described: set[str] = field(default_factory=set)
    timed: set[str] = field(default_factory=set)

    def add(self, record: Node | Edge) -> None:
        if isinstance(record, Node) and record.label is Label.PRODUCT:
            self.described.add(record.key)
            props = record.props
            if props.get("t_min") is not None or props.get("t_max") is not None:
                self.timed.add(record.key)
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
    """The fixed parameters of a derivation query ."""
    if name == "antecedents":
        return {"inputs": EXPOSURE_INPUTS, "both": True}
    if name == "linked":
        return {"both": True}
    if name in ("engineering_series", "engineering_exposures", "window_classes"):
        return {"max_exposure_days": MAX_EXPOSURE_DAYS, "max_series_days": MAX_SERIES_DAYS,
                "window_classes": WINDOW_CLASSES, "unbounded": math.inf}
    if name == "mrp":
        return {"intermediate": sorted(INTERMEDIATE_SUFFIXES)}
    return {}


def _run(tx: Runner, name: str, counts: WriteCounts, label: str, **params) -> None:
    started = time.perf_counter()
    summary = tx.run(queries.text(f"derive/{name}"), unlogged({**query_params(name), **params})).consume()
    counts.add_seconds(name, time.perf_counter() - started)
    counts.rels_created[label] += summary.counters.relationships_created
    counts.rels_deleted[label] += summary.counters.relationships_deleted
    counts.properties_set += summary.counters.properties_set


def _scope(tx: Runner, counts: WriteCounts, uris: list[str]) -> tuple[set[str], set[str]]:
    """The associations and the observations whose derivations a change to these products can affect."""
    started = time.perf_counter()
    names: set[str] = set()
    obsids: set[str] = set()
    for name, obsid in tx.run(queries.text("derive/scope_of_products"), {"uris": uris}):
        if name is not None:
            names.add(name)
        if obsid is not None:
            obsids.add(obsid)
    counts.add_seconds("scope_of_products", time.perf_counter() - started)
    return names, obsids


def chunk_size(batch_size: int) -> int:
    """Keys per derivation statement: derivations fan out, so each statement's work is kept bounded."""
    return max(1, batch_size // 5)


def derive(tx: Runner, touched: Touched, batch_size: int = 5000) -> WriteCounts:
    """Derive every relationship the touched keys can affect. Returns what was created/deleted."""
    counts = WriteCounts()
    size = chunk_size(batch_size)
    for uris in _chunks(touched.uris, size):
        _run(tx, "antecedents", counts, Rel.ANTECEDENT.value, uris=uris)
        _run(tx, "produced_by_products", counts, Rel.PRODUCED_BY.value, uris=uris)
    for names in _chunks(touched.associations, size):
        _run(tx, "produced_by_associations", counts, Rel.PRODUCED_BY.value, names=names)
    associations = set(touched.associations)
    observations = set(touched.obsids)
    for uris in _chunks(touched.uris, size):
        names, obsids = _scope(tx, counts, uris)
        associations |= names
        observations |= obsids
    for uris in _chunks(touched.described, size):
        _run(tx, "linked", counts, Rel.LINKED.value, uris=uris)
    for names in _chunks(associations, max(1, size // 10)):
        _run(tx, "association_members", counts, "(from associations)", names=names)
    set_window_classes(tx, touched, size, counts)
    for keys in _chunks(touched.series, size):
        _run(tx, "engineering_series", counts, Rel.HAS_ENGINEERING.value, keys=keys)
    for obsids in _chunks(touched.obsids, size):
        _run(tx, "engineering_exposures", counts, Rel.HAS_ENGINEERING.value, obsids=obsids, uris=[])
    for uris in _chunks(touched.timed, size):
        _run(tx, "engineering_exposures", counts, Rel.HAS_ENGINEERING.value, obsids=[], uris=uris)
    for obsids in _chunks(observations, size):
        _run(tx, "mrp", counts, Rel.MRP.value, obsids=obsids)
    return counts


def set_window_classes(tx: Runner, touched: Touched, size: int, counts: WriteCounts) -> None:
    """The `window_class` of the touched exposures and series, from their times as now written: before
    the engineering join of a batch (either derivation), which seeks the long windows by it."""
    text, params = queries.text("derive/window_classes"), query_params("window_classes")
    started = time.perf_counter()
    for kind, values in (("obsids", touched.obsids), ("uris", touched.timed), ("keys", touched.series)):
        for chunk in _chunks(values, size):
            summary = tx.run(text, unlogged({**params, "obsids": [], "uris": [], "keys": [], kind: chunk})).consume()
            counts.properties_set += summary.counters.properties_set
    counts.add_seconds("window_classes", time.perf_counter() - started)


def set_all_window_classes(drv, database: str) -> int:
    """Give every exposure and series of the graph its `window_class` (a graph loaded before the
    derivations set it); returns how many nodes changed. One pass over every timed node."""
    with drv.session(database=database) as session:
        summary = session.run(queries.text("derive/all_window_classes"), query_params("window_classes")).consume()
    return summary.counters.properties_set
