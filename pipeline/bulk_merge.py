"""Bulk build, phase 2: merge one spill partition at a time and write the importer's CSV files.

Per node key: properties merged in file order, later non-null values winning (``dict.update`` of
the None-free props, as ``SET n += props`` does online), labels unioned. Per relationship
(type, start, end, identity properties): the same. A key that only relationship ends name becomes
a key-only node (the online writer MERGEs relationship ends) and is listed in the missing-ends
report. An exposure or engineering series longer than its bound gets its `window_class` here, as
the online derivation sets it (`pipeline.derive.window_class`). Each partition writes its own data
files per group; the headers are shared (written once by the build, from the census), so
partitions can be merged by several processes at once.

Where two records of one key give a property different values, or two files one association
different member lists, the earlier stands and the conflict is reported (`PartitionResult.clashes`,
`pipeline.bulk_conflicts`): the build then stops before the import.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from mastgraph.graph.bulk_format import Columns, RowWriter, labels_cell
from mastgraph.pipeline.bulk_conflicts import Clashes
from mastgraph.pipeline.bulk_spill import (
    EDGE, NODE, REF, gc_relaxed, peak_rss, read_spill, remove, spill_files,
)
from mastgraph.graph.bulk_import import cpu_seconds
from mastgraph.model.errors import one_line
from mastgraph.pipeline.derive import MAX_EXPOSURE_DAYS, MAX_SERIES_DAYS, window_class
from mastgraph.pipeline.derive_tables import FactWriter
from mastgraph.model.vocabulary import EDGE_IDENTITY_TEXT, Label

#: The node kinds that can have a `window_class`, with the bound of its first class (an Observation
#: only with the Exposure label).
WINDOW_BOUNDS = {Label.PRODUCT.value: MAX_EXPOSURE_DAYS, Label.OBSERVATION.value: MAX_EXPOSURE_DAYS,
                 Label.ENGINEERING_SERIES.value: MAX_SERIES_DAYS}


class BulkDataError(Exception):
    """Data the importer cannot take and no residual can carry; the message is one line."""


@dataclass
class MergeConfig:
    spill_dir: Path
    csv_dir: Path
    node_columns: dict[str, Columns]
    node_extras: dict[str, tuple[str, ...]]
    edge_columns: dict[tuple[str, str, str], Columns]
    edge_extras: dict[tuple[str, str, str], tuple[str, ...]]
    check_across_files: bool = True  # False: conflicts between files are not refused, later values win
    #: Where the facts the derivation rules read are written (`pipeline.derive_tables.FactWriter`);
    #: None: not written (a dry run).
    facts_dir: Path | None = None


@dataclass
class GroupFile:
    """One data file of one group (a node label set, or a relationship type with its end labels)."""

    kind: str  # "nodes" | "relationships"
    group: tuple[str, ...]
    path: str
    rows: int
    multiline: bool


@dataclass
class PartitionResult:
    partition: int
    files: list[GroupFile] = field(default_factory=list)
    labels: Counter = field(default_factory=Counter)  # nodes per label (every label of a node)
    rels: Counter = field(default_factory=Counter)  # relationships per type
    key_only: Counter = field(default_factory=Counter)  # key-only nodes per label
    residual_values: int = 0
    residual_file: str | None = None
    missing_file: str | None = None
    max_rss: int = 0
    clashes: Clashes = field(default_factory=Clashes)  # conflicts between files (the build stops)


#: Each group's data files: one per partition, in the group's folder (the importer takes a
#: file-name regular expression, so the command line stays short however many partitions).
DATA_FILES = r"p\d+\.csv"


def group_dir(kind: str, group: tuple[str, ...]) -> str:
    return f"{kind}/{'-'.join(group)}"


class MergeWorker:
    """Phase-2 worker: a task is a partition number."""

    def __init__(self, config: MergeConfig, tag: str) -> None:
        self.config = config
        self.tag = tag
        self._facts: FactWriter | None = None

    def run(self, partition: int, emit: Callable[[tuple], None]) -> None:
        with gc_relaxed():  # (a partition's records are many small containers, nearly none in a cycle)
            result = self.merge(partition)
        emit(("partition", result))

    def finish(self) -> tuple[int, float]:
        """The process's peak RSS and its CPU seconds."""
        return peak_rss(), cpu_seconds()

    # -- one partition ---------------------------------------------------------------------
    def merge(self, partition: int) -> PartitionResult:
        result = PartitionResult(partition)
        result.clashes.keep_earlier = self.config.check_across_files
        nodes, edges, refs = self._read(partition, result.clashes)
        out = _Outputs(self.config.csv_dir, partition, result)
        self._facts = FactWriter(self.config.facts_dir, partition) if self.config.facts_dir else None
        try:
            self._write_nodes(nodes, refs, out, result)
            del nodes, refs
            self._write_edges(edges, out, result)
        finally:
            out.close()
            if self._facts is not None:
                self._facts.close()
        for path in spill_files(self.config.spill_dir, partition):
            remove(path)
        result.max_rss = peak_rss()
        return result

    def _read(self, partition: int, clashes: Clashes) -> tuple[dict, dict, dict]:
        files = spill_files(self.config.spill_dir, partition)
        records: list[tuple] = []
        for path in files:
            for batch in read_spill(path):
                records.extend(batch)
        if len(files) > 1:  # several workers spilled here: back into file order (stable)
            records.sort(key=itemgetter(1))
        nodes: dict[tuple[str, str], list] = {}
        edges: dict[tuple, dict] = {}
        refs: dict[tuple[str, str], str] = {}
        members: dict[str, tuple] = {}
        for record in records:
            kind = record[0]
            if kind == NODE:
                key = (record[2], record[3])
                seen = nodes.get(key)
                if seen is None:
                    nodes[key] = [record[4], record[5]]
                else:
                    if record[4]:
                        seen[0] = seen[0] + record[4]
                    props = record[5]
                    if props and not props.items() <= seen[1].items():  # (a copy: loaders may share one dict)
                        seen[1] = clashes.props(f"{key[0]} {key[1]}", seen[1], props, record[6],
                                                _first_of(records, record, 5, lambda r: (r[2], r[3]) == key))
            elif kind == EDGE:
                key = record[2:8]
                seen = edges.get(key)
                if seen is None:
                    edges[key] = record[8]
                elif record[8] and not record[8].items() <= seen.items():
                    edges[key] = clashes.props(f"{key[0]} {key[2]} -> {key[4]}", seen, record[8], record[9],
                                               _first_of(records, record, 8, lambda r: r[2:8] == key))
            elif kind == REF:
                key = (record[2], record[3])
                if key not in refs:
                    refs[key] = record[4]
            else:  # MEMBERS: one association's member list in one file, against the first file's
                first = members.setdefault(record[2], record)
                if first[3] != record[3]:
                    clashes.add(record[5], record[2], None, str(record[4]), str(first[4]), first[5])
        return nodes, edges, refs

    def _write_nodes(self, nodes: dict, refs: dict, out: "_Outputs", result: PartitionResult) -> None:
        writers: dict[tuple[str, ...], RowWriter] = {}
        labels_count = result.labels
        facts = self._facts
        bounds, observation, exposure = WINDOW_BOUNDS, Label.OBSERVATION.value, Label.EXPOSURE.value
        for (label, key), (extra, props) in nodes.items():
            group = (label, *sorted(set(extra) - {label})) if extra else (label,)
            bound = bounds.get(label)
            if bound is not None and "t_max" in props and (label != observation or exposure in group):
                klass = window_class(props.get("t_min"), props["t_max"], bound)
                if klass is not None:
                    props = {**props, "window_class": klass}
            if facts is not None:
                facts.node(group, key, props)
            writer = writers.get(group)
            if writer is None:
                writer = writers[group] = out.node_writer(group, self.config)
            residuals = writer.add([key], props)
            if residuals:
                out.residual(("n", label, key, dict(residuals)))
            for name in group:
                labels_count[name] += 1
        for (label, key), where in refs.items():
            if (label, key) in nodes:
                continue
            group = (label,)
            writer = writers.get(group)
            if writer is None:
                writer = writers[group] = out.node_writer(group, self.config)
            writer.add([key], {})
            labels_count[label] += 1
            result.key_only[label] += 1
            out.missing(one_line(f"{where}: {label} {key} is named by a relationship but described by no record; "
                                 "created with its key only") + "\n")

    def _write_edges(self, edges: dict, out: "_Outputs", result: PartitionResult) -> None:
        writers: dict[tuple[str, ...], RowWriter] = {}
        rels = result.rels
        facts = self._facts
        for (rel, start, skey, end, ekey, ident), props in edges.items():
            group = (rel, start, end)
            if facts is not None:
                facts.edge(rel, start, skey, end, ekey, props)
            writer = writers.get(group)
            if writer is None:
                writer = writers[group] = out.edge_writer(group, self.config)
            residuals = writer.add([skey, ekey, rel], props)
            if residuals:
                names = EDGE_IDENTITY_TEXT.get((rel, start), ())
                for name, value in residuals:
                    if name in names:
                        raise BulkDataError(
                            f"{rel} {skey} -> {ekey}: identity property {name} = {value!r} cannot be written "
                            "by the bulk importer; load these files with `mastgraph ingest`")
                out.residual(("e", rel, start, skey, end, ekey, names, ident, dict(residuals)))
            rels[rel] += 1


