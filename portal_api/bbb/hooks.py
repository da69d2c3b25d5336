"""BBB's webhooks API (``hooks/create``, ``hooks/destroy``, ``hooks/list``, as bbb-webhooks
serves them) and the events it POSTs: ``meeting-created``, ``user-joined``, ``user-left``,
``meeting-recording-started``/``-stopped``, ``meeting-ended`` and ``rap-publish-ended`` (the
recording is ready), in bbb-webhooks' mapped shape.

A delivery is bbb-webhooks': a form POST of ``domain``, ``event`` (a JSON array of one event)
and ``timestamp``, to the callback URL with ``checksum`` = hex sha1(callback URL + the form
body as sent + shared secret) added to its query, so the receiver can check it came from us.
One attempt per event; a hook lives until destroyed (there are no permanent hooks).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import socket
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlsplit

import aiohttp
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import BbbHook, BbbMeeting, Database, Lecture, Video
from portal_api.bbb.answers import Failed
from portal_api.bbb.meetings import Meeting, external_ids, java_date, meta_of, milliseconds
from portal_api.bbb.secret import shared_secret

TIMEOUT = aiohttp.ClientTimeout(total=10)
MAX_HOOKS = 1000
log = logging.getLogger("qou.bbb")


def _form_value(value: str) -> str:
    """As a browser's URLSearchParams encodes (bbb-webhooks hashes that string)."""
    return quote_plus(value, safe="*").replace("~", "%7E")


def form_body(fields: Mapping[str, str]) -> str:
    """The form body, keys in alphabetical order as bbb-webhooks sends them."""
    return "&".join(f"{k}={_form_value(fields[k])}" for k in sorted(fields))


def hook_checksum(callback_url: str, body: str, secret: str) -> str:
    return hashlib.sha1((callback_url + body + secret).encode()).hexdigest()


def meeting_ref(meeting: Meeting) -> dict[str, Any]:
    return {
        "internal-meeting-id": meeting.internal_id,
        "external-meeting-id": meeting.row.meeting_id,
    }


def event(kind: str, attributes: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {
            "type": "event",
            "id": kind,
            "attributes": attributes,
            "event": {"ts": int(time.time() * 1000)},
        }
    }


def meeting_created(meeting: Meeting) -> dict[str, Any]:
    row = meeting.row
    return event(
        "meeting-created",
        {
            "meeting": {
                **meeting_ref(meeting),
                "name": row.name,
                "is-breakout": False,
                "parent-id": "bbb-none",
                "duration": row.duration,
                "create-time": milliseconds(row.created_at),
                "create-date": java_date(row.created_at),
                "moderator-pass": row.moderator_pw,
                "viewer-pass": row.attendee_pw,
                "record": row.record,
                "voice-conf": row.voice_bridge,
                "dial-number": row.dial_number,
                "max-users": row.max_participants,
                "metadata": meta_of(meeting),
            }
        },
    )


def user_joined(meeting: Meeting, user_id: str, name: str, moderator: bool) -> dict[str, Any]:
    return event(
        "user-joined",
        {
            "meeting": meeting_ref(meeting),
            "user": {
                "internal-user-id": user_id,
                "external-user-id": user_id,
                "name": name,
                "role": "MODERATOR" if moderator else "VIEWER",
                "presenter": "false",
            },
        },
    )


def user_left(meeting: Meeting, user_id: str) -> dict[str, Any]:
    return event(
        "user-left",
        {
            "meeting": meeting_ref(meeting),
            "user": {"internal-user-id": user_id, "external-user-id": user_id},
        },
    )


def recording_published(meeting: Meeting, video: Video, origin: str) -> dict[str, Any]:
    """bbb-webhooks' ``rap-publish-ended`` for the video the meeting's lecture became; its
    playback is the library's player (``origin`` is the server's public URL, if set up)."""
    row, lecture = meeting.row, meeting.lecture
    duration = int((video.duration_seconds or 0) * 1000)
    return event(
        "rap-publish-ended",
        {
            "meeting": meeting_ref(meeting),
            "record-id": str(video.id),
            "success": True,
            "step-time": 0,
            "workflow": "presentation",
            "recording": {
                "name": video.title,
                "is-breakout": "false",
                "start-time": milliseconds(lecture.started_at or row.created_at),
                "end-time": milliseconds(lecture.ended_at or video.created_at),
                "size": 0,
                "raw-size": 0,
                "metadata": {
                    **meta_of(meeting),
                    "isBreakout": "false",
                    "meetingId": row.meeting_id,
                    "meetingName": row.name,
                },
                "playback": {
                    "format": "presentation",
                    "link": f"{origin}/videos/{video.id}",
                    "processing_time": 0,
                    "duration": duration,
                },
            },
        },
    )


