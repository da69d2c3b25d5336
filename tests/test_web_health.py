"""Health, readiness and metrics endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import REDIS_URL, Server, start_server


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("redis-server"), "sqlite", "--redis-url", REDIS_URL)
    yield srv
    srv.stop()


async def test_healthz_and_readyz(http: aiohttp.ClientSession, server: Server) -> None:
    async with http.get(server.url("/healthz")) as response:
        assert response.status == 200
        assert (await response.json())["status"] == "ok"
    async with http.get(server.url("/readyz")) as response:
        body = await response.json()
        assert response.status == 200, body
    assert body["checks"]["database"]["status"] == "ok"
    assert Path(body["checks"]["ffmpeg"]["detail"]).name.startswith("ffmpeg")


async def test_readyz_checks_redis_when_configured(
    http: aiohttp.ClientSession, redis_server: Server
) -> None:
    async with http.get(redis_server.url("/readyz")) as response:
        body = await response.json()
    assert response.status == 200 and body["checks"]["redis"]["detail"] == "ok"


async def test_readyz_reports_unreachable_redis(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    srv = start_server(tmp_path, "sqlite", "--redis-url", "redis://127.0.0.1:1/0")
    try:
        async with http.get(srv.url("/readyz")) as response:
            body = await response.json()
            assert response.status == 503
    finally:
        srv.stop()
    assert body["checks"]["redis"]["status"] == "failed"
    assert body["checks"]["database"]["status"] == "ok"


async def test_metrics_count_requests_by_route(http: aiohttp.ClientSession, server: Server) -> None:
    async with http.get(server.url("/api/v1/courses/12345")):
        pass
    async with http.get(server.url("/metrics")) as response:
        assert response.status == 200
        text = await response.text()
    assert 'route="/api/v1/courses/{course_id}"' in text
    assert "qou_http_request_seconds_bucket" in text
