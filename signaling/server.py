"""The Socket.IO server attached to the aiohttp app.

With a Redis URL, python-socketio's AsyncRedisManager carries room emits between server
processes, and each process is a media node (``signaling.media_nodes``) that holds the media
of the lectures placed on it; without one, everything stays in this process (the embedded
default).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import socketio
from aiohttp import web

from classroom_server.config import Settings
from classroom_server.room import RoomBroadcaster
from classroom_server.services import Services
from signaling.classroom_namespace import ClassroomNamespace, RoomParts
from signaling.media_nodes import MediaNodes
from signaling.media_registry import MediaRegistry
from signaling.recording_hook import Recorder
from signaling.room_presence import PresenceKeeper
from signaling.wire import WireServer

SOCKETIO_PATH = "socket.io"
MAX_MESSAGE_BYTES = 64 * 1024


def emit_channel(redis_url: str) -> str:
    """The pub/sub channel of the room's emits. Redis pub/sub ignores the database number,
    so deployments sharing a Redis on different databases (staging and production, or two
    test clusters) would otherwise deliver each other's room events to same-numbered rooms."""
    url = urlsplit(redis_url)
    database = parse_qs(url.query).get("db", [url.path.lstrip("/") or "0"])[0]
    return f"qou:socketio:{database}"


def create_sio(
    app: web.Application,
    settings: Settings,
    svc: Services,
    media: MediaRegistry,
    recorder: Recorder,
    nodes: MediaNodes,
) -> RoomBroadcaster:
    """The room's Socket.IO server on ``app``, with the lecture media, the recorder and the
    media nodes the composition root made (signaling never builds the recorder: recording
    builds on the SFU); what reaches the live rooms from outside them (REST handlers, slide
    processing) is the answer."""
    manager = (
        socketio.AsyncRedisManager(settings.redis_url, channel=emit_channel(settings.redis_url))
        if settings.redis_url
        else None
    )
    # Processes sharing a port (serve --workers) cannot share a long-polling session, whose
    # requests the kernel would spread over them; a WebSocket stays on its process.
    shares_port = settings.process_index is not None
    sio = WireServer(
        async_mode="aiohttp",
        client_manager=manager,
        transports=["websocket"] if shares_port else ["polling", "websocket"],
        max_http_buffer_size=MAX_MESSAGE_BYTES,
        ping_interval=20,
        ping_timeout=20,
    )
    parts = RoomParts(
        tokens=svc.tokens,
        database=svc.database,
        store=svc.room_store,
        media=media,
        recorder=recorder,
        nodes=nodes,
        redis=svc.redis,
        beat_seconds=settings.media_beat_seconds,
        notices=svc.notices,
    )
    namespace = ClassroomNamespace(parts)

    async def start_media(_app: web.Application) -> None:
        await namespace.media.start()

    async def close_media(_app: web.Application) -> None:
        await namespace.media.stop()  # other nodes place this node's lectures again
        await media.close_all()

    app.on_startup.append(start_media)
    app.on_shutdown.append(close_media)  # before the recorder closes its files
    sio.register_namespace(namespace)
    sio.attach(app, socketio_path=SOCKETIO_PATH)
    # Redis: forget what dead processes left
    presence = PresenceKeeper(svc.room_store, sio, settings, svc.database, svc.notices)
    app.on_startup.append(presence.start)
    app.on_shutdown.append(presence.stop)
    return namespace
