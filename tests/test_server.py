"""The local Neo4j manager against a real server: start/stop/status, refusals, the Java checks."""

from __future__ import annotations

import fcntl
import os
import socket
import re
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from mastgraph.graph import db
from mastgraph.graph.server import ENTRY_POINT, LocalNeo4j, ServerError, _alive, find_java, free_port
from mastgraph.graph.settings import NEO4J_VERSION, Settings
from mastgraph.model.errors import first_line

from .conftest import count


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mastgraph.cli", *args], capture_output=True, text=True, env=env, timeout=300)


def test_schema_bootstrap_twice_changes_nothing(graph, neo4j_settings):
    before = db.schema_names(graph, neo4j_settings.neo4j_database)
    db.bootstrap(graph, neo4j_settings.neo4j_database)
    db.bootstrap(graph, neo4j_settings.neo4j_database)
    after = db.schema_names(graph, neo4j_settings.neo4j_database)
    assert before == after
    assert {"product_key", "observation_key", "association_key"} <= after[0]


def test_schema_steps_are_the_whole_schema_indexes_first():
    """`db.schema_steps`: every statement of cypher/schema.cypher once, the indexes (one transaction)
    before the constraints; no index is on a label and property a key constraint's own index
    covers (created first, it would make that constraint fail: "an index already exists")."""
    indexes, constraints = db.schema_steps()
    assert sorted(indexes + constraints) == sorted(db.schema_statements())
    assert constraints and all(stmt.startswith("CREATE CONSTRAINT") for stmt in constraints)
    assert indexes and all(stmt.startswith("CREATE INDEX") for stmt in indexes)
    schema = re.compile(r"FOR \(n:(\w+)\) (?:ON \(|REQUIRE )n\.(\w+)")
    keyed = {schema.search(stmt).groups() for stmt in constraints}
    single = {schema.search(stmt).groups() for stmt in indexes if stmt.count("n.") == 1}
    assert len(keyed) == len(constraints) and not keyed & single


def test_an_ingest_applies_the_schema_the_database_lacks(graph, neo4j_settings, tmp_path):
    """A caller of `ingest_paths` (not the CLI, which applies it too) into a database without part
    of the schema: it is applied before the first write, so the load's MERGEs and lookups are
    served by indexes (without `product_key` each MERGE of a Product scans every node)."""
    from mastgraph.pipeline.ingest import ingest_paths

    from .graph.test_ingest import EXP, row, write_listing

    database = neo4j_settings.neo4j_database
    graph.execute_query("DROP CONSTRAINT product_key")
    graph.execute_query("DROP INDEX product_stem")
    try:
        constraints, indexes = db.schema_names(graph, database)
        assert "product_key" not in constraints and "product_stem" not in indexes
        path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits")])
        report = ingest_paths(graph, neo4j_settings, [path])
        assert not report.failed
        constraints, indexes = db.schema_names(graph, database)
        assert "product_key" in constraints and "product_stem" in indexes
        uri = f"mast:JWST/product/{EXP}_rate.fits"
        assert count(graph, "MATCH (p:Product {uri: $uri}) RETURN count(p)", uri=uri) == 1
        assert db.ensure_schema(graph, database) is False  # all in place: nothing to apply
    finally:
        db.bootstrap(graph, database)


def test_write_read_round_trip(graph):
    graph.execute_query("CREATE (:Product {uri: $uri, size: $size})", uri="mast:JWST/product/x_cal.fits", size=42)
    assert count(graph, "MATCH (p:Product {uri: $uri}) RETURN p.size", uri="mast:JWST/product/x_cal.fits") == 42


