"""`mastgraph server logs --lines N` shows the last N lines; N below 1 is refused (0 showed the whole
log and -2 all of it but its first two lines). Reads the log file only: no server is started."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mastgraph.cli.main import app


@pytest.fixture
def home(monkeypatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path))
    log = tmp_path / "neo4j" / "logs" / "console.log"
    log.parent.mkdir(parents=True)
    log.write_text("".join(f"line {n}\n" for n in range(1, 101)))
    return tmp_path


def test_the_last_lines(home: Path) -> None:
    result = CliRunner().invoke(app, ["server", "logs", "--lines", "2"])
    assert (result.exit_code, result.output) == (0, "line 99\nline 100\n")


@pytest.mark.parametrize("lines", ["0", "-2"])
def test_fewer_than_one_line_is_refused(home: Path, lines: str) -> None:
    result = CliRunner().invoke(app, ["server", "logs", "--lines", lines])
    assert result.exit_code == 2 and "line 1\n" not in result.output
