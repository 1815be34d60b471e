"""`mastgraph server start|stop --timeout` below one second is refused before anything is done: a
stop's 0 or -1 sent SIGKILL right after SIGTERM (no clean shutdown), a start's started Java only to
give up at once. No server is started or stopped here (both are replaced by stubs)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mastgraph.cli.main import app
from mastgraph.graph import server


@pytest.fixture(autouse=True)
def no_server(monkeypatch, tmp_path):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path))

    def refuse(*args, **kwargs):
        raise AssertionError("the command went ahead")

    monkeypatch.setattr(server.LocalNeo4j, "start", refuse)
    monkeypatch.setattr(server.LocalNeo4j, "stop", refuse)


@pytest.mark.parametrize("command", ["start", "stop"])
@pytest.mark.parametrize("timeout", ["0", "-1"])
def test_a_timeout_below_a_second_is_refused(command, timeout):
    result = CliRunner().invoke(app, ["server", command, "--timeout", timeout])
    assert result.exit_code == 2 and "--timeout" in result.output, result.output
