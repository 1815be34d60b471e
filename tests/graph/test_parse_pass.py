"""The files of one command parsed once (`pipeline.parse_pass`): by worker processes or in the
ingest's own process, the reports, rejects and conflict lines are the same, in the same order; a
worker that dies (killed while sending its answer too) leaves the rest to the ingest; a work folder that cannot be written is one line;
nothing is left behind."""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, TimeoutError as FutureTimeout
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mastgraph.cli.main import app
from mastgraph.graph.settings import Settings
from mastgraph.loaders import registry
from mastgraph.pipeline import parse_pass
from mastgraph.pipeline.across_spill import _record
from mastgraph.pipeline.ingest import ConflictingFiles, ingest_paths
from mastgraph.pipeline.parse_pass import (ParsedFiles, WorkFolderError, parse_in_order, parse_to_chunks,
                                           read_chunks)

from ..loaders.test_domains import API_CSV, cells
from . import dying
from .test_conflicts_on_disk import many_conflicts



@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> list[Path]:
    """The demo's inputs: a synthetic archive and the bundled real files."""
    from mastgraph.cli.demo import demo_inputs

    return demo_inputs(tmp_path_factory.mktemp("demo"))


def _settings(tmp_path: Path, workers: int, **more) -> Settings:
    return Settings(neo4j_uri=None, home=tmp_path / "state", parse_workers=workers, **more)


def _report(settings: Settings, inputs: list[Path], skip_bad: bool = False) -> list[tuple]:
    report = ingest_paths(None, settings, inputs, dry_run=True, skip_bad=skip_bad)
    return [(f.path, f.kind, f.records, f.error, [str(r) for r in f.rejects]) for f in report.files]


def _conflicts(settings: Settings, folder: Path) -> list[str]:
    with pytest.raises(ConflictingFiles) as caught:
        ingest_paths(None, settings, [folder], dry_run=True)
    return caught.value.lines()


def _leftovers(tmp_path: Path) -> list[Path]:
    work = tmp_path / "state" / "ingest-work"
    return list(work.iterdir()) if work.exists() else []


@pytest.fixture
def always_parallel(monkeypatch):
    monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)  # the workers however small the input


@pytest.mark.parametrize("task_files", [parse_pass.TASK_FILES, 5])
def test_workers_give_what_one_process_gives(tmp_path, demo, always_parallel, monkeypatch, task_files):
    monkeypatch.setattr(parse_pass, "TASK_FILES", task_files)  # a worker's runs of files: long, or short
    inputs = [tmp_path / "in", *demo[1:]]
    shutil.copytree(demo[0], inputs[0])
    cells(",", [(0, "size", "-5"), (-1, "size", "x")])(API_CSV, inputs[0] / "bad-rows.csv")
    for skip_bad in (False, True):
        alone = _report(_settings(tmp_path, 1), inputs, skip_bad)
        assert _report(_settings(tmp_path, 2), inputs, skip_bad) == alone
        errors = {path.name: error for path, _, _, error, _ in alone if error}
        assert len(alone) > 10 and ("bad-rows.csv" in errors) != skip_bad
        assert any(rejects for *_, rejects in alone) == skip_bad
    assert not _leftovers(tmp_path)


def test_workers_find_the_conflicts_in_the_same_order(tmp_path, always_parallel):
    folder = many_conflicts(tmp_path / "in")
    alone = _conflicts(_settings(tmp_path, 1), folder)
    assert len(alone) >= 4
    assert _conflicts(_settings(tmp_path, 2), folder) == alone
    assert _conflicts(_settings(tmp_path, 3, conflict_spill_mb=0), folder) == alone  # and compared on disk
    assert not _leftovers(tmp_path)


