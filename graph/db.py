"""Connections to Neo4j and the schema bootstrap.

The same code talks to the local server, a docker-compose Neo4j or a cluster (`neo4j://` routing
URIs): reads go through read transactions so that a cluster routes them to readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
from neo4j import GraphDatabase

from mastgraph.model.errors import first_line

from . import queries
from .settings import Settings


class DatabaseUnavailable(RuntimeError):
    """Neo4j cannot be reached; the message says where and what to do."""


#: The driver's errors that say the server stopped answering (not that it refused a query): the
#: driver has retried (managed transactions) before raising them.
CONNECTION_LOST = (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired)


class ConnectionLost(DatabaseUnavailable):
    """Neo4j stopped answering in the middle of a command (it answered when the command began)."""


#: What a command's line says before "run the same command again" when the local server stopped answering.
START_LOCAL_AGAIN = "start it with `mastgraph server start` (`mastgraph server logs` tells why it stopped), then "


def stopped_answering(settings: Settings, exc: BaseException) -> ConnectionLost:
    """The one-line error of a connection lost in the middle of a command."""
    back = START_LOCAL_AGAIN if settings.embedded else ""
    return ConnectionLost(f"Neo4j at {settings.uri} stopped answering ({first_line(exc)}); "
                          f"{back}run the same command again when it is back")


#: The server's notifications (e.g. "relationship type does not exist yet" on an empty graph) are
#: not for mastgraph's users; queries are checked by tests (EXPLAIN on every named query) instead.
_DRIVER_OPTIONS = {"user_agent": "mastgraph", "notifications_min_severity": "OFF"}


#: How long a managed transaction is retried on the local server (the driver's default, 30 s, is made for
#: a cluster electing a new leader): one server on this machine has no other member to fail over to, and
#: a transient error (a deadlock) clears in well under this. A command whose local server died ends in
#: its one line this much after, not half a minute.
LOCAL_RETRY_SECONDS = 10.0


def _options(settings: Settings) -> dict[str, object]:
    if settings.embedded:
        return {"max_transaction_retry_time": LOCAL_RETRY_SECONDS, **_DRIVER_OPTIONS}
    return dict(_DRIVER_OPTIONS)


def driver(settings: Settings) -> neo4j.Driver:
    return GraphDatabase.driver(settings.uri, auth=settings.auth, **_options(settings))


def async_driver(settings: Settings, **config: object) -> neo4j.AsyncDriver:
    return neo4j.AsyncGraphDatabase.driver(settings.uri, auth=settings.auth, **{**_options(settings), **config})


@contextmanager
def connect(settings: Settings) -> Iterator[neo4j.Driver]:
    """A verified driver, or `DatabaseUnavailable` with a one-line reason."""
    drv = driver(settings)
    try:
        try:
            drv.verify_connectivity()
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.AuthError, OSError, ValueError) as exc:
            hint = "start it with `mastgraph server start`" if settings.embedded else "check NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD"
            raise DatabaseUnavailable(f"Neo4j at {settings.uri} is not reachable ({first_line(exc)}); {hint}") from exc
        try:
            yield drv
        except CONNECTION_LOST as exc:
            raise stopped_answering(settings, exc) from exc
    finally:
        drv.close()


def node_count(drv: neo4j.Driver, database: str) -> int:
    """The nodes of the database (from the count store: one read, whatever its size)."""
    records, _, _ = drv.execute_query("MATCH (n) RETURN count(n) AS n", database_=database, routing_="r")
    return records[0]["n"]


def schema_statements() -> list[str]:
    return queries.statements(queries.text("schema"))


def schema_steps() -> tuple[list[str], list[str]]:
    """cypher/schema.cypher as it is applied: its indexes, all in one transaction, then each
    constraint on its own.

    Neo4j populates the indexes one transaction creates with one scan of the store, in the
    background; a constraint's creation returns once its own index holds every node, and meanwhile
    that scan runs. On a graph of 1 million products (the bulk build's L) the schema came online in
    15.1-15.7 s this way, 21.6-22.0 s with one statement a transaction in file order (the
    constraints first: the indexes then each scanned the store), 19.8-20.5 s all in one transaction."""
    indexes: list[str] = []
    constraints: list[str] = []
    for stmt in schema_statements():
        (constraints if stmt.lstrip().upper().startswith("CREATE CONSTRAINT") else indexes).append(stmt)
    return indexes, constraints


def _run_all(tx, stmts: list[str]) -> None:
    for stmt in stmts:
        tx.run(stmt).consume()


async def _run_all_async(tx, stmts: list[str]) -> None:
    for stmt in stmts:
        await (await tx.run(stmt)).consume()


def bootstrap(drv: neo4j.Driver, database: str, wait: bool = True) -> int:
    """Apply cypher/schema.cypher (all `IF NOT EXISTS`, `schema_steps`); returns how many statements ran."""
    indexes, constraints = schema_steps()
    with drv.session(database=database) as session:
        session.execute_write(_run_all, indexes)
        for stmt in constraints:
            session.run(stmt).consume()
        if wait:
            session.run("CALL db.awaitIndexes(300)").consume()
    return len(indexes) + len(constraints)


async def bootstrap_async(drv: neo4j.AsyncDriver, database: str) -> int:
    indexes, constraints = schema_steps()
    async with drv.session(database=database) as session:
        await session.execute_write(_run_all_async, indexes)
        for stmt in constraints:
            await (await session.run(stmt)).consume()
        await (await session.run("CALL db.awaitIndexes(300)")).consume()
    return len(indexes) + len(constraints)


#: A schema statement's name (`CREATE CONSTRAINT name IF NOT EXISTS`, `CREATE [kind] INDEX name IF NOT EXISTS`).
_SCHEMA_NAME = re.compile(r"^CREATE\s+(?:CONSTRAINT|(?:\w+\s+)?INDEX)\s+(\w+)\s+IF\s+NOT\s+EXISTS", re.IGNORECASE)


def ensure_schema(drv: neo4j.Driver, database: str) -> bool:
    """Apply the schema (`bootstrap`) when a constraint or index of it is missing or not online yet
    (a constraint's own index has its name); True when it was applied. One read when all is in
    place: cheap enough before every load."""
    wanted = {match[1] for stmt in schema_statements() if (match := _SCHEMA_NAME.match(stmt.strip()))}
    records, _, _ = drv.execute_query(
        "SHOW INDEXES YIELD name, state WHERE state = 'ONLINE' RETURN collect(name) AS names", database_=database,
        routing_="r")
    if wanted <= set(records[0]["names"]):
        return False
    bootstrap(drv, database)
    return True


def schema_names(drv: neo4j.Driver, database: str) -> tuple[set[str], set[str]]:
    """The names of the constraints and indexes now in the database."""
    records, _, _ = drv.execute_query("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names", database_=database, routing_="r")
    constraints = set(records[0]["names"])
    records, _, _ = drv.execute_query("SHOW INDEXES YIELD name RETURN collect(name) AS names", database_=database, routing_="r")
    return constraints, set(records[0]["names"])
