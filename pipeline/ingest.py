"""The online ingest: files -> loader records -> Neo4j, one transaction per file.

Each file is parsed by the loader its kind calls for and its records are checked (a bad row or two
records giving one node different values fail the file, or are skipped and reported with
``skip_bad``) before anything is written; then the records are written with idempotent MERGEs (into
a database that held no node when a command of several files began, a relationship's first record is
CREATEd: `AcrossFiles`, `first_edge_mark`) and
the derived relationships they affect are computed in one managed write transaction, so a file
lands whole or not at all. Small files share a transaction (fewer round trips). A file with more
records than a transaction takes (`_Batcher.budget`) is checked whole first, then written in parts
of that many records, one transaction each, in the file's order (`_write_in_parts`): a transaction
holding a whole large file would need the database's memory in proportion to the file. Loading the
same files again changes nothing. Across files, a later file's values update an earlier one's (as
MAST's reprocessing updates a product); within one file, and within the files of one command,
they must agree (`ConflictingFiles`: nothing is written).
"""

from __future__ import annotations

import marshal
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.graph.writer import BatchWriter, PlannedWrites, ParamRows, WriteCounts
from mastgraph.loaders.records import FIRST, Conflict, LoadError, Loader, RecordMerger, Reject
from mastgraph.loaders.registry import FileList
from mastgraph.model.records import Edge, Node, member_text
from mastgraph.model.errors import first_line

from mastgraph.pipeline.across_spill import (
    SpilledAcrossFiles, WorkFolderError, _member, _record, _starts_member_list, first_edge_mark, load_marks)
from mastgraph.pipeline.check_on_disk import checked_on_disk, on_disk
from mastgraph.pipeline.plan_ahead import batch_limit
from mastgraph.pipeline.parse_pass import (
    KeptFiles, Parsed, ParsedFiles, _read_chunk, input_bytes, parse_in_order, parse_to_chunks, read_chunks,
    workers_for)

if TYPE_CHECKING:
    # The driver, the settings and the derivation are imported where they are used: parsing alone
    # (--dry-run, the bulk build's parse workers, which use `_checked`) does without them.
    import neo4j

    from mastgraph.graph.settings import Settings
    from mastgraph.pipeline.derive import Touched
    from mastgraph.pipeline.derive_command import CommandDerivation
    from mastgraph.pipeline.plan_ahead import PlanAhead


class BadFile(Exception):
    """A file refused as a whole: the message is one line `file:line: reason`."""


class ConflictingFiles(Exception):
    """Files of one command give one key different values: the command writes nothing.

    Each item of `conflicts` is one line naming both origins (`file:line`). Within one command
    the files must agree, as the rows of one file must; across commands a later load updates.
    """

    SHOWN = 20

    def __init__(self, conflicts: list[str], total: int | None = None) -> None:
        total = len(conflicts) if total is None else total  # (the bulk build keeps the first few of many)
        super().__init__(f"{total} conflict{'s' if total > 1 else ''} between the files of this "
                         "command (the same key with different values): nothing was written")
        self.conflicts = conflicts
        self.total = total

    def lines(self) -> list[str]:
        shown = self.conflicts[: self.SHOWN]
        more = self.total - len(shown)
        return [*shown, *([f"... and {more} more"] if more else []), str(self)]


class AcrossFiles:
    """What the files of one command said, to find where two disagree: a run-wide `RecordMerger`
    (one key, different values) and each association's member list (an association file named
    again with other members adds no conflicting value, only other relationships).

    It also tells the load which records it need not write (`end_file`): those that repeat what an
    earlier file said (the merger finds they add nothing), which writing would leave unchanged; and
    which relationships no earlier record of the command gave (`FIRST`: into a database that held no
    node when the command began, the load CREATEs them instead of MERGEing: `first_edge_mark`). The
    records of member lists are written whatever: a write replaces an association's members with
    those its records give (`MemberLists`). Once a file fails on its own, what it gave before it
    failed stays in the merger but never reaches the graph: from then on every record is written."""

    def __init__(self) -> None:
        self.merger = RecordMerger()
        self.conflicts: list[str] = []
        self.members: dict[str, tuple[frozenset, str]] = {}  # association -> (members, the file's first origin)
        self._file: dict[str, tuple[set, str]] = {}
        # the file's records so far: 1 written, 0 a repeat of an earlier file's, FIRST a relationship's first record
        self._written = bytearray()
        self._exact = True  # no file has failed on its own: the repeats found are in the graph when written
        #: With a folder, `finish()` writes the merged records there as the facts of the command's
        #: derivation (`pipeline.derive_command`); `facts_exact`: they are usable.
        self.facts: Path | None = None
        self.facts_exact = True
        #: None: `end_file` gives each file its marks (as `SpilledAcrossFiles.marks` once its replay ends).
        self.marks: bytearray | None = None

    def add(self, record: Node | Edge) -> None:
        try:
            new = self.merger.add(record)
        except Conflict as exc:
            self.conflicts.append(str(exc))
            new = True
        member = association_member(record)
        if member is not None:
            members, _ = self._file.setdefault(member[0], (set(), record.origin))
            members.add(member[1])
            new = True
        elif not new and starts_member_list(record):
            new = True
        self._written.append(first_edge_mark(record, new))

    def add_rows(self, rows: list[tuple]) -> None:
        """`add` of the records of a work file's chunk (`parse_pass.parse_in_order`)."""
        for row in rows:
            self.add(_record(row))

    def drop_file(self) -> None:
        """Forget the file just read (it failed on its own)."""
        self._file = {}
        self._exact = False

    def end_file(self, parsed: Parsed | None = None) -> bytes | None:
        """Compare the member lists of the file just read with those of earlier files. Returns which
        of its records the load writes (one byte each, 0: a repeat), or None: every one (`parsed`, the
        file, is for `SpilledAcrossFiles.end_file`, which knows it only when its replay ends)."""
        for name, (members, where) in self._file.items():
            frozen = frozenset(members)
            known = self.members.get(name)
            if known is None:
                self.members[name] = (frozen, where)
            elif known[0] != frozen:
                self.conflicts.append(members_differ(where, name, len(frozen), len(known[0]), known[1]))
        self._file = {}
        written, self._written = self._written, bytearray()
        return load_marks(written) if self._exact else None

    def finish(self) -> list[str]:
        """The conflicts found (as `SpilledAcrossFiles.finish`)."""
        if self.facts is not None and not self.conflicts:
            from mastgraph.pipeline.derive_command import merged, write_facts

            self.facts_exact = write_facts(*merged(self.merger), self.facts, 0)
        return self.conflicts

    def close(self) -> None:
        """Nothing to remove (as `SpilledAcrossFiles.close`)."""


