"""Every error is problem+json; an unexpected failure shows no stack trace."""

from __future__ import annotations

import socket

import aiohttp
from aiohttp import web

from classroom_server.logs import request_id_middleware
from classroom_server.web_problems import problem_middleware
from tests.conftest import Server


async def test_unknown_route_and_wrong_method(http: aiohttp.ClientSession, server: Server) -> None:
    async with http.get(server.url("/api/v1/no-such-thing")) as response:
        assert response.status == 404
        assert response.content_type == "application/problem+json"
        assert (await response.json())["code"] == "not_found"
    async with http.delete(server.url("/api/v1/auth/token")) as response:
        assert response.status == 405
        assert (await response.json())["code"] == "method_not_allowed"
        assert "POST" in response.headers["Allow"]


async def test_wrong_content_type_and_oversize_body(
    http: aiohttp.ClientSession, server: Server
) -> None:
    url = server.url("/api/v1/auth/login")
    async with http.post(url, data="username=a", headers={"Content-Type": "text/plain"}) as resp:
        assert resp.status == 415
        assert (await resp.json())["code"] == "unsupported_media_type"
    huge = '{"username": "' + "a" * (2 * 1024 * 1024) + '"}'
    async with http.post(url, data=huge, headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 413
        assert (await resp.json())["code"] == "payload_too_large"


async def test_unexpected_error_hides_the_traceback() -> None:
    async def boom(_request: web.Request) -> web.Response:
        raise RuntimeError("secret internals: /etc/shadow")

    app = web.Application(middlewares=[request_id_middleware, problem_middleware])
    app.router.add_get("/boom", boom)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/boom") as response:
                text = await response.text()
                request_id = response.headers["X-Request-Id"]
                assert response.status == 500
    finally:
        await runner.cleanup()
    assert "secret internals" not in text and "Traceback" not in text
    assert request_id in text and '"internal_error"' in text
