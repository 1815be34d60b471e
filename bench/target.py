"""The Neo4j a benchmark runs on: its own local server by default, or `NEO4J_URI`.

By default the bench starts a `LocalNeo4j` of its own, on a free loopback port with its own state
folder (`MASTGRAPH_HOME/bench/neo4j`), empties it before each scale (stop, remove its data folder,
start) and stops it at the end. With `NEO4J_URI` set it uses that database and never wipes a
user's data: a database that holds anything is refused unless `force` is given.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import neo4j

from mastgraph.graph import db
from mastgraph.graph.server import LocalNeo4j, ServerError, free_port
from mastgraph.graph.settings import Settings


class NotEmpty(RuntimeError):
    """The given Neo4j holds data: the bench refuses to wipe it without `--force`."""


def bench_home(settings: Settings) -> Path:
    """The bench's state folder: its Neo4j and its cached samples."""
    return Path(settings.home) / "bench"


def given(settings: Settings, **changes: object) -> Settings:
    """`settings` with `changes` (a fresh object: nothing cached from the original)."""
    return Settings(**{**settings.model_dump(), **changes})


def child_env(settings: Settings, base: dict[str, str]) -> dict[str, str]:
    """The environment that gives a child process `settings` (every field as its variable)."""
    env = dict(base)
    for name, info in Settings.model_fields.items():
        variable = info.validation_alias.choices[0]
        value = getattr(settings, name)
        if value is None:
            env.pop(variable, None)
        else:
            env[variable] = str(value)
    return env


@dataclass
class Target:
    """Where the bench writes and reads; `settings` always carry an explicit `neo4j_uri`."""

    settings: Settings
    how: str
    home: Path  # the bench's state folder (MASTGRAPH_HOME/bench): cached samples under data/
    local: LocalNeo4j | None = None
    driver: neo4j.Driver | None = None

    @property
    def own(self) -> bool:
        return self.local is not None

    @property
    def database(self) -> str:
        return self.settings.neo4j_database

    def neo4j_pid(self) -> int | None:
        """The server's process (own server only), for CPU and memory accounting."""
        return self.local.pid() if self.local else None

    def connect(self) -> neo4j.Driver:
        if self.driver is None:
            self.driver = db.driver(self.settings)
            self.driver.verify_connectivity()
        return self.driver

    def disconnect(self) -> None:
        if self.driver is not None:
            self.driver.close()
            self.driver = None

    def is_empty(self) -> bool:
        records, _, _ = self.connect().execute_query(
            "MATCH (n) RETURN count(n) = 0 AS empty LIMIT 1", database_=self.database, routing_="r")
        return bool(records[0]["empty"])

    def version(self) -> dict[str, str]:
        records, _, _ = self.connect().execute_query(
            "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition",
            database_="system", routing_="r")
        return dict(records[0])

    def reset(self) -> None:
        """An empty database with the schema in place (only called once the bench may wipe it)."""
        if self.local is not None:
            self.disconnect()
            self.local.stop()
            shutil.rmtree(self.local.data_dir, ignore_errors=True)
            self.local.start()
        else:
            with self.connect().session(database=self.database) as session:
                session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        db.bootstrap(self.connect(), self.database)


@contextmanager
def open_target(settings: Settings, *, force: bool = False) -> Iterator[Target]:
    """The bench's own local Neo4j (stopped afterwards), or the one `settings.neo4j_uri` names.

    A given database that is not empty raises `NotEmpty` unless `force`.
    """
    if settings.embedded:
        own = given(settings, home=bench_home(settings), bolt_port=free_port(), http_port=0)
        local = LocalNeo4j(own)
        pid = local.pid()
        if pid is not None:
            raise ServerError(f"the bench's own Neo4j is already running (pid {pid}, state folder {local.home}): "
                              "another `mastgraph bench` is running, or a previous one was killed; stop that "
                              "process first")
        shutil.rmtree(local.data_dir, ignore_errors=True)  # the bench's own state: never a user's data
        local.start()
        target = Target(given(own, neo4j_uri=own.uri), f"own local Neo4j at {own.uri} (state {local.home})",
                        bench_home(settings), local)
    else:
        target = Target(settings, f"NEO4J_URI={settings.uri} (database {settings.neo4j_database})", bench_home(settings))
    try:
        if not target.own and not target.is_empty() and not force:
            raise NotEmpty(f"the Neo4j at {settings.uri} (database {settings.neo4j_database}) is not empty: the bench "
                           "loads samples into an empty database and would wipe it; use an empty database, unset "
                           "NEO4J_URI (the bench then runs its own Neo4j), or pass --force to wipe it")
        yield target
    finally:
        target.disconnect()
        if target.local is not None:
            target.local.stop()
