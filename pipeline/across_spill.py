"""The online ingest's comparison of files in bounded memory: `AcrossFiles` on disk.

`pipeline.ingest.AcrossFiles` holds what every file of a command said (a `RecordMerger` over the
whole run): its memory grows with the input, about 4-5 bytes of RSS per byte read. Above
`Settings.conflict_spill_mb` of input the ingest uses `SpilledAcrossFiles` instead, which gives the
same conflict lines in the same order with memory bounded by one partition:

- each record goes, as plain values (`marshal`), to one of up to `MAX_PARTITIONS` partitions
  chosen by its key, with its number in the run; all records of one key meet in one partition, in
  the order they were read. The worker processes that parse the files put the records of each run
  of files they parse into partitions themselves (`Partitions`, `parse_pass`), each partition's
  records one `marshal` blob in the worker's work file, numbered from the run's first record; the
  ingest's own process only notes where each blob is and from which number (a partition's index
  file), and partitions the records it parses itself the same way (the partition is a hash of the
  key's text, the same in every process);
- the member lists of the file being read are held until it ends; then each association's list
  goes, as a digest and a count (not the members) with the file's place in the run, to the
  partition chosen by the association's name (a hash of its text, as above), written out with the
  rows: all the lists of one association meet in one partition, in the order the files were read;
- at the end each partition is replayed as a fresh `RecordMerger` would merge it (by worker
  processes, a partition each at a time, when the files were parsed by workers; `replay`: its rows
  merged as they are while no value differs, else through the merger), its member lists compared with
  the first one given of each association, and the conflicts of all partitions are put back in the
  order the in-memory comparison finds them.

A file that fails on its own keeps what it added before it failed, as in `AcrossFiles`.

The replay also finds the records that repeat what an earlier file said, as `AcrossFiles` does
while it reads: one byte per record of the command (1: written, 0: a repeat) is set as each
partition is replayed; when `finish()` ends they are `marks`, and each file's (`Parsed.marked`)
become its `Parsed.written` as the load reads it back (`parse_pass.KeptFiles`). The same
exceptions hold: the records of member lists are written whatever, and once a file fails on its
own, no later file leaves a record out.
"""

from __future__ import annotations

import hashlib
import marshal
import multiprocessing
import os
import re
import shutil
import socket
import struct
import tempfile
import zlib
from array import array
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from mastgraph.loaders.records import _PLAIN, FIRST, Conflict, RecordMerger, _identical
from mastgraph.model.errors import first_line
from mastgraph.model.records import Edge, Node, member_text, plain_identity
from mastgraph.model.vocabulary import IDENTITY_TYPES_TEXT, VALUE_OF, Label, Rel

if TYPE_CHECKING:
    from mastgraph.pipeline.parse_pass import Parsed

#: Input bytes a partition is made for: its replay holds about 4-5 times as much.
PARTITION_INPUT_BYTES = 16 * 2**20
MAX_PARTITIONS = 256
#: Records, or member lists (`SpilledAcrossFiles.end_file`), buffered (over all partitions) before
#: they are written out.
BUFFERED = 20_000


class WorkFolderError(Exception):
    """A work folder (the ingest's or the bulk build's) cannot be written (disk full, no permission): one line."""


def cannot_write(where: Path, exc: BaseException | str) -> str:
    """The one line of a work folder that cannot be written: why (`exc`, or its reason as text)."""
    why = exc if isinstance(exc, str) else getattr(exc, "strerror", None) or first_line(exc)
    return f"cannot write the work folder {where}: {why}"


def first_edge_mark(record: Node | Edge, new: bool | int) -> int:
    """The mark of a record `RecordMerger.add` found `new`: FIRST for a relationship no earlier record
    of the command gave (the caller leaves out those of member lists, written as lists:
    `ingest.MemberLists`), 1 for any other record to write, 0 for a repeat."""
    return FIRST if new == FIRST and type(record) is Edge else 1 if new else 0


