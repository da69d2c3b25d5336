"""The ``/classroom`` namespace: the live room's Socket.IO edge.

It authenticates connections with join tokens, rate-limits, authorizes and validates every
event against one table (``signaling.client_events``: the room's ``EVENTS`` and the media
signalling's ``MEDIA_EVENTS``), and delivers the resulting ``Outcome``s to Socket.IO rooms.
Rules live in ``classroom_server.room``; nothing here decides what is allowed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass
from typing import Any

import socketio
from pydantic import ValidationError
from redis.asyncio import Redis

from classroom_server import attendance
from classroom_server.db import Database, Lecture, User
from classroom_server.lectures import JoinRefused, join_role
from classroom_server.room import (
    Actor,
    Audience,
    Outcome,
    RoomContext,
    RoomError,
    lobby,
    participant_view,
    snapshot,
)
from classroom_server.room.events import OTHER
from classroom_server.room.store import RoomStore
from classroom_server.room_notices import RoomNotices
from classroom_server.security import TokenError, TokenIssuer
from signaling.client_events import Sender, client_events
from signaling.media_nodes import MediaNodes
from signaling.media_registry import MediaRegistry
from signaling.media_relay import MediaRelay
from signaling.metrics import ROOM_CONNECTIONS, ROOM_EVENTS
from signaling.namespace_media import NamespaceMedia
from signaling.recording_hook import Recorder, RecordingHook
from signaling.recording_relay import PlacedRecorder

log = logging.getLogger(__name__)
NAMESPACE = "/classroom"
ACK_GRACE_SECONDS = 0.2


def lecture_room(lecture_id: int) -> str:
    return f"lecture:{lecture_id}"


def educators_room(lecture_id: int) -> str:
    return f"lecture:{lecture_id}:educators"


def user_room(lecture_id: int, user_id: int) -> str:
    return f"lecture:{lecture_id}:user:{user_id}"


async def keep_attendance(work: Awaitable[None]) -> None:
    """Attendance records the room; it never gates it: a failed write is logged, and the join,
    leave or end goes on."""
    try:
        await work
    except Exception:
        log.warning("attendance not recorded", exc_info=True)


def refuse(code: str, message: str) -> socketio.exceptions.ConnectionRefusedError:
    """The client sees ``message`` as the error's message and ``{code, message}`` as its data."""
    return socketio.exceptions.ConnectionRefusedError(message, {"code": code, "message": message})


@dataclass(frozen=True)
class RoomParts:
    """What the namespace works with, as the composition root built it."""

    tokens: TokenIssuer
    database: Database
    store: RoomStore
    media: MediaRegistry
    recorder: Recorder
    nodes: MediaNodes
    redis: Redis | None
    """Shared with the other processes, if any: their media nodes answer through it."""
    beat_seconds: float
    notices: RoomNotices


class ClassroomNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(self, parts: RoomParts) -> None:
        super().__init__(NAMESPACE)
        self._parts = parts
        self._tasks: set[asyncio.Task[None]] = set()
        local = NamespaceMedia(parts.media, self._emit_all, self._emit_to)
        self.media = MediaRelay(
            local, parts.nodes, parts.redis, self._context, self._emit_all, parts.beat_seconds
        )
        self._events = client_events(self.media)
        recorder = PlacedRecorder(parts.recorder, self.media)
        self._recording = RecordingHook(recorder, self._context, self._emit_all, parts.notices)

    def _context(self, lecture_id: int) -> RoomContext:
        return RoomContext(lecture_id, self._parts.database, self._parts.store)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str) or len(token) > 4096:
            raise refuse("unauthenticated", "connect with auth={token: <join token>}")
        try:
            claims = self._parts.tokens.verify(token, "join")
        except TokenError as exc:
            raise refuse("unauthenticated", f"invalid join token: {exc}") from exc
        lecture_id, user_id = int(claims["lecture"]), int(claims["sub"])
        async with self._parts.database.session() as session:
            lecture = await session.get(Lecture, lecture_id)
            user = await session.get(User, user_id)
            if lecture is None or user is None:
                raise refuse("unauthenticated", "the token names nothing that exists")
            try:
                role = await join_role(session, lecture, user)
                waits = await lobby.must_wait(session, lecture, user, role)
            except JoinRefused as exc:
                raise refuse(exc.code, str(exc)) from exc
        actor = Actor(user.id, user.display_name, role.value)
        session_data: dict[str, Any] = {"actor": actor, "lecture_id": lecture_id}
        if waits:
            await self._check_lobby_room(lecture_id, user.id)
            session_data["lobby"] = {
                "lecture": {"id": lecture.id, "title": lecture.title},
                "you": {
                    "id": user.id,
                    "name": user.display_name,
                    "guest": user.guest_lecture_id is not None,
                },
            }
        await self.save_session(sid, session_data)
        ROOM_CONNECTIONS.inc()
        rooms = [user_room(lecture_id, user.id)] if waits else self._rooms_of(lecture_id, actor)
        for room in rooms:
            await self.enter_room(sid, room)

    async def _check_lobby_room(self, lecture_id: int, user_id: int) -> None:
        waiting = await self._parts.store.lobby(lecture_id)
        if len(waiting) >= lobby.MAX_WAITING and user_id not in waiting:
            raise refuse("lobby_full", "too many people are waiting; try again later")

    async def wire_connected(self, sid: str) -> None:
        """The client has its CONNECT packet (``signaling.wire``): welcome it."""
        session = await self.get_session(sid)
        if "lobby" in session:
            self._spawn(self._wait(sid, session["lecture_id"], session["actor"], session["lobby"]))
        else:
            self._spawn(self._welcome(sid, session["lecture_id"], session["actor"]))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    def _rooms_of(lecture_id: int, actor: Actor) -> list[str]:
        rooms = [lecture_room(lecture_id), user_room(lecture_id, actor.user_id)]
        return rooms + ([educators_room(lecture_id)] if actor.is_educator else [])

    async def _welcome(self, sid: str, lecture_id: int, actor: Actor) -> None:
        """The join flow: presence, the snapshot, the media catalogue, then the roster."""
        ctx = self._context(lecture_id)
        who = (actor.name, actor.role)
        first = await ctx.store.add_connection(lecture_id, actor.user_id, sid, who)
        if not self.server.manager.is_connected(sid, NAMESPACE):
            # Gone while being added: on_disconnect may have run first and removed nothing.
            await ctx.store.remove_connection(lecture_id, actor.user_id, sid)
            return
        if first:
            await self._present(ctx, sid, actor)
        state = await snapshot(ctx, actor)
        state["recording"] = await self._recording.snapshot_flag(lecture_id)
        await self.emit("room:state", state, to=sid)
        await self.media.welcome(sid, ctx, actor)
        await self._recording.joined(lecture_id)
        if first:
            presenters = await ctx.store.flagged(lecture_id, "presenter")
            muted = await ctx.store.flagged(lecture_id, "muted")
            view = participant_view(
                actor.user_id, *who, actor.user_id in presenters, actor.user_id in muted
            )
            await self.emit("roster:joined", view, room=lecture_room(lecture_id), skip_sid=sid)

    async def _wait(self, sid: str, lecture_id: int, actor: Actor, view: dict[str, Any]) -> None:
        """The lobby's join flow: on the waiting list, told so, and the educators told who
        came. Admitted meanwhile (between the check at connect and now): told at once."""
        ctx = self._context(lecture_id)
        who = (actor.name, bool(view["you"]["guest"]), time.time())
        first = await ctx.store.lobby_enter(lecture_id, actor.user_id, sid, who)
        if not self.server.manager.is_connected(sid, NAMESPACE):
            await ctx.store.lobby_leave(lecture_id, actor.user_id, sid)
            return
        await self.emit("lobby:wait", view, to=sid)
        if actor.user_id in await ctx.store.flagged(lecture_id, "admitted"):
            await ctx.store.lobby_drop(lecture_id, actor.user_id)
            await self.emit("lobby:admitted", {}, to=sid)
        elif first:
            await self._emit_all(lecture_id, await lobby.changed(ctx))

    async def _present(self, ctx: RoomContext, sid: str, actor: Actor) -> None:
        """Opens the user's attendance interval; closes it again if the socket went while it
        was written (on_disconnect, having found the interval not yet there, closed nothing)."""
        await keep_attendance(attendance.joined(ctx.database, ctx.lecture_id, actor.user_id))
        gone = not self.server.manager.is_connected(sid, NAMESPACE)
        if gone and actor.user_id not in await ctx.store.connections(ctx.lecture_id):
            await keep_attendance(attendance.left(ctx.database, ctx.lecture_id, actor.user_id))
            self._parts.notices.left(ctx.lecture_id, actor.user_id)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        session = await self.get_session(sid)
        if not session:
            return
        actor: Actor = session["actor"]
        lecture_id: int = session["lecture_id"]
        ROOM_CONNECTIONS.dec()
        store = self._parts.store
        if "lobby" in session:
            if await store.lobby_leave(lecture_id, actor.user_id, sid):
                await self._emit_all(lecture_id, await lobby.changed(self._context(lecture_id)))
            return
        if await store.remove_connection(lecture_id, actor.user_id, sid):
            await keep_attendance(attendance.left(self._parts.database, lecture_id, actor.user_id))
            self._parts.notices.left(lecture_id, actor.user_id)
            await self.emit(
                "roster:left", {"user_id": actor.user_id}, room=lecture_room(lecture_id)
            )
        empty = not await store.connections(lecture_id)
        await self.media.disconnected(sid, lecture_id, actor.user_id, empty)

    async def trigger_event(self, event: str, *args: Any) -> Any:
        """python-socketio's own lifecycle calls only. Client events never come this way
        (``signaling.wire`` hands them to ``wire_event``), so no name a client picks can
        select a method here, and nothing looks one up by attribute name."""
        if event == "connect":
            return await self.on_connect(*args)
        if event == "disconnect":
            return await self.on_disconnect(*args)
        raise LookupError(f"no lifecycle handler for {event!r}")

    async def wire_event(self, event: str, sid: str, args: list[Any]) -> dict[str, Any]:
        """Every event a client sends: only the event table names what runs, so
        ``connect``, ``disconnect`` or any other name outside it is an unknown event."""
        payload = args[0] if args else {}
        label = event if event in self._events else "unknown"
        try:
            ack = {"ok": True, **await self._handle(event, sid, payload)}
        except RoomError as exc:
            ROOM_EVENTS.labels(label, exc.code).inc()
            return exc.as_ack()
        except Exception:
            log.exception("room event %s failed", label)
            ROOM_EVENTS.labels(label, "internal_error").inc()
            return RoomError("internal_error", "the server failed; nothing was changed").as_ack()
        ROOM_EVENTS.labels(label, "ok").inc()
        return ack

    async def _handle(self, event: str, sid: str, payload: Any) -> dict[str, Any]:
        spec = self._events.get(event)
        # python-socketio dispatches events only for connected clients, and a client is
        # connected only once on_connect (which saves the session) has returned: an event sent
        # before that is dropped by the server, unacknowledged. So the session is always here.
        session = await self.get_session(sid)
        actor: Actor = session["actor"]
        lecture_id: int = session["lecture_id"]
        ctx = self._context(lecture_id)
        # An unknown event spends the budget of "every other event": a flood of made-up
        # names is throttled like any other.
        rate = spec.rate if spec is not None else OTHER
        retry_after = await ctx.store.hit(
            f"{lecture_id}:{actor.user_id}:{rate.name}", rate.limit, rate.window_seconds
        )
        if retry_after > 0:
            raise RoomError(
                "rate_limited", f"too many {rate.name} events", retry_after=round(retry_after, 2)
            )
        if spec is None:
            raise RoomError("unknown_event", f"no event {event[:64]!r}")
        if "lobby" in session:
            raise RoomError("in_lobby", "you are waiting in the lobby for the educator")
        if spec.who == "educator" and not actor.is_educator:
            raise RoomError("forbidden", "only an educator may do this")
        if spec.who == "student" and actor.is_educator:
            raise RoomError("forbidden", "only students do this")
        try:
            data = spec.payload.model_validate(payload)
        except ValidationError as exc:
            fields = [".".join(map(str, e["loc"])) or "payload" for e in exc.errors()]
            raise RoomError(
                "invalid", "the payload does not match the event", fields=fields
            ) from None
        outcome = await spec.run(Sender(sid, actor, ctx), data)
        await self._emit_all(lecture_id, outcome)
        if spec.media:
            await self.media.resync(lecture_id)
        if outcome.disconnects():
            # After the ack has gone out: the caller may be among those disconnected.
            self._spawn(self._disconnect_after(ACK_GRACE_SECONDS, lecture_id, outcome))
        return outcome.ack

    async def deliver(self, lecture_id: int, outcome: Outcome) -> None:
        """Delivers events, then disconnects whom the outcome says to (RoomBroadcaster)."""
        await self._emit_all(lecture_id, outcome)
        await self._disconnect_after(0, lecture_id, outcome)

    async def _emit_to(self, event: str, sid: str, data: dict[str, Any]) -> None:
        await self.emit(event, data, to=sid)

    async def _emit_all(self, lecture_id: int, outcome: Outcome) -> None:
        for emit in outcome.emits:
            for room in self._audience_rooms(lecture_id, emit.to):
                await self.emit(emit.event, emit.data, room=room)
        await self._recording.emitted(lecture_id, outcome)  # the recorder follows the room
        for other_id, other in outcome.elsewhere.items():  # a breakout's group rooms
            await self._emit_all(other_id, other)

    async def _disconnect_after(self, delay: float, lecture_id: int, outcome: Outcome) -> None:
        if not outcome.disconnects():
            return
        await asyncio.sleep(delay)
        await self._disconnect(lecture_id, outcome)

    async def _disconnect(self, lecture_id: int, outcome: Outcome) -> None:
        for other_id, other in outcome.elsewhere.items():
            await self._disconnect(other_id, other)
        store = self._parts.store
        connections = await store.connections(lecture_id)
        targets = (
            connections
            if outcome.end_room
            else {u: connections.get(u, set()) for u in outcome.disconnect_users}
        )
        closing = {sid for sids in targets.values() for sid in sids} | set(outcome.disconnect_sids)
        if outcome.end_room:  # and whoever still waits in the lobby
            for user_id in await store.lobby(lecture_id):
                closing |= await store.lobby_drop(lecture_id, user_id)
        for sid in sorted(closing):
            await self.server.disconnect(sid, namespace=NAMESPACE)
        if outcome.end_room:
            await self._parts.store.forget_room(lecture_id)
            await keep_attendance(attendance.lecture_closed(self._parts.database, lecture_id))
            await self.media.ended(lecture_id)

    @staticmethod
    def _audience_rooms(lecture_id: int, audience: Audience) -> list[str]:
        if audience.kind == "room":
            return [lecture_room(lecture_id)]
        if audience.kind == "educators":
            return [educators_room(lecture_id)]
        return [user_room(lecture_id, user_id) for user_id in sorted(audience.user_ids)]
