"""`mastgraph build` refuses an importer memory option its JVM would refuse, before the parse (the
importer started only after the parse, the CSV and the local server's stop)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mastgraph.cli.main import app


@pytest.mark.parametrize("option", [["--importer-heap", "lots"], ["--importer-heap", "2 GB"],
                                    ["--importer-memory", "lots"], ["--importer-memory", "4 gigs"]])
def test_a_bad_importer_memory_option_is_refused_first(monkeypatch, tmp_path: Path, option) -> None:
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    result = CliRunner().invoke(app, ["build", "--dry-run", *option, str(tmp_path)])
    assert result.exit_code == 2 and option[0] in result.output, result.output
    assert not (tmp_path / "home" / "bulk-work").exists()
