"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web
from redis.asyncio import Redis

from classroom_server.db import Database

Check = Callable[[web.Request], Awaitable[str]]
CHECK_TIMEOUT_SECONDS = 3.0


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def database_check(database: Database) -> Check:
    """Ready when the database answers."""

    async def check(_request: web.Request) -> str:
        await database.ping()
        return "ok"

    return check


def redis_check(redis: Redis | None) -> Check:
    """Ready when Redis answers, or when none is configured (the embedded pub/sub)."""

    async def check(_request: web.Request) -> str:
        if redis is None:
            return "not configured (embedded pub/sub)"
        await redis.ping()
        return "ok"

    return check


READINESS: web.AppKey[dict[str, Check]] = web.AppKey("readiness")
"""What /readyz checks, by name: the composition root puts each dependency's check there."""


async def readyz(request: web.Request) -> web.Response:
    """503 names the failing dependency, so an operator sees what to fix."""
    results: dict[str, dict[str, str]] = {}
    for name, check in request.app[READINESS].items():
        try:
            detail = await asyncio.wait_for(check(request), CHECK_TIMEOUT_SECONDS)
            results[name] = {"status": "ok", "detail": detail}
        except Exception as exc:
            results[name] = {"status": "failed", "detail": f"{type(exc).__name__}: {exc}"}
    ready = all(r["status"] == "ok" for r in results.values())
    return web.json_response(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
