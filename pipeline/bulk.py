"""The bulk build: a first load of a whole archive through Neo4j's own importer.

    parse   files -> the online path's loaders and checks -> records spilled to partitions
    csv     one partition at a time: merged by key -> the importer's CSV files (bounded memory), and
            the facts the derivation rules read; two files giving one key different values stop the
            build here, before the import
    derive  the derivation rules (`pipeline.derive_tables`: cypher/derive/*.cypher as SQL joins, run
            by DuckDB in bounded memory) -> the derived relationships' CSV files
    import  `neo4j-admin database import full` -> server started (a running local server is stopped
            in the background as soon as the database is found empty, while the files are parsed;
            a build that stops before the import starts it again)
    index   cypher/schema.cypher applied, indexes awaited

The result is the graph the online ingest (`pipeline.ingest`) builds from the same files in the same
order; docs/bulk.md says how, and what it costs. Parsing and CSV writing run in worker processes
(one per core by default); everything a worker holds is one file's records or one partition.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import queue
import shutil
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import neo4j

from mastgraph.graph import db
from mastgraph.graph.bulk_format import Census, Columns, edge_header, node_header
from mastgraph.graph.bulk_import import (
    ImportFailed, ImportGroup, cpu_seconds, import_command, process_cpu_seconds, run_import, store_size,
)
from mastgraph.pipeline.bulk_merge import (
    DATA_FILES, BulkDataError, GroupFile, MergeConfig, MergeWorker, PartitionResult, WINDOW_BOUNDS, group_dir,
    read_residuals,
)
from mastgraph.pipeline.across_spill import WorkFolderError, cannot_write
from mastgraph.pipeline.parse_pass import end_reading
from mastgraph.pipeline.bulk_conflicts import Clashes
from mastgraph.pipeline.bulk_spill import FileOutcome, ParseConfig, ParseResult, ParseWorker, peak_rss, read_rejects
from mastgraph.pipeline import derive_tables, forkserver
from mastgraph.model.vocabulary import KEYS, Label, Rel
from mastgraph.graph.server import LocalNeo4j
from mastgraph.graph.settings import Settings
from mastgraph.pipeline.bulk_files import file_tasks, iter_files, survey
from mastgraph.loaders.records import LoadError
from mastgraph.loaders.registry import LOADERS
from mastgraph.model.errors import append_traceback, first_line

#: Input bytes per spill partition: phase 2 holds one partition's merged records in memory, so
#: this bounds each worker's RSS (about 150 MB a partition; the parse workers' combining, about
#: 250 MB, stays the larger).
PARTITION_INPUT_BYTES = 32 * 1024 * 1024
MAX_PARTITIONS = 4096
#: Disk needed, as multiples of the estimated input: spill + CSV in the work folder at their peak;
#: the database beside it (measured: docs/bulk.md).
WORK_FACTOR = 2.5
DATABASE_FACTOR = 2.0
#: Parse tasks (runs of files) one worker process takes before a fresh one replaces it; each
#: merge process takes one partition.
PARSE_TASKS_PER_PROCESS = 4
#: Below this much input, parse and merge in the calling process (no worker start-up cost).
INLINE_BELOW = 32 * 1024 * 1024
#: The importer's default JVM heap. Its own check asks for 1 GiB; a -Xmx of exactly 1g gives the
#: JVM a little less usable heap than that (G1 keeps a region back), so the importer warned that
#: "heap size 1.000GiB may be too small".
IMPORTER_HEAP = "1100m"
PHASES = ("parse", "csv", "derive", "import", "index")


class BulkError(Exception):
    """The build was refused or stopped; each line of ``lines`` is one `file:line: reason`."""

    def __init__(self, message: str, lines: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.lines = list(lines)


class BuildProgress(Protocol):
    """What the build reports as it goes (the CLI draws rich progress bars from it)."""

    def start(self, phase: str, total: float | None, note: str = "") -> None: ...

    def update(self, phase: str, completed: float, note: str = "") -> None: ...

    def finish(self, phase: str, note: str = "") -> None: ...


class _Quiet:
    def start(self, phase: str, total: float | None, note: str = "") -> None:
        pass

    def update(self, phase: str, completed: float, note: str = "") -> None:
        pass

    def finish(self, phase: str, note: str = "") -> None:
        pass


@dataclass
class BuildOptions:
    force: bool = False  # replace a database that is not empty
    skip_bad: bool = False  # skip bad rows (rejects report) instead of stopping
    work_dir: Path | None = None  # default: <state folder>/bulk-work
    keep_work: bool = False
    #: Parse and write the CSV only: every file checked, counts and timings reported; the server
    #: and the database are not touched (no stop, no import, no derivations).
    dry_run: bool = False
    workers: int = 0  # 0: one per core
    partitions: int = 0  # 0: from the input estimate
    importer_heap: str = IMPORTER_HEAP
    importer_memory: str | None = None  # the importer's --max-off-heap-memory (its default: 90% of free RAM)
    importer_threads: int | None = None
    derive_memory: str = derive_tables.MEMORY  # DuckDB's memory_limit for the derivation rules
    #: Which loader reads a file (default: `loaders.registry.detect`); it must be picklable (a
    #: module-level function or class) when worker processes are used.
    detect: Callable[[Path], Any] | None = None
    #: Refuse files that give one key different values (as `mastgraph ingest`); False: later values
    #: win (as `ingest_paths(..., check_across_files=False)`).
    check_across_files: bool = True


@dataclass
class BuildReport:
    """Counts, timings, memory and disk of one build; `to_json` is what --report-json writes."""

    files: int = 0
    input_bytes: int = 0
    estimated_bytes: int = 0
    records: int = 0
    partitions: int = 0
    workers: int = 1
    phases: dict[str, float] = field(default_factory=dict)
    derive_steps: dict[str, float] = field(default_factory=dict)  # seconds per derivation rule (pipeline.derive_tables)
    #: The most DuckDB's buffer manager held after any rule (memory and spilled temporary files),
    #: and its memory limit.
    duckdb_peak_bytes: int = 0
    derive_rule_rows: dict[str, int] = field(default_factory=dict)  # rows each rule gave, before uniting
    duckdb_memory_limit: str = ""
    fact_bytes: int = 0  # the facts the CSV phase writes for the rules
    #: Of the parse phase, summed over the workers: time in the loaders (and the online path's
    #: checks), and time in the bulk build's own spilling.
    parse_loader_seconds: float = 0.0
    parse_spill_seconds: float = 0.0
    server_restart_seconds: float = 0.0  # the build's wait for the server's stop and its start
    #: The server's stop, run in the background during the parse (not waited for: not in the above).
    server_stop_overlapped_seconds: float = 0.0
    end_to_end_seconds: float = 0.0
    total_seconds: float = 0.0
    nodes: dict[str, int] = field(default_factory=dict)  # per label, in the database at the end
    relationships: dict[str, int] = field(default_factory=dict)  # per type, in the database at the end
    imported_nodes: int = 0
    imported_relationships: int = 0
    derived: dict[str, int] = field(default_factory=dict)  # new relationships the rules gave, per type (imported)
    key_only_nodes: dict[str, int] = field(default_factory=dict)
    residual_values: int = 0
    rejects: int = 0
    rejects_report: str | None = None
    missing_ends_report: str | None = None
    importer_log: str | None = None
    importer_summary: str = ""
    python_peak_rss: int = 0  # the largest of the main process and each worker
    python_main_rss: int = 0
    #: the largest peak of any worker process, per phase ("parse", "csv"); workers are recycled
    python_worker_rss: dict[str, int] = field(default_factory=dict)
    importer_peak_rss: int = 0
    #: CPU seconds (user + system) per phase of mastgraph's processes: the build's own (with DuckDB's
    #: threads, in "derive") and its workers'
    python_cpu_seconds: dict[str, float] = field(default_factory=dict)
    #: Neo4j's CPU seconds: the importer's JVM ("import"), and the server the build starts after the
    #: import, from its start to the end of the build ("server": its start, the indexes, the residual values)
    neo4j_cpu_seconds: dict[str, float] = field(default_factory=dict)
    spill_bytes: int = 0
    spill_files: int = 0  # at most workers x partitions: a worker's successive processes append to its files
    csv_bytes: int = 0
    database_bytes: int = 0  # the store files
    transaction_log_bytes: int = 0  # the transaction logs beside them (preallocated: 256 MB at least)
    work_dir: str = ""
    #: What the importer was given: its groups ([kind, header, data files]) and the files with line
    #: breaks in values (the files themselves outlive the build with --keep-work only).
    import_groups: list[list[str]] = field(default_factory=list)
    multiline_files: list[str] = field(default_factory=list)
    dry_run: bool = False  # parse and CSV only: `nodes`/`relationships` are what the import would create

    @property
    def products(self) -> int:
        return self.nodes.get(Label.PRODUCT.value, 0)

    @property
    def products_per_second(self) -> float:
        return self.products / self.end_to_end_seconds if self.end_to_end_seconds else 0.0

    @property
    def python_seconds(self) -> float:
        return self.phases.get("parse", 0.0) + self.phases.get("csv", 0.0)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["products"] = self.products
        data["products_per_second"] = round(self.products_per_second, 1)
        data["python_seconds"] = round(self.python_seconds, 3)
        return data


# -- refusals --------------------------------------------------------------------------------

def refuse_remote(settings: Settings) -> None:
    if not settings.embedded:
        raise BulkError(
            f"NEO4J_URI is set ({settings.neo4j_uri}): the bulk importer writes store files directly and needs "
            "the server's local disk; use `mastgraph ingest` (online) for that server, or run "
            "`neo4j-admin database import full` on its host")
    if settings.neo4j_database != "neo4j":
        raise BulkError(f"NEO4J_DATABASE is {settings.neo4j_database!r}: the bulk build imports into the local "
                        "server's default database `neo4j` only")


def refuse_non_empty(driver: neo4j.Driver, settings: Settings, force: bool) -> int:
    count = db.node_count(driver, settings.neo4j_database)
    if count and not force:
        raise BulkError(
            f"the database `{settings.neo4j_database}` at {settings.uri} is not empty ({count} nodes): a bulk build "
            "replaces it; add --force to do so, or add files to it with `mastgraph ingest`")
    return count


def check_disk(estimated: int, work_dir: Path, data_dir: Path | None) -> None:
    """Refuse when the work folder's (and the database's) disk has too little room for the build
    (`data_dir` None: no database is written)."""
    try:
        work_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkFolderError(cannot_write(work_dir, exc)) from None
    work_need = int(estimated * WORK_FACTOR)
    db_need = int(estimated * DATABASE_FACTOR)
    work_free = shutil.disk_usage(work_dir).free
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        if os.stat(work_dir).st_dev == os.stat(data_dir).st_dev:
            if work_need + db_need > work_free:
                raise BulkError(
                    f"not enough disk for the bulk build: about {_gb(work_need)} for the work folder {work_dir} and "
                    f"{_gb(db_need)} for the database are needed, {_gb(work_free)} free; free some space or give "
                    "--work-dir on a larger disk")
            return
        db_free = shutil.disk_usage(data_dir).free
        if db_need > db_free:
            raise BulkError(f"not enough disk for the database under {data_dir}: about {_gb(db_need)} needed, "
                            f"{_gb(db_free)} free")
    if work_need > work_free:
        raise BulkError(f"not enough disk for the bulk build's work folder {work_dir}: about {_gb(work_need)} "
                        f"needed, {_gb(work_free)} free; give --work-dir on a larger disk")


def _gb(value: int) -> str:
    return f"{value / 1e9:.1f} GB" if value >= 1e8 else f"{value / 1e6:.1f} MB"


def choose_partitions(estimated: int, workers: int = 1) -> int:
    """About PARTITION_INPUT_BYTES of input a partition, as many as a multiple of the `workers`
    merging them: 3 partitions on 2 workers left one worker idle through a third of the CSV phase."""
    needed = max(1, math.ceil(estimated / PARTITION_INPUT_BYTES))
    return min(MAX_PARTITIONS, math.ceil(needed / workers) * workers)


# -- worker processes ------------------------------------------------------------------------

def _worker_main(worker_cls: type, config: Any, tag: str, tasks: list, results: Any, log: str, folder: str) -> None:
    try:
        worker = worker_cls(config, tag)
        for task in tasks:
            worker.run(task, lambda message: results.put(("message", tag, message)))
        results.put(("done", tag, worker.finish()))
    except BulkDataError as exc:
        results.put(("error", tag, str(exc)))
    except (WorkFolderError, OSError) as exc:  # (a file a loader cannot read is that file's error: `parse_file`)
        results.put(("folder", tag, _folder_error(exc, folder)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as one line, traceback in the log
        results.put(("error", tag, _worker_failed(exc, log)))


def _worker_failed(exc: BaseException, log: str) -> str:
    """The one line of a worker's unexpected fault; its traceback goes to `log` (in the state
    folder's logs: it outlives the work folder)."""
    where = f"; details in {log}" if append_traceback(log, "a bulk worker") else ""
    return f"a bulk worker failed ({type(exc).__name__}: {first_line(exc)}){where}"


