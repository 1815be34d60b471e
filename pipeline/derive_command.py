"""The online ingest's derivation of a whole command, for a load into an empty database.

When `mastgraph ingest` of several files begins on a database that holds no node (the first load of
an archive into a database, a rebuilt one), the relationships its records imply are derived once,
by the bulk build's rules (`derive_tables.RULES`, in DuckDB) over everything the command says,
instead of by the Cypher derivation of each batch (`pipeline/derive.py`), which reads the graph
around each batch again:

1. The comparison of the files, which merges every key of the command anyway
   (`ingest.AcrossFiles`; on disk each partition's replay, `across_spill.replay`), writes each
   merged node and relationship as a fact (`write_facts`, the bulk build's `FactWriter`).
2. A helper process runs the rules over the facts (`run_rules`) while the batches are written
   without derivation.
3. After the last batch, the derived relationships are CREATEd (none can be there yet), in the
   order of their start keys (at L, 104 s instead of 168 s in DuckDB's order), two transactions at
   a time; the values the rules give relationships a loader wrote are SET (as the bulk build's
   residuals), and every exposure and series gets its `window_class`.

Over one command into an empty database the rules give the graph the per-batch derivation gives
(tests/graph/test_derive_command.py). That holds only when the graph holds the command's records,
each file whole, and nothing else, so the per-batch derivation stays wherever that is not known:
a database that is not empty, a file that fails, a value written inexactly (`records.Inexact`);
and should a transaction fail, or the graph hold nodes the command did not create (another
writer), or DuckDB could not run the rules, the Cypher derivation runs after the load over what
was written (`derive_written`). `IngestReport.derivation` says which way it went. A
load stopped before its end leaves relationships underived: the same command again finds the
database not empty and derives each batch, which completes them.
"""

from __future__ import annotations

import multiprocessing
import shutil
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from mastgraph.graph.writer import ParamRows, WriteCounts, edge_create_query
from mastgraph.loaders.records import Inexact, RecordMerger
from mastgraph.model.errors import first_line
from mastgraph.model.records import Edge, Node
from mastgraph.model.vocabulary import VALUE_OF, Label, Rel
from mastgraph.pipeline import derive_tables

if TYPE_CHECKING:
    import neo4j

    from mastgraph.graph.settings import Settings

#: Transactions writing the derived relationships at a time (at most one a core). While one
#: transaction at a time wrote them, Neo4j used 1.0-1.4 of this machine's 2 cores. At M (324,179
#: relationships, sorted by type, end labels and start key): 10.8-11.5 s in transactions of 50,000
#: rows; 9.2-9.3 s of 10,000; 7.3-8.0 s two at a time (8.5 s three at a time); 6.8 s two at a
#: time of 5,000 (MASTGRAPH_BATCH_SIZE, one statement each).
WRITERS = 2
#: The relationships to create (`run_rules`), a JSON object a line.
CREATED = "new_edges.json"
#: `Settings.derive` of the batches of a command derived whole: no derivation per batch.
AT_END = "at_end"


def write_facts(nodes: Iterable[tuple[str, Any, tuple[str, ...], dict]],
                edges: Iterable[tuple[str, str, Any, str, Any, dict]], folder: Path, partition: int) -> bool:
    """Merged records as the facts of `partition` under `folder`: each node once as (label, key,
    the other labels, props), each relationship once as (type, start label, start key, end label,
    end key, props), all as texts (`merged`: a `RecordMerger`'s). False when a value was written
    inexactly (`Inexact`: the facts are then of no use) or the folder cannot be written."""
    facts = derive_tables.FactWriter(folder, partition)
    try:
        try:
            for label, key, labels, props in nodes:
                group = (label, *sorted(set(labels) - {label})) if labels else (label,)
                facts.node(group, key, props)
            for rel, start, skey, end, ekey, props in edges:
                facts.edge(rel, start, skey, end, ekey, props)
        finally:
            facts.close()
    except (Inexact, OSError):  # (OSError: the work folder is full: the batches derive as usual)
        return False
    return True


def merged(merger: RecordMerger) -> tuple[Iterator[tuple], Iterator[tuple]]:
    """The nodes and relationships of `merger` as `write_facts` takes them."""
    nodes = ((label.value, key, tuple(map(VALUE_OF, labels)), props) for label, key, labels, props in merger.nodes())
    edges = ((rel.value, start[0].value, start[1], end[0].value, end[1], props)
             for rel, start, end, props in merger.edges())
    return nodes, edges