def load_marks(marks: bytearray) -> bytes | None:
    """A file's marks as `Parsed.written` keeps them: None when the load writes every record as it is
    (no repeat, no relationship to CREATE)."""
    return bytes(marks) if 0 in marks or FIRST in marks else None


#: This host, as work folders are named (`work_folder`).
_HOST = re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


def work_folder(parent: Path, kind: str) -> Path:
    """A new work folder `<kind>-<host>-<pid>-...` under `parent` (made if need be). The work folders
    that an ingest on this host left behind when it was killed (its process is gone) are removed
    first: a killed run leaves its files, the next one clears them."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _remove_left_behind(parent)
        return Path(tempfile.mkdtemp(prefix=f"{kind}-{_HOST}-{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise WorkFolderError(cannot_write(parent, exc)) from None


def _remove_left_behind(parent: Path) -> None:
    named = re.compile(rf"(?:parsed|conflicts|check)-{re.escape(_HOST)}-([0-9]+)-")
    for entry in parent.iterdir():
        match = named.match(entry.name)
        if match is not None and not _running(int(match[1])):
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (another user's process: running)
        return True
    return True


def partitions_for(input_bytes: int) -> int:
    return max(1, min(MAX_PARTITIONS, -(-input_bytes // PARTITION_INPUT_BYTES)))


# Labels and types travel by their value (`_value_`: a plain attribute; an enum's `.value` and its
# hash are computed in Python, which costs at millions of records) and come back through the enum's map.
_LABEL = Label._value2member_map_
_REL = Rel._value2member_map_


def _row(record: Node | Edge, number: int) -> tuple:
    """The record as plain values (`marshal` writes no enums)."""
    if type(record) is Node:
        labels = record.labels
        return (number, 0, record.label._value_, record.key, record.props,
                tuple(map(VALUE_OF, labels)) if labels else (), record.origin)
    start, end = record.start, record.end
    return (number, 1, record.type._value_, start[0]._value_, start[1], end[0]._value_, end[1], record.props,
            record.origin)


def _record(row: tuple) -> Node | Edge:
    if row[1] == 0:
        _, _, label, key, props, labels, origin = row
        return Node(_LABEL[label], key, props, tuple(map(_LABEL.__getitem__, labels)) if labels else (), origin)
    _, _, rel, start, skey, end, ekey, props, origin = row
    return Edge(_REL[rel], (_LABEL[start], skey), (_LABEL[end], ekey), props, origin)


_ASSOCIATION, _HAS_MEMBER = Label.ASSOCIATION.value, Rel.HAS_MEMBER.value


def _member(row: tuple) -> tuple[str, str] | None:
    """`pipeline.ingest.association_member` of a record's row."""
    if row[1] != 1 or row[2] != _HAS_MEMBER or row[3] != _ASSOCIATION:
        return None
    return row[4], member_text(row[6], row[7])


def _starts_member_list(row: tuple) -> bool:
    """`pipeline.ingest.starts_member_list` of a record's row."""
    return row[1] == 0 and row[2] == _ASSOCIATION and "products" in row[4]


def _partition(row: tuple, count: int) -> int:
    """The partition of a record's row: by the node's label and key, or the relationship's type and
    end keys (every record of one `RecordMerger` key has the same), the same in every process
    (`hash` of a text is not: each process salts it)."""
    if row[1] == 0:
        return zlib.crc32(f"{row[2]}\x1f{row[3]}".encode()) % count
    return zlib.crc32(f"{row[2]}\x1f{row[4]}\x1f{row[6]}".encode()) % count


