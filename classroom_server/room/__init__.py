"""The live lecture room: its rules, independent of the transport that carries them."""

from classroom_server.room.broadcast import RoomBroadcaster
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.events import EVENTS, RoomEvent
from classroom_server.room.outcome import Audience, Emit, Outcome, RoomError
from classroom_server.room.participants import participant_view
from classroom_server.room.redis_store import RedisRoomStore
from classroom_server.room.snapshot import snapshot
from classroom_server.room.store import MemoryRoomStore, RoomStore

__all__ = [
    "EVENTS",
    "Actor",
    "Audience",
    "Emit",
    "MemoryRoomStore",
    "Outcome",
    "RedisRoomStore",
    "RoomBroadcaster",
    "RoomContext",
    "RoomError",
    "RoomEvent",
    "RoomStore",
    "participant_view",
    "snapshot",
]