def test_the_chunks_hold_the_records_in_file_order(tmp_path, demo, monkeypatch):
    monkeypatch.setattr(parse_pass, "CHUNK", 7)  # many chunks a file
    path = max((p for p in registry.expand(demo) if p.suffix == ".csv"), key=lambda p: p.stat().st_size)
    work = ParsedFiles(tmp_path / "work")
    try:
        given: list = []
        parsed = parse_to_chunks(path, False, work.own_file(), given.append)
        assert len(parsed.chunks) > 1 and len(given) == parsed.result.records > 7
        assert list(read_chunks(parsed.chunks)) == given
        assert list(read_chunks(parsed.chunks)) == given  # (read again through the file kept open)
    finally:
        work.close()
    assert not (tmp_path / "work").exists() or not any((tmp_path / "work").iterdir())
    assert not [name for name in parse_pass._readers if name.startswith(str(tmp_path))]  # closed with the folder


def test_the_workers_records_reach_on_rows_as_rows(tmp_path, demo):
    """`on_rows` (the comparison on disk) gets the workers' records as the rows of their chunks, in
    file order, whether or not the files are kept for a load."""
    files = registry.expand(demo)
    expected: list = []
    for _ in parse_in_order(files, False, ParsedFiles(tmp_path / "a"), 1, expected.append, keep=False):
        pass
    for keep in (False, True):
        rows: list = []
        work = ParsedFiles(tmp_path / f"b{keep}")
        try:
            for _ in parse_in_order(files, False, work, 2, on_rows=rows.extend, keep=keep):
                pass
        finally:
            work.close()
        assert len(expected) > 100 and [_record(row) for row in rows] == expected


def test_a_worker_killed_while_answering_is_seen_not_waited_for(monkeypatch):
    """Killed while sending its answer, a worker leaves the executor waiting for the rest for ever
    (and the other worker waiting for the pipe): `watched` sees the worker gone instead."""
    monkeypatch.setattr(parse_pass, "WATCH_SECONDS", 0.1)
    before = set(multiprocessing.active_children())
    executor = ProcessPoolExecutor(2, mp_context=parse_pass._context())
    try:
        assert parse_pass.watched(executor.submit(dying.answer, "slow", 0.5), executor) == "slow"
        dies = executor.submit(dying.die_while_answering)
        other = executor.submit(dying.answer, "after", 0.5)
        with pytest.raises(FutureTimeout):
            dies.result(timeout=2)  # (the executor alone never tells)
        started = time.monotonic()
        with pytest.raises(parse_pass.BrokenProcessPool, match=r"exit code -9"):
            parse_pass.watched(dies, executor)
        with pytest.raises(parse_pass.BrokenProcessPool):
            parse_pass.watched(other, executor)  # (its answer waits for the pipe's lock, held by the dead)
        assert time.monotonic() - started < 5
    finally:
        parse_pass.stop_workers(executor, before)
    assert not set(multiprocessing.active_children()) - before


def _dies_after_two(files, skip_bad, work, workers, write, partitions=0):
    for path in files[:2]:
        yield parse_to_chunks(path, skip_bad, work.own_file())
    raise parse_pass.BrokenProcessPool("a worker was killed")


@pytest.mark.parametrize("death", ["after two files", "while answering"])
def test_a_worker_that_dies_leaves_the_rest_to_the_ingest(tmp_path, demo, monkeypatch, death):
    files = registry.expand(demo)
    expected = [(p.result.path, p.result.records) for p in
                parse_in_order(files, False, ParsedFiles(tmp_path / "a"), 1)]
    if death == "after two files":
        monkeypatch.setattr(parse_pass, "_parse_by_workers", _dies_after_two)
    else:  # (every worker killed while sending its answer: `parse_pass.watched` sees it)
        monkeypatch.setattr(parse_pass, "WATCH_SECONDS", 0.1)
        monkeypatch.setattr(parse_pass, "_parse_task", dying.die_while_answering)
    before = set(multiprocessing.active_children())
    given: list = []
    work = ParsedFiles(tmp_path / "b")
    try:
        got = [(p.result.path, p.result.records) for p in parse_in_order(files, False, work, 2, given.append)]
    finally:
        work.close()
    assert got == expected and len(given) == sum(n for _, n in expected)
    assert not set(multiprocessing.active_children()) - before


