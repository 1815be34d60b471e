"""The online ingest's files parsed once, in worker processes when the input is large.

`mastgraph ingest` reads every file of a command before it writes anything, to compare the files
(`ingest.AcrossFiles`); the load then writes what that pass read. Here each file is parsed and
checked on its own (`ingest._checked`: bad rows, a file contradicting itself), and its checked
records go, as plain values (`across_spill._row`, `marshal`), in chunks of `CHUNK` records to a work
file under the state folder (`ParsedFiles`). The files are compared in file order from those
chunks, and the load reads the chunks again instead of parsing the file a second time: reading a
record back costs a small part of parsing it, and memory holds one chunk, whatever the input size.

Above `PARALLEL_BYTES` of input, and with more than one core (`Settings.parse_workers`), the files
are parsed by worker processes, each appending to a work file of its own (a worker takes a run of
consecutive files at a time and hands back where in that file their results are), while the
ingest's own process compares what they parsed, in file order: the comparison, the conflicts found
and their order are those of parsing in one process. A worker that dies (out of memory) leaves the
files not yet parsed to the ingest's own process. A work folder that cannot be written (disk full)
ends the command with one line (`WorkFolderError`) before anything is written to the database. The
work folder goes when the ingest ends; one left by a killed ingest goes when the next one starts
(`across_spill.work_folder`).

The workers are forked from a forkserver, which imports the `__main__` module of the process in each
worker, as any `spawn`/`forkserver` multiprocessing does: the `mastgraph` command is guarded; a script
calling `ingest_paths` needs `if __name__ == "__main__":` around its work (or `parse_workers=1`).
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from mastgraph.loaders.records import LoadError
from mastgraph.graph.settings import errors_log
from mastgraph.model.errors import internal_error
from mastgraph.model.records import Edge, Node
from mastgraph.pipeline.across_spill import WorkFolderError, _record, _row, cannot_write, load_marks, work_folder
from mastgraph.pipeline.check_on_disk import large, plain_records

if TYPE_CHECKING:
    from mastgraph.pipeline.ingest import FileResult

#: Records per chunk of a work file (one `marshal` write, one read).
CHUNK = 5000
#: Input size from which the files are parsed by worker processes (smaller: starting them costs more).
PARALLEL_BYTES = 8 * 2**20
#: Files handed to a worker at once, up to this many bytes or files. One task per small file cost
#: the ingest's own process more than the workers saved it (the executor's thread took the
#: interpreter from the comparison): at M the pass took 19.5-23.4 s that way, 11.5-14.8 s in runs.
TASK_BYTES = 512 * 1024
TASK_FILES = 64
#: Tasks handed to the workers ahead of the one compared (their results are chunk positions: small).
AHEAD_PER_WORKER = 4


@dataclass(slots=True)
class Parsed:
    """One file parsed: its result and where its checked records are (work file, offset, size)."""

    result: FileResult
    chunks: list[tuple[str, int, int]] = field(default_factory=list)
    #: The file could not be read (the load reports it when it reads the file itself).
    unreadable: OSError | None = None
    #: Which records the load writes, one byte each (0: a repeat of what an earlier file of the
    #: command said, `ingest.AcrossFiles.end_file`; FIRST: a relationship's first record); None: every one.
    written: bytes | None = None
    #: Parsed by a worker for the comparison on disk (`SpilledAcrossFiles.add_parsed`): the first file
    #: of the worker's run has where each partition's blob of the run's records is (partition, work
    #: file, offset, size); each file has (its records, their bytes, its association members).
    parts: list[tuple[int, str, int, int]] | None = None
    compare: tuple[int, bytes, list[tuple[str, str, str]]] | None = None
    #: Compared on disk: where its marks are in the command's (first record, end), known once the
    #: replay ends (`across_spill.SpilledAcrossFiles.finish`; `KeptFiles` sets `written` from them).
    marked: tuple[int, int] | None = None
    #: Its place in the command's files (`KeptFiles`, which keeps this, not its path).
    number: int = -1

    def load_size(self) -> int:
        """How many records the load writes."""
        return self.result.records if self.written is None else len(self.written) - self.written.count(0)

    def to_write(self) -> Iterator[Node | Edge]:
        """The records the load writes, in the order the file gave them."""
        return records_written(self.chunks, self.written)


class ParsedFiles:
    """A work folder of parsed files' chunks under `state` (the system's temporary folder if None),
    made when first needed and removed by `close()`."""

    def __init__(self, state: Path | None) -> None:
        self.state = state
        self._folder: Path | None = None
        self._own: BinaryIO | None = None

    @property
    def folder(self) -> Path:
        if self._folder is None:
            self._folder = work_folder(self.state or Path(tempfile.gettempdir()), "parsed")
        return self._folder

    def own_file(self) -> BinaryIO:
        """The ingest's own work file (parsing in its own process)."""
        if self._own is None:
            self._own = _open_work_file(self.folder, "main")
        return self._own

    def close(self) -> None:
        if self._own is not None:
            try:
                self._own.close()
            except OSError:
                pass  # (a full disk, already reported: the folder goes all the same)
            self._own = None
        if self._folder is not None:
            _close_readers(self._folder)
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