def _chunked(tasks: Iterator, size: int) -> Iterator[list]:
    while True:
        chunk = list(islice(tasks, size))
        if not chunk:
            return
        yield chunk


def _context():
    """The workers' processes (`pipeline.forkserver`), its server importing the bulk modules."""
    return forkserver.context(FORKSERVER_PRELOAD)


#: What the workers' server process imports for all of them (and every mastgraph module imported here).
FORKSERVER_PRELOAD = ("mastgraph.pipeline.bulk", "mastgraph.pipeline.bulk_spill", "mastgraph.pipeline.bulk_merge",
                      "mastgraph.loaders.registry", *(module for module, _ in LOADERS))


def _folder_error(exc: BaseException, folder: Path | str) -> str:
    """The one line of a stage that could not write (or read back) the build's work folder."""
    return str(exc) if isinstance(exc, WorkFolderError) else cannot_write(Path(folder), exc)


def run_stage(worker_cls: type, config: Any, tasks: Iterable, workers: int, on_message: Callable[[tuple], None],
              log: Path, tasks_per_process: int = 1, folder: Path | None = None) -> list:
    """Run tasks through `workers` processes at a time (inline when 1); returns each `finish()`.
    The work `folder` (default `log`'s) that cannot be written or read back (disk full) raises
    `WorkFolderError`; a worker's unexpected fault is one line, its traceback appended to `log`.

    Tasks are taken from the iterable as processes start. Each process runs `tasks_per_process`
    tasks and exits, and a fresh one takes the next: a worker's memory then never grows with the
    size of the archive (Python's allocator keeps what a long-lived process once used). The fresh
    one takes the tag of the one it replaces (``w0`` .. ``w<workers-1>``), so a worker's files (its
    spill files, one per partition, opened for appending) are as many however long the stage runs:
    the merge of a partition then reads `workers` files, not one per process ever started.
    """
    folder = log.parent if folder is None else folder
    if workers <= 1:
        try:
            worker = worker_cls(config, "w0")
            for task in tasks:
                worker.run(task, on_message)
            return [worker.finish()]
        except BulkDataError as exc:
            raise BulkError(str(exc)) from None
        except (WorkFolderError, OSError) as exc:
            raise WorkFolderError(_folder_error(exc, folder)) from None
        except BulkError:
            raise
        except Exception as exc:  # noqa: BLE001 - as a worker process reports it: one line, the traceback in the log
            raise BulkError(_worker_failed(exc, str(log))) from None
    context = _context()
    results = _Answers(context.Queue())
    chunks = _chunked(iter(tasks), max(1, tasks_per_process))
    pending = next(chunks, None)
    active: dict[str, Any] = {}
    finished: list = []
    free = [f"w{slot}" for slot in reversed(range(workers))]  # the tags no running process has
    try:
        while pending or active:
            while pending and free:
                tag = free.pop()
                process = context.Process(target=_worker_main, daemon=True,
                                          args=(worker_cls, config, tag, pending, results.queue, str(log),
                                                str(folder)))
                process.start()
                active[tag] = process
                pending = next(chunks, None)
            try:
                kind, tag, payload = results.get(timeout=1.0)
            except queue.Empty:
                dead = [p for p in active.values() if p.exitcode not in (None, 0)]
                if dead:
                    raise BulkError(f"a bulk worker stopped unexpectedly (exit code {dead[0].exitcode}); "
                                    f"details may be in {log}") from None
                continue
            if kind == "message":
                on_message(payload)
            elif kind == "done":
                finished.append(payload)
                active.pop(tag).join()  # its files closed: the next process of this tag appends to them
                free.append(tag)
            elif kind == "folder":
                raise WorkFolderError(payload)
            else:
                raise BulkError(payload)
    finally:
        for process in active.values():
            if process.is_alive():
                process.terminate()
            process.join(5)
        results.close()
    return finished


