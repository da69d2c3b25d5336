"""The process's live lectures' media, created on first media use and closed at the end.

Reachable as ``app[MEDIA]``: ``get(lecture_id)`` gives a lecture's ``RoomMedia`` (or None), so
other components (the recorder) can attach listeners without knowing about signalling; as a
lecture's media is made only when first used, ``on_created`` tells them when it appears.
The ICE settings (STUN/TURN servers, gathering addresses, accepted networks) are applied here,
once, for every room.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiortc import RTCIceServer

from classroom_server.config import Settings
from classroom_server.room import RoomContext
from classroom_server.room import media_policy as policy
from signaling.lecture_media import EmitOutcome, EmitTo, LectureMedia
from signaling.reception import ReceptionReporter
from signaling.sfu import ice
from signaling.sfu.room_media import RoomMedia

log = logging.getLogger(__name__)


def ice_servers(settings: Settings) -> list[dict[str, Any]]:
    """The STUN/TURN servers in RTCConfiguration form (for browsers and for aiortc)."""
    servers: list[dict[str, Any]] = []
    for url in settings.ice_servers:
        server: dict[str, Any] = {"urls": url}
        if url.startswith("turn") and settings.ice_username is not None:
            server["username"] = settings.ice_username
            server["credential"] = settings.ice_credential or ""
        servers.append(server)
    return servers


class MediaRegistry:
    """lecture id -> ``LectureMedia``; see the module docstring."""

    def __init__(self, settings: Settings) -> None:
        self.ice_servers = ice_servers(settings)
        self._rtc_servers = [RTCIceServer(**server) for server in self.ice_servers]
        self._addresses = settings.ice_addresses
        if settings.ice_allow is not None:
            ice.accept_checks_from(settings.ice_allow)
        self._lectures: dict[int, LectureMedia] = {}
        self._reception: dict[int, ReceptionReporter] = {}
        self._created: list[Callable[[int, RoomMedia], None]] = []

    def on_created(self, callback: Callable[[int, RoomMedia], None]) -> None:
        """Call ``callback(lecture_id, room)`` whenever a lecture's media is made."""
        self._created.append(callback)

    def get(self, lecture_id: int) -> RoomMedia | None:
        lecture = self._lectures.get(lecture_id)
        return lecture.room if lecture is not None else None

    def lecture(self, lecture_id: int) -> LectureMedia | None:
        return self._lectures.get(lecture_id)

    def lecture_ids(self) -> list[int]:
        return list(self._lectures)

    def connections(self) -> int:
        return sum(len(lecture.room.connections) for lecture in self._lectures.values())

    def reception(self, lecture_id: int) -> dict[str, Any] | None:
        """The last ``media:reception`` payload sent for the lecture, None before the first."""
        reporter = self._reception.get(lecture_id)
        return reporter.last if reporter is not None else None

    async def ensure(
        self,
        ctx: RoomContext,
        emit_outcome: EmitOutcome,
        emit_to: Callable[[str, str, dict[str, Any]], Awaitable[None]],
    ) -> LectureMedia:
        lecture = self._lectures.get(ctx.lecture_id)
        if lecture is not None:
            return lecture
        meeting = await policy.is_meeting(ctx)
        lecture = self._lectures.get(ctx.lecture_id)  # another join may have won the await
        if lecture is not None:
            return lecture
        holder: list[LectureMedia] = []
        room = RoomMedia(
            f"lecture-{ctx.lecture_id}",
            host_addresses=self._addresses,
            ice_servers=self._rtc_servers,
            on_published=lambda track: holder[0].published(track),
            on_unpublished=lambda publication_id: holder[0].unpublished(publication_id),
        )
        send: EmitTo = emit_to
        lecture = LectureMedia(ctx, room, meeting, emit_outcome, send)
        holder.append(lecture)
        self._lectures[ctx.lecture_id] = lecture
        self._reception[ctx.lecture_id] = ReceptionReporter(lecture, emit_outcome).start()
        for callback in self._created:
            try:
                callback(ctx.lecture_id, room)
            except Exception:
                log.exception("a media-created callback failed for lecture %s", ctx.lecture_id)
        return lecture

    async def close(self, lecture_id: int) -> None:
        reporter = self._reception.pop(lecture_id, None)
        if reporter is not None:
            reporter.stop()
        lecture = self._lectures.pop(lecture_id, None)
        if lecture is not None:
            await lecture.close()

    async def close_all(self) -> None:
        for lecture_id in list(self._lectures):
            await self.close(lecture_id)


MEDIA = web.AppKey("media", MediaRegistry)