def members_differ(where: str, name: str, count: int, earlier_count: int, earlier: str) -> str:
    """The line for an association whose file at `where` gives other members than the one at `earlier`."""
    return f"{where}: Association {name}: {count} members differ from the {earlier_count} members of {earlier}"


def starts_member_list(record: Node | Edge) -> bool:
    """An association loader's Association record, with its `products`: a write holding it replaces
    that association's members with those it gives (`MemberLists`)."""
    return type(record) is Node and record.label is Label.ASSOCIATION and "products" in record.props


def association_member(record: Node | Edge) -> tuple[str, str] | None:
    """(association name, member as `uri|product|exptype`) of an association's HAS_MEMBER record, else None."""
    if type(record) is not Edge or record.type is not Rel.HAS_MEMBER or record.start[0] is not Label.ASSOCIATION:
        return None
    return record.start[1], member_text(record.end[1], record.props)


def new_across(files: Sequence[Path], settings: Settings | None) -> AcrossFiles | SpilledAcrossFiles:
    """The comparison of the files: in memory, or on disk (under the state folder) when their
    size passes `settings.conflict_spill_mb`."""
    if settings is None:
        return AcrossFiles()
    size = input_bytes(files)
    if size <= settings.conflict_spill_mb * 2**20:
        return AcrossFiles()
    return SpilledAcrossFiles(Path(settings.home) / "ingest-work", size, workers_for(files, settings.parse_workers))


def work_state(settings: Settings | None) -> Path | None:
    """Where the ingest's work files go (removed when it ends); None: the system's temporary folder."""
    return None if settings is None else Path(settings.home) / "ingest-work"


def compared(across: AcrossFiles | SpilledAcrossFiles | None, parsed: Parsed) -> None:
    """Close a parsed file's part of the comparison (its records were added as they were read)."""
    if across is None:
        return
    if parsed.unreadable is not None or parsed.result.error:
        across.drop_file()  # what it gave before it failed stays compared
    parsed.written = across.end_file(parsed)


def cross_file_conflicts(files: Sequence[Path], settings: Settings, skip_bad: bool = False,
                         kept: KeptFiles | None = None, work: ParsedFiles | None = None,
                         whole: CommandDerivation | None = None) -> list[str]:
    """The conflicts between files (two files giving one node or relationship different values),
    one line each naming both origins; a file that fails on its own is left to the load to report.
    With `kept` (in its `work` folder), the files parsed whole and without error are kept there
    for the load, with the marks of which of their records it writes. A large input is parsed by
    worker processes (`parse_pass`) and compared on disk (`new_across`). With `whole`, the merged
    records go to its facts (`pipeline.derive_command`)."""
    across = new_across(files, settings)
    across.facts = None if whole is None else whole.facts
    own = work is None
    work = ParsedFiles(work_state(settings)) if work is None else work
    try:
        parsed_files = _parsed_and_compared(files, settings, skip_bad, work, across, keep=kept is not None)
        for number, parsed in enumerate(parsed_files):  # (one a file, in file order)
            if kept is not None and parsed.unreadable is None and not parsed.result.error:
                kept.add(number, parsed)
        conflicts = across.finish()
        if kept is not None and across.marks is not None:  # (compared on disk)
            kept.marks(across.marks)
        if whole is not None:
            whole.exact = across.facts_exact
        return conflicts
    finally:
        across.close()
        if own:
            work.close()


def _parsed_and_compared(files: Sequence[Path], settings: Settings | None, skip_bad: bool, work: ParsedFiles,
                         across: AcrossFiles | SpilledAcrossFiles | None, keep: bool) -> Iterator[Parsed]:
    """Each file parsed (`parse_in_order`: by workers when the input is large) and, with `across`,
    compared with the files before it (`compared`), in file order."""
    workers = workers_for(files, settings.parse_workers if settings is not None else 1)
    spilled = across if isinstance(across, SpilledAcrossFiles) else None
    for parsed in parse_in_order(files, skip_bad, work, workers, across.add if across is not None else None,
                                 on_rows=across.add_rows if across is not None else None, keep=keep,
                                 on_parsed=None if spilled is None else spilled.add_parsed,
                                 partitions=0 if spilled is None else spilled.partitions):
        compared(across, parsed)
        yield parsed


