"""The comparison of the files of one command on disk (`pipeline.across_spill`, used above
`Settings.conflict_spill_mb` of input) gives the lines the in-memory comparison gives, in its
order, wherever the records of a key fall, and leaves nothing behind."""

from __future__ import annotations

import json
import marshal
import shutil

import pytest

from mastgraph.graph.settings import Settings
from mastgraph.pipeline import across_spill, parse_pass
from mastgraph.pipeline.ingest import ConflictingFiles, cross_file_conflicts, ingest_paths
from mastgraph.pipeline.parse_pass import KeptFiles, ParsedFiles, read_chunks

from ..bulk.test_conflicts import conflicting_files
from ..loaders.test_domains import API_CSV, IMAGE3, cell, cells
from . import dying


def many_conflicts(folder):
    """Several conflicts of both kinds over several files, a file that agrees, and one that fails
    on its own after its first rows."""
    files = conflicting_files(folder / "one")
    for n, size in enumerate(("370405442", "370405440")):
        extra = folder / f"c{n}.csv"
        cell(",", "size", size, row=0)(API_CSV, extra)
        files.append(extra)
    (folder / "z").mkdir()
    doc = json.loads(IMAGE3.read_text())
    doc["products"][0]["members"] = doc["products"][0]["members"][:1]
    (folder / "z" / IMAGE3.name).write_text(json.dumps(doc, indent=4))
    cells(",", [(0, "size", "370405443"), (-1, "size", "-5")])(API_CSV, folder / "broken.csv")
    shutil.copy(API_CSV, folder / "same.csv")
    return folder


def lines(settings, folder):
    with pytest.raises(ConflictingFiles) as caught:
        ingest_paths(None, settings, [folder], dry_run=True)
    return caught.value.lines()


@pytest.mark.parametrize("partition_bytes, buffered, workers, task_files",
                         [(2**30, 20_000, 1, 64), (1, 3, 1, 64), (1, 3, 2, 64), (1, 3, 2, 2), (2**30, 20_000, 2, 3)])
def test_on_disk_the_lines_and_their_order_are_those_of_memory(tmp_path, monkeypatch, partition_bytes, buffered,
                                                                workers, task_files):
    """(workers 2: the files parsed, put into partitions, and the partitions replayed by two worker
    processes; `task_files` files a run, whose records each worker puts into partitions at once.)"""
    monkeypatch.setattr(parse_pass, "TASK_FILES", task_files)
    folder = many_conflicts(tmp_path / "in")
    in_memory = lines(Settings(neo4j_uri=None, home=tmp_path / "state"), folder)
    assert len(in_memory) >= 4  # several conflicts of both kinds, and the closing line
    assert any("members differ" in line for line in in_memory)
    monkeypatch.setattr(across_spill, "PARTITION_INPUT_BYTES", partition_bytes)  # 1: the most partitions
    monkeypatch.setattr(across_spill, "BUFFERED", buffered)  # 3: many chunks a partition
    if workers > 1:
        monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)
    on_disk = Settings(neo4j_uri=None, home=tmp_path / "state", conflict_spill_mb=0, parse_workers=workers)
    assert lines(on_disk, folder) == in_memory
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    work = ParsedFiles(tmp_path / "state" / "ingest-work")
    kept = KeptFiles(work, files)
    try:
        in_memory_settings = Settings(neo4j_uri=None, home=tmp_path / "state")
        assert cross_file_conflicts(files, on_disk, False, kept, work) == cross_file_conflicts(files, in_memory_settings)
        assert kept and all(sum(1 for _ in read_chunks(p.chunks)) == p.result.records for p in kept.values())
        assert all(p.compare is None and p.parts is None for p in kept.values())  # (not kept for the load)
    finally:
        work.close()  # the load still takes the records parsed in this pass, until the work folder is closed
    assert not any((tmp_path / "state" / "ingest-work").iterdir())  # the spill is removed


