"""The comparison of the files of one command on disk (`pipeline.across_spill`, used above
`Settings.conflict_spill_mb` of input) gives the lines the in-memory comparison gives, in its
order, wherever the records of a key fall, and leaves nothing behind."""

from __future__ import annotations

import json
import shutil

import pytest

from mastgraph.graph.settings import Settings
from mastgraph.pipeline import across_spill, parse_pass
from mastgraph.pipeline.ingest import ConflictingFiles, cross_file_conflicts, ingest_paths
from mastgraph.pipeline.parse_pass import ParsedFiles, read_chunks

from ..bulk.test_conflicts import conflicting_files
from ..loaders.test_domains import API_CSV, IMAGE3, cell, cells


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


@pytest.mark.parametrize("partition_bytes, buffered, workers", [(2**30, 20_000, 1), (1, 3, 1), (1, 3, 2)])
def test_on_disk_the_lines_and_their_order_are_those_of_memory(tmp_path, monkeypatch, partition_bytes, buffered,
                                                                workers):
    """(workers 2: the files parsed and the partitions replayed by two worker processes.)"""
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
    kept: dict = {}
    work = ParsedFiles(tmp_path / "state" / "ingest-work")
    try:
        in_memory_settings = Settings(neo4j_uri=None, home=tmp_path / "state")
        assert cross_file_conflicts(files, on_disk, False, kept, work) == cross_file_conflicts(files, in_memory_settings)
        assert kept and all(sum(1 for _ in read_chunks(p.chunks)) == p.result.records for p in kept.values())
    finally:
        work.close()  # the load still takes the records parsed in this pass, until the work folder is closed
    assert not any((tmp_path / "state" / "ingest-work").iterdir())  # the spill is removed


def test_files_that_agree_pass_on_disk_too(tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy(API_CSV, tmp_path / "in" / "a.csv")
    shutil.copy(API_CSV, tmp_path / "in" / "b.csv")
    settings = Settings(neo4j_uri=None, home=tmp_path / "state", conflict_spill_mb=0)
    report = ingest_paths(None, settings, [tmp_path / "in"], dry_run=True)
    assert not report.failed and report.records > 0
    assert not any((tmp_path / "state" / "ingest-work").iterdir())
