"""The bulk build walks the files `mastgraph ingest` would load, in the same order."""

from __future__ import annotations

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


def test_tasks_are_runs_of_consecutive_files():
    count, on_disk, estimated = survey([REAL])
    tasks = list(file_tasks([REAL], estimated, 4))
    indexes = [index for task in tasks for index, _ in task]
    assert indexes == list(range(count)) and len(tasks) > 1
    assert [path for task in tasks for _, path in task] == [str(p) for p in registry.expand([REAL])]
    assert on_disk >= estimated > 0
