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
from signaling.recording_hook import RECORDINGS, Recorder
from signaling.room_presence import PresenceKeeper
from signaling.wire import WireServer

SOCKETIO_PATH = "socket.io"
MAX_MESSAGE_BYTES = 64 * 1024


def create_sio(
    app: web.Application, settings: Settings, media: MediaRegistry, recorder: Recorder
) -> socketio.AsyncServer:
    """The room's Socket.IO server on ``app``, with the lecture media and the recorder the
    composition root made (signaling never builds the recorder: recording builds on the SFU)."""
    manager = socketio.AsyncRedisManager(settings.redis_url) if settings.redis_url else None
    sio = WireServer(
        async_mode="aiohttp",
        client_manager=manager,
        max_http_buffer_size=MAX_MESSAGE_BYTES,
        ping_interval=20,
        ping_timeout=20,
    )
    app[MEDIA] = media
    app[RECORDINGS] = recorder

    async def close_media(app: web.Application) -> None:
        await app[MEDIA].close_all()

    app.on_shutdown.append(close_media)  # before the recorder closes its files
    namespace = ClassroomNamespace(app)
    sio.register_namespace(namespace)
    sio.attach(app, socketio_path=SOCKETIO_PATH)
    presence = PresenceKeeper(app, sio, settings)  # Redis: forget what dead processes left
    app.on_startup.append(presence.start)
    app.on_shutdown.append(presence.stop)
    app[SERVICES].attach_broadcaster(namespace)
    return sio