#: Files a group of `KeptFiles` holds: pickled together, read back together.
KEPT_GROUP = 256


class KeptFiles:
    """The files the comparison parsed whole and without error, kept for the load in the work folder
    (`ParsedFiles`), not in memory: their `Parsed`, pickled `KEPT_GROUP` at a time in file order,
    and the marks of which records the load writes (`marks`: one byte a record of the command).

    Memory holds where each group is and the group being written or read, whatever the number of
    files (each file's `Parsed` held until the load cost about 600 bytes, 68 MB at L's 114,239
    files). Read back in file order, with `written` set from the marks: by `pop` (the load, file by
    file) and by each `values()` (the batches planned ahead, `plan_ahead.PlanAhead`).
    """

    def __init__(self, work: ParsedFiles, files: Sequence[Path]) -> None:
        self._work, self._files = work, files
        self._group: list[Parsed] = []
        self._groups: list[tuple[str, int, int]] = []  # (work file, offset, size) of each group
        self._count = 0
        self._marks: tuple[str, int, int] | None = None
        self._reader: Iterator[Parsed] | None = None
        self._ahead: Parsed | None = None

    def __len__(self) -> int:
        return self._count

    def add(self, number: int, parsed: Parsed) -> None:
        """Keep `parsed`, the file at `number` in the command's files (after those kept before)."""
        parsed.number = number
        self._group.append(parsed)
        self._count += 1
        if len(self._group) >= KEPT_GROUP:
            self._write_group()

    def _write_group(self) -> None:
        if self._group:
            for parsed in self._group:  # (the paths are `files`'; a Path is slow to unpickle)
                parsed.result.path = None
            data = pickle.dumps(self._group, protocol=pickle.HIGHEST_PROTOCOL)
            self._groups.append(_write_bytes(self._work.own_file(), data))
            self._group = []

    def marks(self, marks: bytearray) -> None:
        """The comparison's marks, one byte a record of the command (`Parsed.marked`)."""
        self._marks = _write_bytes(self._work.own_file(), bytes(marks))

    def values(self) -> Iterator[Parsed]:
        """The kept files, in file order (each call reads them again)."""
        self._write_group()
        if self._groups or self._marks:
            _flush(self._work.own_file())
        marks, at, _ = self._marks or (None, 0, 0)
        for where in list(self._groups):
            for parsed in pickle.loads(_read_chunk(*where)):
                parsed.result.path = self._files[parsed.number]
                if parsed.marked is not None and marks is not None:
                    first, end = parsed.marked
                    parsed.written = load_marks(_read_chunk(marks, at + first, end - first))
                yield parsed

    def pop(self, path: Path, default: Parsed | None = None) -> Parsed | None:
        """The kept `Parsed` of `path` if it is the next kept file (the load asks in file order), else `default`."""
        if self._reader is None:
            self._reader = self.values()
            self._ahead = next(self._reader, None)
        ahead = self._ahead
        if ahead is None or not (ahead.result.path is path or ahead.result.path == path):
            return default
        self._ahead = next(self._reader, None)
        return ahead


