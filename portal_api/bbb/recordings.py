"""BBB recordings are the library videos of a meeting's lectures.

A recording's ``recordID`` is the video's id. It is *published* while the course can watch it
(visibility ``course`` or ``public``) and *unpublished* while only its owner can
(``private``): that is what ``publishRecordings`` switches. Its playback formats are the
library's pages: ``presentation`` is the synced player (video, slides, chat), ``video`` the
MP4 download. ``updateRecordings`` maps Moodle's ``meta_bbb-recording-name``,
``-description`` and ``-tags`` onto the video's title, description and tags; other metadata
are the meeting's, as given to ``create``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import BbbMeeting, Lecture, Video
from portal_api.bbb.answers import Failed, missing
from vod.library import set_tags

PUBLISHED = ("course", "public")
MAX_IDS = 200


@dataclass(frozen=True)
class Recording:
    video: Video
    meeting: BbbMeeting
    lecture: Lecture

    @property
    def published(self) -> bool:
        return self.video.visibility in PUBLISHED

    @property
    def state(self) -> str:
        if self.video.status == "processing":
            return "processing"
        return "published" if self.published else "unpublished"


def id_list(value: str | None) -> list[str]:
    """BBB's comma-separated lists (``meetingID=a,b``, ``recordID=1,2``)."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()][:MAX_IDS]


def record_ids(params: Mapping[str, str]) -> list[int]:
    """``recordID``'s video ids; a recordID that is not one of ours finds nothing."""
    given = id_list(params.get("recordID"))
    if not given:
        raise missing("recordID")
    return [int(x) for x in given if x.isdigit() and len(x) < 10]


async def find_recordings(
    session: AsyncSession,
    meeting_ids: list[str],
    video_ids: list[int] | None,
    states: list[str],
) -> list[Recording]:
    """The recordings of these meetings (all meetings' if none named), or these videos;
    failed videos are not recordings (BBB never lists a failed processing)."""
    query = (
        select(Video, BbbMeeting, Lecture)
        .join(Lecture, Lecture.id == Video.lecture_id)
        .join(BbbMeeting, BbbMeeting.lecture_id == Lecture.id)
        .where(Video.status != "failed")
        .order_by(Video.id)
    )
    if meeting_ids:
        query = query.where(BbbMeeting.meeting_id.in_(meeting_ids))
    if video_ids is not None:
        query = query.where(Video.id.in_(video_ids))
    found = [Recording(v, m, lec) for v, m, lec in (await session.execute(query)).all()]
    wanted = {s.lower() for s in states} or {"published", "unpublished", "processing"}
    if "any" in wanted:
        return found
    return [r for r in found if r.state in wanted]


async def publish(session: AsyncSession, video_ids: list[int], published: bool) -> int:
    """How many of these recordings now have the asked visibility; the caller commits."""
    recordings = await find_recordings(session, [], video_ids, ["any"])
    for recording in recordings:
        recording.video.visibility = "course" if published else "private"
    return len(recordings)


async def update(session: AsyncSession, video_ids: list[int], meta: Mapping[str, str]) -> int:
    """Applies Moodle's recording name, description and tags; the caller commits."""
    recordings = await find_recordings(session, [], video_ids, ["any"])
    for recording in recordings:
        video = recording.video
        if "bbb-recording-name" in meta:
            video.title = meta["bbb-recording-name"][:200] or video.title
        if "bbb-recording-description" in meta:
            video.description = meta["bbb-recording-description"]
        if "bbb-recording-tags" in meta:
            tags = [t.strip()[:40] for t in meta["bbb-recording-tags"].split(",") if t.strip()]
            set_tags(video, tags[:20])
    return len(recordings)


def publish_flag(params: Mapping[str, str]) -> bool:
    value = params.get("publish")
    if value is None:
        raise missing("publish")
    if value.strip().lower() not in ("true", "false"):
        raise Failed("invalidPublishValue", "The publish parameter must be true or false.")
    return value.strip().lower() == "true"