def test_an_interrupted_pass_stops_its_workers_and_leaves_nothing(tmp_path, demo, always_parallel):
    before = set(multiprocessing.active_children())
    settings = _settings(tmp_path, 2)
    seen = []

    def interrupt(record):
        seen.append(record)
        if len(seen) == 50:
            raise KeyboardInterrupt

    work = ParsedFiles(tmp_path / "state" / "ingest-work")
    with pytest.raises(KeyboardInterrupt):
        try:
            for _ in parse_in_order(registry.expand(demo), False, work, settings.parse_workers, interrupt):
                pass
        finally:
            work.close()
    for process in set(multiprocessing.active_children()) - before:
        process.join(10)
    assert not set(multiprocessing.active_children()) - before
    assert not _leftovers(tmp_path)


def test_an_interruption_while_the_last_file_is_parsed_stops_the_workers(tmp_path, demo, always_parallel, ctrl_c,
                                                                         monkeypatch):
    """Every file handed out and the last one still being parsed (here: a pipe nobody writes to, so
    its worker would wait for ever) when Ctrl-C comes: the workers stop at once all the same."""
    monkeypatch.setattr(parse_pass, "TASK_FILES", 1)  # (the files before the stuck one come back on their own)
    before = set(multiprocessing.active_children())
    stuck = tmp_path / "stuck.csv"
    os.mkfifo(stuck)
    files = [*registry.expand(demo)[:3], stuck]
    # Ctrl-C once the three files are in, while the ingest waits on the last one
    timer = threading.Timer(1.0, signal.pthread_kill, (threading.main_thread().ident, signal.SIGINT))
    work = ParsedFiles(tmp_path / "state" / "ingest-work")
    try:
        with pytest.raises(KeyboardInterrupt):
            for done, _ in enumerate(parse_in_order(files, False, work, 2, lambda record: None), 1):
                if done == 3:
                    timer.start()
    finally:
        timer.cancel()
        work.close()
    for process in set(multiprocessing.active_children()) - before:
        process.join(10)
    assert not set(multiprocessing.active_children()) - before


_HALF_SENT = """
import gc, multiprocessing, os, struct, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.queues import SimpleQueue

from mastgraph.pipeline.parse_pass import _context, stop_workers


def half_sent(flag):
    # in the worker: the header of a 1 MiB result on the result pipe, and not the rest
    results = next(o for o in gc.get_objects() if isinstance(o, SimpleQueue))
    os.write(results._writer.fileno(), struct.pack("!i", 2**20))
    open(flag, "w").close()
    time.sleep(120)


if __name__ == "__main__":
    flag = sys.argv[1]
    before = set(multiprocessing.active_children())
    executor = ProcessPoolExecutor(1, mp_context=_context())
    executor.submit(half_sent, flag)
    while not os.path.exists(flag):
        time.sleep(0.05)
    time.sleep(0.5)  # the executor's thread now waits for the rest of the result
    stop_workers(executor, before)
    print("stopped", flush=True)
"""


