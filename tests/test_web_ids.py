"""Ids in URL paths are ASCII digits: other scripts' digits are a 404, never a 500 or an alias.

The class: ``str.isdigit()`` and ``\\d`` accept superscripts, Arabic-Indic and fullwidth
digits, which ``int()`` refuses or reads. Every id-scoped operation of the OpenAPI document and
every /vod route is tried with them, and no pattern the API documents may use ``\\d`` or ``\\w``.
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from classroom_server.web_ids import MAX_ID, parse_id
from tests.conftest import Server, bearer

# Superscript (isdigit but not int), Arabic-Indic and fullwidth (int() reads both), mixed.
NOT_ASCII = ["\u00b2", "\u0669", "\uff11", "5\u00b9", "1\u0660", "\u00b9"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999", None),
        ("", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1_0", None),
        *((raw, None) for raw in NOT_ASCII),
    ],
)
def test_parse_id_takes_ascii_digits_only(raw: str, expected: int | None) -> None:
    assert parse_id(raw) == expected


async def _openapi(http: aiohttp.ClientSession, server: Server) -> dict[str, Any]:
    async with http.get(server.url("/api/v1/openapi.json")) as response:
        document: dict[str, Any] = await response.json()
    return document


async def test_every_id_in_every_api_path_refuses_non_ascii_digits(
    http: aiohttp.ClientSession, server: Server
) -> None:
    headers = await bearer(http, server, "educator")
    document = await _openapi(http, server)
    tried = 0
    for path, operations in document["paths"].items():
        if "{" not in path:
            continue
        for method in operations:
            for bad in NOT_ASCII:
                url = re.sub(r"\{[^}]+\}", bad, path)
                async with http.request(
                    method, server.url(url), headers=headers, json={}
                ) as response:
                    # 403 when the role is wrong whatever the id (a student-only route).
                    assert response.status in (403, 404, 422), (method, url, await response.text())
                    assert response.content_type == "application/problem+json"
                tried += 1
    assert tried > 100


@pytest.mark.parametrize(
    "path",
    [
        "/vod/{}/download.mp4",
        "/vod/{}/composed.mp4",
        "/vod/{}/master.m3u8",
        "/vod/{}/thumbnail.jpg",
        "/vod/{}/chapters.vtt",
        "/vod/{}/hls/source/index.m3u8",
        "/vod/1/hls/source/seg" + "\u0660" * 4 + "\u0661.m4s",
    ],
)
async def test_vod_files_refuse_non_ascii_ids(
    http: aiohttp.ClientSession, server: Server, path: str
) -> None:
    headers = await bearer(http, server, "educator")
    for bad in NOT_ASCII:
        async with http.get(server.url(path.format(bad)), headers=headers) as response:
            assert response.status == 404, (path, bad, await response.text())
            assert response.content_type == "application/problem+json"


async def test_no_documented_pattern_uses_unicode_classes(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """pydantic's ``\\d`` and ``\\w`` match every script's digits and letters."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            pattern = node.get("pattern")
            if isinstance(pattern, str) and re.search(r"\\[dDwW]", pattern):
                found.append(pattern)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(await _openapi(http, server))
    assert found == []


async def test_office_hours_times_take_ascii_digits_only(
    http: aiohttp.ClientSession, server: Server
) -> None:
    headers = await bearer(http, server, "educator")
    window = {"weekday": 0, "start": "\u0660\u0669:\u0660\u0660", "end": "10:00"}
    hours = {"course_id": 1, "time_zone": "UTC", "cutoff_minutes": 0, "windows": [window]}
    async with http.put(server.url("/api/v1/office-hours"), json=hours, headers=headers) as resp:
        assert resp.status == 422, await resp.text()