class IngestStopped(Exception):
    """The ingest stopped before its end: Neo4j stopped answering (`lost` says how), the work folder
    could not be written (`reason` says why) or the user pressed Ctrl-C (`lost` None) while `path`
    was being loaded. Each transaction commits whole or
    not at all, so the `loaded` files are in the graph and nothing of `path` (nor of the `with_it`
    other files of its transaction) is, but for the first `parts[0]` of its `parts[1]` parts when it
    was written in parts; loading is idempotent, so the same command finishes it."""

    def __init__(self, path: Path, loaded: int, with_it: int, lost: BaseException | None,
                 parts: tuple[int, int] | None = None, reason: str = "") -> None:
        super().__init__(f"stopped while loading {path}")
        self.path, self.loaded, self.with_it, self.lost = path, loaded, with_it, lost
        self.parts, self.reason = parts, reason

    @property
    def interrupted(self) -> bool:
        """By Ctrl-C (exit 130), not by a fault."""
        return self.lost is None and not self.reason

    def describe(self, uri: str, local: bool = False) -> str:
        """The one line for the user (`local`: the Neo4j is mastgraph's local server, which says how to
        start it again when it stopped answering)."""
        import neo4j

        what = (f"Neo4j at {uri} stopped answering" if self.lost is not None else self.reason if self.reason
                else "interrupted")
        others = f" (nor of the {self.with_it} other files of its transaction)" if self.with_it else ""
        written = f"nothing of {self.path}{others} was written"
        unknown = isinstance(self.lost, neo4j.exceptions.IncompleteCommit)
        if unknown:
            written = f"whether {self.path}{others} was written is unknown (its commit got no answer)"
        if self.parts is not None and (self.parts[0] or unknown):
            done, total = self.parts
            written = f"{done} of the {total} parts of {self.path} were written"
            if unknown:
                written += f", whether part {done + 1} was is unknown (its commit got no answer)"
        files = "file was" if self.loaded == 1 else "files were"
        from mastgraph.graph.db import START_LOCAL_AGAIN

        start = START_LOCAL_AGAIN if local and self.lost is not None else ""
        return (f"{what} while loading {self.path}; {self.loaded} {files} loaded, {written}; "
                f"{start}run the same command again to finish")


@dataclass(slots=True)
class FileResult:
    path: Path
    kind: str = ""
    records: int = 0
    #: What the file's own transactions wrote and derived; None when it was written with other files
    #: (the report counts those batches: `IngestReport.written`), or not at all. (Not made for every
    #: file: a command keeps the result of each of its files, 10^5-10^6 at archive scale.)
    counts: WriteCounts | None = None
    derived: WriteCounts | None = None
    rejects: list[Reject] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


#: The phases of an online ingest (`IngestReport.phases`): the pass that compares the files of a
#: command, parsing and checking (a file over the transaction budget the load parses itself is
#: counted here), writing the records, deriving, and the rest of each transaction of the batches:
#: its commit (where Neo4j applies what the transaction wrote) and the session's round trips.
PHASES = ("conflicts", "parse", "write", "derive", "commit")


class FileResults:
    """The result of each file of a command (`IngestReport.files`), in file order, a `FileResult`
    each. A result is held as itself until `done` (its file written, or failed: it changes no
    more); then, unless it has an error, rejects or counts of its own, as its kind, records and
    seconds, its path in a `registry.FileList`: about 30 bytes a file beside its name instead of
    700 or more (and without a small object left behind by each file among the batches' large
    ones), for the 10^5-10^6 files of a command at archive scale."""

    def __init__(self) -> None:
        self._paths = FileList()
        self._kinds = bytearray()
        self._kind_names: list[str] = []
        self._kind_codes: dict[str, int] = {}
        self._records = array("q")
        self._seconds = array("d")
        self._held: dict[int, FileResult] = {}  # by index: not done, or with more than those
        self._open: dict[int, int] = {}  # id of a held result not done -> its index

    def __len__(self) -> int:
        return len(self._paths)

    def append(self, result: FileResult) -> None:
        index = len(self._paths)
        self._paths.append(result.path)
        self._kinds.append(0)
        self._records.append(0)
        self._seconds.append(0.0)
        self._held[index] = result
        self._open[id(result)] = index

    def __setitem__(self, index: int, result: FileResult) -> None:
        index = range(len(self._paths))[index]
        before = self._held.get(index)
        if before is not None:
            self._open.pop(id(before), None)
        self._held[index] = result  # (the same file's: its path is the one held)
        self._open[id(result)] = index

    def done(self, result: FileResult) -> None:
        """`result` changes no more: held as a few numbers unless it has more to say."""
        index = self._open.pop(id(result), None)
        if index is None or result.error or result.rejects or result.counts is not None or result.derived is not None:
            return
        code = self._kind_codes.get(result.kind)
        if code is None:
            if len(self._kind_names) > 255:
                return
            code = self._kind_codes[result.kind] = len(self._kind_names)
            self._kind_names.append(result.kind)
        self._kinds[index], self._records[index], self._seconds[index] = code, result.records, result.seconds
        del self._held[index]

    def __getitem__(self, index: int) -> FileResult:
        index = range(len(self._paths))[index]
        held = self._held.get(index)
        if held is not None:
            return held
        return FileResult(self._paths[index], self._kind_names[self._kinds[index]], self._records[index],
                          seconds=self._seconds[index])

    def __iter__(self) -> Iterator[FileResult]:
        return map(self.__getitem__, range(len(self._paths)))

    def held(self) -> list[FileResult]:
        """The results held as themselves (each failed file's and each with rejects among them), in file order."""
        return [self._held[index] for index in sorted(self._held)]

    def records(self) -> int:
        return sum(self._records) + sum(result.records for result in self._held.values())


@dataclass
class IngestReport:
    files: FileResults = field(default_factory=FileResults)
    seconds: float = 0.0
    written: WriteCounts = field(default_factory=WriteCounts)
    derived: WriteCounts = field(default_factory=WriteCounts)
    #: Wall seconds per phase (PHASES); a retried transaction counts again.
    phases: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))
    #: How a command into an empty database derived its relationships (`pipeline.derive_command`);
    #: empty: each batch derived its own.
    derivation: str = ""

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files.held() if f.error]

    @property
    def rejects(self) -> list[Reject]:
        return [r for f in self.files.held() for r in f.rejects]

    def totals(self) -> tuple[WriteCounts, WriteCounts]:
        """What the run wrote and derived (files written together are counted together)."""
        return self.written, self.derived

    @property
    def records(self) -> int:
        return self.files.records()

    def done(self, result: FileResult, progress: Progress | None) -> None:
        """A file's result is final: it is told to `progress`."""
        self.files.done(result)
        if progress:
            progress(result, "done")


