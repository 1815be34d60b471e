"""The read side of one API request: the driver it uses, its time budget, its errors.

A `Reader` belongs to one request. It runs every query in a read transaction (a cluster routes it
to a reader) within the request's time budget (`Settings.tx_timeout`, spent across all its
queries), counts the round trips, and turns driver failures into `DatabaseUnavailable` or
`QueryTimeout`. Queries answer in one row (lists are collected in Cypher): the async driver reads
one large row much faster than many small ones.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import neo4j
from neo4j import Query, RoutingControl

from mastgraph.model.errors import first_line

from . import db
from .db import DatabaseUnavailable
from .settings import Settings

__all__ = ["ArgumentError", "DatabaseUnavailable", "QueryTimeout", "Reader", "first_column", "open_driver"]


class QueryTimeout(RuntimeError):
    """A request used up its Neo4j transaction time (`Settings.tx_timeout`)."""


class ArgumentError(ValueError):
    """An argument of a read (search, download list) that cannot be used; `argument` names it."""

    def __init__(self, argument: str, reason: str) -> None:
        super().__init__(f"{argument}: {reason}")
        self.argument = argument
        self.reason = reason


def open_driver(settings: Settings) -> neo4j.AsyncDriver:
    """The API's async driver: fails fast while Neo4j is down and reconnects by itself after.

    Managed transactions retry for at most a second (the default, 30 s, would hold every request
    while Neo4j is down); server notifications are not requested.
    """
    return db.async_driver(
        settings,
        user_agent="mastgraph-api",
        max_transaction_retry_time=1.0,
        connection_timeout=min(5.0, settings.tx_timeout),
        connection_acquisition_timeout=max(1.0, settings.tx_timeout),
    )


_UNAVAILABLE_CODES = ("Neo.TransientError.General.DatabaseUnavailable", "Neo.ClientError.Database.DatabaseNotFound")


class Reader:
    """The read side of one request: one driver, one database, one time budget, a query counter."""

    def __init__(self, driver: neo4j.AsyncDriver, database: str, timeout: float) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        #: Cypher round trips sent so far.
        self.queries = 0
        #: Seconds spent waiting for Neo4j (answers included).
        self.seconds = 0.0

    async def values(self, text: str, params: Mapping[str, Any]) -> list[Any]:
        """The first column of every row."""
        return await self._run(text, params, first_column)

    async def _run(self, text: str, params: Mapping[str, Any], transform) -> Any:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0.001:
            raise QueryTimeout(f"the request used up its {self.timeout:g} s of Neo4j time")
        self.queries += 1
        started = time.perf_counter()
        try:
            return await self.driver.execute_query(
                Query(text, timeout=remaining), dict(params), routing_=RoutingControl.READ,
                database_=self.database, bookmark_manager_=None, result_transformer_=transform,
            )
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired, OSError) as exc:
            raise DatabaseUnavailable(f"Neo4j is not reachable ({first_line(exc)})") from exc
        except neo4j.exceptions.Neo4jError as exc:
            code = exc.code or ""
            if "TransactionTimedOut" in code or "Terminated" in code:
                raise QueryTimeout(f"the request used up its {self.timeout:g} s of Neo4j time") from exc
            if code in _UNAVAILABLE_CODES:
                raise DatabaseUnavailable(f"database {self.database!r} is not available ({code})") from exc
            raise
        finally:
            self.seconds += time.perf_counter() - started


async def first_column(result: neo4j.AsyncResult) -> list[Any]:
    """A result transformer: the first column of every row."""
    return await result.value()
