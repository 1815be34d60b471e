"""The online ingest: files -> loader records -> Neo4j, one transaction per file.

Each file is parsed by the loader its kind calls for, its records are checked (a bad row or two
records giving one node different values fail the file, or are skipped and reported with
``skip_bad``), written with idempotent MERGEs, and the derived relationships it affects are
computed — all in one managed write transaction, so a file lands whole or not at all. Loading the
same files again changes nothing. Across files, a later file's values update an earlier one's (as
MAST's reprocessing updates a product); within one file they must agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import neo4j

from mastgraph.graph.derive import Touched, derive
from mastgraph.graph.settings import Settings
from mastgraph.graph.writer import BatchWriter, WriteCounts
from mastgraph.loaders.records import Conflict, Edge, LoadError, Loader, Node, RecordMerger, Reject


class BadFile(Exception):
    """A file refused as a whole: the message is one line `file:line: reason`."""


@dataclass
class FileResult:
    path: Path
    kind: str = ""
    records: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    derived: WriteCounts = field(default_factory=WriteCounts)
    rejects: list[Reject] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    @property
    def rejects(self) -> list[Reject]:
        return [r for f in self.files for r in f.rejects]

    def totals(self) -> tuple[WriteCounts, WriteCounts]:
        written, derived = WriteCounts(), WriteCounts()
        for f in self.files:
            written.add(f.counts)
            derived.add(f.derived)
        return written, derived

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)


Progress = Callable[[FileResult, str], None]


def _checked(loader: Loader, path: Path, skip_bad: bool, rejects: list[Reject]):
    """The loader's records with bad rows and conflicting duplicates refused (or skipped)."""
    merger = RecordMerger()
    try:
        for record in loader.records(path):
            if isinstance(record, Reject):
                if not skip_bad:
                    raise BadFile(str(record))
                rejects.append(record)
                continue
            try:
                merger.add(record)
            except Conflict as exc:
                if not skip_bad:
                    raise BadFile(str(exc)) from None
                rejects.append(Reject(record.origin, str(exc).split(": ", 1)[-1]))
                continue
            yield record
    except LoadError as exc:
        raise BadFile(str(exc)) from None


def _write_file(tx: neo4j.ManagedTransaction, loader: Loader, path: Path, settings: Settings,
                skip_bad: bool) -> FileResult:
    result = FileResult(path, loader.kind)  # fresh on every (re)try of the transaction
    writer = BatchWriter(tx, settings.batch_size)
    touched = Touched()
    for record in _checked(loader, path, skip_bad, result.rejects):
        writer.add(record)
        touched.add(record)
        result.records += 1
    result.counts = writer.flush()
    if touched:
        result.derived = derive(tx, touched, settings.batch_size)
    return result


def parse_file(path: Path, skip_bad: bool = False) -> FileResult:
    """Parse one file without writing (``--dry-run``)."""
    started = time.perf_counter()
    from mastgraph.loaders import registry

    result = FileResult(path)
    try:
        loader = registry.detect(path)
        result.kind = loader.kind
        for _ in _checked(loader, path, skip_bad, result.rejects):
            result.records += 1
    except (BadFile, LoadError) as exc:
        result.error = str(exc)
    result.seconds = time.perf_counter() - started
    return result


def ingest_file(driver: neo4j.Driver, settings: Settings, path: Path, skip_bad: bool = False) -> FileResult:
    """Load one file in one transaction; on a bad file nothing of it is written."""
    from mastgraph.loaders import registry

    started = time.perf_counter()
    try:
        loader = registry.detect(path)
        with driver.session(database=settings.neo4j_database) as session:
            result = session.execute_write(_write_file, loader, path, settings, skip_bad)
    except (BadFile, LoadError) as exc:
        result = FileResult(path, error=str(exc))
    except OSError as exc:
        result = FileResult(path, error=f"{path}: cannot read: {exc.strerror or exc}")
    result.seconds = time.perf_counter() - started
    return result


def ingest_paths(driver: neo4j.Driver | None, settings: Settings, paths: Iterable[Path | str], *,
                 skip_bad: bool = False, dry_run: bool = False, progress: Progress | None = None,
                 stop_on_error: bool = False) -> IngestReport:
    """Load files and folders (walked recursively). A bad file is reported and skipped whole."""
    from mastgraph.loaders import registry

    report = IngestReport()
    started = time.perf_counter()
    files = registry.expand([Path(p) for p in paths])
    for path in files:
        if progress:
            progress(FileResult(path), "start")
        if dry_run or driver is None:
            result = parse_file(path, skip_bad)
        else:
            result = ingest_file(driver, settings, path, skip_bad)
        report.files.append(result)
        if progress:
            progress(result, "done")
        if result.error and stop_on_error:
            break
    report.seconds = time.perf_counter() - started
    return report


def write_records(driver: neo4j.Driver, settings: Settings, records: Iterable[Node | Edge]) -> WriteCounts:
    """Write records given directly (tests, live MAST), with the same derivations, in one transaction."""

    def work(tx: neo4j.ManagedTransaction) -> WriteCounts:
        writer = BatchWriter(tx, settings.batch_size)
        touched = Touched()
        merger = RecordMerger()
        for record in records:
            merger.add(record)
            writer.add(record)
            touched.add(record)
        counts = writer.flush()
        counts.add(derive(tx, touched, settings.batch_size))
        return counts

    records = list(records)
    with driver.session(database=settings.neo4j_database) as session:
        return session.execute_write(work)
