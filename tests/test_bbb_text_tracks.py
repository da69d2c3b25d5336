"""BBB's recording text tracks against a real server: a track put through the API is the
video's subtitles (listed by getRecordingTextTracks and the REST API, in the master
playlist); every refusal answers BBB's JSON."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from classroom_server.db import BbbMeeting, Video
from tests.conftest import Server
from tests.media import make_clip
from tests.module_builder import call as rest
from tests.module_builder import new_course, ready_video
from tests.test_bbb_recordings import database_of
from tests.test_bbb_routes import call, meeting, signed
from tests.test_vod_subtitles import TRACK

SRT = (
    "1\r\n00:00:00,500 --> 00:00:02,000\r\nBonjour\r\n\r\n"
    "2\r\n00:00:02,000 --> 00:00:04,000\r\nSalut\r\n"
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("media") / "clip.mp4", 2).read_bytes()


async def answer(response: aiohttp.ClientResponse) -> dict[str, Any]:
    assert response.status == 200, await response.text()
    assert response.content_type == "application/json"
    body: dict[str, Any] = await response.json()
    assert list(body) == ["response"]
    return dict(body["response"])


async def put(
    http: aiohttp.ClientSession,
    server: Server,
    params: dict[str, str],
    file: str | bytes | None,
    content_type: str = "text/vtt",
) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("label", "unsigned, ignored")
    if file is not None:
        form.add_field("file", file, filename="track", content_type=content_type)
    async with http.post(signed(server, "putRecordingTextTrack", params), data=form) as got:
        return await answer(got)


async def tracks(http: aiohttp.ClientSession, server: Server, record_id: str) -> dict[str, Any]:
    url = signed(server, "getRecordingTextTracks", {"recordID": record_id})
    async with http.get(url) as got:
        return await answer(got)


async def recording_of(server: Server, meeting_id: str, video_id: int) -> None:
    """Makes the uploaded video the meeting's recording, as the recorder's hand-off would."""
    database = database_of(server)
    try:
        async with database.session() as session:
            row = await session.scalar(
                select(BbbMeeting).where(BbbMeeting.meeting_id == meeting_id)
            )
            video = await session.get(Video, video_id)
            assert row is not None and video is not None
            video.lecture_id = row.lecture_id
            await session.commit()
    finally:
        await database.close()


def refused(body: dict[str, Any], key: str) -> None:
    assert body["returncode"] == "FAILED", body
    assert body["messageKey"] == key, body
    assert body["message"]


async def test_text_tracks_round_trip_into_the_player(
    http: aiohttp.ClientSession, server: Server, clip: bytes
) -> None:
    course = await new_course(http, server)
    video = await ready_video(http, server, course, clip)
    params = meeting()
    await call(http, server, "create", params)
    await recording_of(server, params["meetingID"], video["id"])
    record_id = str(video["id"])
    assert await tracks(http, server, record_id) == {"returncode": "SUCCESS", "tracks": []}

    ask = {"recordID": record_id, "kind": "subtitles", "lang": "en-US", "label": "English"}
    done = await put(http, server, ask, TRACK)
    assert done == {
        "messageKey": "upload_text_track_success",
        "message": "Text track uploaded successfully",
        "recordId": record_id,
        "returncode": "SUCCESS",
    }
    french = {"recordID": record_id, "kind": "captions", "lang": "fr"}
    assert (await put(http, server, french, SRT, "application/x-subrip"))["returncode"] == (
        "SUCCESS"
    )
    listed = await tracks(http, server, record_id)
    assert listed["returncode"] == "SUCCESS"
    base = server.url(f"/vod/{record_id}/hls")
    assert listed["tracks"] == [
        {
            "href": f"{base}/sub-en-us/subtitles.vtt",
            "kind": "subtitles",
            "label": "en-US",
            "lang": "en-US",
            "source": "upload",
        },
        {
            "href": f"{base}/sub-fr/subtitles.vtt",
            "kind": "subtitles",
            "label": "fr",
            "lang": "fr",
            "source": "upload",
        },
    ]

    student = course.students[0]
    _, seen = await rest(http, server, "GET", f"/videos/{record_id}/subtitles", student, expect=200)
    assert [t["language"] for t in seen["items"]] == ["en-us", "fr"]
    async with aiohttp.ClientSession(headers={"Authorization": student["Authorization"]}) as w:
        async with w.get(server.url(video["master_url"])) as got:
            master = await got.text()
        async with w.get(listed["tracks"][1]["href"]) as got:
            converted = await got.text()
    assert 'LANGUAGE="en-us"' in master and 'LANGUAGE="fr"' in master
    assert converted.startswith("WEBVTT") and "00:00:00.500 --> 00:00:02.000" in converted


async def test_text_track_refusals(
    http: aiohttp.ClientSession, server: Server, clip: bytes
) -> None:
    params = meeting()
    await call(http, server, "create", params)
    course = await new_course(http, server)
    video = await ready_video(http, server, course, clip)
    await recording_of(server, params["meetingID"], video["id"])
    record_id = str(video["id"])
    good = {"recordID": record_id, "kind": "subtitles", "lang": "ar"}

    refused(await tracks(http, server, ""), "missingParameter")
    refused(await tracks(http, server, "999999999"), "noRecordings")
    refused(await tracks(http, server, "x"), "noRecordings")
    for name in good:
        refused(await put(http, server, good | {name: ""}, TRACK), "missingParameter")
    refused(await put(http, server, good | {"kind": "chapters"}, TRACK), "invalidKind")
    refused(await put(http, server, good | {"lang": "../x"}, TRACK), "invalidLang")
    refused(await put(http, server, good | {"recordID": "999999999"}, TRACK), "noRecordings")
    refused(await put(http, server, good, None), "empty_uploaded_text_track")
    refused(await put(http, server, good, b""), "empty_uploaded_text_track")
    for bad in ("not a track", b"\xff\xfe\x00", "x" * 2_000_001):
        failed = await put(http, server, good, bad)
        assert failed == {
            "messageKey": "upload_text_track_failed",
            "message": "Text track upload failed.",
            "recordId": record_id,
            "returncode": "FAILED",
        }
    assert (await tracks(http, server, record_id))["tracks"] == []

    # Signed on the query string only: a changed parameter is a checksum error, in JSON.
    url = str(signed(server, "putRecordingTextTrack", good)).replace("lang=ar", "lang=fr")
    form = aiohttp.FormData()
    form.add_field("file", TRACK, filename="t.vtt")
    async with http.post(url, data=form) as got:
        refused(await answer(got), "checksumError")
