"""This process's presence lease in the room store, and the roster events a sweep implies.

With Redis, connections of a process that died without a goodbye (kill -9, crash, power) stay
in the shared store until someone forgets them. Each process renews a lease every
``room_heartbeat_seconds`` and sweeps processes whose lease lapsed; a restart under the same
name (host and port) forgets its earlier run at start-up. Whoever forgot a user's last
connection announces ``roster:left`` to the room and closes their attendance interval; the store
reports each departure once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket

import socketio
from aiohttp import web

from classroom_server import attendance
from classroom_server.config import Settings
from classroom_server.db import Database
from classroom_server.room import participant_view
from classroom_server.room.store import PresenceChange, RoomStore
from classroom_server.room_notices import RoomNotices
from signaling.classroom_namespace import NAMESPACE, keep_attendance, lecture_room

log = logging.getLogger(__name__)
LEASE_BEATS = 3
STEP_TIMEOUT_SECONDS = 10.0


def instance_name(settings: Settings) -> str:
    """Stable across restarts of one process, so a restart can forget what it left behind;
    two live processes cannot share a host and port (but the processes of ``serve --workers``,
    told apart by their index)."""
    if settings.port == 0:
        return f"{socket.gethostname()}:any:{secrets.token_hex(4)}"
    name = f"{socket.gethostname()}:{settings.port}"
    return name if settings.process_index is None else f"{name}:{settings.process_index}"


class PresenceKeeper:
    def __init__(
        self,
        store: RoomStore,
        sio: socketio.AsyncServer,
        settings: Settings,
        database: Database,
        notices: RoomNotices,
    ):
        self._store = store
        self._notices = notices
        self._database = database
        self._sio = sio
        self._name = instance_name(settings)
        self._interval = settings.room_heartbeat_seconds
        self._registered = False
        self._task: asyncio.Task[None] | None = None

    async def start(self, _app: web.Application) -> None:
        await self._step()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self, _app: web.Application) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._registered:
            self._registered = False
            try:
                change = await asyncio.wait_for(self._store.unregister(), STEP_TIMEOUT_SECONDS)
                await self._announce(change)
            except Exception:
                log.warning("room presence: could not give up the lease", exc_info=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self._step()

    async def _step(self) -> None:
        """Registers (until that succeeds) or renews and sweeps; a failure waits a beat."""
        try:
            if self._registered:
                change = await asyncio.wait_for(self._store.sweep(), STEP_TIMEOUT_SECONDS)
            else:
                lease = self._interval * LEASE_BEATS
                change = await asyncio.wait_for(
                    self._store.register(self._name, lease), STEP_TIMEOUT_SECONDS
                )
                self._registered = True
            await self._announce(change)
        except Exception:
            log.warning("room presence: lease step failed", exc_info=True)

    async def _announce(self, change: PresenceChange) -> None:
        for lecture_id, user_id in change.left:
            await keep_attendance(attendance.left(self._database, lecture_id, user_id))
            self._notices.left(lecture_id, user_id)
            await self._sio.emit(
                "roster:left",
                {"user_id": user_id},
                room=lecture_room(lecture_id),
                namespace=NAMESPACE,
            )
        for (lecture_id, user_id), (name, role) in change.rejoined:
            await keep_attendance(attendance.joined(self._database, lecture_id, user_id))
            presenters = await self._store.flagged(lecture_id, "presenter")
            muted = await self._store.flagged(lecture_id, "muted")
            view = participant_view(user_id, name, role, user_id in presenters, user_id in muted)
            await self._sio.emit(
                "roster:joined", view, room=lecture_room(lecture_id), namespace=NAMESPACE
            )
