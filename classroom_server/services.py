"""The core's shared parts, built once per process by the composition root (``web_app``).

Not a locator: no handler reaches it. The composition root hands each consumer the parts it
needs (the REST handlers by type through ``portal_api.router``, the room's signalling through
``signaling.create_sio``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from redis.asyncio import BlockingConnectionPool, Redis

from classroom_server.config import Settings
from classroom_server.db import Database
from classroom_server.room import MemoryRoomStore, RedisRoomStore, RoomStore
from classroom_server.room_notices import RoomNotices
from classroom_server.security import (
    LoginThrottle,
    MemoryThrottleStore,
    RedisThrottleStore,
    TokenIssuer,
)

REDIS_CONNECTIONS = 100
REDIS_WAIT_SECONDS = 10.0


def shared_redis(url: str) -> Redis:
    """A client whose pool makes a burst wait for a connection: redis-py's default async pool
    raises ``MaxConnectionsError`` once 100 are out, which a class of 200 leaving at once hit in
    every disconnect handler (bench/processes_scaling.py), leaving them in the roster."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT_SECONDS
    )
    return Redis(connection_pool=pool)


@dataclass
class Services:
    settings: Settings
    database: Database
    tokens: TokenIssuer
    throttle: LoginThrottle
    room_store: RoomStore = field(default_factory=MemoryRoomStore)
    redis: Redis | None = None
    notices: RoomNotices = field(default_factory=RoomNotices)
    access_lifetime: timedelta = field(init=False)
    session_lifetime: timedelta = field(init=False)

    def __post_init__(self) -> None:
        self.access_lifetime = timedelta(minutes=self.settings.access_token_minutes)
        self.session_lifetime = timedelta(hours=self.settings.session_hours)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        redis = shared_redis(settings.redis_url) if settings.redis_url else None
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
        await self.database.close()
        if self.redis is not None:
            await self.redis.aclose()
