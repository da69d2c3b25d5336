"""The core's shared parts, built once per process by the composition root (``web_app``).

Not a locator: no handler reaches it. The composition root hands each consumer the parts it
needs (the REST handlers by type through ``portal_api.router``, the room's signalling through
``signaling.create_sio``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from redis.asyncio import Redis

from classroom_server.config import Settings
from classroom_server.db import Database
from classroom_server.room import (
    MemoryRoomStore,
    NoBroadcaster,
    RedisRoomStore,
    RoomBroadcaster,
    RoomStore,
)
from classroom_server.security import (
    LoginThrottle,
    MemoryThrottleStore,
    RedisThrottleStore,
    TokenIssuer,
)
from classroom_server.slide_decks import SlideDecks


@dataclass
class Services:
    settings: Settings
    database: Database
    tokens: TokenIssuer
    throttle: LoginThrottle
    room_store: RoomStore = field(default_factory=MemoryRoomStore)
    broadcaster: RoomBroadcaster = field(default_factory=NoBroadcaster)
    redis: Redis | None = None
    access_lifetime: timedelta = field(init=False)
    session_lifetime: timedelta = field(init=False)
    slides: SlideDecks = field(init=False)

    def __post_init__(self) -> None:
        self.access_lifetime = timedelta(minutes=self.settings.access_token_minutes)
        self.session_lifetime = timedelta(hours=self.settings.session_hours)
        self.slides = SlideDecks(self.settings.data_dir, self.database, self.broadcaster)

    def attach_broadcaster(self, broadcaster: RoomBroadcaster) -> None:
        """The Socket.IO layer plugs in here once it exists."""
        self.broadcaster = broadcaster
        self.slides.broadcaster = broadcaster

    @classmethod
    def build(cls, settings: Settings) -> Services:
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        store = RedisThrottleStore(redis) if redis else MemoryThrottleStore()
        return cls(
            settings=settings,
            database=Database(settings.effective_database_url),
            tokens=TokenIssuer(settings.signing_key()),
            throttle=LoginThrottle(store),
            room_store=RedisRoomStore(redis) if redis else MemoryRoomStore(),
            redis=redis,
        )

    async def close(self) -> None:
        await self.slides.close()
        await self.database.close()
        if self.redis is not None:
            await self.redis.aclose()
