"""Where the time of one L3-to-raw GraphQL request goes: `python -m mastgraph.bench.profile URI`.

Runs the API in this process (its lifespan, an ASGI transport: no socket, no uvicorn), sends the
benchmark's nested query, and splits the time: the whole request as the ASGI app serves it, the
part spent waiting for Neo4j (the reader's own clock, from the debug extension), the JSON decoding
a client does, and the raw Cypher query alone; then a cProfile of the requests, sorted by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import time

import httpx

from mastgraph.api.app import create_app
from mastgraph.graph import read
from mastgraph.graph.settings import get_settings

from .lineage import DEBUG, L3_TO_RAW
from .stats import summary


async def _measure(uri: str, runs: int, nested: bool, profile: cProfile.Profile | None) -> dict:
    settings = get_settings()
    app = create_app(settings, nested=nested)
    body = {"query": L3_TO_RAW, "variables": {"uri": uri}}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(3):  # warm-up
                (await client.post("/graphql", json=body, headers=DEBUG)).raise_for_status()
            request_ms, neo4j_ms, decode_ms, raw_ms = [], [], [], []
            size = 0
            for _ in range(runs):
                if profile:
                    profile.enable()
                started = time.perf_counter()
                response = await client.post("/graphql", json=body, headers=DEBUG)
                request_ms.append((time.perf_counter() - started) * 1000)
                if profile:
                    profile.disable()
                started = time.perf_counter()
                answer = json.loads(response.content)
                decode_ms.append((time.perf_counter() - started) * 1000)
                neo4j_ms.append(answer["extensions"]["mastgraph"]["neo4jMs"])
                size = len(response.content)
                started = time.perf_counter()
                await read.l3_to_raw(app.state.driver, uri, settings.neo4j_database)
                raw_ms.append((time.perf_counter() - started) * 1000)
    return {"request_in_process_ms": summary(request_ms), "neo4j_ms_seen_by_api": summary(neo4j_ms),
            "client_json_decode_ms": summary(decode_ms), "raw_cypher_async_driver_ms": summary(raw_ms),
            "json_bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("uri", help="An L3 product's URI.")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--level-by-level", action="store_true", help="Profile create_app(nested=False).")
    parser.add_argument("--top", type=int, default=25, help="Functions to list (0: no cProfile).")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.top else None
    result = asyncio.run(_measure(args.uri, args.runs, not args.level_by_level, profile))
    print(json.dumps(result, indent=2))
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