class Partitions:
    """Rows put into `count` partitions, each a list of number, row, number, row, ... (numbered on
    from `number`), with the byte `SpilledAcrossFiles` keeps of each record (1: a member list's
    record, written whatever) and the association members they give."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.number = 0
        self.buffers: list[list] = [[] for _ in range(count)]
        self.size = 0

    def add(self, rows: list[tuple], written: bytearray, members: list[tuple[str, str, str]]) -> None:
        """Each row into its partition; its byte onto `written`; (association, member, origin) of
        each member record onto `members`."""
        buffers, count = self.buffers, self.count
        number = self.number
        for row in rows:
            number += 1
            buffer = buffers[_partition(row, count)]
            buffer.append(number)
            buffer.append(row)
            member = _member(row)
            if member is not None:
                members.append((member[0], member[1], row[8]))
                written.append(1)
            else:
                written.append(_starts_member_list(row))
        self.number = number
        self.size += len(rows)

    def take(self) -> Iterator[tuple[int, bytes]]:
        """(partition, its rows as one `marshal` blob) of each partition holding rows; they are emptied."""
        for part, rows in enumerate(self.buffers):
            if rows:
                self.buffers[part] = []
                yield part, marshal.dumps(rows)
        self.size = 0


#: A partition's index file holds, for each blob of its rows: the number its rows are numbered from,
#: the work file (its number in `SpilledAcrossFiles._names`), the offset and size of the blob; a blob
#: of member lists (`SpilledAcrossFiles.end_file`) is noted as numbered from `_LISTS`.
_REF = struct.Struct("<qqqq")
_LISTS = -1


class SpilledAcrossFiles:
    """`AcrossFiles` with its records and member lists on disk (under `folder`); call `finish()` for `conflicts`."""

    def __init__(self, folder: Path, input_bytes: int, workers: int = 1) -> None:
        self._workers = workers  # processes that replay the partitions (1: the ingest's own)
        #: With a folder, the replay writes the merged records there as facts (`AcrossFiles.facts`).
        self.facts: Path | None = None
        self.facts_exact = True
        self._dir = work_folder(folder, "conflicts")
        self.partitions = partitions_for(input_bytes)
        self._parts = Partitions(self.partitions)  # the rows this process parsed, until written out
        self._blobs: BinaryIO | None = None  # where they (and the member lists of the files ended) are written
        self._index: dict[int, BinaryIO] = {}  # partition -> its index file (`_REF`s)
        self._names: dict[str, int] = {}  # work file -> its number in the index files
        self._file: dict[str, tuple[list[str], str]] = {}  # association -> (members, origin) of the file read
        #: Partition -> (number, association, digest, count, origin) of each member list of the files
        #: ended, until written out; `_listed` of them in all
        self._lists: list[list[tuple[int, str, bytes, int, str]]] = [[] for _ in range(self.partitions)]
        self._listed = 0
        self.conflicts: list[str] = []
        #: Record n of the run at [n - 1]: 1 written (a member list's record, or one the replay finds new)
        self._written = bytearray()
        self._file_start = 0  # the number of the file's first record, less one
        #: Once the replay has ended: a byte a record of the run (`_written`; a file's are at `Parsed.marked`)
        self.marks: bytearray | None = None
        self._exact = True  # as AcrossFiles._exact

    @property
    def _number(self) -> int:
        """The records seen (numbered in the run: the order of the conflicts)."""
        return self._parts.number

    def add(self, record: Node | Edge) -> None:
        self.add_rows([_row(record, 0)])

    def add_rows(self, rows: list[tuple]) -> None:
        """`add` of records given as rows (`_row`; as a work file's chunk holds them, its numbers
        ignored): each goes to its partition as its number in the run and the row, as it is."""
        members: list[tuple[str, str, str]] = []
        self._parts.add(rows, self._written, members)
        self._add_members(members)
        if self._parts.size >= BUFFERED:
            self._flush()

    def add_parsed(self, parsed: Parsed) -> None:
        """The records of a file a worker parsed and partitioned (`parse_pass`): `parsed.parts` (on
        the first file of the worker's run: where each partition's blob is) and `parsed.compare`."""
        if parsed.parts:
            if self._parts.size:  # (rows this process parsed before: their partitions keep the order read)
                self._flush()
            for part, name, offset, size in parsed.parts:
                self._note(part, self._number, name, offset, size)
        count, written, members = parsed.compare
        parsed.parts = parsed.compare = None  # (the load keeps each `Parsed`: not these)
        self._parts.number += count
        self._written += written
        self._add_members(members)

    def _add_members(self, members: list[tuple[str, str, str]]) -> None:
        file = self._file
        for name, member, where in members:
            file.setdefault(name, ([], where))[0].append(member)

    def _note(self, part: int, base: int, name: str, offset: int, size: int) -> None:
        """A blob of partition `part`'s rows, numbered from `base`: in the partition's index file."""
        number = self._names.setdefault(name, len(self._names))
        try:
            index = self._index.get(part)
            if index is None:
                index = self._index[part] = open(self._dir / f"p{part:03d}", "wb")
            index.write(_REF.pack(base, number, offset, size))
        except OSError as exc:
            raise WorkFolderError(cannot_write(self._dir, exc)) from None

    def drop_file(self) -> None:
        self._file = {}
        self._exact = False

    def end_file(self, parsed: Parsed | None = None) -> None:
        """Put the member lists of the file just read into their partitions, where the replay compares
        them with those of earlier files. Which of its records the load writes is known when the
        replay ends: `parsed.marked` says where in `marks`."""
        if parsed is not None and self._exact:
            parsed.marked = (self._file_start, self._number)
        self._file_start = self._number

        number, lists = self._number, self._lists
        for name, (members, where) in self._file.items():
            unique = sorted(set(members))
            digest = hashlib.blake2b("\x1e".join(unique).encode(), digest_size=16).digest()
            lists[zlib.crc32(name.encode()) % self.partitions].append((number, name, digest, len(unique), where))
        self._listed += len(self._file)
        self._file = {}
        if self._listed >= BUFFERED:
            self._flush_lists()

    def _flush(self) -> None:
        """Write out the rows this process partitioned (numbered in the run already: from 0)."""
        self._write((part, 0, blob) for part, blob in self._parts.take())

    def _flush_lists(self) -> None:
        """Write out the member lists of the files ended."""
        lists, self._lists, self._listed = self._lists, [[] for _ in range(self.partitions)], 0
        self._write((part, _LISTS, marshal.dumps(each)) for part, each in enumerate(lists) if each)

    def _write(self, blobs: Iterator[tuple[int, int, bytes]]) -> None:
        """Each blob (partition, the number it is noted from, its bytes) into this process's work file,
        noted in its partition's index file."""
        try:
            for part, base, blob in blobs:
                if self._blobs is None:
                    self._blobs = open(self._dir / "rows", "wb")
                offset = self._blobs.tell()
                self._blobs.write(blob)
                self._note(part, base, self._blobs.name, offset, len(blob))
            if self._blobs is not None:
                self._blobs.flush()
        except OSError as exc:
            raise WorkFolderError(cannot_write(self._dir, exc)) from None

    def finish(self) -> list[str]:
        """Replay each partition; the conflicts in the order `AcrossFiles` finds them. The spill is removed."""
        try:
            self._flush()
            self._flush_lists()
            try:
                for out in self._index.values():
                    out.close()
            except OSError as exc:  # (the last buffered bytes written)
                raise WorkFolderError(cannot_write(self._dir, exc)) from None
            found: list[tuple[int, int, str]] = []
            written = self._written
            parts = [str(self._dir / f"p{part:03d}") for part in sorted(self._index)]
            facts = None if self.facts is None else str(self.facts)
            names = list(self._names)
            for conflicts, new, exact in _replayed(parts, self._workers, names, facts):
                found.extend(conflicts)
                self.facts_exact &= exact
                for number in new:  # (a relationship's first record negative: `replay`)
                    if number > 0:
                        written[number - 1] = 1
                    else:
                        written[-number - 1] = FIRST
            found.sort()
            self.conflicts = [line for _, _, line in found]
            self.marks = written
            return self.conflicts
        finally:
            self.close()

    def close(self) -> None:
        from mastgraph.pipeline.parse_pass import _close_readers

        for out in [*self._index.values(), self._blobs]:
            try:
                if out is not None:
                    out.close()
            except OSError:
                pass  # (a full disk: the folder goes all the same)
        self._index, self._blobs = {}, None
        _close_readers(self._dir)
        shutil.rmtree(self._dir, ignore_errors=True)
        self._written = bytearray()


