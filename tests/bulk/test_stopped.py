"""`mastgraph build` stopped by a lost Neo4j or Ctrl-C: one line saying what the database holds."""

from __future__ import annotations

import logging

import neo4j
import pytest
from typer.testing import CliRunner

from mastgraph.cli import build as build_cli
from mastgraph.cli.main import app
from mastgraph.graph import db


def _stopping_at(phase: str, exc: BaseException):
    def build(settings, paths, options, progress):
        for name in ("prepare", "parse", "csv", "derive", "import", "index", "residuals"):
            progress.start(name, None)
            if name == phase:
                raise exc
    return build


@pytest.mark.parametrize("phase, exc, code, expected", [
    ("prepare", neo4j.exceptions.ServiceUnavailable("Couldn't connect"), 1,
     "error: Neo4j at {uri} stopped answering during the build's prepare phase, before the import: nothing was "
     "written; run the same command again"),
    ("index", db.ConnectionLost("Neo4j at x stopped answering"), 1,
     "error: Neo4j at {uri} stopped answering during the build's index phase, after the import began: the "
     "database holds an unfinished graph; run the same command again with --force to build it anew "
     "(`mastgraph server start` first if the server is stopped)"),
    ("parse", KeyboardInterrupt(), 130,
     "error: interrupted during the build's parse phase, before the import: nothing was written; run the same "
     "command again"),
    # the derivations run before the import (pipeline.derive_tables): nothing is written yet
    ("derive", KeyboardInterrupt(), 130,
     "error: interrupted during the build's derive phase, before the import: nothing was written; run the same "
     "command again"),
])
def test_build_stopped_is_one_line(monkeypatch, tmp_path, phase, exc, code, expected):
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path))
    monkeypatch.setenv("MASTGRAPH_BOLT_PORT", "7999")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setattr(build_cli, "build", _stopping_at(phase, exc))
    result = CliRunner().invoke(app, ["build", str(tmp_path)])
    assert result.exit_code == code
    assert result.stderr.strip() == expected.format(uri="bolt://127.0.0.1:7999")
    assert "Traceback" not in result.stdout + result.stderr
    # the driver's log goes to the state folder, not to the console
    files = [h.baseFilename for h in logging.getLogger("neo4j").handlers if isinstance(h, logging.FileHandler)]
    assert files == [str(tmp_path / "logs" / "neo4j-driver.log")]