#: Told of each file: "start", then "done" (its result); a file written in parts also "part N of M"
#: before each part.
Progress = Callable[[FileResult, str], None]


def _checked(loader: Loader, path: Path, skip_bad: bool, rejects: list[Reject], work: Path | None = None):
    """The loader's records with bad rows and conflicting duplicates refused (or skipped). Given a
    `work` folder, a large file is checked on disk (`pipeline.check_on_disk`), with the same outcome."""
    if work is not None and on_disk(path, loader):
        yield from checked_on_disk(loader, path, skip_bad, rejects, work)
        return
    add = RecordMerger().add
    try:
        for record in loader.records(path):
            if isinstance(record, Reject):
                if not skip_bad:
                    raise BadFile(str(record))
                rejects.append(record)
                continue
            try:
                if not add(record):
                    continue  # a repeat of what the file said before: writing it changes nothing
            except Conflict as exc:
                if not skip_bad:
                    raise BadFile(str(exc)) from None
                rejects.append(Reject(record.origin, str(exc).split(": ", 1)[-1]))
                continue
            yield record
    except LoadError as exc:
        raise BadFile(str(exc)) from None


class MemberLists:
    """The member lists of the associations whose files a write holds (an Association record with
    its `products`, as the association loader makes; a FITS header's ASNTABLE names an association
    without its members, and changes nothing here)."""

    def __init__(self) -> None:
        self.members: dict[str, set[str]] = {}

    def add(self, record: Node | Edge) -> None:
        if starts_member_list(record):
            self.members.setdefault(record.key, set())
            return
        member = association_member(record)
        if member is not None:
            self.members.setdefault(member[0], set()).add(member[1])

    @classmethod
    def of_rows(cls, rows: Iterable[tuple]) -> MemberLists:
        """The lists records give, from their rows (`across_spill._row`, as a work file holds them)."""
        lists = cls()
        for row in rows:
            member = _member(row)
            if member is not None:
                lists.members.setdefault(member[0], set()).add(member[1])
            elif _starts_member_list(row):
                lists.members.setdefault(row[3], set())
        return lists

    def replace(self, tx: neo4j.ManagedTransaction, counts: WriteCounts) -> None:
        """Remove the member relationships (and what was derived from them) the files no longer give."""
        if not self.members:
            return
        rows = [{"name": name, "members": sorted(members)} for name, members in sorted(self.members.items())]
        from mastgraph.graph import queries

        record = tx.run(queries.text("ingest/replace_association_members"), associations=ParamRows(rows)).single()
        if record is not None and record["members"]:
            counts.rels_deleted["HAS_MEMBER"] += record["members"]
            counts.rels_deleted["derived from members"] += record["derived"]


def _write(tx: neo4j.ManagedTransaction, records: Iterable[Node | Edge], settings: Settings,
           phases: dict[str, float] | None) -> tuple[WriteCounts, WriteCounts, int]:
    """Write checked records, replace the member lists they give, and derive over what they
    touched: (written, derived, records written)."""
    phases = {} if phases is None else phases
    started = time.perf_counter()
    writer = BatchWriter(tx, settings.batch_size, whole=True)
    touched, members, count = _gathered(writer, records)
    counts = writer.flush()
    return counts, _replace_and_derive(tx, counts, touched, members, settings, phases, started), count


def _gathered(writer: BatchWriter, records: Iterable[Node | Edge], added: bool = False, touch: bool = True
              ) -> tuple[Touched, MemberLists, int]:
    """The records given to `writer` (streamed: it writes a group as it fills; `added`: the records
    are in it already), and what they touch (none noted without `touch`), the member lists they
    give and how many they are."""
    from mastgraph.pipeline.derive import Touched

    touched = Touched()
    members = MemberLists()
    count = 0
    for record in records:
        if not added:
            writer.add(record)
        if touch:
            touched.add(record)
        members.add(record)
        count += 1
    return touched, members, count


def _replace_and_derive(tx: neo4j.ManagedTransaction, counts: WriteCounts, touched: Touched, members: MemberLists,
                        settings: Settings, phases: dict[str, float], started: float) -> WriteCounts:
    """The end of a write begun at `started`: the member lists replaced, then the derivation over
    what it touched (`derive`, or `derive_batch` with MASTGRAPH_DERIVE=tables)."""
    from mastgraph.pipeline.derive import derive
    from mastgraph.pipeline.derive_batch import derive_batch
    from mastgraph.pipeline.derive_command import AT_END

    members.replace(tx, counts)
    derive_started = time.perf_counter()
    _add(phases, "write", derive_started - started)
    how = derive_batch if settings.derive == "tables" else derive
    derived = how(tx, touched, settings.batch_size) if touched and settings.derive != AT_END else WriteCounts()
    _add(phases, "derive", time.perf_counter() - derive_started)
    return derived


@dataclass
class PlannedBatch:
    """A batch's writes made before its transaction (`plan_batch`; by `plan_ahead`'s helper process)."""

    writes: PlannedWrites
    touched: Touched
    members: MemberLists
    records: int

    def plain(self) -> tuple:
        """As plain values (`marshal`), for `from_plain`."""
        touched = {name: list(found) for name, found in vars(self.touched).items()}
        members = {name: list(found) for name, found in self.members.members.items()}
        return self.writes.plain(), touched, members, self.records

    @classmethod
    def from_plain(cls, plain: tuple) -> PlannedBatch:
        from mastgraph.pipeline.derive import Touched

        writes, touched, members, records = plain
        batch = cls(PlannedWrites.from_plain(writes), Touched(**{name: set(found) for name, found in touched.items()}),
                    MemberLists(), records)
        batch.members.members = {name: set(found) for name, found in members.items()}
        return batch


