"""`/healthz` (the process answers) and `/readyz` (Neo4j answers and the schema is bootstrapped).

The schema bootstrap (`graph.db.bootstrap_async`) is applied at start-up; while Neo4j is down it
is retried in the background and by every `/readyz`, so the service recovers by itself.
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
            log.info("schema bootstrapped (%d statements) on %s", count, self.settings.uri)
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
        """Start-up task: bootstrap now, or retry until Neo4j comes up (warning once)."""
        warned = False
        while True:
            problem = await self.bootstrap()
            if problem is None:
                return
            if not warned:
                log.warning("%s; retrying every %.0f s (/readyz answers 503 meanwhile)", problem, RETRY_SECONDS)
                warned = True
            await asyncio.sleep(RETRY_SECONDS)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    ready, reason = await request.app.state.readiness.check()
    if ready:
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
