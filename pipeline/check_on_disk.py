"""The checks of one file's records (`pipeline.ingest._checked`) on disk, for a file too large to
keep its records in memory.

`_checked` holds every record of a file in a `RecordMerger`, to refuse two records that give one key
different values and to leave out those that repeat an earlier one: about 6 bytes of memory per
byte of a listing. A file larger than `ON_DISK_BYTES` is checked here instead, in memory bounded by
one partition (`PARTITION_BYTES` of the file):

1. the loader's records are read once; each goes, as plain values with its number in the file
   (`across_spill._row`), to the partition its key falls in (`across_spill._partition`), and to the
   file's order (marshal blobs in a work folder);
2. each partition goes through a fresh `RecordMerger`: all records of one key meet in one partition,
   in the file's order, so each record is found new, a repeat or a conflict as `_checked` finds it
   (one byte per record);
3. the records are read back in the file's order and given as `_checked` gives them: the repeats left
   out, the same `BadFile` after the same records, or with `skip_bad` the same rejects in the same order.
"""

from __future__ import annotations

import marshal
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from mastgraph.loaders.records import Conflict, LoadError, Loader, RecordMerger, Reject
from mastgraph.model.records import Edge, Node
from mastgraph.pipeline.across_spill import BUFFERED, WorkFolderError, _partition, _record, _row, cannot_write, \
    work_folder

#: Files larger than this (bytes on disk) are checked on disk when the caller gives a work folder.
ON_DISK_BYTES = 16 * 2**20
#: Bytes of the file per partition: a partition's merger holds about 6 times as much.
PARTITION_BYTES = 8 * 2**20
#: At most this many partitions (each an open file while the records are read).
MAX_PARTITIONS = 256

_NEW, _REPEAT, _CONFLICT = 0, 1, 2


def large(path: Path) -> bool:
    """A file over ON_DISK_BYTES."""
    try:
        return path.stat().st_size > ON_DISK_BYTES
    except OSError:
        return False  # (the loader says why it cannot be read)


def on_disk(path: Path, loader: Loader) -> bool:
    """Whether `_checked` checks this file on disk (given a work folder): a large file whose records
    grow with its size (not a FITS file's, read from its headers)."""
    return getattr(loader, "records_grow_with_size", True) and large(path)


def plain_records(loader: Loader, path: Path, work: Path | None) -> list[tuple] | None:
    """The records `_checked` passes on (given `work`, the same folder), in plain form
    (`model.records.plain`), when the file's loader gives them so (`plain_records`: a file whose rows
    are all good) and the file is not checked on disk; else None: the file is read as records."""
    given = getattr(loader, "plain_records", None)
    if given is None or work is not None and on_disk(path, loader):
        return None
    return given(path)


