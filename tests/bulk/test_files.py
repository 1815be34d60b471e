"""The bulk build walks the files `mastgraph ingest` would load, in the same order."""

from __future__ import annotations

import os
from pathlib import Path

from mastgraph.pipeline.bulk_files import file_tasks, iter_files, survey
from mastgraph.loaders import registry

from .conftest import REAL


def test_the_walk_follows_the_registry_s_rules(tmp_path):
    """Folders sorted and walked once, hidden entries, docs/ folders and documentation left out, a
    link back up the tree followed once, a file given or inside a folder given before counted once."""
    (tmp_path / "b" / "docs").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b/2.csv", "b/1.csv", "b/docs/x.csv", "b/README.md", "a/z.json", ".hidden/h.csv", "top.csv",
                 "b/.dot.csv"):
        (tmp_path / name).write_text("x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    cases = [
        ([tmp_path], ["a/z.json", "b/1.csv", "b/2.csv", "top.csv"]),
        ([tmp_path / "b", tmp_path], ["b/1.csv", "b/2.csv", "a/z.json", "top.csv"]),
        ([tmp_path / "top.csv", tmp_path, tmp_path / "b" / "1.csv"], ["top.csv", "a/z.json", "b/1.csv", "b/2.csv"]),
        ([tmp_path / "b" / "1.csv", tmp_path / "b"], ["b/1.csv", "b/2.csv"]),
        ([tmp_path / "a", tmp_path / "b", str(tmp_path / "a")], ["a/z.json", "b/1.csv", "b/2.csv"]),
    ]
    for paths, expected in cases:
        walked = list(iter_files(paths))
        assert [p.relative_to(tmp_path).as_posix() for p in walked] == expected, paths
        assert registry.expand(paths) == walked, paths
    assert list(iter_files([REAL, tmp_path / "a", REAL]))[-1] == tmp_path / "a" / "z.json"


def test_the_walk_spells_paths_as_pathlib_does_and_sizes_them(tmp_path, monkeypatch):
    """The walk (one `os.scandir` a folder) gives the texts `Path` would (the entries of "." by their
    names alone), leaves out a link to nothing and a link to itself as `Path.is_file` does, and
    sizes each file as `os.stat` does."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.csv").write_text("12345")
    (tmp_path / "a.csv").write_text("1")
    (tmp_path / "dangling.csv").symlink_to(tmp_path / "absent.csv")
    (tmp_path / "self.csv").symlink_to(tmp_path / "self.csv")
    (tmp_path / "alias.csv").symlink_to(tmp_path / "a.csv")
    monkeypatch.chdir(tmp_path)
    for given in (".", "./", str(tmp_path), f"{tmp_path}/sub/..", "sub"):
        pathlib_way = [str(p) for p in _pathlib_walk(Path(given))]
        walked = [str(p) for p in iter_files([given])]
        assert walked == pathlib_way and registry.expand([given]) == list(iter_files([given])), given
        assert list(registry.iter_file_sizes([given])) == [(text, os.stat(text).st_size) for text in walked]
    assert [str(p) for p in iter_files(["."])] == ["a.csv", "alias.csv", "sub/b.csv"]


def _pathlib_walk(folder):
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.is_dir():
            yield from _pathlib_walk(entry)
        elif entry.is_file():
            yield entry


def test_tasks_are_runs_of_consecutive_files():
    count, on_disk, estimated = survey([REAL])
    tasks = list(file_tasks([REAL], estimated, 4))
    indexes = [index for task in tasks for index, _ in task]
    assert indexes == list(range(count)) and len(tasks) > 1
    assert [path for task in tasks for _, path in task] == [str(p) for p in registry.expand([REAL])]
    assert on_disk >= estimated > 0


def test_partitions_are_a_multiple_of_the_workers():
    """About PARTITION_INPUT_BYTES of input each, rounded up to a multiple of the workers that merge
    them (no worker left idle through the last partition's merge), at most MAX_PARTITIONS."""
    from mastgraph.pipeline.bulk import MAX_PARTITIONS, PARTITION_INPUT_BYTES, choose_partitions

    size = PARTITION_INPUT_BYTES
    assert [choose_partitions(estimated, 1) for estimated in (0, 1, size, size + 1, 3 * size)] == [1, 1, 1, 2, 3]
    assert [choose_partitions(estimated, 2) for estimated in (0, size, size + 1, 3 * size, 3 * size + 1)] == \
        [2, 2, 2, 4, 4]
    assert choose_partitions(5 * size, 3) == 6
    assert choose_partitions(10 * MAX_PARTITIONS * size, 2) == MAX_PARTITIONS