class CommandDerivation:
    """The facts of one command (under `folder`/facts), the rules run on them and their writes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.facts = folder / "facts"
        self.exact = True  # every partition's facts are usable (`write_facts`)
        self._created = folder / CREATED
        self._residuals: list[tuple] = []
        self._outcome: tuple[list[tuple] | None, str, float] = (None, "not run", 0.0)
        self._executor = self._future = None
        self._before: set = set()
        self.why, self.seconds = "", 0.0

    def start(self, helper: bool) -> None:
        """Run the rules over the facts: in a helper process while the batches are written (`helper`),
        or here and now (a small command). `ready()` tells whether they ran."""
        if not helper:
            self._outcome = run_rules(str(self.folder), 1)
            return
        from concurrent.futures import ProcessPoolExecutor

        from mastgraph.pipeline.parse_pass import _context, ignore_ctrl_c

        self._before = set(multiprocessing.active_children())
        self._executor = ProcessPoolExecutor(1, mp_context=_context(), initializer=ignore_ctrl_c)
        self._future = self._executor.submit(run_rules, str(self.folder), 1)

    def ready(self) -> bool:
        """Wait for the rules; whether they ran (if not, the caller derives another way). Their
        seconds are in `seconds`, why they did not run in `why`."""
        from concurrent.futures.process import BrokenProcessPool

        if self._future is not None:
            from mastgraph.pipeline.parse_pass import stop_workers, watched

            try:
                self._outcome = watched(self._future, self._executor)
                self._executor.shutdown(wait=True)
            except BrokenProcessPool:  # (killed while answering too: not waited for)
                self._outcome = (None, "the process running the rules stopped", 0.0)
                stop_workers(self._executor, self._before)
            self._executor = self._future = None
        residuals, self.why, self.seconds = self._outcome
        if residuals is None:
            return False
        self._residuals = residuals
        return True

    def edges(self, size: int) -> Iterator[list[tuple[tuple[Rel, Label, Label], list[dict[str, Any]]]]]:
        """The derived relationships no loader wrote, `size` at a time, as the rows of
        `edge_create_query` by (type, start label, end label)."""
        props_of = {rel.value: props for rel, props in derive_tables.DERIVED_PROPS.items()}
        with open(self._created, "rb") as created:
            while lines := list(islice(created, size)):
                groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
                for line in lines:
                    row = orjson.loads(line)
                    rel = row["rel"]
                    props = {name: row[name] for name in props_of[rel] if row[name] is not None}
                    groups[(rel, row["start_label"], row["end_label"])].append(
                        {"start": row["start_key"], "end": row["end_key"], "props": props})
                yield [((Rel(rel), Label(start), Label(end)), found) for (rel, start, end), found in groups.items()]

    def write(self, driver: neo4j.Driver, settings: Settings, size: int, counts: WriteCounts) -> None:
        """Write the derived relationships (`WRITERS` transactions at a time, MASTGRAPH_BATCH_SIZE
        rows each), the residual values (statements of up to `size` rows) and every window class; into `counts`."""
        from mastgraph.pipeline.derive import set_all_window_classes

        started = time.perf_counter()
        for created in _in_parallel(self.edges(settings.batch_size), _writers(),
                                    lambda chunk: _create_edges_in(driver, settings, chunk)):
            counts.add(created)
        from mastgraph.pipeline.bulk import residual_batches

        with driver.session(database=settings.neo4j_database) as session:
            for group, rows in residual_batches(self._residuals, size):
                counts.properties_set += session.execute_write(_set_residuals, group, rows)
        counts.add_seconds("rules: writes", time.perf_counter() - started)
        started = time.perf_counter()
        counts.properties_set += set_all_window_classes(driver, settings.neo4j_database)
        counts.add_seconds("window_classes", time.perf_counter() - started)

    def close(self) -> None:
        if self._executor is not None:  # (the load stopped: the rules are not needed)
            from mastgraph.pipeline.parse_pass import stop_workers

            stop_workers(self._executor, self._before)
            self._executor = self._future = None
        shutil.rmtree(self.folder, ignore_errors=True)


def run_rules(folder: str, threads: int, memory: str = derive_tables.MEMORY) -> tuple[list[tuple] | None, str, float]:
    """The rules over the facts under `folder` (in a helper process, or not): the relationships to
    create go to a file there, a JSON object a line, and DuckDB's memory back when it closes.
    Returns (the values to set on relationships a loader wrote, "", seconds), or (None, why, seconds)
    when DuckDB could not run them (out of memory, a full disk)."""
    import duckdb

    started = time.perf_counter()
    work = Path(folder)
    try:
        con = derive_tables.connect(derive_tables.DuckConfig(work / "derive.duckdb", work / "duckdb-tmp", memory,
                                                             threads))
        try:
            derive_tables.load_facts(con, work / "facts")
            derive_tables.run_rules(con, measure=False)
            residuals = derive_tables.unite(con)
            con.execute('COPY (SELECT rel, start_label, end_label, start_key, end_key, kind, exptype, "by", source_id '
                        "FROM new_edges ORDER BY rel, start_label, end_label, start_key, end_key) TO ? (FORMAT json)",
                        [str(work / CREATED)])
        finally:
            con.close()
    except (duckdb.Error, OSError) as exc:
        return None, first_line(exc), time.perf_counter() - started
    finally:
        (work / "derive.duckdb").unlink(missing_ok=True)
        shutil.rmtree(work / "facts", ignore_errors=True)
    return residuals, "", time.perf_counter() - started


def _writers() -> int:
    from mastgraph.pipeline.parse_pass import _cores

    return max(1, min(WRITERS, _cores()))


def _in_parallel(chunks: Iterable[Any], workers: int, work: Callable[[Any], Any]) -> Iterator[Any]:
    """`work` of each chunk by `workers` threads, the results in order; at most two chunks a thread
    held at once. An error stops the chunks not yet begun and is raised when its result is due."""
    if workers <= 1:
        yield from map(work, chunks)
        return
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(workers)
    pending: deque = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(work, chunk))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _create_edges_in(driver: neo4j.Driver, settings: Settings,
                     groups: list[tuple[tuple[Rel, Label, Label], list[dict[str, Any]]]]) -> WriteCounts:
    with driver.session(database=settings.neo4j_database) as session:
        return session.execute_write(_create_edges, groups, settings.batch_size)


def _create_edges(tx: neo4j.ManagedTransaction, groups: list[tuple[tuple[Rel, Label, Label], list[dict[str, Any]]]],
                  batch_size: int) -> WriteCounts:
    """CREATE the derived relationships of `groups` (none is in the graph: it held only the
    command's nodes and the loaders' relationships, and `new_edges` has none of those), `batch_size`
    rows a statement: a third less of Neo4j's CPU than MERGE (bench/limit.py). Concurrent
    transactions of them share end nodes, so one may wait for another's locks; a deadlock Neo4j
    reports as transient, and `execute_write` runs the transaction again."""
    counts = WriteCounts()
    for group, rows in groups:
        query = edge_create_query(*group)
        for at in range(0, len(rows), batch_size):
            summary = tx.run(query, rows=ParamRows(rows[at:at + batch_size])).consume()
            counts.rels_created[group[0].value] += summary.counters.relationships_created
    return counts


def _set_residuals(tx: neo4j.ManagedTransaction, group: tuple, rows: list[dict[str, Any]]) -> int:
    from mastgraph.pipeline.bulk import residual_query

    return tx.run(residual_query(group), rows=ParamRows(rows)).consume().counters.properties_set


def derive_written(driver: neo4j.Driver, settings: Settings, files: Iterable[Iterable[Node | Edge]], size: int,
                   counts: WriteCounts) -> None:
    """The Cypher derivation over the records of the `files` written, about `size` records a
    transaction (`pipeline.derive.derive`: in any order, each key's relationships with the whole graph)."""
    from mastgraph.pipeline.derive import Touched, derive

    def flush(touched: Touched) -> None:
        with driver.session(database=settings.neo4j_database) as session:
            counts.add(session.execute_write(derive, touched, settings.batch_size))

    touched, held = Touched(), 0
    for records in files:
        for record in records:
            touched.add(record)
            held += 1
        if held >= size:
            flush(touched)
            touched, held = Touched(), 0
    if touched:
        flush(touched)
