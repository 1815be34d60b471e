"""`mastgraph serve`: uvicorn serves the API on the port asked, against NEO4J_URI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import httpx

from mastgraph.graph.server import free_port


def _serve(env: dict[str, str], port: int, stderr: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mastgraph.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=stderr, text=True)


def _readyz(proc: subprocess.Popen, base: str, wanted: Callable[[httpx.Response], bool]) -> httpx.Response:
    """The first answer of /readyz that is `wanted`, within 60 s (the server still running)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = httpx.get(base + "/readyz", timeout=5)
            if wanted(answer):
                return answer
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no wanted answer from /readyz within 60 s"
        time.sleep(0.3)


def test_serve_answers_over_http(neo4j_settings, sample_graph, tmp_path):
    port = free_port()
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri, "MASTGRAPH_HOME": str(tmp_path), "MASTGRAPH_API_TOKEN": ""}
    if neo4j_settings.neo4j_password:
        env.update(NEO4J_USER=neo4j_settings.neo4j_user, NEO4J_PASSWORD=neo4j_settings.neo4j_password)
    proc = _serve(env, port, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _readyz(proc, base, lambda answer: answer.status_code == 200)
        assert httpx.get(base + "/healthz").json() == {"status": "ok"}
        response = httpx.post(base + "/graphql", json={"query": '{ product(uri: "%s") { level } }' % sample_graph.l3})
        assert response.json() == {"data": {"product": {"level": "3"}}}
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode in (0, -15), output
    assert "GraphQL: http://127.0.0.1" in output
    assert f"Neo4j at {neo4j_settings.uri} answers; schema bootstrapped" in output
    assert "Traceback" not in output and "waiting for Neo4j" not in output


def _unreachable_env(tmp_path) -> tuple[dict[str, str], str]:
    """NEO4J_URI at a port nothing listens on."""
    uri = f"bolt://127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MASTGRAPH_"))}
    env.update(NEO4J_URI=uri, MASTGRAPH_HOME=str(tmp_path / "state"), MASTGRAPH_API_TOKEN="", COLUMNS="300")
    return env, uri


def test_serve_waiting_for_neo4j_says_so_in_one_line(tmp_path):
    """Neo4j unreachable at start-up: the API starts, /readyz answers 503, and the console says it
    waits in one line (no traceback, no driver log: that goes to the state folder's file)."""
    env, uri = _unreachable_env(tmp_path)
    port = free_port()
    proc = _serve(env, port, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        ready = _readyz(proc, base, lambda answer: True)
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        time.sleep(3)  # a retry or two of the bootstrap
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert "Traceback" not in out + err
    waiting = [line for line in err.splitlines() if "Neo4j" in line]
    assert len(waiting) == 1, err
    assert waiting[0].startswith(f"WARNING:  waiting for Neo4j at {uri}: ")
    assert waiting[0].endswith("; retrying every 2 s (/readyz answers 503 meanwhile)")
    assert "neo4j" not in err.replace(uri, "").replace("Neo4j", "").lower(), err  # no driver log lines


def test_serve_on_a_taken_address_ends_in_one_line(tmp_path):
    import socket

    env, _ = _unreachable_env(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "mastgraph.cli", "serve", "--port", str(port)], env=env,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: cannot serve on http://127.0.0.1:{port}/: Address already in use"]
    assert "Traceback" not in done.stdout