class _Answers:
    """The answers of a stage's workers, read from their queue by a thread of this process.

    A worker killed while sending an answer (by the out-of-memory killer, say) leaves a part of it
    in the queue's pipe: a read of the queue then waits for the rest for ever, and a stage reading
    it itself could not see the worker gone. The stage waits on this thread's answers instead, a
    second at a time (`get`), looking at its workers in between; `close`, once they are gone, ends
    the thread (a read held by a part-answer included: this process's end of the pipe is then its
    last writer)."""

    def __init__(self, answers: Any) -> None:
        self.queue = answers
        self._read: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._reading, name="bulk-answers", daemon=True)
        self._thread.start()

    def _reading(self) -> None:
        while not self._stop.is_set():
            try:
                self._read.put(self.queue.get(timeout=0.2))
            except queue.Empty:
                continue
            except BaseException as exc:  # noqa: BLE001 - an answer that cannot be read: the stage's to raise
                if not self._stop.is_set():
                    self._read.put(("unreadable", "", exc))
                return

    def get(self, timeout: float) -> tuple:
        """The next answer (raises queue.Empty after `timeout` seconds without one)."""
        kind, tag, payload = self._read.get(timeout=timeout)
        if kind == "unreadable":
            raise payload
        return kind, tag, payload

    def close(self) -> None:
        self._stop.set()
        end_reading(self._thread, self.queue)
        self.queue.close()


