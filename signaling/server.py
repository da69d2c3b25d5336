"""The Socket.IO server attached to the aiohttp app.

With a Redis URL, python-socketio's AsyncRedisManager carries room emits between server
processes; without one, everything stays in this process (the embedded default).
"""

from __future__ import annotations

import socketio
from aiohttp import web

from classroom_server.config import Settings
from classroom_server.services import SERVICES
from signaling.classroom_namespace import ClassroomNamespace
from signaling.media_registry import MEDIA, MediaRegistry
from signaling.recording_hook import RECORDINGS
from signaling.room_presence import PresenceKeeper
from signaling.wire import WireServer

SOCKETIO_PATH = "socket.io"
MAX_MESSAGE_BYTES = 64 * 1024


def create_sio(app: web.Application, settings: Settings) -> socketio.AsyncServer:
    manager = socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
    sio = WireServer(
        async_mode="aiohttp",
        client_manager=manager,
        max_http_buffer_size=MAX_MESSAGE_BYTES,
        ping_interval=20,
        ping_timeout=20,
    )
    app[MEDIA] = MediaRegistry(settings)
    from recording.service import Recordings  # recording builds on signaling.sfu

    svc = app[SERVICES]
    recordings = Recordings(settings.data_dir, svc.database, svc.jobs.enqueue)
    recordings.media_for = app[MEDIA].get
    app[MEDIA].on_created(recordings.media_created)
    app[RECORDINGS] = recordings

    async def recover_recordings(app: web.Application) -> None:
        await app[RECORDINGS].recover()  # what a crash left behind becomes a video

    async def close_recordings(app: web.Application) -> None:
        await app[RECORDINGS].close()

    app.on_startup.append(recover_recordings)

    async def close_media(app: web.Application) -> None:
        await app[MEDIA].close_all()

    app.on_shutdown.append(close_media)
    app.on_shutdown.append(close_recordings)
    namespace = ClassroomNamespace(app)
    sio.register_namespace(namespace)
    sio.attach(app, socketio_path=SOCKETIO_PATH)
    presence = PresenceKeeper(app, sio, settings)  # Redis: forget what dead processes left
    app.on_startup.append(presence.start)
    app.on_shutdown.append(presence.stop)
    app[SERVICES].attach_broadcaster(namespace)
    return sio