def plan_batch(records: Iterable, batch_size: int, marked: bool = False, touch: bool = True) -> PlannedBatch:
    """What `_write` does before the database: the statements of the records, the keys they touch
    (not noted without `touch`: the batch derives nothing, `derive_command.AT_END`) and the member
    lists they give. `marked`: the records come as (record, mark) (`parse_pass.marked_records`), and
    the relationships marked FIRST are CREATEd (for a database that held no node when the command began)."""
    writes = PlannedWrites(batch_size, whole=True)
    if marked:
        records = _first_edges_added(writes, records)
    touched, members, count = _gathered(writes, records, added=marked, touch=touch)
    writes.flush()
    return PlannedBatch(writes, touched, members, count)


def _first_edges_added(writes: PlannedWrites, marked: Iterable[tuple[Node | Edge, int]]) -> Iterator[Node | Edge]:
    """The records of `marked`, each added to `writes` first (a relationship marked FIRST as `first`)."""
    add = writes.add
    for record, mark in marked:
        add(record, mark == FIRST)
        yield record


def _write_planned(tx: neo4j.ManagedTransaction, batch: PlannedBatch, settings: Settings,
                   phases: dict[str, float] | None = None) -> tuple[WriteCounts, WriteCounts]:
    """`_write_group` of a planned batch: its statements sent as they are."""
    phases = {} if phases is None else phases
    started = time.perf_counter()
    counts = batch.writes.run(tx)
    return counts, _replace_and_derive(tx, counts, batch.touched, batch.members, settings, phases, started)


def _add(phases: dict[str, float], phase: str, seconds: float) -> None:
    phases[phase] = phases.get(phase, 0.0) + seconds


def _committed(driver: neo4j.Driver, settings: Settings, phases: dict[str, float],
               work: Callable[..., tuple[WriteCounts, WriteCounts]], *args: object) -> tuple[WriteCounts, WriteCounts]:
    """`work(tx, *args, settings, phases)` in a managed write transaction of its own session; what
    the transaction took beyond the phases `work` counts (its commit, the session's round trips)
    is counted as "commit"."""
    before = sum(phases.values())
    started = time.perf_counter()
    try:
        with driver.session(database=settings.neo4j_database) as session:
            return session.execute_write(work, *args, settings, phases)
    finally:
        _add(phases, "commit", max(0.0, time.perf_counter() - started - (sum(phases.values()) - before)))


def parse_file(path: Path, skip_bad: bool = False,
               across: AcrossFiles | SpilledAcrossFiles | None = None) -> FileResult:
    """Parse one file without writing; with `across`, its records are compared with the earlier
    files' (`AcrossFiles.conflicts`)."""
    parsed = parse_to_chunks(path, skip_bad, None, across.add if across is not None else None)
    compared(across, parsed)
    return parsed_result(parsed)


def parsed_result(parsed: Parsed) -> FileResult:
    """The result of a parsed file, a file that could not be read saying so as its error."""
    result = parsed.result
    if parsed.unreadable is not None:
        result.error = f"{result.path}: cannot read: {parsed.unreadable.strerror or parsed.unreadable}"
    return result