# -- the build ---------------------------------------------------------------------------------

class Build:
    """One bulk build (see the module docstring); `run()` returns its report or raises BulkError."""

    def __init__(self, settings: Settings, paths: Iterable[Path | str], options: BuildOptions | None = None,
                 progress: BuildProgress | None = None) -> None:
        self.settings = settings
        self.paths = [Path(p) for p in paths]
        self.options = options or BuildOptions()
        self.progress = progress or _Quiet()
        self.report = BuildReport()
        self.local = LocalNeo4j(settings)
        stamp = time.strftime("%Y%m%dT%H%M%S")
        self.stamp = stamp
        base = Path(self.options.work_dir or Path(settings.home) / "bulk-work").resolve()
        self.work = base / f"build-{stamp}-{os.getpid()}"
        self.spill_dir = self.work / "spill"
        self.csv_dir = self.work / "csv"
        self.facts_dir = self.work / "facts"
        self.report.work_dir = str(self.work)
        #: Tracebacks of unexpected faults (a file a loader fails on, a worker's): kept after the build
        self.error_log = Path(settings.home).resolve() / "logs" / f"build-{stamp}-errors.log"
        self.clashes = Clashes()  # conflicts between files, from the parse and the merge
        self._stopping: _ServerStop | None = None  # the server's stop, run during the parse
        self._import_began = False

    # -- phases ----------------------------------------------------------------------------
    def run(self) -> BuildReport:
        started = time.perf_counter()
        if not self.options.dry_run:
            refuse_remote(self.settings)
        try:
            files, on_disk, estimated = survey(self.paths)
        except LoadError as exc:
            raise BulkError(str(exc)) from None
        if not files:
            raise BulkError("no files to load")
        try:
            derive_tables.memory_size(self.options.derive_memory)
        except ValueError as exc:
            raise BulkError(f"--derive-memory: {exc}") from None
        self.report.files, self.report.input_bytes, self.report.estimated_bytes = files, on_disk, estimated
        self._prepare()
        try:
            marks = {"start": time.perf_counter()}
            census, failed = self._parse()
            if failed:
                raise BulkError(f"{len(failed)} of {files} files failed; the bulk build stopped before the import "
                                "(nothing was written)", failed)
            marks["parse"] = time.perf_counter()
            groups, multiline = self._write_csv(census)
            marks["csv"] = time.perf_counter()
            if self.clashes.count and self.options.check_across_files:
                *lines, summary = self.clashes.error(iter_files(self.paths)).lines()
                raise BulkError(summary, lines)
            if self.options.dry_run:
                self.report.end_to_end_seconds = marks["csv"] - marks["start"]
                return self._finish(started)
            groups += self._derive()
            marks["derive"] = time.perf_counter()
            self._import(groups, multiline)
            marks["import"] = time.perf_counter()
            with db.connect(self.settings) as driver:
                self._index(driver)
                marks["index"] = time.perf_counter()
                self._residuals(driver)
                marks["residuals"] = time.perf_counter()
                self._server_cpu()
                self._final_counts(driver)
        finally:
            if self._stopping is not None and not self._import_began:
                self._restore_server()
            if not self.options.keep_work:
                shutil.rmtree(self.work, ignore_errors=True)
        self.report.end_to_end_seconds = marks["residuals"] - marks["start"]
        self.report.database_bytes, self.report.transaction_log_bytes = store_size(self.local,
                                                                                   self.settings.neo4j_database)
        return self._finish(started)

    def _finish(self, started: float) -> BuildReport:
        self.report.total_seconds = time.perf_counter() - started
        self.report.python_main_rss = peak_rss()
        self.report.python_peak_rss = max([self.report.python_main_rss, *self.report.python_worker_rss.values()])
        return self.report

    def _phase_cpu(self, phase: str, since: float, workers: Iterable[float] = ()) -> None:
        """The CPU seconds of mastgraph's processes in `phase`: this one's since `since`, and its
        worker processes' (`workers`: each one's own, as it finished; none when the phase ran here)."""
        spent = cpu_seconds() - since + (sum(workers) if self.report.workers > 1 else 0.0)
        self.report.python_cpu_seconds[phase] = round(spent, 3)

    def _server_cpu(self) -> None:
        """The CPU seconds of the server the build started after the import, so far."""
        seconds = process_cpu_seconds(self.local.pid())
        if seconds is not None:
            self.report.neo4j_cpu_seconds["server"] = round(seconds, 3)

    def _prepare(self) -> None:
        """Server up, database empty (or --force), disk room: all before anything is written. A dry
        run needs only the work folder's room."""
        dry_run = self.report.dry_run = self.options.dry_run
        running = not dry_run and self.local.running()
        if running or (not dry_run and not self.options.force and self._store_exists()):
            if not running:
                self.progress.start("prepare", None, "starting the local Neo4j")
                restart = time.perf_counter()
                self.local.start()
                self.report.server_restart_seconds += time.perf_counter() - restart
                self.progress.finish("prepare")
            with db.connect(self.settings) as driver:
                refuse_non_empty(driver, self.settings, self.options.force)
        # else: a dry run, a local server that has never created the database (empty), or a stopped
        # one whose database --force replaces anyway: no start and stop around the import are needed
        check_disk(self.report.estimated_bytes, self.work.parent, None if dry_run else self.local.data_dir)
        made = False
        try:
            self.work.mkdir(parents=True, exist_ok=False)
            made = True
            self.spill_dir.mkdir()
            self.csv_dir.mkdir()
        except OSError as exc:
            if made:  # (its own, left empty)
                shutil.rmtree(self.work, ignore_errors=True)
            raise WorkFolderError(cannot_write(self.work.parent, exc)) from None
        estimated = self.report.estimated_bytes
        workers = self.options.workers or os.cpu_count() or 1
        self.report.workers = 1 if estimated < INLINE_BELOW and not self.options.workers else workers
        self.report.partitions = self.options.partitions or choose_partitions(estimated, self.report.workers)
        if not dry_run and self.local.running():
            # Not needed again until the import: its stop (a checkpoint, the JVM's exit) runs while
            # the files are parsed.
            self._stopping = _ServerStop(self.local)
            self._stopping.start()

    def _restore_server(self) -> None:
        """The build stopped before the import: the server it stopped is started again, as it was."""
        try:
            self._stopping.wait()
            self.local.start()
        except Exception:  # noqa: BLE001 - the build's own error is the one to report
            pass

    def _store_exists(self) -> bool:
        """Whether the local server's data folder holds store files of the database."""
        folder = self.local.data_dir / "databases" / self.settings.neo4j_database
        return folder.is_dir() and any(folder.iterdir())

    def _parse(self) -> tuple[Census, list[str]]:
        """Phase 1; returns the census and the errors of the files that failed, in file order."""
        self.progress.start("parse", self.report.files)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        failed: list[tuple[int, str]] = []
        done = Counter()

        def on_message(message: tuple) -> None:
            outcome: FileOutcome = message[1]
            if outcome.error:
                failed.append((outcome.index, outcome.error))
            done["files"] += 1
            done["records"] += outcome.records
            self.progress.update("parse", done["files"], f"{done['records']:,} records")

        config = ParseConfig(self.spill_dir, self.report.partitions, self.options.skip_bad, self.options.detect,
                             self.options.check_across_files, str(self.error_log))
        tasks = file_tasks(self.paths, self.report.estimated_bytes, self.report.workers)
        results: list[ParseResult] = run_stage(ParseWorker, config, tasks, self.report.workers, on_message,
                                               self.error_log, tasks_per_process=PARSE_TASKS_PER_PROCESS,
                                               folder=self.work)
        census = Census()
        reject_files: dict[str, None] = {}  # (a tag's processes append to one file: each file once)
        for result in results:
            census.update(result.census)
            self.report.spill_bytes += result.spilled_bytes
            self.report.parse_loader_seconds += result.loader_seconds
            self.report.parse_spill_seconds += result.spill_seconds
            if self.report.workers > 1:
                self.report.python_worker_rss["parse"] = max(self.report.python_worker_rss.get("parse", 0),
                                                             result.max_rss)
            if result.rejects_file:
                reject_files[result.rejects_file] = None
            self.clashes.update(result.clashes)
        self.report.records = done["records"]
        self.report.phases["parse"] = time.perf_counter() - started
        self._phase_cpu("parse", cpu_started, [result.cpu_seconds for result in results])
        if reject_files:
            lines = read_rejects(list(reject_files))
            self.report.rejects = len(lines)
            target = Path(self.settings.home) / f"rejects-{self.stamp}.txt"
            # (surrogateescape: a path that is not UTF-8 is written back as its own bytes)
            target.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8", errors="surrogateescape")
            self.report.rejects_report = str(target)
        self.progress.finish("parse", f"{done['records']:,} records from {done['files']:,} files")
        return census, [error for _, error in sorted(failed)]

    def _write_csv(self, census: Census) -> tuple[list[ImportGroup], list[Path]]:
        for label in WINDOW_BOUNDS:  # the column of the window classes the merge gives (bulk_merge)
            if (label, "t_min") in census.types and (label, "t_max") in census.types:
                census.types.setdefault((label, "window_class"), Counter())["long"] += 1
        columns = census.columns()
        names = {group for group, _ in census.types}
        node_columns, node_extras, edge_columns, edge_extras = {}, {}, {}, {}
        for group in names:
            cols = [(n, t) for n, t in columns.get(group, []) if not (isinstance(group, str) and n == KEYS[Label(group)])]
            spec = Columns(tuple(n for n, _ in cols), tuple(t for _, t in cols))
            everything = {n for (g, n) in census.types if g == group}
            extras = tuple(sorted(everything - set(spec.names)))
            if isinstance(group, str):
                node_columns[group], node_extras[group] = spec, extras
            else:
                edge_columns[group], edge_extras[group] = spec, extras
        config = MergeConfig(self.spill_dir, self.csv_dir, node_columns, node_extras, edge_columns, edge_extras,
                             self.options.check_across_files,
                             facts_dir=None if self.options.dry_run else self.facts_dir)
        partitions = self.report.partitions
        self.report.spill_files = sum(1 for _ in self.spill_dir.glob("*.pkl"))
        self.progress.start("csv", partitions)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        results: list[PartitionResult] = []

        def on_message(message: tuple) -> None:
            results.append(message[1])
            self.clashes.update(message[1].clashes)
            self.progress.update("csv", len(results), f"{sum(sum(r.labels.values()) for r in results):,} node labels")

        ends: list[tuple[int, float]] = run_stage(MergeWorker, config, list(range(partitions)), self.report.workers,
                                                  on_message, self.error_log, folder=self.work)
        if self.report.workers > 1:
            self.report.python_worker_rss["csv"] = max((rss for rss, _ in ends), default=0)
        groups, multiline = self._headers(results, node_columns, edge_columns)
        if self.options.dry_run:
            labels, rels = Counter(), Counter()
            for result in results:
                labels.update(result.labels)
                rels.update(result.rels)
            self.report.nodes, self.report.relationships = dict(labels), dict(rels)
        self.report.phases["csv"] = time.perf_counter() - started
        self._phase_cpu("csv", cpu_started, [cpu for _, cpu in ends])
        self.progress.finish("csv", f"{self.report.imported_nodes:,} nodes, {self.report.imported_relationships:,} "
                                    f"relationships in {len(groups)} groups")
        return groups, multiline

    def _headers(self, results: list[PartitionResult], node_columns: dict, edge_columns: dict
                 ) -> tuple[list[ImportGroup], list[Path]]:
        files: dict[tuple[str, tuple[str, ...]], list[GroupFile]] = defaultdict(list)
        key_only: Counter = Counter()
        missing_files, residual_files = [], []
        for result in sorted(results, key=lambda r: r.partition):
            for item in result.files:
                files[(item.kind, item.group)].append(item)
            key_only.update(result.key_only)
            self.report.residual_values += result.residual_values
            if result.missing_file:
                missing_files.append(result.missing_file)
            if result.residual_file:
                residual_files.append(result.residual_file)
        self.residual_files = residual_files
        groups: list[ImportGroup] = []
        multiline: list[Path] = []
        for (kind, group), items in sorted(files.items()):
            folder = self.csv_dir / group_dir(kind, group)
            header = folder / "header.csv"
            if kind == "nodes":
                label = group[0]
                header.write_text(node_header(label, KEYS[Label(label)], node_columns.get(label, Columns((), ()))))
                self.report.imported_nodes += sum(i.rows for i in items)
            else:
                header.write_text(edge_header(group[1], group[2], edge_columns.get(group, Columns((), ()))))
                self.report.imported_relationships += sum(i.rows for i in items)
            groups.append(ImportGroup(kind, header, str(folder / DATA_FILES)))
            multiline += [Path(i.path) for i in items if i.multiline]
            self.report.csv_bytes += sum(Path(i.path).stat().st_size for i in items)
        self.report.key_only_nodes = dict(key_only)
        if missing_files:
            target = Path(self.settings.home) / f"missing-ends-{self.stamp}.txt"
            with open(target, "w", encoding="utf-8", errors="surrogateescape") as out:
                for path in missing_files:
                    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                        shutil.copyfileobj(fh, out)
            self.report.missing_ends_report = str(target)
        return groups, multiline

    def _import(self, groups: list[ImportGroup], multiline: list[Path]) -> None:
        database = self.settings.neo4j_database
        log = Path(self.settings.home).resolve() / f"import-{self.stamp}.log"
        self.report.importer_log = str(log)
        self.report.import_groups = [[g.kind, str(g.header), g.files] for g in groups]
        self.report.multiline_files = [str(path) for path in multiline]
        command = import_command(self.local, database, groups, multiline, self.work / "import.report",
                                 self.options.importer_heap, self.options.importer_memory,
                                 self.options.importer_threads)
        self.progress.start("import", None, "stopping the local Neo4j")
        self._import_began = True
        cpu_started = cpu_seconds()
        restart = time.perf_counter()
        if self._stopping is not None:
            self.report.server_stop_overlapped_seconds = self._stopping.wait()
        self.local.stop()  # (stopped already, unless it was started again meanwhile)
        self.report.server_restart_seconds += time.perf_counter() - restart
        try:
            self.progress.update("import", 0, "importer starting")
            result = run_import(self.local, command, log, lambda note: self.progress.update("import", 0, note))
            self.report.phases["import"] = result.seconds
            self.report.importer_peak_rss = result.peak_rss
            self.report.importer_summary = result.summary
            self.report.neo4j_cpu_seconds["import"] = result.cpu_seconds
        except ImportFailed as exc:
            raise BulkError(str(exc)) from None
        finally:
            self.progress.update("import", 0, "starting the local Neo4j")
            restart = time.perf_counter()
            self.local.start()
            self.report.server_restart_seconds += time.perf_counter() - restart
        self._phase_cpu("import", cpu_started)
        self.progress.finish("import", f"importer {self.report.phases['import']:.1f} s, "
                                       f"peak RSS {self.report.importer_peak_rss / 2**20:.0f} MiB")

    def _index(self, driver: neo4j.Driver) -> None:
        self.progress.start("index", 100)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        db.bootstrap(driver, self.settings.neo4j_database, wait=False)
        while True:
            records, _, _ = driver.execute_query(
                "SHOW INDEXES YIELD name, state, populationPercent RETURN name, state, populationPercent",
                database_=self.settings.neo4j_database, routing_="r")
            failed = [r["name"] for r in records if r["state"] == "FAILED"]
            if failed:
                raise BulkError(f"index {failed[0]} failed to populate; see `mastgraph server logs`")
            percent = [float(r["populationPercent"] or 0) for r in records]
            self.progress.update("index", sum(percent) / max(1, len(percent)), f"{len(records)} indexes")
            if all(r["state"] == "ONLINE" for r in records):
                break
            time.sleep(0.2)
        self.report.phases["index"] = time.perf_counter() - started
        self._phase_cpu("index", cpu_started)
        self.progress.finish("index", f"{len(records)} constraints and indexes online")

    def _residuals(self, driver: neo4j.Driver) -> None:
        if not self.report.residual_values:
            return
        started, cpu_started = time.perf_counter(), cpu_seconds()
        self.progress.start("residuals", self.report.residual_values)
        done = 0
        items = (item for path in self.residual_files for item in read_residuals(path))
        for group, rows in residual_batches(items, 1000):
            driver.execute_query(residual_query(group), {"rows": rows}, database_=self.settings.neo4j_database)
            done += sum(len(row["props"]) for row in rows)
            self.progress.update("residuals", done)
        self.report.phases["residuals"] = time.perf_counter() - started
        self._phase_cpu("residuals", cpu_started)
        self.progress.finish("residuals", f"{self.report.residual_values} values set with Cypher")

    def _derive(self) -> list[ImportGroup]:
        """The derivation rules over the facts the CSV phase wrote: every derived relationship into
        the importer's CSV (new ones), or into the residual values (properties of a relationship a
        loader also wrote). Returns the derived relationships' import groups."""
        import duckdb

        rules = len(derive_tables.RULES)
        self.progress.start("derive", rules + 2, "loading the facts")
        started, cpu_started = time.perf_counter(), cpu_seconds()
        self.report.duckdb_memory_limit = self.options.derive_memory
        try:
            self.report.fact_bytes = sum(f.stat().st_size for f in self.facts_dir.rglob("*.csv"))
            result = self._run_rules()
            groups = self._derived_groups(result)
        except duckdb.OutOfMemoryException as exc:
            if "max_temp_directory_size" in str(exc):  # (its spill has taken the work folder disk's free space)
                raise WorkFolderError(cannot_write(self.work, f"no space left on its disk for DuckDB's spill "
                                                              f"({first_line(exc)})")) from None
            raise BulkError(f"the derivation rules ran out of memory ({first_line(exc)}); give them more with "
                            f"--derive-memory (now {self.options.derive_memory}); nothing was written") from None
        except (OSError, duckdb.IOException) as exc:  # (DuckDB's database and its spill are in the work folder)
            raise WorkFolderError(cannot_write(self.work, exc)) from None
        self.report.derive_steps = {k: round(v, 3) for k, v in result.seconds.items()}
        self.report.derive_rule_rows = dict(result.rows)
        self.report.derived = dict(sorted(result.created.items()))
        self.report.duckdb_peak_bytes = result.duckdb_peak_bytes
        self.report.phases["derive"] = time.perf_counter() - started
        self._phase_cpu("derive", cpu_started)
        self.progress.finish("derive", f"{sum(self.report.derived.values()):,} relationships derived")
        return groups

    def _run_rules(self) -> derive_tables.DeriveResult:
        config = derive_tables.DuckConfig(self.work / "derive.duckdb", self.work / "duckdb-tmp",
                                          self.options.derive_memory, self.report.workers)
        con = derive_tables.connect(config)
        try:
            derive_tables.load_facts(con, self.facts_dir)
            if not self.options.keep_work:  # (in DuckDB's file now: their disk is the rules' tables')
                shutil.rmtree(self.facts_dir, ignore_errors=True)
            self.progress.update("derive", 1, "facts loaded")
            return derive_tables.derive_edges(con, self.csv_dir / "derived",
                                              lambda name, done: self.progress.update("derive", 1 + done, name))
        finally:
            con.close()

    def _derived_groups(self, result: derive_tables.DeriveResult) -> list[ImportGroup]:
        """The import groups (a header each) of the derived relationships' CSV, and their residual values."""
        if not self.options.keep_work:
            (self.work / "derive.duckdb").unlink(missing_ok=True)
        groups: list[ImportGroup] = []
        for (rel, start, end), (path, rows) in sorted(result.groups.items()):
            props = derive_tables.DERIVED_PROPS[Rel(rel)]
            header = path.parent / "header.csv"
            header.write_text(edge_header(start, end, Columns(props, tuple("string" for _ in props))))
            groups.append(ImportGroup("relationships", header, str(path.parent / DATA_FILES)))
            self.report.csv_bytes += path.stat().st_size
        if result.residuals:
            path = self.csv_dir / "residual" / "derived.pkl"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                pickle.dump(result.residuals, fh, protocol=pickle.HIGHEST_PROTOCOL)
            self.residual_files.append(str(path))
            self.report.residual_values += sum(len(item[-1]) for item in result.residuals)
        return groups

    def _final_counts(self, driver: neo4j.Driver) -> None:
        """Nodes per label and relationships per type, from the count store, in one query."""
        records, _, _ = driver.execute_query(_COUNTS_QUERY, database_=self.settings.neo4j_database, routing_="r")
        for record in records:
            if record["c"]:
                target = self.report.nodes if record["kind"] == "n" else self.report.relationships
                target[record["name"]] = record["c"]


