"""The lectures' live media as the ``/classroom`` namespace uses it.

Made with the namespace's two ways of sending (an ``Outcome`` to a lecture's rooms, one event
to one socket), so the media it makes delivers as every room event does, and nothing here
holds the namespace. Besides making a lecture's media on first use, it carries the media part
of the namespace's lifecycle: the join flow, a resync after a room event that changes what may
be forwarded, a socket gone, a lecture ended.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from classroom_server.room import Actor, Outcome, RoomContext
from signaling.lecture_media import EmitTo, LectureMedia
from signaling.media_events import MediaCall, MediaHandler
from signaling.media_registry import MediaRegistry
from signaling.reception import EVENT as RECEPTION

EmitRoom = Callable[[int, Outcome], Awaitable[None]]
"""(lecture id, outcome): delivered to the lecture's rooms as every outcome is."""


class NamespaceMedia:
    """See the module docstring."""

    def __init__(self, registry: MediaRegistry, emit_room: EmitRoom, emit_to: EmitTo) -> None:
        self.registry = registry
        self._emit_room = emit_room
        self._emit_to = emit_to

    @property
    def ice_servers(self) -> list[dict[str, Any]]:
        return self.registry.ice_servers

    async def lecture(self, ctx: RoomContext) -> LectureMedia:
        """The lecture's media, made on first use."""
        lecture_id = ctx.lecture_id

        async def emit_outcome(outcome: Outcome) -> None:
            await self._emit_room(lecture_id, outcome)

        return await self.registry.ensure(ctx, emit_outcome, self._emit_to)

    async def run(
        self, handler: MediaHandler, sid: str, actor: Actor, ctx: RoomContext, data: BaseModel
    ) -> Outcome:
        """One media event, on this process's media of the lecture."""
        lecture = await self.lecture(ctx)
        return await handler(MediaCall(sid, actor, lecture, self.ice_servers), data)

    def holding(self) -> list[int]:
        """The lectures whose media this process holds."""
        return self.registry.lecture_ids()

    def connections(self) -> int:
        """The peer connections held: what a media node's capacity counts."""
        return self.registry.connections()

    async def welcome(self, sid: str, ctx: RoomContext, actor: Actor) -> None:
        """Part of the join flow: the track catalogue right after ``room:state``."""
        lecture = self.registry.lecture(ctx.lecture_id)
        tracks = lecture.catalogue() if lecture is not None else []
        await self._emit_to("media:tracks", sid, {"tracks": tracks})
        if lecture is not None and lecture.speaking.speaker is not None:
            await self._emit_to("media:speaking", sid, {"user_id": lecture.speaking.speaker})
        reception = self.registry.reception(ctx.lecture_id)
        if reception is not None and await ctx.may_present(actor):
            await self._emit_to(RECEPTION, sid, reception)

    async def resync(self, lecture_id: int) -> None:
        """After a room event that changes what the SFU may forward."""
        lecture = self.registry.lecture(lecture_id)
        if lecture is not None:
            await lecture.sync()

    async def disconnected(self, sid: str, lecture_id: int, user: int, room_empty: bool) -> None:
        lecture = self.registry.lecture(lecture_id)
        if lecture is None:
            return
        if room_empty:
            await self.registry.close(lecture_id)
        elif lecture.sids.get(user) == sid:
            lecture.detach(user)

    async def ended(self, lecture_id: int) -> None:
        await self.registry.close(lecture_id)
