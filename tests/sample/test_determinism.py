"""Same seed, same bytes; another seed, another archive; a previous sample is replaced whole."""

from __future__ import annotations

from pathlib import Path

from mastgraph.sample.generator import generate

from .formats import tree


def test_same_seed_gives_byte_identical_files(demo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, "demo")
    first, second = tree(demo), tree(again)
    assert list(first) == list(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_another_seed_changes_the_archive(demo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate(other, "demo", seed=7)
    first, second = tree(demo), tree(other)
    assert set(first) != set(second) or any(first[k] != second[k] for k in first)


def test_regenerating_into_a_sample_folder_leaves_no_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    generate(out, "demo", seed=3, fits=True)
    generate(out, "demo", seed=4, fits=False)
    fresh = tmp_path / "fresh"
    generate(fresh, "demo", seed=4, fits=False)
    assert tree(out) == tree(fresh)
    assert not list(out.rglob("*.fits"))
