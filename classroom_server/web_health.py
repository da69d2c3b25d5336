"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from classroom_server.services import services

Check = Callable[[web.Request], Awaitable[str]]
CHECK_TIMEOUT_SECONDS = 3.0


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _database(request: web.Request) -> str:
    await services(request).database.ping()
    return "ok"


async def _redis(request: web.Request) -> str:
    redis = services(request).redis
    if redis is None:
        return "not configured (embedded pub/sub)"
    await redis.ping()
    return "ok"


CHECKS: dict[str, Check] = {"database": _database, "redis": _redis}
READINESS: web.AppKey[dict[str, Check]] = web.AppKey("readiness")
"""Checks of the other packages' needs (ffmpeg), added by the composition root."""


async def readyz(request: web.Request) -> web.Response:
    """503 names the failing dependency, so an operator sees what to fix."""
    results: dict[str, dict[str, str]] = {}
    checks = dict(CHECKS)
    if READINESS in request.app:
        needs: dict[str, Check] = request.app[READINESS]
        checks |= needs
    for name, check in checks.items():
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
