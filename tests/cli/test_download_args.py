"""`mastgraph download-list` names its own options in an argument's error (not GraphQL's
`levels` / `productTypes`), with the usage exit code, before connecting."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mastgraph.cli.main import app


@pytest.mark.parametrize(("args", "said"), [
    (["x", "--level", "9"], "error: --level: '9' is not a product level"),
    (["x", "--product-type", " "], "error: --product-type: an empty value matches nothing"),
    (["x", "--suffix", ""], "error: --suffix: an empty value matches nothing"),
    ([" "], "error: ID: give a product URI"),
])
def test_a_bad_argument_is_named_as_the_command_names_it(monkeypatch, tmp_path, args, said):
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    result = CliRunner().invoke(app, ["download-list", *args])
    assert result.exit_code == 2 and result.output.startswith(said), result.output
