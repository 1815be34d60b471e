"""A sample whose writing stopped half-way (Ctrl-C) is replaced by the next run into its folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mastgraph.sample.generator import INCOMPLETE, OutputNotEmpty, generate


def _stop_after_first_program(products: int, expected: int | None, label: str) -> None:
    raise KeyboardInterrupt


def test_a_stopped_sample_is_replaced_by_the_next_run(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    with pytest.raises(KeyboardInterrupt):
        generate(out, "demo", fits=False, progress=_stop_after_first_program)
    assert not (out / "manifest.json").exists() and (out / INCOMPLETE).is_file() and any((out / "programs").iterdir())
    manifest = generate(out, "demo", fits=False)
    assert not (out / INCOMPLETE).exists()
    assert json.loads((out / "manifest.json").read_text())["counts"]["products"] == manifest.products
    fresh = tmp_path / "fresh"
    generate(fresh, "demo", fits=False)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == sorted(p.relative_to(fresh) for p in fresh.rglob("*"))


def test_a_foreign_folder_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputNotEmpty):
        generate(tmp_path, "demo", fits=False)
