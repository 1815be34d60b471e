"""Bulk build, phase 1: parse every file with its loader and spill the records to partitions.

Each file goes through the online ingest's own checks (`pipeline.ingest._checked`: a Reject or two
records of the file giving one node different values fail the file, or with ``skip_bad`` skip the
row), so the messages are the online path's. Checked records are appended, pickled in batches, to
one of N partition files chosen by a stable hash of their key (a node's key; a relationship's
start and end keys), so phase 2 can merge one partition at a time in bounded memory. Every record
carries its file's index and its origin (compactly, `pipeline.bulk_conflicts`): two files that give
one key different values, or one association different member lists, refuse the build as they
refuse `mastgraph ingest` (`ParseResult.clashes` here, `PartitionResult.clashes` in phase 2).

A relationship end that no node record of the same file describes is spilled as a *reference* to
the end's partition; phase 2 creates the nodes that only references name (the online writer
MERGEs relationship ends), and reports them.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import resource
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from mastgraph.graph.bulk_format import Census
from mastgraph.graph.bulk_import import cpu_seconds
from mastgraph.pipeline.bulk_conflicts import Clashes, members_digest, origin_code
from mastgraph.pipeline.across_spill import WorkFolderError
from mastgraph.pipeline.check_on_disk import plain_records
from mastgraph.model.vocabulary import IDENTITY_TYPES_TEXT
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.errors import internal_error, one_line
from mastgraph.model.records import PLAIN_NODE, member_text, plain, plain_identity

NODE, EDGE, REF, MEMBERS = 0, 1, 2, 3
#: Records held in memory across all partitions of one worker before they are written out.
FLUSH_AT = 40_000
SPILL_BUFFERING = 64 * 1024
#: Records taken from a loader at a time (the loader's time and the spilling are timed apart).
CHUNK = 2048
#: Distinct nodes and relationships a worker combines before spilling them.
COMBINE_AT = 60_000
_NONE = type(None)
#: The cyclic garbage collector's thresholds while a worker parses or merges (see `gc_relaxed`).
PARSE_GC_THRESHOLDS = (100_000, 10, 10)


def node_partition(key: str, partitions: int) -> int:
    return zlib.crc32(key.encode()) % partitions


def spill_name(partition: int, tag: str) -> str:
    return f"p{partition:05d}.{tag}.pkl"


def read_spill(path: Path):
    """The record batches of one spill file, in the order they were written."""
    with open(path, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


class Spiller:
    """Buffers records per partition and appends them to this worker's partition files."""

    def __init__(self, folder: Path, partitions: int, tag: str) -> None:
        self.folder = folder
        self.partitions = partitions
        self.tag = tag
        self.buffers: list[list] = [[] for _ in range(partitions)]
        self.buffered = 0
        self.records = 0
        self.bytes = 0
        self._files: dict[int, object] = {}

    def add(self, partition: int, record: tuple) -> None:
        self.buffers[partition].append(record)
        self.buffered += 1
        if self.buffered >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        for partition, buffer in enumerate(self.buffers):
            if not buffer:
                continue
            fh = self._files.get(partition)
            if fh is None:
                fh = self._files[partition] = open(self.folder / spill_name(partition, self.tag), "ab",
                                                   buffering=SPILL_BUFFERING)
            data = pickle.dumps(buffer, protocol=pickle.HIGHEST_PROTOCOL)
            fh.write(data)
            self.bytes += len(data)
            self.records += len(buffer)
            self.buffers[partition] = []
        self.buffered = 0

    def close(self) -> None:
        self.flush()
        for fh in self._files.values():
            fh.close()
        self._files.clear()


@dataclass
class ParseConfig:
    spill_dir: Path
    partitions: int
    skip_bad: bool
    detect: Callable | None = None  # which loader reads a file; default the registry's
    check_across_files: bool = True  # False: conflicts between files are not refused, later values win
    error_log: str = ""  # where the traceback of a file a loader fails on unexpectedly goes


@dataclass
class FileOutcome:
    index: int
    path: str
    kind: str = ""
    records: int = 0
    rejects: int = 0
    error: str | None = None


