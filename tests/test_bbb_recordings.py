"""BBB recordings against a real server: the library videos of a meeting's lectures, listed
in BBB's shape with the player and MP4 as playback formats, published, updated and deleted
through the API. The video row stands for what the recorder hands the library at the end of
a lecture (tests/test_recording_handoff.py covers that hand-off)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from sqlalchemy import select

from classroom_server.db import BbbMeeting, Database, Lecture, Video
from tests.conftest import Server
from tests.test_bbb_routes import call, failed, meeting, tags

RECORDING_FIELDS = [
    "recordID",
    "meetingID",
    "internalMeetingID",
    "name",
    "isBreakout",
    "published",
    "state",
    "startTime",
    "endTime",
    "participants",
    "metadata",
    "playback",
]


def database_of(server: Server) -> Database:
    flags = server.data_flags
    if "--database-url" in flags:
        return Database(flags[flags.index("--database-url") + 1])
    data_dir = Path(flags[flags.index("--data-dir") + 1])
    return Database(f"sqlite+aiosqlite:///{(data_dir / 'classroom.sqlite3').resolve()}")


async def recorded(server: Server, meeting_id: str, status: str = "ready") -> int:
    """A library video of the meeting's lecture, as the recorder leaves one."""
    database = database_of(server)
    try:
        async with database.session() as session:
            row = await session.scalar(
                select(BbbMeeting).where(BbbMeeting.meeting_id == meeting_id)
            )
            assert row is not None
            lecture = row.lecture_id
            course = await session.scalar(select(Lecture.course_id).where(Lecture.id == lecture))
            assert course is not None
            video = Video(
                course_id=course,
                lecture_id=lecture,
                title="Lecture recording",
                status=status,
                duration_seconds=600.0,
            )
            session.add(video)
            await session.commit()
            return video.id
    finally:
        await database.close()


async def test_recordings_lifecycle(http: aiohttp.ClientSession, server: Server) -> None:
    params = meeting()
    meeting_id = params["meetingID"]
    await call(http, server, "create", params)
    none = await call(http, server, "getRecordings", {"meetingID": meeting_id})
    assert none.findtext("returncode") == "SUCCESS"
    assert none.findtext("messageKey") == "noRecordings"
    assert tags(none) == ["returncode", "recordings", "messageKey", "message"]

    video_id = await recorded(server, meeting_id)
    processing = await recorded(server, meeting_id, "processing")
    listed = await call(http, server, "getRecordings", {"meetingID": f"{meeting_id},other"})
    recordings = list(listed.iter("recording"))
    assert [r.findtext("recordID") for r in recordings] == [str(video_id), str(processing)]
    first = recordings[0]
    assert tags(first) == RECORDING_FIELDS
    assert (first.findtext("state"), first.findtext("published")) == ("published", "true")
    assert first.findtext("metadata/bbb-context-name") == "Linear algebra"
    formats = {f.findtext("type"): f.findtext("url") for f in first.iter("format")}
    assert formats == {
        "presentation": server.url(f"/videos/{video_id}"),
        "video": server.url(f"/vod/{video_id}/download.mp4"),
    }
    assert first.findtext("playback/format/length") == "10"
    assert recordings[1].findtext("state") == "processing"
    assert list(recordings[1].iter("format")) == []

    by_id = await call(http, server, "getRecordings", {"recordID": str(video_id)})
    assert [r.findtext("recordID") for r in by_id.iter("recording")] == [str(video_id)]

    unpublish = {"recordID": str(video_id), "publish": "false"}
    answer = await call(http, server, "publishRecordings", unpublish)
    assert tags(answer) == ["returncode", "published"]
    assert answer.findtext("published") == "false"
    state = await call(
        http, server, "getRecordings", {"recordID": str(video_id), "state": "unpublished"}
    )
    assert [r.findtext("state") for r in state.iter("recording")] == ["unpublished"]
    failed(await call(http, server, "publishRecordings", {"recordID": "1"}), "missingParameter")
    failed(
        await call(http, server, "publishRecordings", {"recordID": "999999", "publish": "true"}),
        "notFound",
    )

    update = {
        "recordID": str(video_id),
        "meta_bbb-recording-name": "Week 1 <review>",
        "meta_bbb-recording-tags": "algebra,week1",
    }
    answer = await call(http, server, "updateRecordings", update)
    assert tags(answer) == ["returncode", "updated"]
    again = await call(http, server, "getRecordings", {"recordID": str(video_id)})
    assert again.findtext("recordings/recording/name") == "Week 1 <review>"
    assert again.findtext("recordings/recording/metadata/bbb-recording-tags") == "algebra,week1"

    deleted = await call(http, server, "deleteRecordings", {"recordID": str(video_id)})
    assert tags(deleted) == ["returncode", "deleted"]
    assert deleted.findtext("deleted") == "true"
    gone = await call(http, server, "getRecordings", {"recordID": str(video_id)})
    assert gone.findtext("messageKey") == "noRecordings"
    failed(await call(http, server, "deleteRecordings", {"recordID": str(video_id)}), "notFound")
    failed(await call(http, server, "deleteRecordings", {}), "missingParameter")
