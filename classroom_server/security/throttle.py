"""Slow down password guessing, per username and per client address.

After a few free failures each further failure doubles the wait before the next attempt is
heard (capped), so a guesser gets a handful of tries an hour while a user who mistyped waits
seconds. Addresses get a larger allowance: a whole lab may share one NAT address. A success
clears the username's record but not the address's.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

WINDOW_SECONDS = 15 * 60
MAX_DELAY_SECONDS = 15 * 60


@dataclass(frozen=True)
class Failures:
    count: int
    last: float


class ThrottleStore(Protocol):
    async def get(self, key: str) -> Failures | None: ...
    async def add_failure(self, key: str, now: float) -> None: ...
    async def clear(self, key: str) -> None: ...


class MemoryThrottleStore:
    """One process's record; bounded so a flood of distinct usernames cannot exhaust memory."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._entries: OrderedDict[str, Failures] = OrderedDict()
        self._max_keys = max_keys

    async def get(self, key: str) -> Failures | None:
        entry = self._entries.get(key)
        if entry and time.time() - entry.last > WINDOW_SECONDS:
            del self._entries[key]
            return None
        return entry

    async def add_failure(self, key: str, now: float) -> None:
        previous = await self.get(key)
        self._entries[key] = Failures((previous.count if previous else 0) + 1, now)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_keys:
            self._entries.popitem(last=False)

    async def clear(self, key: str) -> None:
        self._entries.pop(key, None)


class RedisThrottleStore:
    """Shared by every server process of a deployment."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def get(self, key: str) -> Failures | None:
        count, last = await self._redis.hmget(f"qou:throttle:{key}", ["count", "last"])
        if count is None or last is None:
            return None
        return Failures(int(count), float(last))

    async def add_failure(self, key: str, now: float) -> None:
        name = f"qou:throttle:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(name, "count", 1)
            pipe.hset(name, "last", str(now))
            pipe.expire(name, WINDOW_SECONDS)
            await pipe.execute()

    async def clear(self, key: str) -> None:
        await self._redis.delete(f"qou:throttle:{key}")


class LoginThrottle:
    def __init__(self, store: ThrottleStore, free_per_user: int = 5, free_per_address: int = 20):
        self._store = store
        self._free = {"user": free_per_user, "addr": free_per_address}

    async def retry_after(self, username: str, address: str) -> float:
        """Seconds the caller must still wait; 0 when an attempt may be checked now."""
        now = time.time()
        wait = 0.0
        for kind, key in self._keys(username, address):
            failures = await self._store.get(key)
            if failures is None or failures.count < self._free[kind]:
                continue
            delay = min(2.0 ** (failures.count - self._free[kind]), MAX_DELAY_SECONDS)
            wait = max(wait, failures.last + delay - now)
        return max(wait, 0.0)

    async def failed(self, username: str, address: str) -> None:
        now = time.time()
        for _kind, key in self._keys(username, address):
            await self._store.add_failure(key, now)

    async def succeeded(self, username: str) -> None:
        await self._store.clear(f"user:{username.lower()}")

    @staticmethod
    def _keys(username: str, address: str) -> list[tuple[str, str]]:
        return [("user", f"user:{username.lower()}"), ("addr", f"addr:{address}")]
