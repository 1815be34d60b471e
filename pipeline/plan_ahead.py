"""The online ingest's batches read back and planned in a helper process, ahead of their transactions.

The load (`ingest._load`) writes what the comparison of the files parsed (`parse_pass`), in batches
of up to `budget` records, one transaction each. Turning a batch's records into its statements
(`BatchWriter`'s rows, the keys the batch touches, the member lists it gives: `ingest.plan_batch`)
is Python work of the order of the database's own for the batch. Here a helper process does it for
the next batches while the database writes the current one, and hands each back as plain values
(`marshal`: unpacked in C), so the load's own process does little more than send the statements.
A thread would not do: the planning would take the interpreter from the load's sending.

The batches are those the load makes (`batches`): the kept files in order, up to `budget` records to
write a batch (`Parsed.load_size`: a file's repeats of earlier files are not written; the first few
batches a part of it, `batch_limit`), a file over the budget (written on its own) ending one. Should
the load make another batch than the one planned (a file that failed the comparison reads well now)
or the helper fail (killed, out of memory, a work file gone), `take` says None and the load plans in
its own process from there on, with the same result. The helper is forked from the parse pass's
forkserver and ignores Ctrl-C; `close` stops it.
"""

from __future__ import annotations

import marshal
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from mastgraph.pipeline.parse_pass import (
    Parsed, _context, ignore_ctrl_c, marked_records, records_written, stop_workers, watched)

if TYPE_CHECKING:
    from mastgraph.pipeline.ingest import PlannedBatch

#: Batches planned ahead of the one written (each is held as plain values until its turn).
DEPTH = 2


#: The first batches hold a part of the budget, the k-th (from 0) 2**k / FIRST_SHARE of it: the
#: database waits for the first batch's planning only, and each later batch is planned while the one
#: before it is written (planning a batch takes about half its writing).
FIRST_SHARE = 8


def batch_limit(budget: int, done: int) -> int:
    """The records the load's batch after `done` batches holds (`batches`, `ingest._Batcher`)."""
    return budget if done >= FIRST_SHARE.bit_length() - 1 else max(1, budget * 2**done // FIRST_SHARE)


def batches(files: Iterable[Parsed], budget: int) -> Iterator[list[Parsed]]:
    """The load's batches of `files`: in order, up to `batch_limit` records to write; a file over
    `budget` ends one. (Made as they are taken: the files are read back from the work folder.)"""
    done = 0
    batch: list[Parsed] = []
    size = 0
    for parsed in files:
        count = parsed.load_size()
        if count > budget or size + count > batch_limit(budget, done):
            if batch:
                yield batch
                done += 1
            batch, size = [], 0
            if count > budget:
                continue
        batch.append(parsed)
        size += count
    if batch:
        yield batch


def _plan_task(files: list[tuple[list[tuple[str, int, int]], bytes | None]], batch_size: int,
               whole: bool = False) -> bytes:
    from mastgraph.pipeline.ingest import plan_batch

    read = marked_records if whole else records_written
    records = (item for chunks, written in files for item in read(chunks, written))
    return marshal.dumps(plan_batch(records, batch_size, marked=whole, touch=not whole).plain())


class PlanAhead:
    """The batches of `files` (`batches`) planned by a helper process, `DEPTH` ahead of `take`."""

    def __init__(self, files: Iterable[Parsed], budget: int, batch_size: int, depth: int = DEPTH,
                 whole: bool = False) -> None:
        self._queued: Iterator[list[Parsed]] = batches(files, budget)
        self._batch_size = batch_size
        #: A command derived whole (`pipeline.derive_command`, into a database without nodes): its
        #: relationships marked FIRST are CREATEd, and the batches derive nothing (no keys noted).
        self._whole = whole
        self._depth = max(depth, 1)
        self._pending: deque[tuple[list[Path], Future]] = deque()
        self._before = set(multiprocessing.active_children())
        self._executor: ProcessPoolExecutor | None = None
        first = next(self._queued, None)
        if first is not None:
            self._queued = chain([first], self._queued)
            self._executor = ProcessPoolExecutor(1, mp_context=_context(), initializer=ignore_ctrl_c)
            self._fill()

    def _fill(self) -> None:
        while self._executor is not None and len(self._pending) < self._depth:
            batch = next(self._queued, None)
            if batch is None:
                return
            files = [(parsed.chunks, parsed.written) for parsed in batch]
            try:
                future = self._executor.submit(_plan_task, files, self._batch_size, self._whole)
            except BrokenProcessPool:  # the helper died: what is pending fails in `take`, the rest is the load's
                self._queued = iter(())
                return
            self._pending.append(([parsed.result.path for parsed in batch], future))

    def take(self, paths: list[Path]) -> PlannedBatch | None:
        """The planned batch of `paths` (the files of the load's next batch), or None: the load plans
        it itself (and every later one) when it is not the batch planned next or the helper failed."""
        from mastgraph.pipeline.ingest import PlannedBatch

        if not self._pending or self._pending[0][0] != paths:
            self.close()
            return None
        _, future = self._pending.popleft()
        try:
            plain = watched(future, self._executor)
        except Exception:  # the helper died (`watched`), or its read failed: the load's own read reports what it was
            self.close()
            return None
        self._fill()
        return PlannedBatch.from_plain(marshal.loads(plain))

    def close(self) -> None:
        """Stop the helper (at once: what it was planning is not needed)."""
        executor, self._executor = self._executor, None
        self._pending.clear()
        self._queued = iter(())
        if executor is not None:
            stop_workers(executor, self._before)
