"""The calls BBB makes back to the LMS: ``meta_endCallbackUrl`` when a meeting ends and
``meta_bbb-recording-ready-url`` when its recording is ready.

A meeting can end in the room (the educator's end), by the API or by a node's death, and a
recording becomes ready on whichever worker processed it; rather than hook every one of those,
each server process looks every few seconds for meetings owed a callback. The process that
flips the meeting's flag in the database makes the call, so it is made once however many
processes look. As on BBB, the end callback is a GET with ``meetingID`` and ``recordingmarks``
added to the URL; the recording-ready callback a POST of ``signed_parameters``, an HS256 JWT
of ``meeting_id`` and ``record_id`` signed with the shared secret (Moodle checks it). The
same moments send the webhooks ``meeting-ended`` and ``rap-publish-ended``; so a meeting's
ready recording is waited for (up to ``OWED_FOR``) even when it has no recording-ready URL.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import aiohttp
import jwt
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import BbbMeeting, Database, Lecture, LectureStatus, Video
from classroom_server.periodic import Periodic
from portal_api.bbb.hooks import Hooks, meeting_ended, recording_published
from portal_api.bbb.meetings import Meeting
from portal_api.bbb.secret import shared_secret

END_URL = "endcallbackurl"  # metadata names are kept lower-cased
RECORDING_URL = "bbb-recording-ready-url"
OWED_FOR = timedelta(days=2)
"""A meeting whose recording is not ready this long after its end is owed nothing more."""
TIMEOUT = aiohttp.ClientTimeout(total=10)
log = logging.getLogger("qou.bbb")


def _web_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def with_params(url: str, params: dict[str, str]) -> str:
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params)


async def _claim(session: AsyncSession, row_id: int, flag: str) -> bool:
    """Flips the flag if no other process did: True when this process owns the call."""
    column = getattr(BbbMeeting, flag)
    result = await session.execute(
        update(BbbMeeting).where(BbbMeeting.id == row_id, column.is_(False)).values({flag: True})
    )
    await session.commit()
    return bool(getattr(result, "rowcount", 0))


@dataclass
class Callbacks:
    database: Database
    hooks: Hooks | None = None
    interval: float = 2.0
    origin: str = ""
    """The server's public URL (``QOU_PUBLIC_URL``) for the links events carry; none: paths."""
    _http: aiohttp.ClientSession | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._looks = Periodic(self._look, self.interval, "BBB callbacks")

    def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=TIMEOUT)
        self._looks.start()

    async def stop(self) -> None:
        await self._looks.stop()
        if self._http is not None:
            await self._http.close()

    async def _look(self) -> None:
        assert self._http is not None  # started
        await self.once(self._http)

    async def once(self, http: aiohttp.ClientSession) -> None:
        """Makes every callback now owed (each at most once over all processes)."""
        since = datetime.now(UTC) - OWED_FOR
        async with self.database.session() as session:
            ended = (
                await session.execute(
                    select(BbbMeeting, Lecture)
                    .join(Lecture, Lecture.id == BbbMeeting.lecture_id)
                    .where(
                        Lecture.status == LectureStatus.ENDED.value,
                        (BbbMeeting.end_called_back.is_(False))
                        | (
                            BbbMeeting.recording_called_back.is_(False) & (Lecture.ended_at > since)
                        ),
                    )
                )
            ).all()
            for row, lecture in ended:
                if not row.end_called_back:
                    await self._end(session, http, row, lecture)
                if not row.recording_called_back:
                    await self._recording(session, http, row, lecture)

    async def _end(
        self, session: AsyncSession, http: aiohttp.ClientSession, row: BbbMeeting, lecture: Lecture
    ) -> None:
        url = _web_url(row.meta.get(END_URL))
        if not await _claim(session, row.id, "end_called_back"):
            return
        if self.hooks is not None:
            ended = meeting_ended(Meeting(row, lecture))
            self.hooks.emit(row.meeting_id, ended, socket.gethostname())
        if url is None:
            return
        target = with_params(url, {"meetingID": row.meeting_id, "recordingmarks": "false"})
        await _send(http, "GET", target, None, "end")

    async def _recording(
        self, session: AsyncSession, http: aiohttp.ClientSession, row: BbbMeeting, lecture: Lecture
    ) -> None:
        url = _web_url(row.meta.get(RECORDING_URL))
        video = await session.scalar(
            select(Video)
            .where(Video.lecture_id == lecture.id, Video.status == "ready")
            .order_by(Video.id.desc())
            .limit(1)
        )
        if video is None or not await _claim(session, row.id, "recording_called_back"):
            return
        video_id = video.id
        if self.hooks is not None:
            published = recording_published(Meeting(row, lecture), video, self.origin)
            self.hooks.emit(row.meeting_id, published, socket.gethostname())
        if url is None:
            return
        secret = await shared_secret(session)
        token = jwt.encode(
            {"meeting_id": row.meeting_id, "record_id": str(video_id)}, secret, algorithm="HS256"
        )
        await _send(http, "POST", url, {"signed_parameters": token}, "recording ready")


async def _send(
    http: aiohttp.ClientSession, method: str, url: str, form: dict[str, str] | None, what: str
) -> None:
    """One attempt, as BBB makes: an LMS that is down misses the call (the URL is not logged:
    an LMS may put a token in it)."""
    try:
        async with http.request(method, url, data=form) as response:
            if response.status >= 400:
                log.warning("the LMS answered the BBB %s callback with %s", what, response.status)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("the BBB %s callback failed: %s", what, type(exc).__name__)
