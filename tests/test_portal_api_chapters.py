"""Chapters over the real server: a video's educators write them on an upload, its students
read them and get the WebVTT chapters track, and the library search finds their titles."""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import Server
from tests.media import make_clip
from tests.module_builder import call, new_course, ready_video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("media") / "clip.mp4", 3).read_bytes()


async def test_chapters_are_written_read_and_searched(
    http: aiohttp.ClientSession, server: Server, clip: bytes
) -> None:
    course = await new_course(http, server)
    video = await ready_video(http, server, course, clip)
    base = f"/videos/{video['id']}/chapters"
    educator, student = course.educator, course.students[0]
    _, empty = await call(http, server, "GET", base, student, expect=200)
    assert empty == {"items": []}

    body = {"chapters": [{"start": 0, "title": "Galileo"}, {"start": 1.5, "title": "البندول"}]}
    _, saved = await call(http, server, "PUT", base, educator, body, 200)
    assert [(c["start"], c["title"]) for c in saved["items"]] == [(0, "Galileo"), (1.5, "البندول")]
    _, seen = await call(http, server, "GET", base, student, expect=200)
    assert seen == saved
    cookies = {"Authorization": student["Authorization"]}
    async with aiohttp.ClientSession(headers=cookies) as watcher:
        async with watcher.get(server.url(f"/vod/{video['id']}/chapters.vtt")) as response:
            assert response.status == 200
            assert "00:00:01.500 --> " in await response.text()
    query = f"/videos?course_id={course.id}&q=%D8%A7%D9%84%D8%A8%D9%86%D8%AF%D9%88%D9%84"
    _, found = await call(http, server, "GET", query, student, expect=200)
    assert [v["id"] for v in found["items"]] == [video["id"]], "a chapter title is searched"

    status, _ = await call(http, server, "PUT", base, student, body)
    assert status == 403
    async with aiohttp.ClientSession() as anyone:  # a course video: members only
        status, _ = await call(anyone, server, "GET", base)
        assert status == 404
    backwards = {"chapters": [{"start": 2, "title": "b"}, {"start": 1, "title": "a"}]}
    late = {"chapters": [{"start": 3600, "title": "late"}]}
    for bad, code in ((backwards, "invalid_chapters"), (late, "invalid_chapters")):
        status, problem = await call(http, server, "PUT", base, educator, bad)
        assert (status, problem["code"]) == (422, code), bad
    blank = {"chapters": [{"start": 0, "title": "   "}]}
    status, _ = await call(http, server, "PUT", base, educator, blank)
    assert status == 422
    _, kept = await call(http, server, "GET", base, student, expect=200)
    assert kept == saved, "a refused edit changes nothing"

    await call(http, server, "PUT", base, educator, {"chapters": []}, 200)
    _, cleared = await call(http, server, "GET", base, student, expect=200)
    assert cleared == {"items": []}
