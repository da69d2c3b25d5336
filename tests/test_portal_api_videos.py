"""QOU Tube over HTTP: upload, processing by the server's worker, playback with access checks."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import aiohttp
import pytest

from tests.conftest import ADMIN, Server, bearer
from tests.media import make_clip
from tests.processes import children_running
from tests.room_client import demo_course_id


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("media") / "clip.mp4", 4).read_bytes()


async def upload(
    http: aiohttp.ClientSession,
    server: Server,
    course: int,
    content: bytes,
    username: str = "educator",
    title: str = "Lecture 1",
) -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("course_id", str(course))
    form.add_field("title", title)
    form.add_field("file", content, filename="clip.mp4", content_type="video/mp4")
    async with http.post(
        server.url("/api/v1/videos"), data=form, headers=await bearer(http, server, username)
    ) as response:
        return response.status, await response.json()


async def ready(http: aiohttp.ClientSession, server: Server, video_id: int) -> dict[str, Any]:
    headers = await bearer(http, server, "educator")
    for _ in range(300):
        async with http.get(server.url(f"/api/v1/videos/{video_id}"), headers=headers) as r:
            video: dict[str, Any] = await r.json()
        if video["status"] != "processing":
            return video
        await asyncio.sleep(0.1)
    raise AssertionError("the video never became playable")


async def test_upload_process_and_play(
    http: aiohttp.ClientSession, server: Server, clip: bytes
) -> None:
    course = await demo_course_id(http, server)
    status, video = await upload(http, server, course, clip)
    assert status == 202 and video["status"] == "processing"
    video = await ready(http, server, video["id"])
    assert video["status"] == "ready" and abs(video["duration_seconds"] - 4) <= 0.5

    student = await bearer(http, server, "student1")
    async with http.get(server.url(video["master_url"]), headers=student) as response:
        assert response.status == 200
        assert "hls/source/index.m3u8" in await response.text()
    async with http.get(
        server.url(f"/vod/{video['id']}/hls/source/index.m3u8"), headers=student
    ) as response:
        playlist = await response.text()
    first_segment = next(line for line in playlist.splitlines() if line.endswith(".m4s"))
    async with http.get(
        server.url(f"/vod/{video['id']}/hls/source/{first_segment}"), headers=student
    ) as response:
        assert response.status == 200 and "immutable" in response.headers["Cache-Control"]
    async with http.get(
        server.url(video["download_url"]), headers={**student, "Range": "bytes=0-99"}
    ) as response:
        assert response.status == 206 and len(await response.read()) == 100
        assert "attachment" in response.headers["Content-Disposition"]

    position_url = server.url(f"/api/v1/videos/{video['id']}/position")
    async with http.get(position_url, headers=student) as response:
        assert (await response.json())["seconds"] == 0
    async with http.put(position_url, json={"seconds": 2.5}, headers=student) as response:
        assert response.status == 200
    async with http.put(position_url, json={"seconds": -1}, headers=student) as response:
        assert response.status == 422
    async with http.get(position_url, headers=student) as response:
        assert (await response.json())["seconds"] == 2.5
    async with http.get(position_url, headers=await bearer(http, server, "student2")) as r:
        assert (await r.json())["seconds"] == 0, "positions are per viewer"

    async with aiohttp.ClientSession() as anonymous:
        async with anonymous.get(server.url(video["master_url"])) as response:
            assert response.status == 403
    for path in (
        "hls/source/..%2F..%2Foriginal",
        "hls/../original",
        "hls/secret/index.m3u8",
        "hls/source/index.m3u8.bak",
        "original",
    ):
        async with http.get(server.url(f"/vod/{video['id']}/{path}"), headers=student) as r:
            assert r.status == 404, path


async def test_catalogue_edit_search_and_delete(
    http: aiohttp.ClientSession, server: Server, clip: bytes
) -> None:
    course = await demo_course_id(http, server)
    _, video = await upload(http, server, course, clip, title="Habits of online learners")
    educator = await bearer(http, server, "educator")
    url = server.url(f"/api/v1/videos/{video['id']}")
    async with http.patch(
        url, json={"tags": ["Habits", "week-2"], "description": "d"}, headers=educator
    ) as response:
        assert response.status == 200 and (await response.json())["tags"] == ["Habits", "week-2"]
    student = await bearer(http, server, "student2")
    for query in ("tag=habits", "q=online%20learn", f"course_id={course}"):
        async with http.get(server.url(f"/api/v1/videos?{query}"), headers=student) as r:
            assert video["id"] in [v["id"] for v in (await r.json())["items"]], query
    async with http.get(server.url("/api/v1/videos?tag=nothing-like-it"), headers=student) as r:
        assert (await r.json())["total"] == 0
    async with http.patch(url, json={"title": "mine now"}, headers=student) as response:
        assert response.status == 403
    async with http.patch(url, json={"visibility": "private"}, headers=educator) as response:
        assert response.status == 200
    async with http.get(url, headers=student) as response:
        assert response.status == 404
    jobs_url = server.url(f"/api/v1/videos/{video['id']}/jobs")
    async with http.get(jobs_url, params={"limit": 200}, headers=educator) as response:
        jobs = await response.json()
    kinds = [j["kind"] for j in jobs["items"]]
    assert kinds[0] == "playable" and jobs["total"] >= len(kinds)
    async with http.get(jobs_url, params={"limit": 1}, headers=educator) as response:
        first = await response.json()
    assert [j["id"] for j in first["items"]] == [jobs["items"][0]["id"]]
    assert (first["limit"], first["offset"]) == (1, 0)
    assert first["total"] >= jobs["total"]  # processing may add stages meanwhile, never remove
    async with http.get(jobs_url, params={"offset": len(kinds) - 1}, headers=educator) as r:
        rest = await r.json()
    assert rest["items"][0]["id"] == jobs["items"][-1]["id"] and rest["offset"] == len(kinds) - 1
    async with http.delete(url, headers=educator) as response:
        assert response.status == 204
    async with http.get(url, headers=educator) as response:
        assert response.status == 404


async def test_upload_refusals(http: aiohttp.ClientSession, server: Server, clip: bytes) -> None:
    course = await demo_course_id(http, server)
    status, _ = await upload(http, server, course, clip, username="student1")
    assert status == 403
    admin = await bearer(http, server, *ADMIN)
    form = aiohttp.FormData()
    form.add_field("file", clip, filename="clip.mp4")
    async with http.post(server.url("/api/v1/videos"), data=form, headers=admin) as response:
        assert response.status == 422
    form = aiohttp.FormData()
    form.add_field("course_id", "999999")
    form.add_field("title", "t")
    form.add_field("file", clip, filename="clip.mp4")
    async with http.post(server.url("/api/v1/videos"), data=form, headers=admin) as response:
        assert response.status == 404


def ffmpeg_processes_of(pid: int) -> list[int]:
    """ffmpeg processes started by the server process ``pid``."""
    return sorted(children_running(pid, "ffmpeg"))


async def test_an_unreadable_upload_fails_and_says_why(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await demo_course_id(http, server)
    junk = b"\x00\x00\x00\x18ftypmp42" + os.urandom(64 * 1024)  # an MP4 header, then noise
    status, video = await upload(http, server, course, junk, title="Not a video")
    assert status == 202 and video["status"] == "processing" and video["error"] is None
    video = await ready(http, server, video["id"])
    assert video["status"] == "failed", video
    assert "not a readable media file" in video["error"], video
    assert "/" not in video["error"], "no server path in what the educator reads"
    educator = await bearer(http, server, "educator")
    async with http.get(
        server.url(f"/api/v1/videos?course_id={course}&limit=100"), headers=educator
    ) as response:
        listed = {v["id"]: v for v in (await response.json())["items"]}
    assert listed[video["id"]]["error"] == video["error"]
    async with http.get(
        server.url(f"/api/v1/videos/{video['id']}/jobs"), headers=educator
    ) as response:
        (job,) = (await response.json())["items"]
    assert (job["kind"], job["state"], job["attempts"]) == ("playable", "failed", 1), job
    student = await bearer(http, server, "student1")
    async with http.get(server.url(f"/api/v1/videos/{video['id']}"), headers=student) as r:
        seen = await r.json()
    assert seen["status"] == "failed" and seen["error"] is None, "the reason is for educators"
    assert ffmpeg_processes_of(server.process.pid) == []