def replay(path: str, names: list[str], facts: str | None = None
           ) -> tuple[list[tuple[int, int, str]], array, bool]:
    """One partition (its index file; the work files by number in `names`) merged as a fresh
    `RecordMerger` merges it, and its member lists compared with the first given of each
    association: its conflicts, (record number, 0, line) each, and (the number the list's file
    ended at, 1, line) of a list that differs, the lists' first (`finish` sorts them); the numbers
    of the records it found new (or conflicting), negated for a relationship's first record
    (`first_edge_mark`; not a member list's): the others repeat an earlier one; and, with a
    `facts` folder, whether its merged records went there as usable facts
    (`pipeline.derive_command.write_facts`).

    The records are first merged as rows (`_merge_rows`), which gives the merger's marks and the
    facts of its merged records without a record made, while every value a key is given again is
    identical to the one it has; at the first that is not (a conflict, or a value equal but not
    identical: 1 and 1.0 or True, 0.0 and -0.0, [1] and [1.0]; a NaN), the partition is read and
    merged again through the `RecordMerger`, which words the conflicts."""
    from mastgraph.pipeline.derive_command import merged, write_facts
    from mastgraph.pipeline.ingest import members_differ
    from mastgraph.pipeline.parse_pass import _read_chunk

    lists: dict[str, tuple[bytes, int, str]] = {}  # association -> (digest, count, origin) of its first list
    found: list[tuple[int, int, str]] = []
    with open(path, "rb") as index:
        refs = list(_REF.iter_unpack(index.read()))
    for base, name, offset, size in refs:
        if base == _LISTS:
            for number, association, digest, count, where in marshal.loads(_read_chunk(names[name], offset, size)):
                known = lists.setdefault(association, (digest, count, where))
                if known[0] != digest:
                    found.append((number, 1, members_differ(where, association, count, known[1], known[2])))

    def blobs() -> Iterator[tuple[int, list]]:
        """(the number a blob's rows are numbered from, its number, row, number, row, ...)"""
        for base, name, offset, size in refs:
            if base != _LISTS:
                yield base, marshal.loads(_read_chunk(names[name], offset, size))

    try:
        nodes, edges, new = _merge_rows(blobs())
        result = ((label, key, labels, props) for (label, key), (labels, props, _) in nodes.items()), \
                 ((*key[:5], seen[0]) for key, seen in edges.items())
    except _NotIdentical:
        merger = RecordMerger()
        new = array("q")
        for base, numbered in blobs():
            for at in range(0, len(numbered), 2):
                number, row = base + numbered[at], numbered[at + 1]
                record = _record(row)
                try:
                    mark = merger.add(record)
                    if mark:
                        first = first_edge_mark(record, mark) == FIRST and _member(row) is None
                        new.append(-number if first else number)
                except Conflict as exc:
                    found.append((number, 0, str(exc)))
                    new.append(number)
        result = merged(merger)
    exact = True
    if facts is not None and not found:
        exact = write_facts(*result, Path(facts), int(Path(path).name[1:]))
    return found, new, exact


