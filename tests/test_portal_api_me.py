"""The caller's own profile and password."""

from __future__ import annotations

import aiohttp

from tests.accounts import NEW_PASSWORD, new_user
from tests.conftest import Server, bearer


async def test_profile_update_validates_language_and_zone(
    http: aiohttp.ClientSession, server: Server
) -> None:
    headers = await bearer(http, server, "educator")
    url = server.url("/api/v1/me")
    for bad in (
        {"time_zone": "Mars/Olympus"},
        {"preferred_language": "fr"},
        {"display_name": ""},
        {"role": "admin"},
        {"display_name": "x" * 121},
    ):
        async with http.patch(url, json=bad, headers=headers) as response:
            assert response.status == 422, bad
    async with http.get(url, headers=headers) as response:
        assert (await response.json())["role"] == "educator"
    async with http.patch(url, json={"time_zone": "America/Toronto"}, headers=headers) as response:
        assert response.status == 200
    async with http.get(url, headers=headers) as response:
        assert (await response.json())["time_zone"] == "America/Toronto"


async def test_a_password_change_ends_every_other_session(
    http: aiohttp.ClientSession, server: Server
) -> None:
    username, password, _ = await new_user(http, server)
    changing = await bearer(http, server, username, password)
    other = await bearer(http, server, username, password)
    url = server.url("/api/v1/me/password")
    wrong = {"current_password": "not-it", "new_password": NEW_PASSWORD}
    async with http.post(url, json=wrong, headers=changing) as response:
        assert response.status == 403
        assert (await response.json())["code"] == "wrong_password"
    short = {"current_password": password, "new_password": "short"}
    async with http.post(url, json=short, headers=changing) as response:
        assert response.status == 422
    change = {"current_password": password, "new_password": NEW_PASSWORD}
    async with http.post(url, json=change, headers=changing) as response:
        assert response.status == 204, await response.text()
    async with http.get(server.url("/api/v1/me"), headers=changing) as response:
        assert response.status == 200, "the session that made the change stays"
    async with http.get(server.url("/api/v1/me"), headers=other) as response:
        assert response.status == 401
    body = {"username": username, "password": password}
    async with http.post(server.url("/api/v1/auth/token"), json=body) as response:
        assert response.status == 401
    await bearer(http, server, username, NEW_PASSWORD)
