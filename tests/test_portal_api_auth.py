"""Login and logout over HTTP: bearer tokens, the browser session cookie, throttling, and
logout ending a session on the server (on every node), not only in the browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from classroom_server.security import TokenIssuer
from tests.accounts import new_user, second_node
from tests.conftest import PASSWORD, REDIS_URL, SECRET_KEY, Server, bearer, start_server

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
    """Five free failures, then each attempt must wait, even with the right password, from
    this client (no device cookie: it never logged in to this account)."""
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
    429; returns how many 401s came first (the address allowance is 100)."""
    for attempt in range(106):
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
        assert 100 <= failures <= 103
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
    assert 100 <= failures <= 103


@pytest.fixture(scope="module")
def node_b(server: Server) -> Iterator[Server]:
    """A second server process on the same database: logout must reach it too."""
    node = second_node(server)
    yield node
    node.stop()


async def _status(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> int:
    async with http.request(kwargs.pop("method", "GET"), url, **kwargs) as response:
        return response.status


async def test_logout_ends_a_copied_session_cookie_on_every_node(
    http: aiohttp.ClientSession, server: Server, node_b: Server
) -> None:
    username, password, _ = await new_user(http, server)
    credentials = {"username": username, "password": password}
    async with http.post(server.url("/api/v1/auth/login"), json=credentials) as response:
        csrf = (await response.json())["csrf_token"]
        session = response.cookies["qou_session"].value
    copied = {"Cookie": f"qou_session={session}; qou_csrf={csrf}", "X-CSRF-Token": csrf}
    async with aiohttp.ClientSession() as thief:
        for node in (server, node_b):
            assert await _status(thief, node.url("/api/v1/me"), headers=copied) == 200
        async with http.post(
            server.url("/api/v1/auth/logout"), headers={"X-CSRF-Token": csrf}
        ) as response:
            assert response.status == 204
        for node in (server, node_b):
            assert await _status(thief, node.url("/api/v1/me"), headers=copied) == 401
            patch = {"method": "PATCH", "json": {"display_name": "x"}, "headers": copied}
            assert await _status(thief, node.url("/api/v1/me"), **patch) == 401


async def test_logout_with_a_bearer_token_ends_that_token_only(
    http: aiohttp.ClientSession, server: Server, node_b: Server
) -> None:
    username, password, _ = await new_user(http, server)
    first = await bearer(http, server, username, password)
    second = await bearer(http, server, username, password)
    assert await _status(http, node_b.url("/api/v1/me"), headers=first) == 200
    async with http.post(server.url("/api/v1/auth/logout"), headers=first) as response:
        assert response.status == 204
    for node in (server, node_b):
        async with http.get(node.url("/api/v1/me"), headers=first) as response:
            assert response.status == 401
            assert response.content_type == PROBLEM
            assert "revoked" in (await response.json())["detail"]
        assert await _status(http, node.url("/api/v1/me"), headers=second) == 200


async def test_a_signed_token_the_server_never_issued_is_refused(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """Holding the signing key is not enough: the session must be on record."""
    minted = TokenIssuer(SECRET_KEY).issue("access", 1, timedelta(minutes=5)).token
    headers = {"Authorization": f"Bearer {minted}"}
    assert await _status(http, server.url("/api/v1/me"), headers=headers) == 401
    cookie = TokenIssuer(SECRET_KEY).issue("session", 1, timedelta(minutes=5)).token
    headers = {"Cookie": f"qou_session={cookie}"}
    assert await _status(http, server.url("/api/v1/me"), headers=headers) == 401


async def _guess(http: aiohttp.ClientSession, server: Server, username: str, times: int) -> int:
    """Wrong passwords until a 429; how many 401s came first."""
    for attempt in range(times):
        body = {"username": username, "password": "guess"}
        async with http.post(server.url("/api/v1/auth/token"), json=body) as response:
            if response.status == 429:
                return attempt
            assert response.status == 401
    return times


async def test_the_owner_logs_in_during_an_attack_from_a_known_device(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """The guesser shares the owner's address (one NAT), yet the owner's laptop, which logged
    in before, is heard; a classmate behind the same address is heard too."""
    username, password, _ = await new_user(http, server)
    owner_body = {"username": username, "password": password}
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1, as a browser keeps them
    async with aiohttp.ClientSession(cookie_jar=jar) as laptop, aiohttp.ClientSession() as guesser:
        async with laptop.post(server.url("/api/v1/auth/login"), json=owner_body) as response:
            assert response.status == 200
            device = response.headers.getall("Set-Cookie")
        assert any(c.startswith("qou_device=") and "HttpOnly" in c for c in device)
        assert await _guess(guesser, server, username, 40) == 5
        async with guesser.post(server.url("/api/v1/auth/token"), json=owner_body) as response:
            assert response.status == 429, "a client never seen on this account waits"
        async with laptop.post(server.url("/api/v1/auth/token"), json=owner_body) as response:
            assert response.status == 200, await response.text()
        classmate, classmate_password, _ = await new_user(http, server)
        await bearer(http, server, classmate, classmate_password)
        # The laptop's cookie names its own account: it buys nothing on another one.
        assert await _guess(laptop, server, classmate, 40) == 5


async def test_throttle_counts_are_shared_between_nodes(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    node_a = start_server(tmp_path, "sqlite", "--redis-url", REDIS_URL)
    node_b = second_node(node_a, "--redis-url", REDIS_URL)
    try:
        username, _, _ = await new_user(http, node_a)
        assert await _guess(http, node_a, username, 5) == 5
        body = {"username": username, "password": "guess"}
        async with http.post(node_b.url("/api/v1/auth/token"), json=body) as response:
            assert response.status == 429
    finally:
        node_b.stop()
        node_a.stop()
