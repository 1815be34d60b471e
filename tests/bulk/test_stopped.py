"""`mastgraph build` stopped by a lost Neo4j, Ctrl-C or a work folder that cannot be written: one line
saying what the database holds."""

from __future__ import annotations

import errno
import logging
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import neo4j
import pytest
from typer.testing import CliRunner

from mastgraph.cli import build as build_cli
from mastgraph.cli.main import app
from mastgraph.graph import db
from mastgraph.graph.settings import Settings
from mastgraph.pipeline import derive_tables
from mastgraph.pipeline.across_spill import WorkFolderError
from mastgraph.pipeline.bulk import Build, BuildOptions, BulkError, build

from .conftest import REAL


def _stopping_at(phase: str, exc: BaseException):
    def build(settings, paths, options, progress):
        for name in ("prepare", "parse", "csv", "derive", "import", "index", "residuals"):
            progress.start(name, None)
            if name == phase:
                raise exc
    return build


@pytest.mark.parametrize("phase, exc, code, expected", [
    ("prepare", neo4j.exceptions.ServiceUnavailable("Couldn't connect"), 1,
     "error: Neo4j at {uri} stopped answering during the build's prepare phase, before the import: nothing was "
     "written; run the same command again"),
    ("index", db.ConnectionLost("Neo4j at x stopped answering"), 1,
     "error: Neo4j at {uri} stopped answering during the build's index phase, after the import began: the "
     "database holds an unfinished graph; run the same command again with --force to build it anew "
     "(`mastgraph server start` first if the server is stopped)"),
    ("parse", KeyboardInterrupt(), 130,
     "error: interrupted during the build's parse phase, before the import: nothing was written; run the same "
     "command again"),
    # the derivations run before the import (pipeline.derive_tables): nothing is written yet
    ("derive", KeyboardInterrupt(), 130,
     "error: interrupted during the build's derive phase, before the import: nothing was written; run the same "
     "command again"),
])
def test_build_stopped_is_one_line(monkeypatch, tmp_path, phase, exc, code, expected):
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path))
    monkeypatch.setenv("MASTGRAPH_BOLT_PORT", "7999")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setattr(build_cli, "build", _stopping_at(phase, exc))
    result = CliRunner().invoke(app, ["build", str(tmp_path)])
    assert result.exit_code == code
    assert result.stderr.strip() == expected.format(uri="bolt://127.0.0.1:7999")
    assert "Traceback" not in result.stdout + result.stderr
    # the driver's log goes to the state folder, not to the console
    files = [h.baseFilename for h in logging.getLogger("neo4j").handlers if isinstance(h, logging.FileHandler)]
    assert files == [str(tmp_path / "logs" / "neo4j-driver.log")]


