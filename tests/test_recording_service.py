"""Recording a lecture end to end: a real server, an aiortc educator over Socket.IO, real files.

The educator publishes a camera (H.264) and a microphone (Opus), shows PDF slides, records two
takes and ends the lecture; the library must then hold a playable video of the lecture, its
chapters at the slide changes titled from the slides' text, and its replay timeline. A server
killed mid-recording must still yield a video of what was recorded once it is started again.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import DATABASES, Server, bearer, start_server
from tests.documents import make_pdf
from tests.media_peer import MediaParticipant, ToneTrack
from tests.room_client import demo_course_id, join_token, live_lecture
from tests.sfu_peer import TestCardTrack
from tests.test_portal_api_decks import upload
from vod.probe import probe

LOOPBACK_ICE = ("--ice-address", "127.0.0.1", "--ice-allow", "127.0.0.0/8")
SLIDES = ["Introduction to recording", "Segments and keyframes", "Summary and questions"]
STEP = 3.0  # seconds between slide changes
CUE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


@pytest.fixture(scope="module", params=DATABASES)
def media_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("recording"), request.param, *LOOPBACK_ICE)
    yield srv
    srv.stop()


async def enter(
    http: aiohttp.ClientSession, server: Server, lecture: int, username: str
) -> MediaParticipant:
    person = MediaParticipant(username)
    await person.connect(server, await join_token(http, server, lecture, username))
    return person


async def publish_camera_and_microphone(educator: MediaParticipant) -> None:
    await educator.media_join()
    ack = await educator.publish([(TestCardTrack(), "camera"), (ToneTrack(), "microphone")])
    assert ack["ok"], ack


async def lecture_video(
    http: aiohttp.ClientSession,
    server: Server,
    lecture: int,
    within: float = 60,
    status: str = "ready",
) -> dict[str, Any]:
    """The lecture's library video once processed (polled like a player would)."""
    headers = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with http.get(
            server.url(f"/api/v1/videos?course_id={course}&limit=100"), headers=headers
        ) as response:
            assert response.status == 200, await response.text()
            items = (await response.json())["items"]
        mine = [v for v in items if v["lecture_id"] == lecture]
        if mine and mine[0]["status"] != "processing":
            assert mine[0]["status"] == status, mine[0]
            return dict(mine[0])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no ready video for lecture {lecture}")


async def fetch(http: aiohttp.ClientSession, server: Server, path: str) -> bytes:
    headers = await bearer(http, server, "student1")
    async with http.get(server.url(path), headers=headers) as response:
        assert response.status == 200, (path, response.status)
        return await response.read()


def cues(vtt: str) -> list[tuple[float, float, str]]:
    lines = vtt.splitlines()
    assert lines[0] == "WEBVTT"
    found = []
    for index, line in enumerate(lines):
        match = CUE.match(line)
        if match:
            h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
            start = h1 * 3600 + m1 * 60 + s1 + ms1 / 1000
            end = h2 * 3600 + m2 * 60 + s2 + ms2 / 1000
            found.append((start, end, lines[index + 1]))
    return found