def meeting_ended(meeting: Meeting) -> dict[str, Any]:
    return event("meeting-ended", {"meeting": meeting_ref(meeting)})


async def create_hook(session: AsyncSession, params: Mapping[str, str]) -> tuple[BbbHook, bool]:
    """The hook ``params`` ask for, and whether it existed (the same URL and meeting)."""
    url = params.get("callbackURL")
    if not url:
        raise Failed("missingParamCallbackURL", "You must specify a callbackURL in the parameters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2048:
        raise Failed("createHookError", "The callbackURL must be an http or https URL.")
    meeting_id = params.get("meetingID") or None
    existing = await session.scalar(
        select(BbbHook).where(
            BbbHook.callback_url == url,
            BbbHook.meeting_id.is_(None)
            if meeting_id is None
            else BbbHook.meeting_id == meeting_id,
        )
    )
    if existing is not None:
        return existing, True
    count = len((await session.scalars(select(BbbHook.id).limit(MAX_HOOKS))).all())
    if count >= MAX_HOOKS:
        raise Failed("createHookError", f"At most {MAX_HOOKS} hooks.")
    hook = BbbHook(
        callback_url=url,
        meeting_id=meeting_id[:256] if meeting_id else None,
        raw=params.get("getRaw", "").strip().lower() == "true",
    )
    session.add(hook)
    await session.flush()
    return hook, False


async def hooks_of(session: AsyncSession, meeting_id: str | None) -> list[BbbHook]:
    """Every hook, or those that receive ``meeting_id``'s events (its own and the global)."""
    query = select(BbbHook).order_by(BbbHook.id)
    if meeting_id is not None:
        query = query.where(or_(BbbHook.meeting_id.is_(None), BbbHook.meeting_id == meeting_id))
    return list(await session.scalars(query))


async def _meeting_of(session: AsyncSession, lecture_id: int) -> Meeting | None:
    """The (latest) BBB meeting held as this lecture, if it is one."""
    found = (
        await session.execute(
            select(BbbMeeting, Lecture)
            .join(Lecture, Lecture.id == BbbMeeting.lecture_id)
            .where(BbbMeeting.lecture_id == lecture_id)
            .order_by(BbbMeeting.id.desc())
            .limit(1)
        )
    ).first()
    return Meeting(*found) if found is not None else None


@dataclass
class Hooks:
    """Delivers events to the hooks that want them, in the background."""

    database: Database
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def emit(self, meeting_id: str, payload: dict[str, Any], domain: str) -> None:
        self._spawn(self._deliver(meeting_id, payload, domain))

    def left(self, lecture_id: int, user_id: int) -> None:
        """A user's last connection to a lecture's room closed: ``user-left``, if the
        lecture is a BBB meeting's (a ``RoomNotices`` listener, as ``recording``)."""
        self._spawn(self._left(lecture_id, user_id))

    def recording(self, lecture_id: int, recording: bool) -> None:
        self._spawn(self._recording(lecture_id, recording))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _left(self, lecture_id: int, user_id: int) -> None:
        async with self.database.session() as session:
            meeting = await _meeting_of(session, lecture_id)
            if meeting is None:
                return
            external = (await external_ids(session, [user_id])).get(user_id) or str(user_id)
        payload = user_left(meeting, external)
        await self._deliver(meeting.row.meeting_id, payload, socket.gethostname())

    async def _recording(self, lecture_id: int, recording: bool) -> None:
        async with self.database.session() as session:
            meeting = await _meeting_of(session, lecture_id)
        if meeting is None:
            return
        kind = "meeting-recording-started" if recording else "meeting-recording-stopped"
        payload = event(kind, {"meeting": meeting_ref(meeting)})
        await self._deliver(meeting.row.meeting_id, payload, socket.gethostname())

    async def _deliver(self, meeting_id: str, payload: dict[str, Any], domain: str) -> None:
        async with self.database.session() as session:
            hooks = [(h.id, h.callback_url) for h in await hooks_of(session, meeting_id)]
            secret = await shared_secret(session) if hooks else ""
        if not hooks:
            return
        fields = {
            "domain": domain,
            "event": "[" + json.dumps(payload, separators=(",", ":")) + "]",
            "timestamp": str(int(time.time() * 1000)),
        }
        body = form_body(fields)
        async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
            for hook_id, url in hooks:
                target = url + ("&" if urlsplit(url).query else "?")
                target += f"checksum={hook_checksum(url, body, secret)}"
                try:
                    async with http.post(
                        target,
                        data=body.encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    ) as response:
                        if response.status >= 400 and response.status != 401:
                            log.warning("BBB hook %s answered %s", hook_id, response.status)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    log.warning("BBB hook %s failed: %s", hook_id, type(exc).__name__)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
