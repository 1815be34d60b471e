"""One real Neo4j per test run: NEO4J_TEST_URI if set, else testcontainers' Neo4j when a Docker
daemon answers, else mastgraph's own local server on free ports (Bolt, and HTTP for Neo4j Browser) and a
throw-away state folder.

No Neo4j obtainable: every test that needs one fails with the reason (never skips).
Each test that asks for `graph` starts from an empty graph with the schema in place.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mastgraph.graph import db
from mastgraph.graph.neo4j_browser import local_browser_base
from mastgraph.graph.server import LocalNeo4j, ServerError, free_port
from mastgraph.graph.settings import Settings

DATA = Path(__file__).parent / "data"


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env().ping()
        return True
    except Exception:
        return False


class TestNeo4j:
    """Where the test run's Neo4j is, and how it was obtained."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.how = ""
        self.error: str | None = None
        #: The local server when the run started one (it also serves Neo4j Browser), else None.
        self.local: LocalNeo4j | None = None
        self._stop = lambda: None

    def start(self, state: Path) -> None:
        uri = os.environ.get("NEO4J_TEST_URI")
        try:
            if uri:
                password = os.environ.get("NEO4J_TEST_PASSWORD")
                self.settings = Settings(
                    neo4j_uri=uri,
                    # (a user goes with a password: the settings refuse one without)
                    neo4j_user=os.environ.get("NEO4J_TEST_USER") or ("neo4j" if password else None),
                    neo4j_password=password,
                    neo4j_database=os.environ.get("NEO4J_TEST_DATABASE", "neo4j"),
                    home=state,
                )
                self.how = f"NEO4J_TEST_URI={uri}"
            elif _docker_answers():
                from testcontainers.community.neo4j import Neo4jContainer

                container = Neo4jContainer("neo4j:5.26-community", password="mastgraph-test")
                container.with_env("NEO4J_PLUGINS", '["apoc"]')
                container.start()
                self._stop = container.stop
                self.settings = Settings(
                    neo4j_uri=container.get_connection_url(), neo4j_user="neo4j",
                    neo4j_password="mastgraph-test", home=state,
                )
                self.how = "testcontainers Neo4jContainer"
            else:
                settings = Settings(home=state, bolt_port=free_port(), http_port=free_port(), heap="768m", pagecache="256m")
                local = LocalNeo4j(settings)
                local.start()
                self._stop = lambda: local.stop()
                self.local = local
                # Tests talk to it as to any given Neo4j (NEO4J_URI set), so nothing else manages it; its
                # Neo4j Browser (HTTP on a free loopback port) is named as such a setup names one.
                self.settings = Settings(neo4j_uri=settings.uri, home=state, bolt_port=settings.bolt_port,
                                         neo4j_browser_url=local_browser_base(settings))
                self.how = f"local server {settings.uri}"
            with db.connect(self.settings) as drv:
                db.bootstrap(drv, self.settings.neo4j_database)
        except (ServerError, db.DatabaseUnavailable, Exception) as exc:  # noqa: BLE001 - the reason is reported
            self.error = f"no Neo4j for the tests ({type(exc).__name__}): {exc}"

    def stop(self) -> None:
        self._stop()


#: How long the test process may take to exit after the run before it prints every thread's stack and
#: exits with an error (a thread that never ends would otherwise hold the run until CI's time is up).
EXIT_SECONDS = 120


@pytest.fixture(scope="session", autouse=True)
def no_thread_left() -> Iterator[None]:
    """The run fails if a thread the interpreter waits for at exit is still running at its end."""
    yield
    deadline = time.monotonic() + 10
    left = [thread for thread in threading.enumerate() if thread is not threading.main_thread() and not thread.daemon]
    for thread in left:
        thread.join(max(0.0, deadline - time.monotonic()))
    left = [thread.name for thread in left if thread.is_alive()]
    if left:
        pytest.fail(f"threads still running at the end of the run (the process could not exit): {left}", pytrace=False)


def pytest_unconfigure(config: pytest.Config) -> None:
    faulthandler.dump_traceback_later(EXIT_SECONDS, exit=True, file=sys.__stderr__)


@pytest.fixture(scope="session")
def neo4j_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestNeo4j]:
    instance = TestNeo4j()
    instance.start(tmp_path_factory.mktemp("mastgraph-state"))
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture(scope="session")
def neo4j_settings(neo4j_instance: TestNeo4j) -> Settings:
    if neo4j_instance.error:
        pytest.fail(neo4j_instance.error, pytrace=False)
    assert neo4j_instance.settings is not None
    return neo4j_instance.settings


@pytest.fixture(scope="session")
def session_driver(neo4j_settings: Settings):
    drv = db.driver(neo4j_settings)
    yield drv
    drv.close()


@contextlib.contextmanager
def own_neo4j(home: Path, server: type[LocalNeo4j] = LocalNeo4j) -> Iterator[tuple[Settings, LocalNeo4j]]:
    """A local Neo4j of the test's own (not the session's: one it may kill or configure), with the schema;
    stopped at the end."""
    settings = Settings(neo4j_uri=None, home=home, bolt_port=free_port(), http_port=0, heap="512m",
                        pagecache="128m")
    local = server(settings)
    local.start()
    try:
        with db.connect(settings) as drv:
            db.bootstrap(drv, settings.neo4j_database)
        yield settings, local
    finally:
        local.stop()


def empty_graph(drv, database: str) -> None:
    with drv.session(database=database) as session:  # CALL IN TRANSACTIONS needs an auto-commit transaction
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def load_demo(drv, settings: Settings, home: Path) -> Path:
    """An empty graph, then the bundled demo sample loaded as `mastgraph demo` loads it (generated under `home`)."""
    from mastgraph.cli.demo import demo_inputs
    from mastgraph.pipeline.ingest import ingest_paths

    empty_graph(drv, settings.neo4j_database)
    report = ingest_paths(drv, settings, demo_inputs(home))
    assert not report.failed, [f.error for f in report.failed]
    return home


@pytest.fixture
def graph(session_driver, neo4j_settings: Settings):
    """A driver on an empty graph (schema in place)."""
    empty_graph(session_driver, neo4j_settings.neo4j_database)
    return session_driver


def count(drv, cypher: str, **params) -> int:
    records, _, _ = drv.execute_query(cypher, params, routing_="r")
    return records[0][0]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (tests/browser.py); fails, never skips, without one."""
    from .browser import Browser, BrowserUnavailable

    try:
        instance = Browser()
    except BrowserUnavailable as exc:
        pytest.fail(f"no browser for the tests: {exc}", pytrace=False)
    try:
        yield instance
    finally:
        instance.quit()


@pytest.fixture
def cli(neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run `mastgraph ...` in-process against the test Neo4j; returns click's Result."""
    from typer.testing import CliRunner

    from mastgraph.cli.main import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEO4J_URI", neo4j_settings.uri)
    monkeypatch.setenv("NEO4J_DATABASE", neo4j_settings.neo4j_database)
    monkeypatch.setenv("MASTGRAPH_HOME", str(neo4j_settings.home))
    monkeypatch.setenv("COLUMNS", "300")  # rich tables wide enough to show whole URIs
    if neo4j_settings.neo4j_password is not None:
        monkeypatch.setenv("NEO4J_USER", neo4j_settings.neo4j_user)
        monkeypatch.setenv("NEO4J_PASSWORD", neo4j_settings.neo4j_password)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


@pytest.fixture
def ctrl_c() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt during the test, as Ctrl-C at a terminal does: a test run
    started in the background by a non-interactive shell (`nohup ... &`) ignores SIGINT."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