async def test_a_recorded_lecture_becomes_a_video_with_chapters(
    http: aiohttp.ClientSession, media_server: Server, tmp_path: Path
) -> None:
    server = media_server
    lecture = await live_lecture(http, server)
    educator = await enter(http, server, lecture, "educator")
    student = await enter(http, server, lecture, "student1")
    try:
        status, deck = await upload(http, server, lecture, make_pdf(SLIDES), "week1.pdf")
        assert status == 202
        await educator.deck_settled()
        refused = await student.call("recording:start", {})
        assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
        assert (await educator.call("recording:start", {"extra": 1}))["error"]["code"] == "invalid"
        await publish_camera_and_microphone(educator)
        assert (await educator.call("slides:show", {"deck_id": deck["id"], "page": 1}))["ok"]

        started = time.monotonic()
        assert (await educator.call("recording:start", {})) == {"ok": True, "recording": True}
        assert (await student.next("recording:state")) == {"recording": True}
        late = await enter(http, server, lecture, "student2")
        assert late.state["recording"] is True  # the snapshot says so too
        await late.leave()
        await asyncio.sleep(STEP)
        second_slide = time.monotonic() - started
        assert (await educator.call("slides:show", {"deck_id": deck["id"], "page": 2}))["ok"]
        assert (await student.call("chat:send", {"text": "Is this recorded?"}))["ok"]
        await asyncio.sleep(STEP)
        assert (await educator.call("recording:stop", {}))["recording"] is False
        first_take = time.monotonic() - started
        assert (await student.next("recording:state")) == {"recording": False}
        assert (await educator.call("slides:show", {"deck_id": deck["id"], "page": 3}))["ok"]
        await asyncio.sleep(1.0)  # not recorded
        restarted = time.monotonic()
        assert (await educator.call("recording:start", {}))["ok"]
        await asyncio.sleep(STEP)
        assert (await educator.call("lecture:end", {}))["ok"]
        ended = time.monotonic()
        length = first_take + ended - restarted  # as the client saw it: a little more
        video = await lecture_video(http, server, lecture)
        to_playable = time.monotonic() - ended
    finally:
        await educator.leave()
        await student.leave()

    assert video["title"] == "Week 1"
    assert video["duration_seconds"] == pytest.approx(length, abs=0.7)
    download = tmp_path / "download.mp4"
    download.write_bytes(await fetch(http, server, f"/vod/{video['id']}/download.mp4"))
    info = probe(download)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert (info.width, info.height) == (320, 240)  # the camera's own picture, not re-scaled
    master = (await fetch(http, server, f"/vod/{video['id']}/master.m3u8")).decode()
    assert "hls/source/index.m3u8" in master

    chapters = cues((await fetch(http, server, f"/vod/{video['id']}/chapters.vtt")).decode())
    assert [title for _, _, title in chapters] == SLIDES
    starts = [start for start, _, _ in chapters]
    assert starts[0] == 0.0
    assert starts[1] == pytest.approx(second_slide, abs=0.5)
    assert starts[2] == pytest.approx(first_take, abs=0.5)  # the slide shown between takes
    assert chapters[-1][1] == pytest.approx(length, abs=0.7)

    timeline = await fetch(http, server, f"/vod/{video['id']}/timeline.json")
    replay = json.loads(timeline)
    assert [c["image"] for c in replay["chapters"]] == [
        f"/api/v1/decks/{deck['id']}/pages/{page}" for page in (1, 2, 3)
    ]
    assert [(m["name"], m["text"]) for m in replay["chat"]] == [
        (replay["chat"][0]["name"], "Is this recorded?")
    ]
    assert replay["chat"][0]["t"] == pytest.approx(second_slide, abs=0.5)
    print(
        f"\nRESULT recording_to_playable_seconds={to_playable:.2f} "
        f"length_seconds={length:.1f} fraction={to_playable / length:.3f}"
    )


async def test_a_server_killed_mid_recording_still_yields_a_video(
    http: aiohttp.ClientSession, media_server: Server
) -> None:
    server = media_server
    lecture = await live_lecture(http, server)
    educator = await enter(http, server, lecture, "educator")
    try:
        # Recording first: the lecture's media is made afterwards, and the recorder hears of it.
        assert (await educator.call("recording:start", {}))["ok"]
        await publish_camera_and_microphone(educator)
        await asyncio.sleep(6.0)
        server.restart()  # SIGKILL: no take is stopped, no file is closed
    finally:
        await educator.leave()
    video = await lecture_video(http, server, lecture)
    # Up to the last flushed cluster (about a second) may be lost, never the whole take.
    assert 4.0 <= video["duration_seconds"] <= 6.5, video["duration_seconds"]


