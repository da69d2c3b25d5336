"""Enrolment CSV bodies the csv module cannot read are a 422 problem, never a 500.

The class: csv.Error escaping the handler. Found by bench/fuzz_api.py (a lone carriage return
inside a field); tried with every line ending and a few broken shapes.
"""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import Server, bearer


@pytest.mark.parametrize(
    "body",
    [
        "\u00d7\u00dc:\rf\u00f8n~",
        "username\rstudent1\r",
        'username\r\n"student1\rstudent2',
        "username\nstu\rdent1\n",
        "\r\r\r",
        'username,role\n"unterminated',
    ],
)
async def test_awkward_csv_is_never_a_server_error(
    http: aiohttp.ClientSession, server: Server, body: str
) -> None:
    headers = {**await bearer(http, server, "educator"), "Content-Type": "text/csv"}
    async with http.post(
        server.url("/api/v1/courses/1/enrolments/csv"), data=body.encode(), headers=headers
    ) as response:
        assert response.status in (200, 422), await response.text()
        assert response.content_type in ("application/json", "application/problem+json")


async def test_carriage_returns_end_rows(http: aiohttp.ClientSession, server: Server) -> None:
    headers = {**await bearer(http, server, "educator"), "Content-Type": "text/csv"}
    async with http.post(
        server.url("/api/v1/courses/1/enrolments/csv"),
        data=b"username\rstudent1\r",
        headers=headers,
    ) as response:
        assert response.status == 200, await response.text()
        rows = (await response.json())["rows"]
    assert [r["username"] for r in rows] == ["student1"]