def test_a_worker_stopped_while_sending_a_result_lets_the_process_exit(tmp_path):
    """Stopping a worker in the middle of sending its result (part of a message in the pipe): the
    process still exits (the interpreter joins the executor's thread at exit, which waited for the
    rest of the message for ever)."""
    script = tmp_path / "half_sent.py"
    script.write_text(_HALF_SENT)
    try:
        done = subprocess.run([sys.executable, str(script), str(tmp_path / "sent")], capture_output=True,
                              text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the process did not exit within 60 s of stopping its workers")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "stopped\n"


class _Full(io.BytesIO):
    name = "/work-folder/main-1"

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_is_one_line(tmp_path, demo, always_parallel):
    with pytest.raises(WorkFolderError) as caught:
        parse_to_chunks(API_CSV, False, _Full())
    assert str(caught.value) == "cannot write the work folder /work-folder: No space left on device"

    state = tmp_path / "state"
    state.write_text("a file where the state folder should be")
    result = CliRunner().invoke(app, ["ingest", "--dry-run", *map(str, demo)],
                                env={"MASTGRAPH_HOME": str(state), "MASTGRAPH_PARSE_WORKERS": "2"})
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith(f"error: cannot write the work folder {state / 'ingest-work'}: ")
    assert lines[-1].endswith("; nothing was written") and "Traceback" not in result.output


def test_a_full_disk_leaves_no_work_folder(tmp_path):
    work = ParsedFiles(tmp_path / "work")
    work.own_file().close()
    work._own = _Full()  # its last bytes cannot be written when it is closed
    work._own.close = lambda: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device"))
    work.close()
    assert not any((tmp_path / "work").iterdir())


def test_a_comparison_on_disk_that_cannot_start_is_one_line(tmp_path, demo):
    state = tmp_path / "state"
    state.write_text("a file where the state folder should be")
    result = CliRunner().invoke(app, ["ingest", "--dry-run", *map(str, demo)],
                                env={"MASTGRAPH_HOME": str(state), "MASTGRAPH_PARSE_WORKERS": "1",
                                     "MASTGRAPH_CONFLICT_SPILL_MB": "0"})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith(
        f"error: cannot write the work folder {state / 'ingest-work'}: ")


def test_the_work_folders_of_a_killed_ingest_are_removed_by_the_next(tmp_path):
    """A killed ingest (SIGKILL: no `close`) leaves its work folders; the next ingest on the host
    removes those whose process is gone, and no other."""
    import subprocess
    import sys

    from mastgraph.pipeline.across_spill import _HOST, SpilledAcrossFiles

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    state = tmp_path / "state" / "ingest-work"
    left = [state / f"parsed-{_HOST}-{gone}-x1", state / f"conflicts-{_HOST}-{gone}-x2"]
    kept = [state / f"parsed-{_HOST}-{os.getpid()}-x3",  # a running ingest's
            state / f"parsed-elsewhere-{gone}-x4",  # another host's (a shared state folder)
            state / "notes"]
    for folder in left + kept:
        folder.mkdir(parents=True)
        (folder / "main-1").write_bytes(b"records")
    work = ParsedFiles(state)
    try:
        made = work.folder
        assert made.name.startswith(f"parsed-{_HOST}-{os.getpid()}-")
        assert not any(folder.exists() for folder in left) and all(folder.exists() for folder in kept)
    finally:
        work.close()
    left[1].mkdir()
    SpilledAcrossFiles(state, 1).close()  # the comparison on disk removes them too
    assert not left[1].exists() and all(folder.exists() for folder in kept)


def test_the_workers_are_chosen_without_a_stat_of_every_file(tmp_path):
    """`workers_for` stops counting the input once it reaches PARALLEL_BYTES; `input_bytes` alone counts it all."""
    files = []
    for n in range(40):
        path = tmp_path / f"f{n}.csv"
        with open(path, "wb") as fh:
            fh.truncate(parse_pass.PARALLEL_BYTES // 4)  # (sparse: its size, not its bytes on disk)
        files.append(path)
    asked = []

    def walked():
        for path in files:
            asked.append(path)
            yield path

    assert parse_pass.input_bytes(walked(), parse_pass.PARALLEL_BYTES) == parse_pass.PARALLEL_BYTES
    assert len(asked) == 4
    assert parse_pass.input_bytes(files) == 10 * parse_pass.PARALLEL_BYTES
    assert parse_pass.workers_for(files, 2) == 2 and parse_pass.workers_for(files[:3], 2) == 1
