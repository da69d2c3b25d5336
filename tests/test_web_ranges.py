"""A Range the server will not honour is a 416 problem+json on every route that serves files.

The class: aiohttp's FileResponse answers bad ranges itself with an empty octet-stream 416.
Tried on the app shell, the API docs page, a static asset, a slide page and a video download.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.conftest import Server, bearer
from tests.documents import make_pdf
from tests.room_client import demo_course_id, live_lecture
from tests.test_portal_api_decks import upload as upload_deck
from tests.test_portal_api_videos import clip, ready
from tests.test_portal_api_videos import upload as upload_video

__all__ = ["clip"]  # the fixture, used by name

MALFORMED = ["bytes=abc", "bytes=0-1,4-5", "bytes=5-2", "bits=0-1", "bytes=", "bytes=--1"]


async def _deck_page(http: aiohttp.ClientSession, server: Server) -> str:
    lecture = await live_lecture(http, server)
    status, deck = await upload_deck(http, server, lecture, make_pdf(["One"]), "one.pdf")
    assert status == 202, deck
    headers = await bearer(http, server, "educator")
    for _ in range(300):
        async with http.get(server.url(f"/api/v1/decks/{deck['id']}"), headers=headers) as r:
            if (await r.json())["status"] == "ready":
                break
        await asyncio.sleep(0.1)
    return f"/api/v1/decks/{deck['id']}/pages/1"


async def _check(
    http: aiohttp.ClientSession, server: Server, path: str, headers: dict[str, str]
) -> None:
    async with http.get(server.url(path), headers=headers) as response:
        assert response.status == 200, (path, await response.text())
        size = len(await response.read())
    for value in MALFORMED:
        async with http.get(server.url(path), headers={**headers, "Range": value}) as response:
            assert response.status == 416, (path, value, response.status)
            assert response.content_type == "application/problem+json", (path, value)
            assert (await response.json())["code"] == "range_not_satisfiable"
    async with http.get(
        server.url(path), headers={**headers, "Range": f"bytes={size}-"}
    ) as response:
        if not path.startswith("/assets/"):  # aiohttp's static route: syntax only
            assert response.status == 416, (path, response.status)
            assert response.content_type == "application/problem+json"
            assert response.headers["Content-Range"] == f"bytes */{size}"
    async with http.get(server.url(path), headers={**headers, "Range": "bytes=0-9"}) as r:
        assert r.status == 206 and len(await r.read()) == 10
    async with http.get(server.url(path), headers={**headers, "Range": "bytes=-4"}) as r:
        assert r.status == 206 and len(await r.read()) == 4


@pytest.mark.parametrize("path", ["/", "/api/docs", "/assets/app.css"])
async def test_pages_and_assets(http: aiohttp.ClientSession, server: Server, path: str) -> None:
    await _check(http, server, path, {})


async def test_slide_page(http: aiohttp.ClientSession, server: Server) -> None:
    await _check(
        http, server, await _deck_page(http, server), await bearer(http, server, "educator")
    )


async def test_video_download(http: aiohttp.ClientSession, server: Server, clip: bytes) -> None:
    course = await demo_course_id(http, server)
    _, uploaded = await upload_video(http, server, course, clip)
    video: dict[str, Any] = await ready(http, server, uploaded["id"])
    await _check(http, server, video["download_url"], await bearer(http, server, "educator"))