def test_local_server_start_status_stop(tmp_path, neo4j_settings):
    # A second server of its own: its own state folder and port, beside the test run's server.
    env = {**os.environ, "MASTGRAPH_HOME": str(tmp_path), "MASTGRAPH_BOLT_PORT": str(free_port()),
           "MASTGRAPH_HTTP_PORT": str(free_port()), "MASTGRAPH_NEO4J_HEAP": "512m", "MASTGRAPH_NEO4J_PAGECACHE": "64m"}
    env.pop("NEO4J_URI", None)
    started = _cli("server", "start", env=env)
    assert started.returncode == 0, started.stderr
    local = LocalNeo4j(Settings(home=tmp_path, bolt_port=int(env["MASTGRAPH_BOLT_PORT"])))
    pid = local.pid()
    try:
        assert pid is not None and _alive(pid)
        status = _cli("server", "status", env=env)
        assert status.returncode == 0
        assert f"bolt://127.0.0.1:{env['MASTGRAPH_BOLT_PORT']}" in status.stdout
        assert f"Neo4j {NEO4J_VERSION} community" in status.stdout
        bolt, http = env["MASTGRAPH_BOLT_PORT"], env["MASTGRAPH_HTTP_PORT"]
        assert (f"browser  http://127.0.0.1:{http}/browser/?connectURL=bolt://127.0.0.1:{bolt}"
                "&preselectAuthMethod=NO_AUTH") in status.stdout
        again = _cli("server", "start", env=env)
        assert again.returncode == 0 and "already running" in again.stdout
        # A second server on the same data folder (other port) is refused clearly.
        other = LocalNeo4j(Settings(home=tmp_path, bolt_port=free_port()))
        other.pid_file.rename(other.pid_file.with_suffix(".moved"))
        with pytest.raises(ServerError, match="is using the data folder"):
            other.start()
        other.pid_file.with_suffix(".moved").rename(other.pid_file)
    finally:
        stopped = _cli("server", "stop", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert not _alive(pid), "java process left behind"
    assert _cli("server", "status", env=env).returncode == 3


def test_stale_pid_file_is_handled(tmp_path):
    local = LocalNeo4j(Settings(home=tmp_path, bolt_port=free_port()))
    local.run_dir.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    local.pid_file.write_text(f"{dead.pid} 7687\n")
    assert local.pid() is None
    assert not local.pid_file.exists()
    assert local.stop() == "Neo4j is not running"


def test_missing_java_gives_one_clear_line(tmp_path):
    env = {"PATH": str(tmp_path), "MASTGRAPH_HOME": str(tmp_path), "MASTGRAPH_JVM_ROOTS": str(tmp_path / "none"),
           "MASTGRAPH_BOLT_PORT": str(free_port()), "HOME": os.environ.get("HOME", "/root")}
    proc = subprocess.run([sys.executable, "-m", "mastgraph.cli", "server", "start"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "no Java found" in lines[0] and "NEO4J_URI" in lines[0] and "docker compose up" in lines[0]


def test_unsupported_java_is_refused(tmp_path):
    fake = tmp_path / "jdk25" / "bin"
    fake.mkdir(parents=True)
    (fake / "java").write_text('#!/bin/sh\necho \'openjdk version "25.0.1" 2025-10-21\' >&2\n')
    (fake / "java").chmod(0o755)
    with pytest.raises(ServerError, match="Java 25 .* supports Java 17 and 21 only"):
        find_java({"JAVA_HOME": str(tmp_path / "jdk25"), "PATH": ""})


def test_a_path_with_a_line_break_stays_on_the_first_line(tmp_path):
    # (the CLI shows a server error's first line: the message's own line breaks carry a log tail)
    home = tmp_path / "jdk\nhome"
    home.mkdir()
    with pytest.raises(ServerError) as caught:
        find_java({"JAVA_HOME": str(home), "PATH": ""})
    assert first_line(caught.value) == str(caught.value)
    assert f"JAVA_HOME={tmp_path}/jdk\\nhome has no bin/java;" in first_line(caught.value)


def test_jdk17_found_under_jvm_root():
    roots = Path("/usr/lib/jvm")
    java = find_java({"PATH": ""}, jvm_roots=(roots,))
    assert java.major in (17, 21)


def _sleeper(*args: str) -> subprocess.Popen:
    """A live process that is not this state folder's server (`args` shape its command line)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *args])
    deadline = time.monotonic() + 10
    while "time.sleep(60)" not in Path(f"/proc/{process.pid}/cmdline").read_bytes().decode():  # (exec'd)
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return process


@pytest.mark.parametrize("other", [(), (ENTRY_POINT, "--home-dir=/elsewhere/neo4j")],
                         ids=["an unrelated process", "the Neo4j of another state folder"])
def test_a_pid_file_naming_a_live_process_not_this_server_is_stale(tmp_path, other):
    """The pid of a server that died, given since to another process: `stop` must not signal it. The
    Neo4j of another state folder counted as this one's (its entry point was all that was looked at),
    so `server stop` stopped it."""
    local = LocalNeo4j(Settings(home=tmp_path, bolt_port=free_port()))
    local.run_dir.mkdir(parents=True)
    process = _sleeper(*other)
    try:
        local.pid_file.write_text(f"{process.pid} 7687 0\n")
        assert local.stop(timeout=1) == "Neo4j is not running"
        assert not local.pid_file.exists()
        assert process.poll() is None, "stop signalled a process that is not its server"
    finally:
        process.kill()
        process.wait()


def test_a_pid_file_naming_this_state_folders_server_is_kept(tmp_path):
    local = LocalNeo4j(Settings(home=tmp_path, bolt_port=free_port()))
    local.run_dir.mkdir(parents=True)
    process = _sleeper(ENTRY_POINT, f"--home-dir={local.home}")
    try:
        local.pid_file.write_text(f"{process.pid} 7687 0\n")
        assert local.pid() == process.pid
    finally:
        process.kill()
        process.wait()


def test_a_start_waits_for_a_start_under_way_then_finds_it_running(tmp_path, monkeypatch):
    """Two starts at once each wrote the pid file: the second's server failed on the store lock and
    removed the pid file, the first's server running on, unknown to `status` and `stop`. Now one start
    at a time: the second waits, then finds the first's server (never starts one of its own)."""
    from mastgraph.graph import server

    local = LocalNeo4j(Settings(home=tmp_path, bolt_port=free_port(), http_port=0))
    local.run_dir.mkdir(parents=True)

    def refuse(*args, **kwargs):
        raise AssertionError("a second server was started")

    monkeypatch.setattr(server, "find_java", refuse)
    with open(local.run_dir / "start.lock", "a") as first:  # (the first start, under way)
        fcntl.flock(first, fcntl.LOCK_EX)
        with pytest.raises(ServerError, match=r"another mastgraph command has been starting the local server of "
                                              rf"{tmp_path} for over 1 s; let it finish"):
            local.start(timeout=1)
        process = _sleeper(ENTRY_POINT, f"--home-dir={local.home}")
        try:
            def finish() -> None:
                time.sleep(0.5)
                local.pid_file.write_text(f"{process.pid} {local.settings.bolt_port} 0\n")
                fcntl.flock(first, fcntl.LOCK_UN)

            finisher = threading.Thread(target=finish)
            finisher.start()
            assert local.start(timeout=30) == f"Neo4j is already running (pid {process.pid}) at {local.settings.uri}"
            finisher.join()
        finally:
            process.kill()
            process.wait()


def test_a_state_folder_that_cannot_be_written_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("not a folder\n")
    home = tmp_path / "a-file" / "home"
    env = {**os.environ, "MASTGRAPH_HOME": str(home), "MASTGRAPH_BOLT_PORT": str(free_port()), "MASTGRAPH_HTTP_PORT": "0"}
    env.pop("NEO4J_URI", None)
    proc = _cli("server", "start", env=env)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == (f"error: cannot write the state folder {home} (Not a directory: {home}/neo4j/run); "
                           "set MASTGRAPH_HOME to a folder that can be written\n")


def test_a_jar_cut_short_is_named_with_the_cure(tmp_path):
    """Java said only `Could not find or load main class org.neo4j.server.CommunityEntryPoint`, on every
    start: the cache had all its jars, so nothing fetched them again."""
    from mastgraph.graph.settings import APOC_VERSION

    local = LocalNeo4j(Settings(home=tmp_path / "home", jar_cache=tmp_path / "jars"))
    local.lib_dir.mkdir(parents=True)
    local.plugins_dir.mkdir()
    for jar in (local.lib_dir / f"neo4j-{NEO4J_VERSION}.jar", local.plugins_dir / f"apoc-core-{APOC_VERSION}.jar",
                local.browser_jar):
        with zipfile.ZipFile(jar, "w") as whole:
            whole.writestr("org/neo4j/Some.class", b"\xca\xfe\xba\xbe" * 1000)
    local.ensure_jars()  # (whole: nothing to do)
    cut = local.lib_dir / f"neo4j-{NEO4J_VERSION}.jar"
    cut.write_bytes(cut.read_bytes()[:1000])
    with pytest.raises(ServerError) as caught:
        local.ensure_jars()
    assert str(caught.value) == (f"the jar {cut} is damaged (not a whole jar file); remove the jar cache {local.jars} "
                                 "and run again to fetch the jars anew")


def test_status_of_a_server_that_does_not_answer_is_one_line(tmp_path):
    """(a start under way, or a stuck server: the driver's ServiceUnavailable was an unexpected failure)"""
    bolt = free_port()
    env = {**os.environ, "MASTGRAPH_HOME": str(tmp_path), "MASTGRAPH_BOLT_PORT": str(bolt), "MASTGRAPH_HTTP_PORT": "0"}
    env.pop("NEO4J_URI", None)
    local = LocalNeo4j(Settings(home=tmp_path, bolt_port=bolt))
    local.run_dir.mkdir(parents=True)
    process = _sleeper(ENTRY_POINT, f"--home-dir={local.home}")
    try:
        local.pid_file.write_text(f"{process.pid} {bolt} 0\n")
        began = time.monotonic()
        proc = _cli("server", "status", env=env)
        assert time.monotonic() - began < 20  # (the driver's retries took a minute)
    finally:
        process.kill()
        process.wait()
    assert proc.returncode == 1 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith(f"error: Neo4j (pid {process.pid}) runs but does not answer at bolt://127.0.0.1:{bolt}: "
                                  "still starting, or stuck (`mastgraph server logs` shows which); nothing listens "
                                  f"on port {bolt} yet\n"), proc.stderr


# -- a port another program takes between mastgraph's check that it is free and Neo4j's start

#: The lines Neo4j 5.26.31 logged when its Bolt, then its HTTP connector, found their port taken (recorded
#: from the real server, as the test below makes it happen; the stack frames left out).
BOLT_TAKEN = """\
2026-12-07 17:23:53.416+0000 ERROR Failed to start Neo4j on 127.0.0.1:47939.
java.lang.RuntimeException: Error starting Neo4j database server at /tmp/x/neo4j/data/databases
Caused by: org.neo4j.kernel.lifecycle.LifecycleException: Component 'org.neo4j.bolt.protocol.common.connector.netty.\
SocketNettyConnector@1f4d9c7f' was successfully initialized, but failed to start. Please see the attached cause \
exception "bind(..) failed with error(-98): Address already in use".
Caused by: org.neo4j.configuration.helpers.PortBindException: An error occurred while trying to bind to the socket \
/127.0.0.1:44913
Caused by: io.netty.channel.unix.Errors$NativeIoException: bind(..) failed with error(-98): Address already in use
2026-12-07 17:23:53.417+0000 INFO  Stopped.
"""
HTTP_TAKEN = """\
2026-12-07 17:25:37.325+0000 INFO  Bolt enabled on localhost:46631.
2026-12-07 17:25:38.908+0000 ERROR Failed to start Neo4j on 127.0.0.1:55279: Address 127.0.0.1:55279 is already in \
use, cannot bind to it.
Caused by: org.neo4j.configuration.helpers.PortBindException: Address 127.0.0.1:55279 is already in use, cannot bind \
to it.
2026-12-07 17:25:40.326+0000 INFO  Stopped.
"""


@pytest.mark.parametrize(("log", "port"), [
    (BOLT_TAKEN, 44913), (HTTP_TAKEN, 55279),
    (BOLT_TAKEN.replace("Address already in use", "Permission denied"), None),  # (a port below 1024: not taken)
    ("2026-12-07 17:25:40 ERROR Failed to start Neo4j: java.lang.OutOfMemoryError: Java heap space\n", None),
])
def test_the_port_a_start_found_taken_is_read_from_neo4js_log(log, port):
    from mastgraph.graph.server import port_taken

    assert port_taken(log) == port


@pytest.mark.parametrize(("given", "log", "expected"), [
    ({"bolt_port": 44913, "http_port": 55279}, BOLT_TAKEN,
     "port 44913 was taken by another program while Neo4j started (it was free just before): Bolt cannot listen "
     "there; set MASTGRAPH_BOLT_PORT to a free port, or run again once that program has let it go"),
    ({"bolt_port": 46631, "http_port": 55279}, HTTP_TAKEN,
     "port 55279 was taken by another program while Neo4j started (it was free just before): Neo4j Browser cannot "
     "listen there; set MASTGRAPH_HTTP_PORT to a free port (or 0 to run without Neo4j Browser)"),
    ({"bolt_port": 46631}, HTTP_TAKEN.replace("55279", "7474"),
     "port 7474 was taken by another program while Neo4j started (it was free just before): Neo4j Browser's default "
     "port; run again (with it in use the server starts without Neo4j Browser), or set MASTGRAPH_HTTP_PORT to a free "
     "port"),
], ids=["Bolt", "HTTP given", "HTTP by default"])
def test_a_port_taken_during_the_start_is_one_line_saying_what_to_do(tmp_path, given, log, expected):
    local = LocalNeo4j(Settings(home=tmp_path, **given))
    local.log_file.parent.mkdir(parents=True)
    local.log_file.write_text("an earlier start: PortBindException: Address 127.0.0.1:1 is already in use\n"
                              "--- mastgraph: starting Neo4j ---\n")
    since = local.log_file.stat().st_size  # (this start's lines begin here)
    with open(local.log_file, "a") as more:
        more.write(log)
    assert str(local._start_failure(1, since)) == expected  # (one line: no log tail)


@pytest.mark.parametrize("connector", ["bolt", "http"])
def test_a_port_taken_between_the_check_and_neo4js_start_is_told_apart(tmp_path, monkeypatch, connector):
    """A real start: the port is free when mastgraph checks it, then another program listens there
    before Neo4j binds it. Neo4j exits (Bolt) or would exit after answering on Bolt (HTTP: mastgraph said
    it had started, and the server was gone a second later); the start says which port in one line,
    leaves no server and no pid file, and a start on free ports then succeeds."""
    settings = Settings(home=tmp_path, bolt_port=free_port(), http_port=free_port(), heap="512m", pagecache="64m")
    port = settings.bolt_port if connector == "bolt" else settings.http_port
    squatter = socket.socket()
    real_write_conf = LocalNeo4j.write_conf

    def take_the_port(self):  # (after the check that it is free, before Neo4j starts)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        return real_write_conf(self)

    monkeypatch.setattr(LocalNeo4j, "write_conf", take_the_port)
    local = LocalNeo4j(settings)
    try:
        with pytest.raises(ServerError) as caught:
            local.start(timeout=240)
    finally:
        squatter.close()
    assert "\n" not in str(caught.value) and str(caught.value).startswith(
        f"port {port} was taken by another program while Neo4j started (it was free just before): "), caught.value
    assert local.pid() is None and not local.pid_file.exists() and _process_of(local) is None

    monkeypatch.setattr(LocalNeo4j, "write_conf", real_write_conf)
    again = LocalNeo4j(settings.model_copy(update={connector + "_port": free_port()}))
    assert "started" in again.start(timeout=240)
    assert again.stop().startswith("Neo4j stopped")


def _process_of(local: LocalNeo4j) -> int | None:
    from mastgraph.graph.server import _process_holding

    return _process_holding(local.data_dir)
