"""Health, readiness and metrics endpoints."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import REDIS_URL, Server, bearer, run_cli, start_server


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


async def _logged(server: Server, needle: str) -> str:
    """The server's log line containing ``needle`` (stderr is line-buffered; allow a moment)."""
    for _ in range(50):
        for line in server.log.read_text().splitlines():
            if needle in line:
                return line
        await asyncio.sleep(0.1)
    raise AssertionError(f"{needle!r} not logged: {server.log.read_text()[-2000:]}")


async def test_serve_alone_upgrades_an_empty_sqlite_and_logs_request_ids(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """No ``demo`` or ``migrate`` first: ``serve`` creates the schema itself."""
    srv = start_server(tmp_path, "sqlite", "--log-level", "info", seed=False)
    try:
        async with http.get(srv.url("/readyz")) as response:
            assert response.status == 200, await response.text()
            request_id = response.headers["X-Request-Id"]
        line = await _logged(srv, f"[{request_id}]")
        assert "qou.access" in line and "127.0.0.1 GET /readyz 200" in line
        async with http.get(srv.url("/healthz"), headers={"X-Request-Id": "proxy-id-1234"}) as r:
            assert r.headers["X-Request-Id"] == "proxy-id-1234"
        assert "GET /healthz 200" in await _logged(srv, "[proxy-id-1234]")
        assert f"QOU Classroom on http://127.0.0.1:{srv.base_url.rsplit(':', 1)[1]}/" in (
            await _logged(srv, "QOU Classroom on")
        ), "the banner, once listening"

        run_cli("create-user", "first", "--password", "first-password", *srv.data_flags)
        await bearer(http, srv, "first", "first-password")
    finally:
        srv.stop()


async def test_readyz_reports_a_missing_ffmpeg(
    http: aiohttp.ClientSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QOU_FFMPEG", str(tmp_path / "no-ffmpeg-here"))
    srv = start_server(tmp_path, "sqlite", seed=False)
    try:
        async with http.get(srv.url("/readyz")) as response:
            body = await response.json()
            assert response.status == 503, body
    finally:
        srv.stop()
    assert body["checks"]["ffmpeg"]["status"] == "failed"
    assert "QOU_FFMPEG" in body["checks"]["ffmpeg"]["detail"]
    assert body["checks"]["database"]["status"] == "ok"
