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
    local.stop()  # (init, ingest and demo start it the same way)
    out, _ = _started_by(["init"], local)
    assert out.startswith("schema applied: ") and out.count("\n") == 1


def _browser_link(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [*args])
    return result.exit_code, result.stdout, result.stderr


def test_the_browser_link_names_the_port_the_server_was_started_with(tmp_path: Path, monkeypatch) -> None:
    """A later command without the MASTGRAPH_HTTP_PORT the server was started with linked to 7474 (the
    default: another Neo4j's, or nothing); a server running without HTTP (the default port taken at its
    start, or 0) got a link to 7474 too. `server status` reads the port from the pid file; so do they."""
    from mastgraph.graph.server import LocalNeo4j, free_port
    from mastgraph.graph.settings import Settings

    http = free_port()
    settings = Settings(neo4j_uri=None, home=tmp_path / "state", bolt_port=free_port(), http_port=http,
                        heap="512m", pagecache="128m")
    local = LocalNeo4j(settings)
    local.start()
    try:
        for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "MASTGRAPH_HTTP_PORT"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("MASTGRAPH_HOME", str(settings.home))
        monkeypatch.setenv("MASTGRAPH_BOLT_PORT", str(settings.bolt_port))
        code, out, err = _browser_link(["browser", "--no-open"])
        assert (code, err) == (0, "")
        assert out == f"http://127.0.0.1:{http}/browser/?connectURL={settings.uri}&preselectAuthMethod=NO_AUTH\n"
        code, out, err = _browser_link(["cypher", "-e", "RETURN 1", "--browser"])
        assert code == 0 and out.startswith(f"http://127.0.0.1:{http}/browser/?") and "cmd=edit" in out
    finally:
        local.stop()
    # (another Bolt port: the first one may linger a moment after the stop)
    without = Settings(neo4j_uri=None, home=settings.home, bolt_port=free_port(), http_port=0, heap="512m",
                       pagecache="128m")
    monkeypatch.setenv("MASTGRAPH_BOLT_PORT", str(without.bolt_port))
    local = LocalNeo4j(without)
    local.start()
    try:
        for args in (["browser", "--no-open"], ["cypher", "-e", "RETURN 1", "--browser"]):
            code, out, err = _browser_link(args)
            assert (code, out) == (1, "")
            assert err == ("error: no Neo4j Browser: the local server was started without HTTP (port 7474 was in use, "
                           "or MASTGRAPH_HTTP_PORT was 0); stop it and start it again with MASTGRAPH_HTTP_PORT set "
                           "to a free port\n")
    finally:
        local.stop()
