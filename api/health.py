"""`/healthz` (the process answers) and `/readyz` (Neo4j answers and the schema is bootstrapped).

The schema bootstrap (`graph.db.bootstrap_async`) is applied at start-up; while Neo4j is down it
is retried in the background and by every `/readyz`, so the service recovers by itself. The
start-up says each state once, in one line on the `mastgraph.api` logger (`mastgraph serve` shows
it on the console): "waiting for Neo4j at URI: reason; retrying every N s", then "Neo4j at URI
answers" (never a traceback; the driver's own log goes to its file, see `cli.common.driver_logs`).
"""

from __future__ import annotations

import asyncio
import logging

import neo4j
from starlette.requests import Request
from starlette.responses import JSONResponse

from mastgraph.graph import db, read
from mastgraph.graph.settings import Settings
from mastgraph.model.errors import first_line

log = logging.getLogger("mastgraph.api")

#: Seconds between bootstrap attempts while Neo4j is down.
RETRY_SECONDS = 2.0
#: Longest a readiness check may wait for Neo4j.
CHECK_SECONDS = 5.0


class Readiness:
    """Whether the API can answer: schema bootstrapped, Neo4j reachable."""

    def __init__(self, driver: neo4j.AsyncDriver, settings: Settings) -> None:
        self.driver = driver
        self.settings = settings
        self.bootstrapped = False
        self.statements = 0  # of the schema, once bootstrapped
        self._lock = asyncio.Lock()

    async def bootstrap(self) -> str | None:
        """Apply the schema once; the reason it failed, or None."""
        async with self._lock:
            if self.bootstrapped:
                return None
            try:
                count = await asyncio.wait_for(
                    db.bootstrap_async(self.driver, self.settings.neo4j_database), timeout=max(CHECK_SECONDS, 60.0)
                )
            except Exception as exc:  # noqa: BLE001 - any failure means "not yet"; the reason is reported
                return f"schema bootstrap failed: {first_line(exc)}"
            self.bootstrapped = True
            self.statements = count
            return None

    async def check(self) -> tuple[bool, str]:
        """(ready, reason)."""
        if not self.bootstrapped:
            problem = await self.bootstrap()
            if problem:
                return False, problem
        reader = read.Reader(self.driver, self.settings.neo4j_database, min(self.settings.tx_timeout, CHECK_SECONDS))
        try:
            complete = await read.readiness(reader)
        except (read.DatabaseUnavailable, read.QueryTimeout) as exc:
            return False, str(exc)
        except neo4j.exceptions.Neo4jError as exc:
            return False, f"Neo4j refused the readiness query ({first_line(exc)})"
        if not complete:
            self.bootstrapped = False
            return False, "the schema's constraints are missing; the bootstrap will be retried"
        return True, "ready"

    async def keep_bootstrapping(self) -> None:
        """Start-up task: bootstrap now, or retry until Neo4j comes up (one line when waiting
        begins, one when Neo4j answers)."""
        uri = self.settings.uri
        warned = False
        while True:
            problem = await self.bootstrap()
            if problem is None:
                log.info("Neo4j at %s answers; schema bootstrapped (%d statements), /readyz answers 200",
                         uri, self.statements)
                return
            if not warned:
                log.warning("waiting for Neo4j at %s: %s; retrying every %.0f s (/readyz answers 503 meanwhile)",
                            uri, problem, RETRY_SECONDS)
                warned = True
            await asyncio.sleep(RETRY_SECONDS)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    ready, reason = await request.app.state.readiness.check()
    if ready:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
