"""Identity resolution and CSRF: bearer tokens, session cookies and their misuse."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from classroom_server.security import TokenIssuer
from tests.conftest import PASSWORD, SECRET_KEY, Server, bearer


async def login_cookie(http: aiohttp.ClientSession, server: Server, username: str) -> str:
    credentials = {"username": username, "password": PASSWORD}
    async with http.post(server.url("/api/v1/auth/login"), json=credentials) as response:
        assert response.status == 200
        csrf: str = (await response.json())["csrf_token"]
    return csrf


async def test_anonymous_calls_get_401_with_challenge(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with http.get(server.url("/api/v1/courses")) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await response.json())["code"] == "unauthenticated"


async def test_garbage_and_foreign_tokens_are_refused(
    http: aiohttp.ClientSession, server: Server
) -> None:
    forged = TokenIssuer("some-other-key-entirely-000000000000").issue(
        "access", 1, timedelta(minutes=5)
    )
    join = TokenIssuer(SECRET_KEY).issue(
        "join", 1, timedelta(minutes=5), lecture=1, role="educator"
    )
    expired = TokenIssuer(SECRET_KEY).issue("access", 1, timedelta(seconds=-1))
    for header in (
        "Bearer nonsense",
        "Basic abc",
        f"Bearer {forged.token}",
        f"Bearer {join.token}",
        f"Bearer {expired.token}",
    ):
        async with http.get(server.url("/api/v1/me"), headers={"Authorization": header}) as resp:
            assert resp.status == 401, header
            assert (await resp.json())["code"] == "unauthenticated"


async def test_cookie_state_change_needs_matching_csrf(
    http: aiohttp.ClientSession, server: Server
) -> None:
    csrf = await login_cookie(http, server, "student1")
    url = server.url("/api/v1/me")
    async with http.patch(url, json={"time_zone": "Europe/Berlin"}) as response:
        assert response.status == 403
        assert (await response.json())["code"] == "csrf_failed"
    headers = {"X-CSRF-Token": "0" * 64}
    async with http.patch(url, json={"time_zone": "Europe/Berlin"}, headers=headers) as response:
        assert response.status == 403
    async with http.patch(
        url, json={"time_zone": "Europe/Berlin"}, headers={"X-CSRF-Token": csrf}
    ) as response:
        assert response.status == 200


async def test_bearer_calls_need_no_csrf(http: aiohttp.ClientSession, server: Server) -> None:
    headers = await bearer(http, server, "student2")
    async with http.patch(
        server.url("/api/v1/me"), json={"display_name": "Omar K."}, headers=headers
    ) as response:
        assert response.status == 200
        assert (await response.json())["display_name"] == "Omar K."