def test_a_worker_that_dies_leaves_the_rest_to_the_comparison_on_disk(tmp_path, monkeypatch):
    """The files parsed and partitioned by the workers before one dies (two runs of two files), then
    the rest parsed and partitioned by the ingest's own process: the lines of the comparison in memory."""
    folder = many_conflicts(tmp_path / "in")
    in_memory = lines(Settings(neo4j_uri=None, home=tmp_path / "state"), folder)
    monkeypatch.setattr(across_spill, "PARTITION_INPUT_BYTES", 1)
    monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parse_pass, "TASK_FILES", 2)
    real, given = parse_pass._parse_by_workers, []

    def dies_after_two_runs(*args):
        runs = 0
        for parsed in real(*args):  # (a worker's run of files comes whole, or not at all)
            runs += parsed.parts is not None
            if runs == 3:
                raise parse_pass.BrokenProcessPool("a worker was killed")
            assert parsed.compare is not None  # (partitioned by the worker)
            given.append(parsed)
            yield parsed

    monkeypatch.setattr(parse_pass, "_parse_by_workers", dies_after_two_runs)
    on_disk = Settings(neo4j_uri=None, home=tmp_path / "state", conflict_spill_mb=0, parse_workers=2)
    assert lines(on_disk, folder) == in_memory
    assert len(given) == 4


def test_a_replay_worker_killed_while_answering_leaves_the_rest_to_the_comparison(tmp_path, monkeypatch):
    """Every partition's replay by a worker ends with the worker killed while sending its answer:
    the partitions are replayed by the ingest's own process, the lines those of memory."""
    folder = many_conflicts(tmp_path / "in")
    in_memory = lines(Settings(neo4j_uri=None, home=tmp_path / "state"), folder)
    monkeypatch.setattr(across_spill, "PARTITION_INPUT_BYTES", 1)
    monkeypatch.setattr(parse_pass, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parse_pass, "WATCH_SECONDS", 0.1)
    monkeypatch.setattr(across_spill, "replay", dying.replay_or_die)
    real, replayed = across_spill._replayed, []

    def counted(parts, workers, *args):
        replayed.append((len(parts), workers))
        yield from real(parts, workers, *args)

    monkeypatch.setattr(across_spill, "_replayed", counted)
    on_disk = Settings(neo4j_uri=None, home=tmp_path / "state", conflict_spill_mb=0, parse_workers=2)
    assert lines(on_disk, folder) == in_memory
    assert replayed and all(parts > 1 and workers == 2 for parts, workers in replayed)  # (by workers, at first)


def test_files_that_agree_pass_on_disk_too(tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy(API_CSV, tmp_path / "in" / "a.csv")
    shutil.copy(API_CSV, tmp_path / "in" / "b.csv")
    settings = Settings(neo4j_uri=None, home=tmp_path / "state", conflict_spill_mb=0)
    report = ingest_paths(None, settings, [tmp_path / "in"], dry_run=True)
    assert not report.failed and report.records > 0
    assert not any((tmp_path / "state" / "ingest-work").iterdir())


def _partitioned(paths, partitions, out) -> tuple[list, list]:
    """(partition, number, row) of every record a worker's run puts into partitions, in blob order; each file's `compare`."""
    parse_pass._worker_out = out
    try:
        parsed = parse_pass._parse_into_partitions(paths, False, partitions)
    finally:
        parse_pass._worker_out = None
    out.flush()
    found = []
    for part, name, offset, size in parsed[0].parts:
        numbered = marshal.loads(parse_pass._read_chunk(name, offset, size))
        found += [(part, numbered[at], numbered[at + 1]) for at in range(0, len(numbered), 2)]
    return found, [each.compare for each in parsed]


def test_a_worker_writes_its_partitions_out_as_they_fill(tmp_path, monkeypatch):
    """A run's records held to `BUFFERED` at a time: the same records, numbers and partitions, in
    the order read within each partition, as when the run is held whole."""
    files = sorted(p for p in many_conflicts(tmp_path / "in").rglob("*") if p.is_file())
    with open(tmp_path / "whole", "wb") as out:
        whole, compare = _partitioned(files, 3, out)
    monkeypatch.setattr(across_spill, "BUFFERED", 3)
    with open(tmp_path / "filled", "wb") as out:
        filled, compare_filled = _partitioned(files, 3, out)
    by_partition = lambda found: sorted(found, key=lambda item: item[0])  # (stable: the order within each)
    assert by_partition(filled) == by_partition(whole) and len(filled) > 3 * 3
    assert compare_filled == compare and sum(count for count, _, _ in compare) == len(whole)
    numbers = [number for _, number, _ in whole]
    assert sorted(numbers) == list(range(1, len(whole) + 1))
    parse_pass._close_readers(tmp_path)
