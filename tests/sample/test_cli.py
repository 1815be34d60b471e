"""`mastgraph sample generate` writes a sample and summarises it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mastgraph.cli.main import app


def test_generate_writes_the_demo_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["sample", "generate", "--scale", "demo", "--out", str(out), "--no-fits"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].strip().startswith("sample demo")  # (the title; no blank line above it)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["fits"] is False and not list(out.rglob("*.fits"))
    assert "products" in result.output and f"{manifest['counts']['products']:,}" in result.output


def test_generate_refuses_an_unknown_scale_and_a_foreign_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sample", "generate", "--scale", "XXL", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and not (tmp_path / "x").exists()
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(app, ["sample", "generate", "--out", str(tmp_path)])
    assert result.exit_code == 1 and (tmp_path / "notes.txt").read_text() == "mine"


def test_generate_refuses_an_empty_out(tmp_path: Path, monkeypatch) -> None:
    """`--out "$DIR"` with DIR unset is no folder: refused as a usage error, not the current folder (where
    an empty one got the sample)."""
    monkeypatch.chdir(tmp_path)
    for empty in ("", "  "):
        result = CliRunner().invoke(app, ["sample", "generate", "--out", empty])
        assert result.exit_code == 2 and "--out" in result.output and "empty" in result.output, result.output
    assert not list(tmp_path.iterdir())