def checked_on_disk(loader: Loader, path: Path, skip_bad: bool, rejects: list[Reject], parent: Path
                    ) -> Iterator[Node | Edge]:
    """`pipeline.ingest._checked` of a large file, its records on disk in a work folder under `parent`."""
    from mastgraph.pipeline.ingest import BadFile

    count = min(MAX_PARTITIONS, max(1, -(-path.stat().st_size // PARTITION_BYTES)))
    spill = _Spill(work_folder(parent, "check"), count)
    try:
        numbered_rejects: list[tuple[int, Reject]] = []
        # (number, exception): where `_checked` raises (a BadFile, or what the loader raised), unless a
        # conflict comes first; the records before it are given first, as `_checked` gives them
        stop: tuple[int, Exception] | None = None
        items = _items(loader, path)
        while True:
            try:
                item = next(items, None)
            except LoadError as exc:
                stop = (spill.number + 1, BadFile(str(exc)))
                break
            except Exception as exc:  # noqa: BLE001 - raised again, after the records before it
                stop = (spill.number + 1, exc)
                break
            if item is None:
                break
            spill.number += 1
            if isinstance(item, Reject):
                if not skip_bad:
                    stop = (spill.number, BadFile(str(item)))
                    break
                numbered_rejects.append((spill.number, item))
                continue
            spill.add(item)
        spill.flush()
        states, conflicts = spill.replay(keep_all=skip_bad)
        end, failure = (stop if stop is not None else (spill.number + 1, None))
        if not skip_bad and conflicts:
            first = min(conflicts)
            if first < end:
                end, failure = first, BadFile(conflicts[first])

        later = iter(numbered_rejects)
        pending = next(later, None)
        for row in spill.in_order():
            number = row[0]
            if number >= end:
                break
            while pending is not None and pending[0] < number:
                rejects.append(pending[1])
                pending = next(later, None)
            state = states[number]
            if state == _NEW:
                yield _record(row)
            elif state == _CONFLICT:  # (with skip_bad: else it ended the file)
                rejects.append(Reject(row[-1], conflicts[number].split(": ", 1)[-1]))
        while pending is not None and pending[0] < end:
            rejects.append(pending[1])
            pending = next(later, None)
        if isinstance(failure, BadFile):
            raise failure from None
        if failure is not None:
            raise failure
    finally:
        spill.close()


def _items(loader: Loader, path: Path) -> Iterator[Node | Edge | Reject]:
    """The loader's items; what it raises, even when asked for them, comes with the first `next`."""
    yield from loader.records(path)


class _Spill:
    """A file's records as rows in `count` partitions and in the file's order, under `folder`."""

    def __init__(self, folder: Path, count: int) -> None:
        self.folder, self.count = folder, count
        self.number = 0  # the records and rejects read
        self._buffers: list[list[tuple]] = [[] for _ in range(count)]
        self._order: list[tuple] = []
        self._blobs: list[list[int]] = [[] for _ in range(count + 1)]  # blob sizes by partition; the order's last
        self._files: list[BinaryIO | None] = [None] * (count + 1)

    def add(self, record: Node | Edge) -> None:
        row = _row(record, self.number)
        self._buffers[_partition(row, self.count)].append(row)
        self._order.append(row)
        if len(self._order) >= BUFFERED:
            self.flush()

    def flush(self) -> None:
        for part, rows in enumerate([*self._buffers, self._order]):
            if rows:
                self._write(part, marshal.dumps(rows))
        self._buffers = [[] for _ in range(self.count)]
        self._order = []

    def _write(self, part: int, blob: bytes) -> None:
        try:
            out = self._files[part]
            if out is None:
                out = self._files[part] = open(self.folder / f"p{part:04d}", "wb")
            out.write(blob)
        except OSError as exc:
            raise WorkFolderError(cannot_write(self.folder, exc)) from None
        self._blobs[part].append(len(blob))

    def _rows(self, part: int) -> Iterator[tuple]:
        out = self._files[part]
        if out is None:
            return
        try:
            out.close()
            with open(out.name, "rb") as blobs:
                for size in self._blobs[part]:
                    yield from marshal.loads(blobs.read(size))
        except OSError as exc:
            raise WorkFolderError(cannot_write(self.folder, exc)) from None

    def replay(self, keep_all: bool) -> tuple[bytearray, dict[int, str]]:
        """Each record's state (by number) and the conflicts' lines (by number; without `keep_all`
        only each partition's first: the file ends at the first of all)."""
        states = bytearray(self.number + 1)
        conflicts: dict[int, str] = {}
        for part in range(self.count):
            merger = RecordMerger()
            first = True
            for row in self._rows(part):
                try:
                    if not merger.add(_record(row)):
                        states[row[0]] = _REPEAT
                except Conflict as exc:
                    states[row[0]] = _CONFLICT
                    if keep_all or first:
                        conflicts[row[0]] = str(exc)
                        first = False
        return states, conflicts

    def in_order(self) -> Iterator[tuple]:
        return self._rows(self.count)

    def close(self) -> None:
        for out in self._files:
            if out is not None:
                try:
                    out.close()
                except OSError:
                    pass  # (a full disk, already reported: the folder goes all the same)
        shutil.rmtree(self.folder, ignore_errors=True)