def _small_files() -> None:
    """In the child: no file may grow past 32 KiB (a write past it fails with EFBIG, as on a full
    disk: Python ignores SIGXFSZ), so the build's spill files cannot be written."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_work_folder_that_cannot_be_written_is_one_line(tmp_path, demo_sample, workers):
    """The spill cannot be written during the parse, in the build's own process (`--workers 1`) or in
    its worker processes: one line naming the work folder and the reason, and no work file left."""
    work = tmp_path / "work"
    env = {**os.environ, "MASTGRAPH_HOME": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-m", "mastgraph.cli", "build", "--dry-run",
                           "--workers", str(workers), "--work-dir", str(work), str(demo_sample)],
                          env=env, capture_output=True, text=True, timeout=300, preexec_fn=_small_files)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    line, = done.stderr.strip().splitlines()
    assert re.fullmatch(rf"error: cannot write the work folder {re.escape(str(work))}/build-[0-9T]+-[0-9]+: File too "
                        r"large during the build's parse phase, before the import: nothing was written; run the same "
                        r"command again once it can be written \(or with --work-dir elsewhere\)", line), line
    assert not any(work.iterdir())


def test_a_work_folder_that_is_a_file_is_one_line(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("a file where the work folder should be")
    with pytest.raises(WorkFolderError, match=rf"^cannot write the work folder {re.escape(str(taken))}: File exists$"):
        build(Settings(neo4j_uri=None, home=tmp_path / "state"), [REAL], BuildOptions(dry_run=True, work_dir=taken))


def test_a_work_folder_whose_parts_cannot_be_made_is_one_line_and_removed(tmp_path, monkeypatch):
    work = tmp_path / "work"
    make = Path.mkdir

    def refuse_csv(path, *args, **kwargs):
        if path.name == "csv" and path.parent.parent == work:
            raise OSError(errno.ENOSPC, "No space left on device")
        return make(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse_csv)
    with pytest.raises(WorkFolderError, match=rf"^cannot write the work folder {re.escape(str(work))}: "
                                              r"No space left on device$"):
        build(Settings(neo4j_uri=None, home=tmp_path / "state"), [REAL], BuildOptions(dry_run=True, work_dir=work))
    assert work.is_dir() and not any(work.iterdir())  # (the build's own folder in it is gone)


@pytest.mark.parametrize("raised, expected", [
    (duckdb.IOException('IO Error: Could not write file "derive.duckdb": No space left on device'),
     r"^cannot write the work folder .*: IO Error: Could not write file \"derive.duckdb\": No space left on device$"),
    (duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block of size 256.0 KiB (1.0 GiB/1.0 GiB "
                                 "used)"),
     r"^the derivation rules ran out of memory \(Out of Memory Error: .*\); give them more with --derive-memory "
     rf"\(now {re.escape(derive_tables.MEMORY)}\); nothing was written$"),
    (duckdb.OutOfMemoryException("Out of Memory Error: failed to offload data block of size 256.0 KiB (1.8 MiB/1.9 "
                                 "MiB used).\nThis limit was set by the 'max_temp_directory_size' setting.\nBy "
                                 "default, this setting utilizes the available disk space on the drive where the "
                                 "'temp_directory' is located."),
     r"^cannot write the work folder .*: no space left on its disk for DuckDB's spill \(Out of Memory Error: failed "
     r"to offload data block of size 256.0 KiB \(1.8 MiB/1.9 MiB used\).\)$"),
])
def test_the_derivation_failing_in_duckdb_is_one_line(tmp_path, monkeypatch, raised, expected):
    """DuckDB's database and spill are in the work folder: a full disk there names it (a write that
    fails, or the spill over the disk's free space); running out of its memory names the option that
    gives it more."""
    def refuse(config):
        raise raised

    monkeypatch.setattr(derive_tables, "connect", refuse)
    run = Build(Settings(neo4j_uri=None, home=tmp_path / "state"), [REAL], BuildOptions(work_dir=tmp_path / "work"))
    with pytest.raises((WorkFolderError, BulkError), match=expected):
        run._derive()


class _FaultyLoader:
    """A loader with a fault on the file named `faulty.csv` (a bug in a loader, not bad input)."""

    kind = "faulty"

    def records(self, path: Path):
        raise TypeError("unhashable type: 'list'")


def faulty_detect(path: Path):
    """`detect` (BuildOptions.detect, imported by name in the worker processes): the registry's but
    for `faulty.csv`."""
    from mastgraph.loaders import registry

    return _FaultyLoader() if path.name == "faulty.csv" else registry.detect(path)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_loaders_unexpected_fault_names_the_file_and_keeps_its_traceback(tmp_path, workers):
    """A fault no loader expected (a bug) on one file: that file's one-line error names it and the
    log its traceback went to, which outlives the work folder; the other files are parsed."""
    inputs = tmp_path / "in"
    shutil.copytree(REAL, inputs)
    faulty = inputs / "faulty.csv"
    faulty.write_text("a,b\n1,2\n")
    state = tmp_path / "state"
    with pytest.raises(BulkError) as caught:
        build(Settings(neo4j_uri=None, home=state), [inputs],
              BuildOptions(dry_run=True, workers=workers, work_dir=tmp_path / "work", detect=faulty_detect))
    log = next((state / "logs").glob("build-*-errors.log"))
    assert caught.value.lines == [
        f"{faulty}: the loader failed unexpectedly (TypeError: unhashable type: 'list'); details in {log}"]
    assert "Traceback" in log.read_text() and 'raise TypeError("unhashable type' in log.read_text()
    assert not any((tmp_path / "work").iterdir())  # (the work folder went; the log stays)


def test_a_loaders_unexpected_fault_online_names_the_file_and_keeps_its_traceback(tmp_path, monkeypatch):
    """The online ingest's parse, as the bulk build's: the file's one line and the state folder's log."""
    from mastgraph.loaders import registry
    from mastgraph.pipeline.ingest import parse_file

    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "state"))
    detect = registry.detect
    monkeypatch.setattr(registry, "detect", lambda path: _FaultyLoader() if path.name == "faulty.csv" else detect(path))
    faulty = tmp_path / "faulty.csv"
    faulty.write_text("a,b\n1,2\n")
    log = tmp_path / "state" / "logs" / "errors.log"
    assert parse_file(faulty).error == (f"{faulty}: the loader failed unexpectedly (TypeError: unhashable type: "
                                        f"'list'); details in {log.resolve()}")
    assert 'raise TypeError("unhashable type' in log.read_text()


@pytest.mark.parametrize("death", ["die", "die answering"])
def test_a_bulk_worker_killed_is_one_line_not_a_wait(tmp_path, death):
    """A worker of a stage killed (out of memory, say) between two answers, or while sending one
    (a part of it left in the queue, which a read would wait on for ever): the stage ends in one
    line, its other workers stopped."""
    import multiprocessing
    import time

    from mastgraph.pipeline.bulk import run_stage

    from ..graph.dying import StageWorker

    said: list = []
    tasks = [("say", 1), ("say", 2), (death,), ("say", 3)]
    before = set(multiprocessing.active_children())
    started = time.monotonic()
    with pytest.raises(BulkError, match=r"^a bulk worker stopped unexpectedly \(exit code -9\); details may be in "):
        run_stage(StageWorker, None, tasks, 2, said.append, tmp_path / "errors.log", folder=tmp_path)
    assert time.monotonic() - started < 30
    assert not set(multiprocessing.active_children()) - before
    assert set(said) <= {1, 2, 3}


def test_a_bulk_stage_gives_its_workers_answers(tmp_path):
    from mastgraph.pipeline.bulk import run_stage

    from ..graph.dying import StageWorker

    said: list = []
    finished = run_stage(StageWorker, None, [("say", n) for n in range(7)], 2, said.append, tmp_path / "errors.log",
                         tasks_per_process=2, folder=tmp_path)
    assert sorted(said) == list(range(7))
    assert sorted(n for done in finished for n in done) == list(range(7)) and len(finished) == 4