def _write_in_parts(batcher: _Batcher, parsed: Parsed) -> FileResult:
    """A file over the transaction budget, checked whole (`parsed`), written in parts of up to
    `batcher.budget` records, one transaction each, in the file's order.

    Each part derives over what it touched, as the files of separate batches do. An association's
    member list may run over several parts: the first part replaces every list the file gives, whole
    (`MemberLists`, read from the file's records first), before any part derives, so no part removes
    a member a later part writes, and what the replacement removed is derived again by the part that
    touches it. Should the database refuse a part, the file is reported failed, saying which parts
    the graph holds (loading the file again finishes it), and from then on every record is written
    (the repeats the comparison of the files found may be in the parts not written)."""
    import neo4j

    settings, budget, phases = batcher.settings, batcher.budget, batcher.report.phases
    result = FileResult(parsed.result.path, parsed.result.kind, parsed.result.records, rejects=parsed.result.rejects)
    result.counts, result.derived = WriteCounts(), WriteCounts()
    total = max(1, -(-batcher.whole(parsed).load_size() // budget))
    members = MemberLists.of_rows(row for chunk in parsed.chunks for row in marshal.loads(_read_chunk(*chunk)))
    records = parsed.to_write()
    started = time.perf_counter()
    batcher.parts = (0, total)
    for number in range(1, total + 1):
        part = list(islice(records, budget))
        if batcher.progress:
            batcher.progress(result, f"part {number} of {total}")
        try:
            written, derived = _committed(batcher.driver, settings, phases, _write_part, part,
                                          members if number == 1 else None)
        except neo4j.exceptions.Neo4jError as exc:
            kept = f"; its first {number - 1} parts of {total} are in the graph (loading it again finishes it)" \
                if number > 1 else ""
            result.error = f"{result.path}: the database refused part {number} of {total}: {first_line(exc)}{kept}"
            batcher.every_record = True
            if batcher.plans is not None:
                batcher.plans.close()
            if batcher.written is not None and number > 1:  # (derived at the end: what the graph holds of it)
                batcher.written.append(_first_records(parsed, (number - 1) * budget))
            break
        batcher.parts = (number, total)
        result.counts.add(written)
        result.derived.add(derived)
    batcher.parts = None
    result.seconds = parsed.result.seconds + time.perf_counter() - started
    return result


def _write_part(tx: neo4j.ManagedTransaction, records: list[Node | Edge], members: MemberLists | None,
                settings: Settings, phases: dict[str, float]) -> tuple[WriteCounts, WriteCounts]:
    """One part of `_write_in_parts`: its records written, the file's member lists replaced (the first
    part: `members`), and derived over."""
    started = time.perf_counter()
    writer = BatchWriter(tx, settings.batch_size, whole=True)
    touched, _, _ = _gathered(writer, records)
    counts = writer.flush()
    return counts, _replace_and_derive(tx, counts, touched, members or MemberLists(), settings, phases, started)


def _first_records(parsed: Parsed, count: int) -> Parsed:
    """`parsed` with only the first `count` of the records it writes."""
    marks = bytearray(parsed.written if parsed.written is not None else b"\x01" * parsed.result.records)
    seen = 0
    for at, mark in enumerate(marks):
        if mark:
            seen += 1
            if seen > count:
                marks[at] = 0
    return Parsed(parsed.result, parsed.chunks, written=bytes(marks))


def _write_group(tx: neo4j.ManagedTransaction, batches: list[list[Node | Edge]], settings: Settings,
                 phases: dict[str, float] | None = None) -> tuple[WriteCounts, WriteCounts]:
    """Write several checked files' records and derive once over all they touched."""
    written, derived, _ = _write(tx, chain.from_iterable(batches), settings, phases)
    return written, derived


class _Batcher:
    """Collects checked files until `budget` records, then writes them in one transaction.

    Each file was parsed and checked whole before it joins a batch, so a bad file never reaches
    the database. Should a batch's transaction fail, its files are written one transaction each,
    so that the good ones land and the failing one is reported with the database's reason. A file
    the comparison parsed joins as its `Parsed` (its records are read back when they are written,
    but for the repeats of earlier files': `Parsed.written`); with `plans`, a batch planned ahead by
    a helper process is sent as planned. Once a batch fails, a file may be left out whose records a
    later one repeats: from then on every record is written (`every_record`).
    """

    def __init__(self, driver: neo4j.Driver, settings: Settings, report: IngestReport,
                 progress: Progress | None) -> None:
        self.driver, self.settings, self.report, self.progress = driver, settings, report, progress
        self.budget = max(settings.batch_size * 10, 1)
        self.pending: list[tuple[FileResult, list[Node | Edge] | Parsed, float]] = []
        self.size = 0
        self.committed = 0  # files whose transaction committed
        self.current: tuple[Path, int] | None = None  # the file being written, and the others with it
        self.parts: tuple[int, int] | None = None  # of a file written in parts: (parts written, parts)
        self.work: ParsedFiles | None = None  # the work files of the files over the budget it parsed itself
        self.plans: PlanAhead | None = None  # (its batches, `plan_ahead.batches`, start with a part of the budget)
        self.flushed = 0  # batches written (or tried)
        self.every_record = False  # a batch failed: the repeats of earlier files are written too
        #: The files committed, for a derivation after the load (a command derived whole), or None.
        self.written: Committed | None = None

    def add(self, result: FileResult, records: list[Node | Edge] | Parsed, seconds: float) -> None:
        count = len(records) if isinstance(records, list) else self.whole(records).load_size()
        if self.size + count > (self.budget if self.plans is None else batch_limit(self.budget, self.flushed)):
            self.flush()
        self.pending.append((result, records, seconds))
        self.size += count

    def whole(self, parsed: Parsed) -> Parsed:
        """`parsed`, with every record to write once a batch has failed."""
        if self.every_record:
            parsed.written = None
        return parsed

    def _prepared(self, pending: list) -> PlannedBatch | list[list[Node | Edge]]:
        """The batch as planned ahead, or else its files' records (read back from the work files)."""
        started = time.perf_counter()
        planned = self.plans.take([result.path for result, _, _ in pending]) if self.plans is not None else None
        prepared = planned if planned is not None else [_records(records) for _, records, _ in pending]
        _add(self.report.phases, "parse", time.perf_counter() - started)
        return prepared

    def flush(self) -> None:
        import neo4j

        if not self.pending:
            return
        pending, self.pending, self.size = self.pending, [], 0
        self.flushed += 1
        started = time.perf_counter()
        self.current = (pending[0][0].path, len(pending) - 1)
        try:
            prepared = self._prepared(pending)
            how = _write_planned if isinstance(prepared, PlannedBatch) else _write_group
            written, derived = _committed(self.driver, self.settings, self.report.phases, how, prepared)
            self.committed += len(pending)
            if self.written is not None:
                for _, records, _ in pending:
                    self.written.add(records)
            self.current = None
            self.report.written.add(written)
            self.report.derived.add(derived)
            share = (time.perf_counter() - started) / len(pending)
            for result, _, parse_seconds in pending:
                result.seconds = parse_seconds + share
        except neo4j.exceptions.Neo4jError:
            self.every_record = True
            if self.plans is not None:  # (planned without the repeats)
                self.plans.close()
            for result, records, parse_seconds in pending:
                self._alone(result, records if isinstance(records, list) else self.whole(records), parse_seconds)
        for result, _, _ in pending:
            self.report.done(result, self.progress)

    def _alone(self, result: FileResult, records: list[Node | Edge] | Parsed, parse_seconds: float) -> None:
        import neo4j

        started = time.perf_counter()
        self.current = (result.path, 0)
        try:
            written, derived = _committed(self.driver, self.settings, self.report.phases, _write_group,
                                          [_records(records)])
            self.committed += 1
            if self.written is not None:
                self.written.add(records)
            self.report.written.add(written)
            self.report.derived.add(derived)
        except neo4j.exceptions.Neo4jError as exc:
            result.error = f"{result.path}: the database refused it: {first_line(exc)}"
        self.current = None
        result.seconds = parse_seconds + time.perf_counter() - started


def _records(records: list[Node | Edge] | Parsed) -> list[Node | Edge]:
    """A batch file's records (read back from the work file if it joined as parsed)."""
    return records if isinstance(records, list) else list(records.to_write())


class Committed:
    """The files a load committed, for a derivation after it (`_derive_whole`): a kept file by its
    number, its records read back from `kept` then (a byte a file of the command, not its `Parsed`),
    another by its records."""

    def __init__(self, kept: KeptFiles, files: int) -> None:
        self.kept, self.flags, self.others, self.count = kept, bytearray(files), [], 0

    def __len__(self) -> int:
        return self.count

    def add(self, records: list[Node | Edge] | Parsed) -> None:
        self.count += 1
        if isinstance(records, Parsed) and 0 <= records.number < len(self.flags):
            self.flags[records.number] = 1
        else:
            self.others.append(records)

    def records(self) -> Iterator[Iterable[Node | Edge]]:
        """The records of each file committed: every one of a kept file (those it repeats of earlier
        files, not written, name nodes the graph holds all the same: a derivation of them is idle)."""
        flags = self.flags
        yield from (read_chunks(parsed.chunks) for parsed in self.kept.values() if flags[parsed.number])
        yield from map(_records, self.others)


def ingest_paths(driver: neo4j.Driver | None, settings: Settings, paths: Iterable[Path | str], *,
                 skip_bad: bool = False, dry_run: bool = False, progress: Progress | None = None,
                 stop_on_error: bool = False, check_across_files: bool = True) -> IngestReport:
    """Load files and folders (walked recursively). A bad file is reported and skipped whole.

    First every file is parsed once to find conflicts between files (`ConflictingFiles`, raised
    before anything is written); `check_across_files=False` leaves that pass out.

    Small files are written together (up to 10 x MASTGRAPH_BATCH_SIZE records a transaction, one
    derivation pass); a larger file, checked whole, is written in parts of that many records, one
    transaction each (`_write_in_parts`).

    The schema is applied first when a constraint or index of it is missing (`db.ensure_schema`):
    every MERGE and lookup of the load is then served by an index, from its first write.
    """
    from mastgraph.graph.db import ensure_schema
    from mastgraph.loaders import registry

    report = IngestReport()
    started = time.perf_counter()
    files = registry.expand(paths)  # (the CLI's `FileList`, expanded already, as it is)
    if dry_run or driver is None:  # one pass: parse, check, and find the conflicts between files
        _dry_run(report, files, settings, skip_bad, progress, stop_on_error, check_across_files)
        report.seconds = time.perf_counter() - started
        return report
    ensure_schema(driver, settings.neo4j_database)
    if len(files) > 1 and check_across_files:
        work = ParsedFiles(work_state(settings))
        try:
            return _compare_and_load(driver, settings, files, skip_bad, progress, stop_on_error, report, work,
                                     started)
        finally:
            work.close()
    return _load(driver, settings, files, skip_bad, progress, stop_on_error, report, None, started)


def _dry_run(report: IngestReport, files: Sequence[Path], settings: Settings, skip_bad: bool,
             progress: Progress | None, stop_on_error: bool, check_across_files: bool) -> None:
    across = new_across(files, settings) if check_across_files else None
    work = ParsedFiles(work_state(settings))
    try:
        for parsed in _parsed_and_compared(files, settings, skip_bad, work, across, keep=False):
            result = parsed_result(parsed)
            if progress:
                progress(FileResult(result.path), "start")
            report.files.append(result)
            report.done(result, progress)
            if result.error and stop_on_error:
                break
        conflicts = across.finish() if across is not None else []
    finally:
        if across is not None:
            across.close()
        work.close()
    if conflicts:
        raise ConflictingFiles(conflicts)


def _compare_and_load(driver: neo4j.Driver, settings: Settings, files: Sequence[Path], skip_bad: bool,
                      progress: Progress | None, stop_on_error: bool, report: IngestReport, work: ParsedFiles,
                      started: float) -> IngestReport:
    """The comparison of the files, then the load of what it parsed (the whole command derived at
    once when the database is empty: `pipeline.derive_command`)."""
    from mastgraph.graph.db import node_count
    from mastgraph.pipeline.derive_command import CommandDerivation

    conflicts_started = time.perf_counter()
    kept = KeptFiles(work, files)
    whole = None
    if settings.derive == "auto" and node_count(driver, settings.neo4j_database) == 0:
        whole = CommandDerivation(work.folder / "derive")
    try:
        conflicts = cross_file_conflicts(files, settings, skip_bad, kept, work, whole)
        _add(report.phases, "conflicts", time.perf_counter() - conflicts_started)
        if conflicts:
            raise ConflictingFiles(conflicts)
        if whole is not None and not (whole.exact and len(kept) == len(files)):
            report.derivation = ("by each batch (a file failed)" if len(kept) < len(files)
                                 else "by each batch (a value was written inexactly)")
            whole.close()
            whole = None
        if whole is not None:
            whole.start(helper=workers_for(files, settings.parse_workers) > 1)
        return _load(driver, settings, files, skip_bad, progress, stop_on_error, report, kept, started, whole)
    finally:
        if whole is not None:
            whole.close()


def _load(driver: neo4j.Driver, settings: Settings, files: Sequence[Path], skip_bad: bool, progress: Progress | None,
          stop_on_error: bool, report: IngestReport, kept: KeptFiles | None, started: float,
          whole: CommandDerivation | None = None) -> IngestReport:
    """Write the files in order, in batches (`_Batcher`); those in `kept` are read back, not parsed
    again. With `whole`, the batches derive nothing and its relationships are written at the end."""
    from mastgraph.graph.db import CONNECTION_LOST
    from mastgraph.pipeline.derive_command import AT_END
    from mastgraph.pipeline.plan_ahead import PlanAhead

    batcher = _Batcher(driver, settings if whole is None else settings.model_copy(update={"derive": AT_END}),
                       report, progress)
    batcher.written = Committed(kept, len(files)) if whole is not None and kept is not None else None
    path = files[0] if files else Path()
    try:
        if kept and workers_for(files, settings.parse_workers) > 1:  # batches planned while the one before is written
            # (a command derived whole began on a database without nodes: a relationship's first record CREATEs it)
            batcher.plans = PlanAhead(kept.values(), batcher.budget, settings.batch_size, whole=whole is not None)
        for path in files:
            if progress:
                progress(FileResult(path), "start")
            result = _parse_for_batch(batcher, batcher.settings, path, skip_bad, report, kept)
            if result is not None and result.error and stop_on_error:
                break
        batcher.flush()
        if whole is not None:
            _derive_whole(batcher, whole, len(files))
    except (*CONNECTION_LOST, KeyboardInterrupt, WorkFolderError) as exc:
        current, with_it = batcher.current or (path, 0)
        lost = None if isinstance(exc, (KeyboardInterrupt, WorkFolderError)) else exc
        reason = str(exc) if isinstance(exc, WorkFolderError) else ""
        raise IngestStopped(current, batcher.committed, with_it, lost, batcher.parts, reason) from None
    finally:
        if batcher.plans is not None:
            batcher.plans.close()
        if batcher.work is not None:
            batcher.work.close()
    report.seconds = time.perf_counter() - started
    return report


def _derive_whole(batcher: _Batcher, whole: CommandDerivation, files: int) -> None:
    """The derivation of a command whose batches derived nothing: its rules' relationships when the
    graph holds every file of the command and nothing else, else the Cypher derivation over what
    was written (`pipeline.derive_command`)."""
    from mastgraph.graph.db import node_count
    from mastgraph.pipeline.derive_command import derive_written

    started = time.perf_counter()
    report, settings = batcher.report, batcher.settings
    if batcher.progress:
        batcher.progress(FileResult(Path("derived relationships")), "start")
    counts = WriteCounts()
    ran = whole.ready()
    report.derived.add_seconds("rules", whole.seconds)
    whole_graph = (len(batcher.written) == files and not batcher.every_record
                   and node_count(batcher.driver, settings.neo4j_database) == report.written.total_nodes_created)
    if ran and whole_graph:
        whole.write(batcher.driver, settings, batcher.budget, counts)
        report.derivation = "once, by the rules over the whole command"
    else:
        derive_written(batcher.driver, settings, batcher.written.records(), batcher.budget, counts)
        why = (whole.why if not ran else "a transaction was refused" if batcher.every_record
               else "a file was not written" if len(batcher.written) < files else "another writer added nodes")
        report.derivation = f"after the load, over what was written ({why})"
    report.derived.add(counts)
    _add(report.phases, "derive", time.perf_counter() - started)


def _parse_for_batch(batcher: _Batcher, settings: Settings, path: Path, skip_bad: bool,
                     report: IngestReport, kept: KeptFiles | None = None) -> FileResult | None:
    """Parse and check one file for the batch (or read back what the comparison of the files parsed);
    a file over the budget, or checked on disk, is written on its own (`_alone`)."""
    from mastgraph.loaders import registry

    started = time.perf_counter()
    parsed_before = kept.pop(path, None) if kept is not None else None
    if parsed_before is not None:
        result = parsed_before.result
        report.files.append(result)
        if batcher.whole(parsed_before).load_size() > batcher.budget:
            return _alone(batcher, settings, path, skip_bad, report, parsed_before)
        batcher.add(result, parsed_before, result.seconds)  # (read back when written)
        return None
    result = FileResult(path)
    report.files.append(result)
    records: list[Node | Edge] = []
    large_file = False
    try:
        loader = registry.detect(path)
        result.kind = loader.kind
        large_file = on_disk(path, loader)
        for record in () if large_file else _checked(loader, path, skip_bad, result.rejects):
            records.append(record)
            if len(records) > batcher.budget:
                break
    except (BadFile, LoadError) as exc:
        result.error = str(exc)
    except OSError as exc:
        result.error = f"{path}: cannot read: {exc.strerror or exc}"
    if large_file:  # (checked on disk, whole, before any of it is written)
        return _alone(batcher, settings, path, skip_bad, report)
    parsed = time.perf_counter() - started
    _add(report.phases, "parse", parsed)
    if result.error:
        result.seconds = parsed
        report.done(result, batcher.progress)
        return result
    if len(records) > batcher.budget:  # a large file: written in parts, in file order
        return _alone(batcher, settings, path, skip_bad, report)
    result.records = len(records)
    batcher.add(result, records, parsed)
    return None


def _alone(batcher: _Batcher, settings: Settings, path: Path, skip_bad: bool, report: IngestReport,
           parsed: Parsed | None = None) -> FileResult:
    """A file over the budget written in parts (`_write_in_parts`): what the comparison parsed, or else
    the file parsed and checked whole into a work file first, so that a bad file writes nothing."""
    batcher.flush()
    batcher.current = (path, 0)
    if parsed is None:
        started = time.perf_counter()
        if batcher.work is None:
            batcher.work = ParsedFiles(work_state(settings))
        parsed = parse_to_chunks(path, skip_bad, batcher.work.own_file())
        _add(report.phases, "parse", time.perf_counter() - started)
    alone = parsed_result(parsed) if parsed.unreadable is not None or parsed.result.error else \
        _write_in_parts(batcher, parsed)
    batcher.current = None
    batcher.committed += alone.error is None
    if batcher.written is not None and alone.error is None:  # (a command derived whole: `_derive_whole`)
        batcher.written.add(parsed)
    report.files[-1] = alone
    for total, counts in ((report.written, alone.counts), (report.derived, alone.derived)):
        if counts is not None:
            total.add(counts)
    report.done(alone, batcher.progress)
    return alone


def write_records(driver: neo4j.Driver, settings: Settings, records: Iterable[Node | Edge]) -> WriteCounts:
    """Write records given directly (tests, live MAST), checked and derived as a file's, in one transaction."""
    records = list(records)
    merger = RecordMerger()
    for record in records:
        merger.add(record)
    with driver.session(database=settings.neo4j_database) as session:
        written, derived = session.execute_write(_write_group, [records], settings)
    written.add(derived)
    return written
