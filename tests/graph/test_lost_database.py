"""Neo4j killed (SIGKILL) in the middle of `mastgraph ingest`: one line, a non-zero exit, no
traceback nor driver log on the console; once Neo4j is back the same command finishes, and the
graph is the one a clean load makes.

The test starts a local Neo4j of its own (not the session's), and runs the real command in a
process of its own, whose driver retries for 2 s instead of its default 30 s before giving up.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from mastgraph.graph import db
from mastgraph.pipeline.ingest import ingest_paths
from mastgraph.graph.settings import Settings

from ..bulk.conftest import canonical_dump
from ..conftest import own_neo4j

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real"
#: Many small real files (listings, associations, pools): many transactions.
FILES = [REAL / "listings", REAL / "asn", REAL / "pools"]
#: The command, with the driver's retries shortened (the driver gives up after 30 s by default).
COMMAND = ("import sys; from mastgraph.graph import db; "
           "db._DRIVER_OPTIONS['max_transaction_retry_time'] = 2.0; "
           "from mastgraph.cli.main import app; sys.argv[0] = 'mastgraph'; app()")
LOST = re.compile(
    r"^error: Neo4j at bolt://127\.0\.0\.1:\d+ stopped answering while loading (?P<file>\S+); "
    r"(?P<loaded>\d+) files? (?:was|were) loaded, "
    r"(?:nothing of (?P=file)(?: \(nor of the \d+ other files of its transaction\))? was written"
    # a file over the transaction budget, written in parts (`pipeline.ingest._write_in_parts`):
    r"|\d+ of the \d+ parts of (?P=file) were written"
    r"(?:, (?P<part_unknown>whether part \d+ was is unknown \(its commit got no answer\)))?"
    # killed the moment a commit landed, before its answer reached the client:
    r"|(?P<unknown>whether (?P=file)(?: \(nor of the \d+ other files of its transaction\))? was written is unknown "
    r"\(its commit got no answer\))); start it with `mastgraph server start` \(`mastgraph server logs` tells why it "
    r"stopped\), then run the same command again to finish$")


def _ingest(settings: Settings, batch_size: int = 5000) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MASTGRAPH_"))}
    env.update(MASTGRAPH_HOME=str(settings.home), MASTGRAPH_BOLT_PORT=str(settings.bolt_port),
               MASTGRAPH_BATCH_SIZE=str(batch_size), COLUMNS="200")
    return subprocess.Popen([sys.executable, "-c", COMMAND, "ingest", *map(str, FILES)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _nodes(drv) -> int:
    try:
        return drv.execute_query("MATCH (n) RETURN count(n) AS n", routing_="r")[0][0]["n"]
    except db.CONNECTION_LOST:
        return 0


def test_neo4j_killed_during_an_ingest_then_the_same_command_finishes(graph, neo4j_settings, tmp_path):
    with own_neo4j(tmp_path / "state") as (settings, local):
        with db.connect(settings) as drv:
            command = _ingest(settings, batch_size=1)  # 10 records a transaction: many transactions
            while _nodes(drv) == 0 and command.poll() is None:
                time.sleep(0.05)
            assert command.poll() is None, "the ingest ended before Neo4j could be killed"
            os.killpg(local.pid(), signal.SIGKILL)  # the server and its process group, no shutdown
        out, err = command.communicate(timeout=120)
        assert command.returncode == 1
        lines = err.strip().splitlines()
        assert len(lines) == 1 and LOST.match(lines[0]), err
        assert "Traceback" not in out + err and "WARNING" not in out + err
        lost = LOST.match(lines[0])
        loaded = int(lost["loaded"])
        # nodes were seen before the kill: a commit landed (counted, or the one whose answer was lost)
        assert 1 <= loaded + bool(lost["unknown"] or lost["part_unknown"]) or "parts of" in lines[0]
        assert loaded < sum(len(list(folder.rglob("*.*"))) for folder in FILES)

        local.start()  # recovers from its transaction log
        again = _ingest(settings)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err
        with db.connect(settings) as drv:
            resumed = canonical_dump(drv, settings.neo4j_database)
    report = ingest_paths(graph, neo4j_settings, FILES)  # a clean load, on the session's Neo4j
    assert not report.failed
    assert resumed == canonical_dump(graph, neo4j_settings.neo4j_database)


#: A read that runs for many seconds on any graph (a hundred million rows counted).
SLOW_READ = "UNWIND range(1, 300000000) AS x WITH x WHERE x % 7919 = 7918 RETURN count(x) AS n"
STOPPED = re.compile(
    r"^error: Neo4j at bolt://127\.0\.0\.1:\d+ stopped answering \(.+\); start it with `mastgraph server start` "
    r"\(`mastgraph server logs` tells why it stopped\), then run the same command again when it is back$")


def test_neo4j_killed_during_a_cypher_read_ends_in_one_line(neo4j_settings, tmp_path):
    """`mastgraph cypher` whose local server dies mid-query: one line saying so and what to do, exit 1,
    after the local server's retry budget (`db.LOCAL_RETRY_SECONDS`), not the driver's default."""
    with own_neo4j(tmp_path / "state") as (settings, local):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "MASTGRAPH_"))}
        env.update(MASTGRAPH_HOME=str(settings.home), MASTGRAPH_BOLT_PORT=str(settings.bolt_port), COLUMNS="200")
        command = subprocess.Popen([sys.executable, "-m", "mastgraph.cli", "cypher", "--timeout", "300", "-e", SLOW_READ],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with db.connect(settings) as drv:
            running = 0
            while not running and command.poll() is None:
                time.sleep(0.1)
                running = drv.execute_query(
                    "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery STARTS WITH 'UNWIND range' "
                    "RETURN count(*) AS n", routing_="r")[0][0]["n"]  # (the read itself: not its EXPLAIN, nor this)
        assert command.poll() is None, ("the query ended before Neo4j could be killed", command.communicate())
        killed = time.monotonic()
        os.killpg(local.pid(), signal.SIGKILL)
        out, err = command.communicate(timeout=120)
        waited = time.monotonic() - killed
    assert command.returncode == 1 and out == "", (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and STOPPED.match(lines[0]), err
    assert "Traceback" not in err and "WARNING" not in err
    # the driver's own default (30 s of retries) would be over; the local budget and its last delay are not
    assert waited < db.LOCAL_RETRY_SECONDS + 18, waited
