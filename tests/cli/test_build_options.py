"""`mastgraph build` refuses a negative --workers before it parses anything (it ended after the parse
with "a bulk worker failed (ZeroDivisionError: integer modulo by zero)")."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mastgraph.cli.main import app


def test_negative_workers_is_a_usage_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(app, ["build", "--dry-run", "--workers", "-3", str(tmp_path / "in")])
    assert result.exit_code == 2, result.output
    assert "--workers" in result.output and not (tmp_path / "home" / "bulk-work").exists()
