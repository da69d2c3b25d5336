"""BBB's callbacks to the LMS, against a real server and an LMS stand-in on loopback: the end
callback (GET, meetingID added) once the meeting ends, and the recording-ready callback (POST,
an HS256 JWT signed with the shared secret) once its recording is in the library; each once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web

from tests.conftest import Server, free_port
from tests.room_client import Participant
from tests.test_bbb_recordings import recorded
from tests.test_bbb_routes import call, meeting, secret_of, signed


class Lms:
    """Records every callback it receives."""

    def __init__(self) -> None:
        self.calls: asyncio.Queue[tuple[str, str, dict[str, Any]]] = asyncio.Queue()
        self.base = ""

    async def handle(self, request: web.Request) -> web.Response:
        form = dict(await request.post()) if request.method == "POST" else {}
        await self.calls.put((request.method, request.path_qs, form))
        return web.Response(text="ok")

    async def next(self) -> tuple[str, str, dict[str, Any]]:
        return await asyncio.wait_for(self.calls.get(), 15)


@pytest.fixture
async def lms() -> AsyncIterator[Lms]:
    stand_in = Lms()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", stand_in.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stand_in.base = f"http://127.0.0.1:{port}"
    yield stand_in
    await runner.cleanup()


async def test_end_and_recording_ready_callbacks(
    http: aiohttp.ClientSession, server: Server, lms: Lms
) -> None:
    params = meeting() | {
        "meta_endCallbackUrl": f"{lms.base}/broker.php?action=meeting_events&id=3",
        "meta_bbb-recording-ready-url": f"{lms.base}/broker.php?action=recording_ready",
    }
    meeting_id = params["meetingID"]
    await call(http, server, "create", params)
    await call(http, server, "end", {"meetingID": meeting_id})

    method, path, _ = await lms.next()
    assert method == "GET"
    assert path.startswith("/broker.php?action=meeting_events&id=3&meetingID=moodle-")
    assert f"meetingID={meeting_id}" in path

    video_id = await recorded(server, meeting_id)
    method, path, form = await lms.next()
    assert (method, path) == ("POST", "/broker.php?action=recording_ready")
    claims = jwt.decode(form["signed_parameters"], secret_of(server), algorithms=["HS256"])
    assert claims == {"meeting_id": meeting_id, "record_id": str(video_id)}

    await asyncio.sleep(3)  # more than a look's interval: nothing is called twice
    assert lms.calls.empty()


async def test_an_end_in_the_room_calls_back_too(server: Server, lms: Lms) -> None:
    """The educator ends the lecture from the room, not through the API: the LMS still hears."""
    params = meeting() | {"meta_endCallbackUrl": f"{lms.base}/end?id=9"}
    meeting_id = params["meetingID"]
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as teacher_http:
        await call(teacher_http, server, "create", params)
        join = {"meetingID": meeting_id, "fullName": "Dr. T", "role": "MODERATOR"}
        async with teacher_http.get(signed(server, "join", join)) as response:
            assert response.status == 200  # the room page, after the redirect
            lecture_id = int(response.url.path.rsplit("/", 1)[1])
        csrf = {c.key: c.value for c in jar}["qou_csrf"]
        async with teacher_http.post(
            server.url(f"/api/v1/lectures/{lecture_id}/join"), headers={"X-CSRF-Token": csrf}
        ) as response:
            token = (await response.json())["token"]
    teacher = Participant("teacher")
    try:
        await teacher.connect(server, token)
        assert (await teacher.call("lecture:end", {}))["ok"]
    finally:
        await teacher.leave()
    method, path, _ = await lms.next()
    assert (method, path) == ("GET", f"/end?id=9&meetingID={meeting_id}&recordingmarks=false")
    await asyncio.sleep(3)
    assert lms.calls.empty()
