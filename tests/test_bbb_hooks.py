"""BBB's webhooks API against a real server and an LMS stand-in on loopback: hooks created,
listed and destroyed with bbb-webhooks' answers, and meeting-created, user-joined, user-left,
meeting-ended and rap-publish-ended delivered in its mapped shape, with its checksum over URL,
body and secret."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web

from portal_api.bbb.hooks import form_body
from tests.conftest import Server, free_port
from tests.room_client import Participant
from tests.test_bbb_recordings import recorded
from tests.test_bbb_routes import call, failed, meeting, secret_of, signed, tags


class Receiver:
    def __init__(self) -> None:
        self.posts: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self.base = ""

    async def handle(self, request: web.Request) -> web.Response:
        await self.posts.put((request.path_qs, await request.text()))
        return web.Response(text="ok")

    async def next_event(self, url: str, secret: str) -> dict[str, Any]:
        """The next event POSTed to ``url``, its checksum checked."""
        path_qs, body = await asyncio.wait_for(self.posts.get(), 15)
        path, _, checksum = path_qs.partition("?checksum=")
        assert self.base + path == url
        assert checksum == hashlib.sha1((url + body + secret).encode()).hexdigest()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        assert sorted(form) == ["domain", "event", "timestamp"]
        events = json.loads(form["event"])
        assert len(events) == 1
        event: dict[str, Any] = events[0]["data"]
        return event


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    stand_in = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", stand_in.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    stand_in.base = f"http://127.0.0.1:{port}"
    yield stand_in
    await runner.cleanup()


def test_the_form_body_is_encoded_as_bbb_webhooks_does() -> None:
    body = form_body({"timestamp": "1", "event": '[{"a":"b c*~"}]', "domain": "x.example"})
    assert body == "domain=x.example&event=%5B%7B%22a%22%3A%22b+c*%7E%22%7D%5D&timestamp=1"


async def test_hooks_lifecycle_and_events(
    http: aiohttp.ClientSession, server: Server, receiver: Receiver
) -> None:
    params = meeting()
    meeting_id = params["meetingID"]
    url = f"{receiver.base}/hooks/{meeting_id}"
    created = await call(
        http, server, "hooks/create", {"callbackURL": url, "meetingID": meeting_id}
    )
    assert tags(created) == ["returncode", "hookID", "permanentHook", "rawData"]
    hook_id = created.findtext("hookID") or ""
    again = await call(http, server, "hooks/create", {"callbackURL": url, "meetingID": meeting_id})
    assert again.findtext("hookID") == hook_id
    assert again.findtext("messageKey") == "duplicateWarning"
    failed(await call(http, server, "hooks/create", {}), "missingParamCallbackURL")

    listed = await call(http, server, "hooks/list", {"meetingID": meeting_id})
    ours = [h for h in listed.iter("hook") if h.findtext("hookID") == hook_id]
    assert len(ours) == 1
    assert tags(ours[0]) == ["hookID", "callbackURL", "meetingID", "permanentHook", "rawData"]
    assert ours[0].findtext("callbackURL") == url

    secret = secret_of(server)
    await call(http, server, "create", params)
    event = await receiver.next_event(url, secret)
    assert event["id"] == "meeting-created"
    assert event["attributes"]["meeting"]["external-meeting-id"] == meeting_id
    assert event["attributes"]["meeting"]["metadata"]["bbb-context-id"] == "7"

    join = {"meetingID": meeting_id, "fullName": "Ann", "userID": "u-1", "role": "VIEWER"}
    async with http.get(signed(server, "join", join), allow_redirects=False) as response:
        assert response.status == 302
    event = await receiver.next_event(url, secret)
    assert event["id"] == "user-joined"
    assert event["attributes"]["user"] == {
        "internal-user-id": "u-1",
        "external-user-id": "u-1",
        "name": "Ann",
        "role": "VIEWER",
        "presenter": "false",
    }

    await call(http, server, "end", {"meetingID": meeting_id})
    event = await receiver.next_event(url, secret)
    assert event["id"] == "meeting-ended"
    assert event["attributes"]["meeting"]["external-meeting-id"] == meeting_id

    removed = await call(http, server, "hooks/destroy", {"hookID": hook_id})
    assert tags(removed) == ["returncode", "removed"]
    failed(await call(http, server, "hooks/destroy", {"hookID": hook_id}), "destroyMissingHook")
    failed(await call(http, server, "hooks/destroy", {}), "missingParamHookID")
    other = meeting()
    await call(http, server, "create", other | {"meetingID": meeting_id + "-after"})
    await asyncio.sleep(1)
    assert receiver.posts.empty()


async def test_recording_leaving_and_the_recording_being_ready_reach_the_hook(
    server: Server, receiver: Receiver
) -> None:
    """The LMS's moderator starts and stops the recording in the room, then leaves (the socket
    closes): meeting-recording-started/-stopped, user-left; the lecture's video is ready after
    the end: rap-publish-ended, its playback the library's player."""
    params = meeting()
    meeting_id = params["meetingID"]
    url = f"{receiver.base}/left/{meeting_id}"
    secret = secret_of(server)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as moderator_http:
        await call(
            moderator_http, server, "hooks/create", {"callbackURL": url, "meetingID": meeting_id}
        )
        await call(moderator_http, server, "create", params)
        assert (await receiver.next_event(url, secret))["id"] == "meeting-created"
        join = {"meetingID": meeting_id, "fullName": "Bea", "userID": "u-2", "role": "MODERATOR"}
        async with moderator_http.get(signed(server, "join", join)) as response:
            assert response.status == 200  # the room page, after the redirect
            lecture_id = int(response.url.path.rsplit("/", 1)[1])
        assert (await receiver.next_event(url, secret))["id"] == "user-joined"
        csrf = {c.key: c.value for c in jar}["qou_csrf"]
        async with moderator_http.post(
            server.url(f"/api/v1/lectures/{lecture_id}/join"), headers={"X-CSRF-Token": csrf}
        ) as response:
            token = (await response.json())["token"]
        moderator = Participant("bea")
        try:
            await moderator.connect(server, token)
            await asyncio.sleep(0.5)
            assert receiver.posts.empty()  # connecting is no event of its own
            assert (await moderator.call("recording:start", {}))["recording"] is True
            started = await receiver.next_event(url, secret)
            assert started["id"] == "meeting-recording-started"
            assert started["attributes"] == {
                "meeting": {
                    "internal-meeting-id": started["attributes"]["meeting"]["internal-meeting-id"],
                    "external-meeting-id": meeting_id,
                }
            }
            assert (await moderator.call("recording:stop", {}))["recording"] is False
            stopped = await receiver.next_event(url, secret)
            assert stopped["id"] == "meeting-recording-stopped"
            assert (await moderator.call("recording:stop", {}))["ok"]  # none running: no event
        finally:
            await moderator.leave()
        left = await receiver.next_event(url, secret)
        assert left["id"] == "user-left"
        assert left["attributes"]["meeting"]["external-meeting-id"] == meeting_id
        assert left["attributes"]["user"] == {"internal-user-id": "u-2", "external-user-id": "u-2"}

        await call(moderator_http, server, "end", {"meetingID": meeting_id})
        assert (await receiver.next_event(url, secret))["id"] == "meeting-ended"
        video_id = await recorded(server, meeting_id)
        ready = await receiver.next_event(url, secret)
    assert ready["id"] == "rap-publish-ended"
    attributes = ready["attributes"]
    assert attributes["meeting"]["external-meeting-id"] == meeting_id
    assert (attributes["record-id"], attributes["success"]) == (str(video_id), True)
    recording = attributes["recording"]
    assert recording["name"] == "Lecture recording"
    assert recording["metadata"]["meetingId"] == meeting_id
    assert recording["metadata"]["bbb-context-id"] == "7"
    assert recording["playback"]["format"] == "presentation"
    assert recording["playback"]["link"].endswith(f"/videos/{video_id}")
    assert recording["playback"]["duration"] == 600_000
    await asyncio.sleep(3)  # more than the callbacks' interval: sent once
    assert receiver.posts.empty()