class _NotIdentical(Exception):
    """A row gives a key a value that is not identical to the one it has (`_merge_rows`)."""


def _merge_rows(blobs: Iterable[tuple[int, list]]) -> tuple[dict, dict, array]:
    """`RecordMerger.add` of each row of the blobs, without a record made: the nodes merged,
    (label, key) -> [labels, props, copied]; the relationships, (type, start label, start key, end
    label, end key, identity) -> [props, copied]; and the marks as `replay` gives them. Raises
    `_NotIdentical` where a value given again is not identical to the one before, where the merger
    finds a conflict or a value to write inexactly (`replay` then asks the merger). Until then the
    merger's answer is this one's: the first row of a key is new, a later one when it adds a label
    or a property (a None value being as absent); a key's props are its first row's until a later
    one adds to them (then a copy without None)."""
    nodes: dict[tuple, list] = {}
    edges: dict[tuple, list] = {}
    new = array("q")
    mark = new.append
    identity, identity_types = plain_identity, IDENTITY_TYPES_TEXT
    for base, numbered in blobs:
        for at in range(0, len(numbered), 2):
            row = numbered[at + 1]
            if row[1] == 0:
                _, _, label, key, props, labels, _ = row
                ref = (label, key)
                seen = nodes.get(ref)
                if seen is None:
                    nodes[ref] = [labels, props, False]
                    mark(base + numbered[at])
                    continue
                added = False
                if labels and labels != seen[0]:
                    extra = tuple(text for text in labels if text not in seen[0])
                    if extra:
                        seen[0] = seen[0] + extra
                        added = True
                if props and _adds(seen, 1, props):
                    added = True
                if added:
                    mark(base + numbered[at])
            else:
                _, _, rel, start, skey, end, ekey, props, _ = row
                ref = (rel, start, skey, end, ekey, identity(rel, start, props) if rel in identity_types else ())
                seen = edges.get(ref)
                if seen is None:
                    edges[ref] = [props, False]
                    number = base + numbered[at]
                    mark(number if rel == _HAS_MEMBER and start == _ASSOCIATION else -number)  # (`_member`)
                elif props and _adds(seen, 0, props):
                    mark(base + numbered[at])
    return nodes, edges, new


