"""Login over HTTP: bearer tokens, the browser session cookie, throttling."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import aiohttp

from tests.conftest import PASSWORD, Server, bearer, start_server

PROBLEM = "application/problem+json"


async def test_token_from_json_and_form_grants_access(
    http: aiohttp.ClientSession, server: Server
) -> None:
    headers = await bearer(http, server, "educator")
    async with http.get(server.url("/api/v1/me"), headers=headers) as response:
        assert response.status == 200
        me = await response.json()
    assert me["username"] == "educator" and me["role"] == "educator"

    form = {"username": "student1", "password": PASSWORD}
    async with http.post(server.url("/api/v1/auth/token"), data=form) as response:
        assert response.status == 200
        body = await response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0


async def test_wrong_password_is_a_401_problem(http: aiohttp.ClientSession, server: Server) -> None:
    credentials = {"username": "student2", "password": "not-the-password"}
    async with http.post(server.url("/api/v1/auth/token"), json=credentials) as response:
        assert response.status == 401
        assert response.content_type == PROBLEM
        problem = await response.json()
    assert problem["code"] == "invalid_credentials"
    assert problem["status"] == 401 and problem["type"].endswith("/invalid_credentials")


async def test_unknown_user_looks_like_a_wrong_password(
    http: aiohttp.ClientSession, server: Server
) -> None:
    credentials = {"username": "nobody-here", "password": "whatever"}
    async with http.post(server.url("/api/v1/auth/token"), json=credentials) as response:
        assert response.status == 401
        assert (await response.json())["code"] == "invalid_credentials"


async def test_malformed_json_and_missing_field(
    http: aiohttp.ClientSession, server: Server
) -> None:
    url = server.url("/api/v1/auth/token")
    headers = {"Content-Type": "application/json"}
    async with http.post(url, data='{"username": "educator", ', headers=headers) as response:
        assert response.status == 400
        assert response.content_type == PROBLEM
        assert (await response.json())["code"] == "malformed_json"
    async with http.post(url, json={"username": "educator"}) as response:
        assert response.status == 422
        problem = await response.json()
    assert problem["code"] == "validation_error"
    assert problem["errors"][0]["location"] == ["body", "password"]
    async with http.post(url, json={"username": 5, "password": ["x"]}) as response:
        assert response.status == 422
        locations = [e["location"] for e in (await response.json())["errors"]]
    assert ["body", "username"] in locations and ["body", "password"] in locations


async def test_repeated_failures_are_slowed_down(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """Five free failures, then each attempt must wait, even with the right password."""
    url = server.url("/api/v1/auth/token")
    statuses = []
    for _ in range(6):
        async with http.post(url, json={"username": "student3", "password": "guess"}) as response:
            statuses.append(response.status)
    assert statuses[:5] == [401] * 5
    async with http.post(url, json={"username": "student3", "password": PASSWORD}) as response:
        assert response.status == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert (await response.json())["code"] == "too_many_attempts"
    # Another user from the same address is still heard.
    await bearer(http, server, "student1")


async def test_browser_login_sets_http_only_session_and_csrf(
    http: aiohttp.ClientSession, server: Server
) -> None:
    credentials = {"username": "educator", "password": PASSWORD}
    async with http.post(server.url("/api/v1/auth/login"), json=credentials) as response:
        assert response.status == 200
        body = await response.json()
        cookies = response.headers.getall("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("qou_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith("qou_csrf="))
    assert "HttpOnly" not in csrf_cookie
    assert body["user"]["username"] == "educator" and body["csrf_token"]

    async with http.get(server.url("/api/v1/me")) as response:
        assert response.status == 200

    async with http.post(server.url("/api/v1/auth/logout")) as response:
        assert response.status == 403
        assert (await response.json())["code"] == "csrf_failed"
    headers = {"X-CSRF-Token": body["csrf_token"]}
    async with http.post(server.url("/api/v1/auth/logout"), headers=headers) as response:
        assert response.status == 204
    async with http.get(server.url("/api/v1/me")) as response:
        assert response.status == 401


async def _failures_until_throttled(
    http: aiohttp.ClientSession, server: Server, forwarded_for: Callable[[int], str]
) -> int:
    """Wrong passwords (a new username each, so only the address can be throttled) until a
    429; returns how many 401s came first (the address allowance is 20)."""
    for attempt in range(26):
        headers = {"X-Forwarded-For": forwarded_for(attempt)}
        body = {"username": f"nobody{attempt}", "password": "guess"}
        async with http.post(
            server.url("/api/v1/auth/token"), json=body, headers=headers
        ) as response:
            if response.status == 429:
                return attempt
            assert response.status == 401
    raise AssertionError("never throttled")


async def test_throttle_counts_forwarded_addresses_from_a_trusted_proxy(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    srv = start_server(
        tmp_path, "sqlite", "--trusted-proxies", "127.0.0.1", "--log-level", "info", seed=False
    )
    try:
        # The first hop is a spoofed one; the trusted proxy (127.0.0.1) appended 10.9.0.1.
        failures = await _failures_until_throttled(http, srv, lambda _: "6.6.6.6, 10.9.0.1")
        assert 20 <= failures <= 23
        async with http.post(
            srv.url("/api/v1/auth/token"),
            json={"username": "another", "password": "guess"},
            headers={"X-Forwarded-For": "10.9.0.2"},
        ) as response:
            assert response.status == 401  # another student behind the same proxy
    finally:
        srv.stop()
    log = srv.log.read_text()
    assert "10.9.0.1 POST /api/v1/auth/token 401" in log
    assert "10.9.0.2 POST /api/v1/auth/token 401" in log


async def test_forwarded_for_is_ignored_without_trusted_proxies(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    srv = start_server(tmp_path, "sqlite", seed=False)
    try:
        failures = await _failures_until_throttled(http, srv, lambda n: f"10.8.0.{n + 1}")
    finally:
        srv.stop()
    assert 20 <= failures <= 23