def _open_work_file(folder: Path, tag: str) -> BinaryIO:
    try:
        return open(folder / f"{tag}-{os.getpid()}", "wb")
    except OSError as exc:
        raise WorkFolderError(cannot_write(folder, exc)) from None


def _write_chunk(out: BinaryIO, rows: list[tuple]) -> tuple[str, int, int]:
    return _write_bytes(out, marshal.dumps(rows))


def _write_bytes(out: BinaryIO, data: bytes) -> tuple[str, int, int]:
    try:
        offset = out.tell()
        out.write(data)
    except OSError as exc:
        raise WorkFolderError(cannot_write(Path(out.name).parent, exc)) from None
    return (out.name, offset, len(data))


def _flush(out: BinaryIO) -> None:
    try:
        out.flush()
    except OSError as exc:
        raise WorkFolderError(cannot_write(Path(out.name).parent, exc)) from None


def read_rows(chunks: Iterable[tuple[str, int, int]]) -> Iterator[tuple]:
    """The records of a parsed file as rows (`across_spill._row`), in the order it gave them."""
    for name, offset, size in chunks:
        yield from marshal.loads(_read_chunk(name, offset, size))


def read_chunks(chunks: Iterable[tuple[str, int, int]]) -> Iterator[Node | Edge]:
    """The records of a parsed file, in the order it gave them."""
    return map(_record, read_rows(chunks))


def records_written(chunks: Iterable[tuple[str, int, int]], written: bytes | None) -> Iterator[Node | Edge]:
    """The records of a parsed file the load writes (`Parsed.written`; the others are not made)."""
    rows = read_rows(chunks)
    return map(_record, rows if written is None else compress(rows, written))


def marked_records(chunks: Iterable[tuple[str, int, int]], written: bytes | None) -> Iterator[tuple[Node | Edge, int]]:
    """(record, its mark: 1, or FIRST for a relationship's first record) of each record the load writes."""
    rows = read_rows(chunks)
    if written is None:
        return ((_record(row), 1) for row in rows)
    return ((_record(row), mark) for row, mark in zip(rows, written) if mark)


#: The work files open for reading in this process, by name (a few: one per worker and the
#: ingest's own); opening one for each chunk of each small file cost the comparison 1.5 s at M.
_readers: dict[str, int] = {}


def _read_chunk(name: str, offset: int, size: int) -> bytes:
    fd = _readers.get(name)
    if fd is None:
        fd = _readers[name] = os.open(name, os.O_RDONLY)
    return os.pread(fd, size, offset)


def _close_readers(folder: Path) -> None:
    """Close the work files of `folder` this process has open for reading."""
    prefix = str(folder) + os.sep
    for name in [name for name in _readers if name.startswith(prefix)]:
        os.close(_readers.pop(name))