def _adds(seen: list, at: int, props: dict) -> bool:
    """Whether `props` add a property to those of `seen` (`seen[at]`, copied without None values
    before the first is added; `seen[at + 1]`: copied); `_NotIdentical` at a value that differs."""
    known = seen[at]
    if props.items() <= known.items():  # (every name given, an equal value each: identical when of one type)
        kinds = list(map(type, props.values()))
        if kinds == list(map(type, map(known.__getitem__, props))) and float not in kinds and list not in kinds:
            return False
    added = False
    for name, value in props.items():
        if value is None:
            continue
        old = known.get(name)
        if old is None:
            if not seen[at + 1]:
                known = seen[at] = {k: v for k, v in known.items() if v is not None}
                seen[at + 1] = True
            known[name] = value
            added = True
        elif not (old == value and type(old) is type(value) and type(value) in _PLAIN) and not _identical(old, value):
            raise _NotIdentical
    return added


def _replayed(parts: list[str], workers: int, names: list[str], facts: str | None = None
              ) -> Iterator[tuple[list[tuple[int, int, str]], array, bool]]:
    """`replay` of each partition, in order: by `workers` processes when more than one (a worker that
    dies leaves the partitions not yet replayed to this process)."""
    if workers <= 1 or len(parts) <= 1:
        yield from (replay(part, names, facts) for part in parts)
        return
    from mastgraph.pipeline.parse_pass import _context, ignore_ctrl_c, stop_workers, watched

    before = set(multiprocessing.active_children())
    executor = ProcessPoolExecutor(min(workers, len(parts)), mp_context=_context(), initializer=ignore_ctrl_c)
    finished = False
    try:
        futures = [executor.submit(replay, part, names, facts) for part in parts]
        for done in range(len(futures)):
            future, futures[done] = futures[done], None  # (a partition's result is held until taken, not to the end)
            try:
                result = watched(future, executor)
            except BrokenProcessPool:
                stop_workers(executor, before)  # (not a wait for them: one may have died while answering)
                finished = True
                yield from (replay(part, names, facts) for part in parts[done:])
                return
            yield result
        executor.shutdown(wait=True)
        finished = True
    finally:
        if not finished:  # (Ctrl-C, an error, a dead worker): stop the workers now
            stop_workers(executor, before)
