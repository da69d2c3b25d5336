"""Subtitles over the real server: a video's educators add, replace and remove a WebVTT track
per language; the master playlist lists them for every player; students only watch."""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import Server
from tests.media import make_clip
from tests.module_builder import call, new_course, ready_video
from tests.test_vod_subtitles import TRACK


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("media") / "clip.mp4", 2).read_bytes()


async def text_of(http: aiohttp.ClientSession, server: Server, path: str) -> str:
    async with http.get(server.url(path)) as response:
        assert response.status == 200, path
        return await response.text()


async def test_subtitles_are_added_listed_served_and_removed(
    http: aiohttp.ClientSession, server: Server, clip: bytes
) -> None:
    course = await new_course(http, server)
    video = await ready_video(http, server, course, clip)
    base = f"/videos/{video['id']}/subtitles"
    educator, student = course.educator, course.students[0]
    await call(http, server, "PUT", f"{base}/ar", educator, {"text": TRACK}, 200)
    _, listed = await call(http, server, "PUT", f"{base}/EN", educator, {"text": TRACK}, 200)
    assert [t["language"] for t in listed["items"]] == ["ar", "en"]

    _, seen = await call(http, server, "GET", base, student, expect=200)
    assert seen == listed
    # The library search finds the video by what its subtitles say.
    query = f"/videos?course_id={course.id}&q=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7"  # مرحبا
    _, found = await call(http, server, "GET", query, student, expect=200)
    assert [v["id"] for v in found["items"]] == [video["id"]]
    async with aiohttp.ClientSession() as anyone:  # a course video: members only
        status, _ = await call(anyone, server, "GET", base)
        assert status == 404
    cookies = {"Authorization": student["Authorization"]}
    async with aiohttp.ClientSession(headers=cookies) as watcher:
        master = await text_of(watcher, server, video["master_url"])
        assert 'LANGUAGE="ar"' in master and 'LANGUAGE="en"' in master
        assert 'SUBTITLES="captions"' in master
        assert "مرحبا" in await text_of(watcher, server, seen["items"][0]["url"])

    status, problem = await call(http, server, "PUT", f"{base}/fr", student, {"text": TRACK})
    assert status == 403
    for language, body, code in (
        ("fr", {"text": "not a track"}, "invalid_subtitles"),
        ("..%2Fx", {"text": TRACK}, "invalid_language"),
        ("french", {"text": TRACK}, "invalid_language"),
    ):
        status, problem = await call(http, server, "PUT", f"{base}/{language}", educator, body)
        assert (status, problem["code"]) == (422, code), language

    await call(http, server, "DELETE", f"{base}/ar", educator, expect=204)
    status, _ = await call(http, server, "DELETE", f"{base}/ar", educator)
    assert status == 404
    async with aiohttp.ClientSession(headers=cookies) as watcher:
        master = await text_of(watcher, server, video["master_url"])
    assert 'LANGUAGE="ar"' not in master and 'LANGUAGE="en"' in master
