"""`mastgraph build` refuses a negative --workers before it parses anything (it ended after the parse
with "a bulk worker failed (ZeroDivisionError: integer modulo by zero)"), and one above MAX_WORKERS
(100000 would have started that many processes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mastgraph.cli.main import app
from mastgraph.graph.settings import MAX_WORKERS


@pytest.mark.parametrize("workers", ["-3", str(MAX_WORKERS + 1), "100000"])
def test_workers_out_of_range_is_a_usage_error(monkeypatch, tmp_path: Path, workers: str) -> None:
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(app, ["build", "--dry-run", "--workers", workers, str(tmp_path / "in")])
    assert result.exit_code == 2, result.output
    assert "--workers" in result.output and not (tmp_path / "home" / "bulk-work").exists()


def test_the_most_workers_are_taken(monkeypatch, tmp_path: Path) -> None:
    """MAX_WORKERS itself passes the option (the empty folder then stops the build: nothing to load)."""
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(app, ["build", "--dry-run", "--workers", str(MAX_WORKERS), str(tmp_path / "in")])
    assert result.exit_code == 1 and "--workers" not in result.output, result.output