@dataclass
class ParseResult:
    """What one worker parsed: the census of property types, counts, its rejects file, peak RSS."""

    census: Census = field(default_factory=Census)
    records: Counter = field(default_factory=Counter)
    spilled_records: int = 0
    spilled_bytes: int = 0
    rejects_file: str | None = None
    max_rss: int = 0
    cpu_seconds: float = 0.0  # the worker process's own CPU (user + system) when it finished
    loader_seconds: float = 0.0  # in the loaders and the online path's checks
    spill_seconds: float = 0.0  # in the bulk build's own spilling
    clashes: Clashes = field(default_factory=Clashes)  # conflicts between the files of one task


class ParseWorker:
    """Phase-1 worker: a task is a run of consecutive files, [(file index, path), ...].

    Records of one task are *combined* before they are spilled: duplicates of a node or a
    relationship within the task are merged as phase 2 would merge them (later values win,
    labels unioned). That is exact because a task's files are consecutive: no other worker's file
    lies between them, so the combined record may stand in the file order for all of them (it
    carries the index of the task's file being read when it is spilled). It removes most of the
    volume (a product is named by several listings, associations and headers of its program).
    """

    def __init__(self, config: ParseConfig, tag: str, detect: Callable | None = None) -> None:
        from mastgraph.loaders import registry

        self.config = config
        self.tag = tag
        self.detect = detect or config.detect or registry.detect
        self.spiller = Spiller(config.spill_dir, config.partitions, tag)
        self.result = ParseResult()
        self.result.clashes.keep_earlier = config.check_across_files
        self.shapes: Counter = Counter()
        self._rejects_path = config.spill_dir / f"rejects.{tag}.txt"
        self._rejects = None
        self.nodes: dict[tuple[str, str], list] = {}
        self.edges: dict[tuple, list] = {}
        self.paths: dict[int, str] = {}  # the task's files by index (to encode origins)
        self.members: dict[str, list] = {}  # the file's associations: name -> [members, first origin]

    def run(self, task: list[tuple[int, str]], emit: Callable[[tuple], None]) -> None:
        with gc_relaxed():
            self._run(task, emit)

    def _run(self, task: list[tuple[int, str]], emit: Callable[[tuple], None]) -> None:
        described: set[tuple[str, str]] = set()
        ends: dict[tuple[str, str], tuple[int, str]] = {}
        self.paths = dict(task)
        for index, path in task:
            emit(("file", self.parse_file(index, Path(path), described, ends)))
        started = time.perf_counter()
        self._flush_combined(task[-1][0])
        parts, spill = self.config.partitions, self.spiller.add
        for (label, key), (index, where) in ends.items():
            if (label, key) not in described:
                spill(node_partition(key, parts), (REF, index, label, key, where))
        self.result.spill_seconds += time.perf_counter() - started

    def parse_file(self, index: int, path: Path, described: set | None = None, ends: dict | None = None
                   ) -> FileOutcome:
        from mastgraph.pipeline.ingest import BadFile, _checked

        described = set() if described is None else described
        ends = {} if ends is None else ends
        outcome = FileOutcome(index, str(path))
        self.paths.setdefault(index, str(path))
        self.members = {}
        rejects: list[Reject] = []
        clock = time.perf_counter
        try:
            loader = self.detect(path)
            outcome.kind = loader.kind
            if self._plain(loader, index, path, outcome, described, ends):
                return self._outcome(outcome, rejects)
            records = _checked(loader, path, self.config.skip_bad, rejects, self.config.spill_dir)
            while True:
                started = clock()
                chunk = list(islice(records, CHUNK))
                loaded = clock()
                self.result.loader_seconds += loaded - started
                if not chunk:
                    break
                self._combine(index, chunk, described, ends)
                self.result.spill_seconds += clock() - loaded
                outcome.records += len(chunk)
            self._spill_members(index)
        except BadFile as exc:
            outcome.error = str(exc)
        except LoadError as exc:
            outcome.error = str(exc)
        except OSError as exc:
            outcome.error = f"{path}: cannot read: {exc.strerror or exc}"
        except WorkFolderError:
            raise
        except Exception as exc:  # noqa: BLE001 - a loader's fault on this file: named, its traceback logged
            outcome.error = internal_error(path, exc, self.config.error_log)
        return self._outcome(outcome, rejects)

    def _outcome(self, outcome: FileOutcome, rejects: list[Reject]) -> FileOutcome:
        """A file's outcome, its records counted and its rejects written."""
        index = outcome.index
        self.result.records["records"] += outcome.records
        if rejects:
            outcome.rejects = len(rejects)
            if self._rejects is None:
                self._rejects = open(self._rejects_path, "a", encoding="utf-8", errors="surrogateescape")
            for reject in rejects:
                self._rejects.write(f"{index}\t{one_line(str(reject))}\n")
        return outcome

    def _plain(self, loader, index: int, path: Path, outcome: FileOutcome, described: set, ends: dict) -> bool:
        """Combine the file's records in the plain form its loader gives (`plain_records`, for a file
        whose rows are all good), when it gives them: the records `_checked` would pass on, in
        their order, each as a tuple instead of a record. False: the file is to be read as records
        (its loader has no plain form, or not for this file, or the file is checked on disk)."""
        clock = time.perf_counter
        started = clock()
        plain = plain_records(loader, path, self.config.spill_dir)
        loaded = clock()
        self.result.loader_seconds += loaded - started
        if plain is None:
            return False
        for at in range(0, len(plain), CHUNK):  # (the chunks `parse_file` takes from records)
            chunk = plain[at:at + CHUNK]
            self._combine_plain(index, chunk, described, ends)
            outcome.records += len(chunk)
        self._spill_members(index)
        self.result.spill_seconds += clock() - loaded
        return True

    def _combine(self, index: int, chunk: list, described: set, ends: dict) -> None:
        """Merge a chunk of checked records into the task's combined nodes and relationships."""
        self._combine_plain(index, list(map(plain, chunk)), described, ends)

    def _combine_plain(self, index: int, chunk: list, described: set, ends: dict) -> None:
        """`_combine` of records in plain form (`model.records.PLAIN_NODE`, `PLAIN_EDGE`)."""
        nodes, edges = self.nodes, self.edges
        identity, identity_types = plain_identity, IDENTITY_TYPES_TEXT
        for record in chunk:
            if record[0] == PLAIN_NODE:
                _, label, key, props, texts, origin = record
                if type(key) is not str:
                    key = _text_key(key, origin, label)
                ref = (label, key)
                seen = nodes.get(ref)
                if seen is None:
                    # [labels, props, first origin, its file, origin codes of later-added properties]
                    nodes[ref] = [texts, props, origin, index, None]
                    described.add(ref)
                else:
                    if texts:
                        seen[0] = seen[0] + texts
                    if props and not props.items() <= seen[1].items():  # (else nothing new)
                        self._add_props(seen, 1, props, origin, index, f"{label} {key}")
            else:
                _, rel, start, skey, end, ekey, props, origin = record
                if type(skey) is not str:
                    skey = _text_key(skey, origin, start)
                if type(ekey) is not str:
                    ekey = _text_key(ekey, origin, end)
                ref = (rel, start, skey, end, ekey, identity(rel, start, props) if rel in identity_types else ())
                seen = edges.get(ref)
                if seen is None:
                    edges[ref] = [props, origin, index, None]
                    if (start, skey) not in ends:
                        ends[(start, skey)] = (index, origin)
                    if (end, ekey) not in ends:
                        ends[(end, ekey)] = (index, origin)
                elif props and not props.items() <= seen[0].items():
                    self._add_props(seen, 0, props, origin, index, f"{rel} {skey} -> {ekey}")
                if rel == "HAS_MEMBER" and start == "Association":  # (`pipeline.ingest.association_member`)
                    listed = self.members.get(skey)
                    if listed is None:
                        listed = self.members[skey] = [set(), origin]
                    listed[0].add(member_text(ekey, props))
        if len(nodes) + len(edges) >= COMBINE_AT:
            self._flush_combined(index)

    def _add_props(self, seen: list, at: int, props: dict, origin: str, index: int, what: str) -> None:
        """A later record's properties into a combined record (`seen[at]` its props, then its first
        origin, file and the origin codes of the properties added later): later values win, and a
        value that conflicts with an earlier file's is kept out and reported (within one file,
        `_checked` has refused it)."""
        paths, origins = self.paths, seen[at + 3]
        old = seen[at]
        code = origin_code(origin, index, paths[index])

        def first_of(name: str):
            if origins and name in origins:
                return origins[name]
            return origin_code(seen[at + 1], seen[at + 2], paths[seen[at + 2]])

        seen[at] = self.result.clashes.props(what, old, props, code, first_of)
        added = props.keys() - old.keys()
        if added:
            if origins is None:
                origins = seen[at + 3] = {}
            for name in added:
                origins[name] = code

    def _spill_members(self, index: int) -> None:
        """Each association's member list in the file just read, as a digest, to its partition."""
        path, parts = self.paths[index], self.config.partitions
        for name, (members, origin) in self.members.items():
            self.spiller.add(node_partition(name, parts), (MEMBERS, index, name, members_digest(members),
                                                           len(members), origin_code(origin, index, path)))
        self.members = {}

    def _flush_combined(self, index: int) -> None:
        """Spill the combined records (standing at file `index` in the file order)."""
        parts = self.config.partitions
        spiller = self.spiller
        buffers = spiller.buffers
        census = self.result.census
        crc = zlib.crc32
        shapes: list[tuple] = []  # counted at the end, in one pass (Counter.update)
        add_shape = shapes.append
        code_of, paths = origin_code, self.paths
        for (label, key), (labels, props, origin, file, origins) in self.nodes.items():
            buffers[crc(key.encode()) % parts].append((NODE, index, label, key, labels, props,
                                                       code_of(origin, file, paths[file]),
                                                       origins or None))
            kinds = tuple(map(type, props.values()))
            add_shape((label, tuple(props), kinds))
            if list in kinds:
                _census_lists(census, label, props)
        for (rel, start, skey, end, ekey, ident), (props, origin, file, origins) in self.edges.items():
            buffers[crc(f"{skey}\0{ekey}".encode()) % parts].append(
                (EDGE, index, rel, start, skey, end, ekey, ident, props, code_of(origin, file, paths[file]),
                 origins or None))
            kinds = tuple(map(type, props.values()))
            group = (rel, start, end)
            add_shape((group, tuple(props), kinds))
            if list in kinds:
                _census_lists(census, group, props)
        self.shapes.update(shapes)
        spiller.buffered += len(self.nodes) + len(self.edges)
        self.nodes, self.edges = {}, {}
        if spiller.buffered >= FLUSH_AT:
            spiller.flush()

    def finish(self) -> ParseResult:
        self.spiller.close()
        if self._rejects is not None:
            self._rejects.close()
            self.result.rejects_file = str(self._rejects_path)
        for (group, names, kinds), count in self.shapes.items():
            self.result.census.add_shape(group, names, kinds, count)
        self.result.spilled_records = self.spiller.records
        self.result.spilled_bytes = self.spiller.bytes
        self.result.max_rss = peak_rss()
        self.result.cpu_seconds = cpu_seconds()
        return self.result


