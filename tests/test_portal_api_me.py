"""The caller's own profile."""

from __future__ import annotations

import aiohttp

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