def parse_to_chunks(path: Path, skip_bad: bool, out: BinaryIO | None,
                    on_record: Callable[[Node | Edge], object] | None = None,
                    on_chunk: Callable[[list[tuple]], object] | None = None, work: Path | None = None) -> Parsed:
    """Parse and check one file; its checked records go to `out` in chunks (and to `on_record`; each
    chunk's rows to `on_chunk`). A file failing on its own keeps the chunks of the records it gave
    before (the comparison of files counts them, as the load would not). A large file is checked on
    disk (`pipeline.check_on_disk`), in `work` or else in the folder of `out`."""
    from mastgraph.loaders import registry
    from mastgraph.pipeline.ingest import BadFile, FileResult, _checked

    started = time.perf_counter()
    parsed = Parsed(FileResult(path))
    result = parsed.result
    rows: list[tuple] = []

    def put(chunk: list[tuple]) -> None:
        parsed.chunks.append(_write_chunk(out, chunk))
        if on_chunk is not None:
            on_chunk(chunk)

    try:
        loader = registry.detect(path)
        result.kind = loader.kind
        if work is None and out is not None:
            work = Path(out.name).parent
        plain = plain_records(loader, path, work) if on_record is None and out is not None else None
        if plain is not None:  # (the records `_checked` passes on, in plain form: `_row(record, 0)` each)
            result.records = len(plain)
            for at in range(0, len(plain), CHUNK):
                put([(0, *record) for record in plain[at:at + CHUNK]])
        else:
            for record in _checked(loader, path, skip_bad, result.rejects, work):
                result.records += 1
                if on_record is not None:
                    on_record(record)
                if out is not None:
                    rows.append(_row(record, 0))
                    if len(rows) >= CHUNK:
                        put(rows)
                        rows = []
    except (BadFile, LoadError) as exc:
        result.error = str(exc)
    except OSError as exc:
        parsed.unreadable = exc
    except WorkFolderError:
        raise
    except Exception as exc:  # noqa: BLE001 - a loader's fault on this file: named, its traceback logged
        result.error = internal_error(path, exc, errors_log())
    if rows and out is not None:
        put(rows)
    if out is not None:
        _flush(out)
    result.seconds = time.perf_counter() - started
    return parsed


# -- worker processes ---------------------------------------------------------------------------

_worker_out: BinaryIO | None = None


def ignore_ctrl_c() -> None:
    """In a worker: Ctrl-C is the ingest's to handle (it stops the workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def stop_workers(executor: ProcessPoolExecutor, before: set) -> None:
    """Stop `executor`'s workers at once (the processes started since `before`): what they do is not needed.

    A worker stopped while it was sending a result leaves part of a message in the pipe, and the
    executor's thread waits for the rest: this process could then never exit (the interpreter joins
    that thread at exit). Once the workers are gone, closing this process's end of their result pipe
    (the last writer) ends that wait; the thread then sees a broken pool and ends."""
    manager = getattr(executor, "_executor_manager_thread", None)
    results = getattr(executor, "_result_queue", None)
    executor.shutdown(wait=False, cancel_futures=True)
    for process in set(multiprocessing.active_children()) - before:
        process.terminate()
        process.join(5)
    if manager is not None:
        end_reading(manager, results)


def end_reading(reader: threading.Thread, answers: Any) -> None:
    """Wait for `reader`, a thread reading the workers' `answers` (a multiprocessing queue), to end once
    the workers are gone. One held by a part of an answer (a worker killed while sending it) waits for
    the rest for ever: closing this process's end of the pipe, then its last writer, ends that read."""
    reader.join(STOP_SECONDS)
    writer = getattr(answers, "_writer", None)
    if reader.is_alive() and writer is not None:
        writer.close()
        reader.join(STOP_SECONDS)


#: How long `end_reading` waits for a thread reading the workers' answers to end.
STOP_SECONDS = 2.0
#: How often a wait for a worker's answer (`watched`) looks whether the workers are still alive.
WATCH_SECONDS = 1.0


def watched(future: Future, executor: ProcessPoolExecutor) -> Any:
    """`future`'s result, or BrokenProcessPool once one of `executor`'s workers has died without it.

    The executor sees a worker die, and fails the futures, only between two answers: a worker killed
    while sending one (out of memory, say) leaves part of it in the result pipe and the write lock
    taken, so the executor's thread waits for the rest for ever, every other worker waits for the
    lock, and so would `future.result()`. The wait here looks each `WATCH_SECONDS` whether one of the
    workers started has ended (none ends while the executor is in use); the caller then stops the
    workers with `stop_workers`, which ends the executor's wait (not `shutdown(wait=True)`, which
    would join it)."""
    while True:
        try:
            return future.result(timeout=WATCH_SECONDS)
        except FutureTimeout:
            if future.done():
                continue
            processes = getattr(executor, "_processes", None) or {}
            ended = [process.exitcode for process in list(processes.values()) if process.exitcode is not None]
            if ended:
                raise BrokenProcessPool(f"a worker process ended (exit code {ended[0]}) without its answer") from None


