"""Neo4j unreachable: the read commands end in one line naming the server, exit 1, no traceback
and no driver log on the console (it goes to the state folder's file)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mastgraph.graph.server import free_port


@pytest.mark.parametrize("command", [
    ("cypher", "-e", "MATCH (n) RETURN count(n)"),
    ("audit",),
    ("prov", "mast:JWST/product/jw02733001001_02101_00001_nrcb1_cal.fits"),
])
def test_a_read_command_without_neo4j_is_one_line(tmp_path, command):
    uri = f"bolt://127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MASTGRAPH_"))}
    env.update(NEO4J_URI=uri, MASTGRAPH_HOME=str(tmp_path), COLUMNS="300")
    done = subprocess.run([sys.executable, "-m", "mastgraph.cli", *command], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: Neo4j at {uri} is not reachable (")
    assert "Traceback" not in done.stdout + done.stderr