class _ServerStop(threading.Thread):
    """The local server's stop in the background; `wait` returns how long it took."""

    def __init__(self, local: LocalNeo4j) -> None:
        super().__init__(name="neo4j-stop", daemon=True)
        self.local = local
        self.seconds = 0.0
        self.error: BaseException | None = None

    def run(self) -> None:
        started = time.perf_counter()
        try:
            self.local.stop()
        except BaseException as exc:  # noqa: BLE001 - raised again by `wait`, in the build's thread
            self.error = exc
        self.seconds = time.perf_counter() - started

    def wait(self) -> float:
        self.join()
        if self.error is not None:
            raise self.error
        return self.seconds


#: Every label's and every type's count (each branch a count-store lookup), in the vocabulary's order.
_COUNTS_QUERY = "\nUNION ALL\n".join(
    [f"MATCH (n:`{label.value}`) RETURN 'n' AS kind, '{label.value}' AS name, count(n) AS c" for label in Label]
    + [f"MATCH ()-[r:`{rel.value}`]->() RETURN 'r' AS kind, '{rel.value}' AS name, count(r) AS c" for rel in Rel])


def residual_row(item: tuple) -> tuple[tuple, dict[str, Any]]:
    """A residual (`pipeline.bulk_merge`, `derive_tables.unite`) as (its statement's group, its row)."""
    if item[0] == "n":
        _, label, key, props = item
        return ("n", label), {"key": key, "props": props}
    _, rel, start, skey, end, ekey, names, ident, props = item
    present = tuple(n for n, v in zip(names, ident) if v is not None)
    absent = tuple(n for n, v in zip(names, ident) if v is None)
    return (("e", rel, start, end, present, absent),
            {"start": skey, "end": ekey, "props": props, "ident": {n: v for n, v in zip(names, ident) if v is not None}})


