"""A read command that has to start the local Neo4j first says so on stderr: its stdout stays its
answer alone, so `mastgraph cypher ... -f json > rows.json` or `mastgraph download-list ... > uris.txt`
writes the same file whether Neo4j was running or not (the line "Neo4j ... started in ..." went into it).

The test starts a local Neo4j of its own, stops it, and runs each command with NEO4J_URI unset and the
state folder of that server, so the command starts it as a user's command does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mastgraph.cli.main import app
from mastgraph.graph import db

from ..conftest import own_neo4j

URI = "mast:JWST/product/jw02733002001_02103_00001_mirimage_cal.fits"


@pytest.fixture
def stopped_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A local Neo4j holding one product, stopped; the environment of a user who runs it (no NEO4J_URI)."""
    with own_neo4j(tmp_path / "state") as (settings, local):
        with db.connect(settings) as drv:
            drv.execute_query("CREATE (:Product {uri: $uri, filename: $name, level: '2b'})",
                              uri=URI, name=URI.rsplit("/", 1)[-1], database_=settings.neo4j_database)
        for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("MASTGRAPH_HOME", str(settings.home))
        monkeypatch.setenv("MASTGRAPH_BOLT_PORT", str(settings.bolt_port))
        monkeypatch.setenv("MASTGRAPH_HTTP_PORT", "0")
        monkeypatch.setenv("MASTGRAPH_NEO4J_HEAP", settings.heap)
        monkeypatch.setenv("MASTGRAPH_NEO4J_PAGECACHE", settings.pagecache)
        local.stop()
        yield local  # (own_neo4j stops the server the commands started)


def _started_by(args: list[str], local) -> tuple[str, str]:
    assert not local.running()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert local.running()
    assert "started in" in result.stderr and "started in" not in result.stdout
    return result.stdout, result.stderr


def test_cypher_and_download_list_print_only_their_answer_when_they_start_neo4j(stopped_server):
    local = stopped_server
    out, _ = _started_by(["cypher", "-e", "MATCH (p:Product) RETURN p.uri AS uri", "-f", "json"], local)
    assert json.loads(out) == [{"uri": URI}]
    local.stop()
    out, _ = _started_by(["download-list", URI, "--all"], local)
    assert out == URI + "\n"
