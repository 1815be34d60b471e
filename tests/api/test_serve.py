"""`mastgraph serve`: uvicorn serves the API on the port asked, against NEO4J_URI."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from mastgraph.graph.server import free_port


def test_serve_answers_over_http(neo4j_settings, sample_graph, tmp_path):
    port = free_port()
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri, "MASTGRAPH_HOME": str(tmp_path), "MASTGRAPH_API_TOKEN": ""}
    if neo4j_settings.neo4j_password:
        env.update(NEO4J_USER=neo4j_settings.neo4j_user, NEO4J_PASSWORD=neo4j_settings.neo4j_password)
    proc = subprocess.Popen([sys.executable, "-m", "mastgraph.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "not ready within 60 s"
            time.sleep(0.3)
        assert httpx.get(base + "/healthz").json() == {"status": "ok"}
        response = httpx.post(base + "/graphql", json={"query": '{ product(uri: "%s") { level } }' % sample_graph.l3})
        assert response.json() == {"data": {"product": {"level": "3"}}}
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode in (0, -15), output
    assert "GraphQL: http://127.0.0.1" in output