async def test_a_lecture_set_to_record_automatically_starts_when_people_join(
    http: aiohttp.ClientSession, media_server: Server
) -> None:
    server = media_server
    lecture = await live_lecture(http, server)
    educator = await enter(http, server, lecture, "educator")
    student: MediaParticipant | None = None
    try:
        assert educator.state["recording"] is False
        assert (await educator.call("recording:auto", {"enabled": True})) == {
            "ok": True,
            "enabled": True,
        }
        assert (await educator.next("recording:auto")) == {"enabled": True}
        await publish_camera_and_microphone(educator)
        student = await enter(http, server, lecture, "student1")  # the next join starts it
        assert (await educator.next("recording:state")) == {"recording": True}
        await asyncio.sleep(3.0)
        assert (await educator.call("lecture:end", {}))["ok"]
    finally:
        await educator.leave()
        if student is not None:
            await student.leave()
    video = await lecture_video(http, server, lecture)
    assert video["duration_seconds"] == pytest.approx(3.0, abs=0.8)


async def test_only_a_live_lecture_is_recorded(
    http: aiohttp.ClientSession, media_server: Server
) -> None:
    lecture = await live_lecture(http, media_server, start=False)
    educator = await enter(http, media_server, lecture, "educator")
    try:
        ack = await educator.call("recording:start", {})
        assert ack["ok"] is False and ack["error"]["code"] == "conflict", ack
        assert educator.state["recording"] is False
    finally:
        await educator.leave()


async def record_microphone_and_slides(
    http: aiohttp.ClientSession, server: Server, slides: list[str]
) -> tuple[int, float, float, float]:
    """A lecture recorded from an educator with a microphone, no camera, showing ``slides``
    one every STEP seconds: its video's id, when the second slide came, the lecture's length
    and the seconds from its end to a playable video."""
    lecture = await live_lecture(http, server)
    educator = await enter(http, server, lecture, "educator")
    try:
        status, deck = await upload(http, server, lecture, make_pdf(slides), "audio.pdf")
        assert status == 202
        await educator.deck_settled()
        await educator.media_join(video=False)
        assert (await educator.publish([(ToneTrack(), "microphone")]))["ok"]
        assert (await educator.call("slides:show", {"deck_id": deck["id"], "page": 1}))["ok"]
        started = time.monotonic()
        assert (await educator.call("recording:start", {}))["ok"]
        await asyncio.sleep(STEP)
        second_slide = time.monotonic() - started
        assert (await educator.call("slides:show", {"deck_id": deck["id"], "page": 2}))["ok"]
        await asyncio.sleep(STEP)
        assert (await educator.call("lecture:end", {}))["ok"]
        length = time.monotonic() - started
    finally:
        await educator.leave()
    video = await lecture_video(http, server, lecture)
    return int(video["id"]), second_slide, length, time.monotonic() - started - length


