"""Derived relationships: what needs knowledge beyond one file (cypher/derive/*.cypher).

Run after a file's records are written, in the same transaction, over what the file touched; the
bulk build runs the same queries over the whole graph. Every query MERGEs in both directions where
order matters, so files loaded in any order give the same graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mastgraph.graph import queries
from mastgraph.graph.model import EXPOSURE_INPUTS, Label, Rel
from mastgraph.graph.writer import Runner, WriteCounts
from mastgraph.loaders.records import Edge, Node

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


def _run(tx: Runner, name: str, counts: WriteCounts, label: str, **params) -> None:
    summary = tx.run(queries.text(f"derive/{name}"), params).consume()
    counts.rels_created[label] += summary.counters.relationships_created
    counts.rels_deleted[label] += summary.counters.relationships_deleted
    counts.properties_set += summary.counters.properties_set


def _column(tx: Runner, name: str, column: str, **params) -> set[str]:
    return {record[column] for record in tx.run(queries.text(f"derive/{name}"), params)}


def derive(tx: Runner, touched: Touched, batch_size: int = 5000) -> WriteCounts:
    """Derive every relationship the touched keys can affect. Returns what was created/deleted."""
    counts = WriteCounts()
    size = max(1, batch_size // 5)  # derivations fan out: keep each statement's work bounded
    for uris in _chunks(touched.uris, size):
        _run(tx, "antecedents", counts, Rel.ANTECEDENT.value, uris=uris, inputs=EXPOSURE_INPUTS)
        _run(tx, "produced_by_products", counts, Rel.PRODUCED_BY.value, uris=uris)
    for names in _chunks(touched.associations, size):
        _run(tx, "produced_by_associations", counts, Rel.PRODUCED_BY.value, names=names)
    associations = set(touched.associations)
    observations = set(touched.obsids)
    for uris in _chunks(touched.uris, size):
        associations |= _column(tx, "associations_of_products", "name", uris=uris)
        observations |= _column(tx, "observations_of_products", "obsid", uris=uris)
        _run(tx, "linked", counts, Rel.LINKED.value, uris=uris)
    for names in _chunks(associations, max(1, size // 10)):
        _run(tx, "association_members", counts, "(from associations)", names=names)
    for keys in _chunks(touched.series, size):
        _run(tx, "engineering_series", counts, Rel.HAS_ENGINEERING.value, keys=keys, max_exposure_days=MAX_EXPOSURE_DAYS)
    for obsids in _chunks(touched.obsids, size):
        _run(tx, "engineering_exposures", counts, Rel.HAS_ENGINEERING.value, obsids=obsids, uris=[],
             max_series_days=MAX_SERIES_DAYS)
    for uris in _chunks(touched.uris, size):
        _run(tx, "engineering_exposures", counts, Rel.HAS_ENGINEERING.value, obsids=[], uris=uris,
             max_series_days=MAX_SERIES_DAYS)
    for obsids in _chunks(observations, size):
        _run(tx, "mrp", counts, Rel.MRP.value, obsids=obsids)
    return counts