@contextlib.contextmanager
def gc_relaxed():
    """Collect cyclic garbage less often while a task is parsed or a partition merged, then as before.

    Parsing allocates millions of small containers (records, their props, the combined records),
    nearly none in a cycle; at the default thresholds the collector's passes over them took a
    sixth of the parse time, and 40 % of reading a partition's 381,000 spilled records (whose
    dicts the collector walks again and again while they grow). Cycles are still collected, every
    100,000 net allocations instead of 700.
    """
    before = gc.get_threshold()
    if before[0]:  # (0: the process collects no cycles automatically; left so)
        gc.set_threshold(*(max(mine, theirs) for mine, theirs in zip(PARSE_GC_THRESHOLDS, before)))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _census_lists(census: Census, group, props: dict) -> None:
    for name, value in props.items():
        if type(value) is list:
            census.add_list(group, name, value)


def _text_key(key, where: str, label: str) -> str:
    if type(key) is str:
        return key
    from mastgraph.pipeline.ingest import BadFile

    raise BadFile(f"{where}: {label} key {key!r} is not text (the bulk build keys nodes by text)")


def peak_rss() -> int:
    """This process's peak resident set size, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def read_rejects(files: list[str]) -> list[str]:
    """The rejects of every worker, in file order (then in the order each file reported them)."""
    rows: list[tuple[int, int, str]] = []
    for path in files:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            for seq, line in enumerate(fh):
                index, _, text = line.rstrip("\n").partition("\t")
                rows.append((int(index), seq, text))
    rows.sort()
    return [text for _, _, text in rows]


def spill_files(folder: Path, partition: int) -> list[Path]:
    return sorted(folder.glob(f"p{partition:05d}.*.pkl"))


def remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