async def test_an_audio_only_recording_becomes_an_audio_only_video(
    http: aiohttp.ClientSession, media_server: Server, tmp_path: Path
) -> None:
    """Microphone and slides only (BigBlueButton records these too): playable audio, chapters."""
    server = media_server
    recorded = await record_microphone_and_slides(http, server, SLIDES[:2])
    video_id, second_slide, length, to_playable = recorded
    headers = await bearer(http, server, "educator")
    async with http.get(server.url(f"/api/v1/videos/{video_id}"), headers=headers) as response:
        video = await response.json()
    assert video["duration_seconds"] == pytest.approx(length, abs=0.7)
    assert (video["width"], video["height"]) == (None, None)
    assert video["renditions"] == [{"name": "source", "height": None}]

    master = (await fetch(http, server, f"/vod/{video_id}/master.m3u8")).decode()
    variants = [line for line in master.splitlines() if line.startswith("#EXT-X-STREAM-INF")]
    assert len(variants) == 1 and 'CODECS="mp4a.40.2"' in variants[0], master
    assert "RESOLUTION" not in master and "hls/source/index.m3u8" in master
    playlist = (await fetch(http, server, f"/vod/{video_id}/hls/source/index.m3u8")).decode()
    assert "#EXT-X-ENDLIST" in playlist
    init = tmp_path / "init.mp4"
    init.write_bytes(await fetch(http, server, f"/vod/{video_id}/hls/source/init.mp4"))
    assert probe(init).video_codec is None
    download = tmp_path / "download.mp4"
    download.write_bytes(await fetch(http, server, f"/vod/{video_id}/download.mp4"))
    info = probe(download)
    assert (info.video_codec, info.audio_codec) == (None, "aac")
    assert info.duration == pytest.approx(length, abs=0.7)

    chapters = cues((await fetch(http, server, f"/vod/{video_id}/chapters.vtt")).decode())
    assert [title for _, _, title in chapters] == SLIDES[:2]
    assert chapters[0][0] == 0.0
    assert chapters[1][0] == pytest.approx(second_slide, abs=0.5)
    timeline = json.loads(await fetch(http, server, f"/vod/{video_id}/timeline.json"))
    assert len(timeline["chapters"]) == 2

    # No ladder and no stills for a source with no picture; the export with slides still comes.
    kinds: set[str] = set()
    for _ in range(100):  # enqueued by the recorded job just after the video became ready
        async with http.get(
            server.url(f"/api/v1/videos/{video_id}/jobs?limit=100"), headers=headers
        ) as response:
            kinds = {job["kind"] for job in (await response.json())["items"]}
        if "composed" in kinds:
            break
        await asyncio.sleep(0.1)
    assert kinds == {"recorded", "composed"}, kinds
    composed = tmp_path / "composed.mp4"
    deadline = time.monotonic() + 120
    while not video.get("composed_url") and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        async with http.get(server.url(f"/api/v1/videos/{video_id}"), headers=headers) as got:
            video = await got.json()
    assert video["composed_url"] == f"/vod/{video_id}/composed.mp4", video
    composed.write_bytes(await fetch(http, server, video["composed_url"]))
    exported = probe(composed)
    assert (exported.video_codec, exported.audio_codec) == ("h264", "aac")
    assert exported.duration == pytest.approx(info.duration, abs=0.5)
    print(
        f"\nRESULT audio_only_recording_to_playable_seconds={to_playable:.2f} "
        f"length_seconds={length:.1f}"
    )


async def test_a_shared_screen_is_known_as_one_and_composed(
    http: aiohttp.ClientSession, media_server: Server
) -> None:
    """The SFU catalogue says which track is the screen (even one shared before recording
    started); the recording notes it, and the screen reaches the composed export even with
    no slide shown."""
    server = media_server
    lecture = await live_lecture(http, server)
    educator = await enter(http, server, lecture, "educator")
    try:
        await educator.media_join()
        camera, screen, microphone = TestCardTrack(), TestCardTrack(), ToneTrack()
        tracks = [(camera, "camera"), (screen, "screen"), (microphone, "microphone")]
        assert (await educator.publish(tracks))["ok"]
        await asyncio.sleep(1.0)  # the catalogue goes out before any take
        assert (await educator.call("recording:start", {}))["ok"]
        await asyncio.sleep(3.0)
        assert (await educator.call("lecture:end", {}))["ok"]
    finally:
        await educator.leave()
    video = await lecture_video(http, server, lecture)
    data_dir = Path(server.data_flags[1])
    metadata = [
        json.loads(path.read_text())
        for path in (data_dir / "recordings" / str(lecture)).glob("*/tracks/*/track.json")
    ]
    assert sorted((m["kind"], m.get("source")) for m in metadata) == [
        ("audio", "microphone"), ("video", "camera"), ("video", "screen")
    ]  # fmt: skip
    headers = await bearer(http, server, "educator")
    for _ in range(600):  # after stage 2's other jobs, on the slow lane
        async with http.get(server.url(f"/api/v1/videos/{video['id']}"), headers=headers) as got:
            assert got.status == 200
            composed_url = (await got.json())["composed_url"]
        if composed_url:
            break
        await asyncio.sleep(0.1)
    assert composed_url == f"/vod/{video['id']}/composed.mp4"