def _start_worker(folder: str) -> None:
    global _worker_out
    ignore_ctrl_c()
    _worker_out = _open_work_file(Path(folder), "worker")


def _parse_task(paths: list[Path], skip_bad: bool, write: bool, partitions: int = 0) -> tuple[str, int, int]:
    """Parse a run of files; their `Parsed` go to the worker's work file and the task returns where
    (`_parsed_run` reads them). A worker stopped while it sends its result must not leave part of a
    message in the executor's pipe (the ingest's process would wait for the rest for ever): the
    result stays a few bytes, which a pipe takes whole, however many files and rejects the run has.
    With `partitions`, the run's records are also put into that many partitions for the comparison
    on disk (`across_spill.Partitions`), each partition's one blob in the work file."""
    if not partitions:
        work = Path(_worker_out.name).parent
        parsed = [parse_to_chunks(path, skip_bad, _worker_out if write else None, work=work) for path in paths]
    else:
        parsed = _parse_into_partitions(paths, skip_bad, partitions)
    for each in parsed:
        each.result.path = None  # (the ingest has the paths: `_parsed_run`; a Path is slow to unpickle)
    where = _write_bytes(_worker_out, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
    _flush(_worker_out)
    return where


def _parse_into_partitions(paths: list[Path], skip_bad: bool, partitions: int) -> list[Parsed]:
    """`parse_to_chunks` of each file, its records also put into partitions (numbered from the run's
    first), written out whenever `across_spill.BUFFERED` records are held; the first file has where."""
    from mastgraph.pipeline.across_spill import BUFFERED, Partitions

    split = Partitions(partitions)
    parts: list[tuple[int, str, int, int]] = []
    parsed = []
    for path in paths:
        written, members = bytearray(), []

        def partition(rows: list[tuple]) -> None:
            split.add(rows, written, members)
            if split.size >= BUFFERED:
                parts.extend((part, *_write_bytes(_worker_out, blob)) for part, blob in split.take())

        each = parse_to_chunks(path, skip_bad, _worker_out, on_chunk=partition)
        each.compare = (len(written), bytes(written), members)
        parsed.append(each)
    parts.extend((part, *_write_bytes(_worker_out, blob)) for part, blob in split.take())
    parsed[0].parts = parts
    return parsed


def _parsed_run(where: tuple[str, int, int], paths: list[Path]) -> list[Parsed]:
    parsed = pickle.loads(_read_chunk(*where))  # (written by the ingest's own worker)
    for each, path in zip(parsed, paths):
        each.result.path = path
    return parsed


def _tasks(files: Sequence[Path]) -> Iterator[list[Path]]:
    """The files in runs of consecutive files, up to TASK_BYTES or TASK_FILES each."""
    run: list[Path] = []
    size = 0
    for path in files:
        run.append(path)
        size += input_bytes([path])
        if size >= TASK_BYTES or len(run) >= TASK_FILES:
            yield run
            run, size = [], 0
    if run:
        yield run


def _context():
    """Workers forked from a small server process with the loaders imported (`pipeline.forkserver`):
    they start at once and carry none of the ingest's memory (nor the threads of its driver or
    progress bar)."""
    from mastgraph.loaders.registry import LOADERS
    from mastgraph.pipeline import forkserver

    return forkserver.context(["mastgraph.pipeline.parse_pass", "mastgraph.loaders.registry",
                               *(module for module, _ in LOADERS)])


def _cores() -> int:
    """The cores this process may run on (its affinity: a container's or taskset's share)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # (no affinity on this system)
        return os.cpu_count() or 1


def workers_for(files: Sequence[Path], wanted: int) -> int:
    """How many processes parse `files`: `wanted` (0: one per core), one below PARALLEL_BYTES of input."""
    count = wanted or _cores()
    if count <= 1 or len(files) < 2:
        return 1
    return count if input_bytes(files, PARALLEL_BYTES) >= PARALLEL_BYTES else 1


def input_bytes(files: Iterable[Path], enough: int | None = None) -> int:
    """The size of the files (one that cannot be read counts nothing: its own read reports it); with
    `enough`, counted until it is reached (a `stat` of every file costs 2 s at 114,000 files)."""
    size = 0
    for path in files:
        try:
            size += path.stat().st_size
        except OSError:
            pass
        if enough is not None and size >= enough:
            break
    return size


def parse_in_order(files: Sequence[Path], skip_bad: bool, work: ParsedFiles, workers: int,
                   on_record: Callable[[Node | Edge], object] | None = None, keep: bool = True,
                   on_rows: Callable[[list[tuple]], object] | None = None,
                   on_parsed: Callable[[Parsed], object] | None = None, partitions: int = 0) -> Iterator[Parsed]:
    """Each file parsed, in file order; `on_record` gets every checked record in that order. With
    `keep`, each file's `Parsed.chunks` hold its records for `read_chunks` until `work` is closed.
    With `on_rows`, the records a worker parsed go to it instead, a chunk at a time, as the work
    files hold them (`across_spill._row`, numbered 0): no record is made of them in this process.
    With `on_parsed` and `partitions`, the workers put their records into partitions themselves and
    each file a worker parsed goes to `on_parsed` (`SpilledAcrossFiles.add_parsed`) instead."""
    if workers <= 1:
        for path in files:
            yield parse_to_chunks(path, skip_bad, work.own_file() if keep else None, on_record,
                                  work=work.folder if large(path) else None)
        return
    done = 0
    # (the records reach this process through the work files)
    write = keep or on_record is not None or on_rows is not None
    if on_parsed is None:
        partitions = 0
    try:
        for parsed in _parse_by_workers(files, skip_bad, work, workers, write or bool(partitions), partitions):
            if partitions:
                on_parsed(parsed)
            elif on_rows is not None:
                for chunk in parsed.chunks:
                    on_rows(marshal.loads(_read_chunk(*chunk)))
            elif on_record is not None:
                for record in read_chunks(parsed.chunks):
                    on_record(record)
            done += 1
            yield parsed
    except BrokenProcessPool:
        pass  # a worker died (killed, out of memory): the rest is parsed here
    for path in files[done:]:
        yield parse_to_chunks(path, skip_bad, work.own_file() if keep else None, on_record,
                              work=work.folder if large(path) else None)


def _parse_by_workers(files: Sequence[Path], skip_bad: bool, work: ParsedFiles, workers: int,
                      write: bool = True, partitions: int = 0) -> Iterator[Parsed]:
    before = set(multiprocessing.active_children())
    executor = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_start_worker,
                                   initargs=(str(work.folder),))
    pending: deque[tuple[Future, list[Path]]] = deque()
    queued = _tasks(files)
    finished = False
    try:
        for run in queued:
            pending.append((executor.submit(_parse_task, run, skip_bad, write, partitions), run))
            if len(pending) >= workers * AHEAD_PER_WORKER:
                break
        while pending:
            task, run = pending.popleft()
            where = watched(task, executor)
            following = next(queued, None)
            if following is not None:
                pending.append((executor.submit(_parse_task, following, skip_bad, write, partitions), following))
            yield from _parsed_run(where, run)
        executor.shutdown(wait=True)
        finished = True
    finally:
        if not finished:  # stopped early (Ctrl-C, an error, a consumer that stops): stop the workers now
            stop_workers(executor, before)
