"""`serve` and `demo` refuse a port outside 1-65535 before anything starts (uvicorn's bind
raised OverflowError with its traceback for 99999; -1 was a resolver message)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mastgraph.cli.main import app


@pytest.mark.parametrize("command", ["serve", "demo"])
@pytest.mark.parametrize("port", ["99999", "-1", "0"])
def test_a_port_out_of_range_is_a_usage_error(monkeypatch, tmp_path, command, port):
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # (nothing local is started either way)
    result = CliRunner().invoke(app, [command, "--port", port])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "--port" in result.output