def residual_batches(items: Iterable[tuple], size: int) -> Iterator[tuple[tuple, list[dict[str, Any]]]]:
    """Residuals as (a statement's group, its rows): a group's rows whenever it holds `size`, the rest at the end."""
    pending: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        group, row = residual_row(item)
        rows = pending[group]
        rows.append(row)
        if len(rows) >= size:
            yield group, pending.pop(group)
    yield from pending.items()


def residual_query(group: tuple) -> str:
    """The statement that sets a group's residual values (rows of `key`/`start`, `end`, `ident`, `props`)."""
    if group[0] == "n":
        label = Label(group[1])
        return (f"UNWIND $rows AS row\nMATCH (n:`{label.value}` {{`{KEYS[label]}`: row.key}})\n"
                "SET n += row.props")
    _, rel, start, end, present, absent = group
    start_label, end_label, rel_type = Label(start), Label(end), Rel(rel)
    ident = ", ".join(f"`{n}`: row.ident.`{n}`" for n in present)
    where = " AND ".join(f"r.`{n}` IS NULL" for n in absent)
    return (f"UNWIND $rows AS row\n"
            f"MATCH (a:`{start_label.value}` {{`{KEYS[start_label]}`: row.start}})"
            f"-[r:`{rel_type.value}`{' {' + ident + '}' if ident else ''}]->"
            f"(b:`{end_label.value}` {{`{KEYS[end_label]}`: row.end}})\n"
            + (f"WHERE {where}\n" if where else "")
            + "SET r += row.props")


def build(settings: Settings, paths: Iterable[Path | str], options: BuildOptions | None = None,
          progress: BuildProgress | None = None) -> BuildReport:
    """Build the graph from scratch with the bulk importer (see the module docstring)."""
    return Build(settings, paths, options, progress).run()


def write_report_json(report: BuildReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n")