class _Outputs:
    """The files one partition writes: data files per group, residual values, missing ends."""

    def __init__(self, csv_dir: Path, partition: int, result: PartitionResult) -> None:
        self.csv_dir = csv_dir
        self.partition = partition
        self.result = result
        self.writers: list[tuple[str, tuple[str, ...], RowWriter]] = []
        self._residuals: list[tuple] = []
        self._residual_fh = None
        self._missing_fh = None

    def _path(self, kind: str, group: tuple[str, ...]) -> Path:
        folder = self.csv_dir / group_dir(kind, group)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"p{self.partition:05d}.csv"

    def node_writer(self, group: tuple[str, ...], config: MergeConfig) -> RowWriter:
        label = group[0]
        columns = config.node_columns.get(label, Columns((), ()))
        writer = RowWriter(self._path("nodes", group), 1, columns, tail=(labels_cell(group),),
                           extras=config.node_extras.get(label, ()))
        self.writers.append(("nodes", group, writer))
        return writer

    def edge_writer(self, group: tuple[str, ...], config: MergeConfig) -> RowWriter:
        columns = config.edge_columns.get(group, Columns((), ()))
        writer = RowWriter(self._path("relationships", group), 3, columns, extras=config.edge_extras.get(group, ()))
        self.writers.append(("relationships", group, writer))
        return writer

    def residual(self, item: tuple) -> None:
        self._residuals.append(item)
        self.result.residual_values += len(item[-1])
        if len(self._residuals) >= 1000:
            self._dump_residuals()

    def _dump_residuals(self) -> None:
        if not self._residuals:
            return
        if self._residual_fh is None:
            path = self.csv_dir / "residual" / f"p{self.partition:05d}.pkl"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._residual_fh = open(path, "wb")
            self.result.residual_file = str(path)
        pickle.dump(self._residuals, self._residual_fh, protocol=pickle.HIGHEST_PROTOCOL)
        self._residuals = []

    def missing(self, line: str) -> None:
        if self._missing_fh is None:
            path = self.csv_dir / "missing" / f"p{self.partition:05d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._missing_fh = open(path, "w", encoding="utf-8", errors="surrogateescape")
            self.result.missing_file = str(path)
        self._missing_fh.write(line)

    def close(self) -> None:
        for kind, group, writer in self.writers:
            writer.close()
            self.result.files.append(GroupFile(kind, group, str(writer.path), writer.rows_written, writer.multiline))
        self._dump_residuals()
        for fh in (self._residual_fh, self._missing_fh):
            if fh is not None:
                fh.close()


def _first_of(records: list[tuple], later: tuple, at: int, same_key: Callable[[tuple], bool]):
    """For a conflict at `later`: the origin code of the first record of its kind and key before it
    that gives a property (`at`: where a record's props are, its origin code and later-added
    origins following). Read again from the partition's records, only when there is a conflict."""
    def first_of(name: str):
        for record in records:
            if record is later:
                break
            if record[0] == later[0] and name in record[at] and same_key(record):
                origins = record[at + 2]
                return origins[name] if origins and name in origins else record[at + 1]
        return later[at + 1]
    return first_of


def read_residuals(path: str):
    yield from (item for batch in read_spill(Path(path)) for item in batch)
