"""Slow down password guessing without handing the guesser a way to lock others out.

After a few free failures each further failure doubles the wait before the next attempt is
heard (capped), so a guesser gets a handful of tries an hour while a user who mistyped waits
seconds. Three budgets, each with its own allowance:

- per (username, client): the guesser's own attempts at one account. The client is the
  address, or for a known device the device (below), so a guesser behind the same NAT as the
  victim does not share the victim's budget;
- per username, larger: guesses at one account from many addresses. A *known device* (one
  that logged in to this account before and holds the signed device cookie,
  ``classroom_server.security.devices``) skips it, so an attack on an account does not lock
  its owner out of the devices they use;
- per address, larger still (a lab behind one NAT address): password spraying across many
  usernames from one place. Known devices skip it too.

A success clears the (username, client) budget only: the owner logging in must not hand the
guesser a fresh allowance. The stores keep failures for a window; Redis when configured, so
every server process sees the same counts.
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


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the username as typed, the client address and, when the request carries
    a valid device cookie for this username, that device's id."""

    username: str
    address: str
    device: str | None = None

    @property
    def known_device(self) -> bool:
        return self.device is not None


class LoginThrottle:
    def __init__(
        self,
        store: ThrottleStore,
        free_per_client: int = 5,
        free_per_user: int = 20,
        free_per_address: int = 100,
    ) -> None:
        self._store = store
        self._free = {"client": free_per_client, "user": free_per_user, "addr": free_per_address}

    async def retry_after(self, attempt: Attempt) -> float:
        """Seconds the caller must still wait; 0 when an attempt may be checked now."""
        now = time.time()
        wait = 0.0
        for kind, key in self._keys(attempt):
            failures = await self._store.get(key)
            if failures is None or failures.count < self._free[kind]:
                continue
            delay = min(2.0 ** (failures.count - self._free[kind]), MAX_DELAY_SECONDS)
            wait = max(wait, failures.last + delay - now)
        return max(wait, 0.0)

    async def failed(self, attempt: Attempt) -> None:
        now = time.time()
        for _kind, key in self._keys(attempt):
            await self._store.add_failure(key, now)

    async def succeeded(self, attempt: Attempt) -> None:
        await self._store.clear(self._keys(attempt)[0][1])

    @staticmethod
    def _keys(attempt: Attempt) -> list[tuple[str, str]]:
        """The budgets this attempt draws on; the (username, client) one first."""
        user = attempt.username.strip().lower()
        if attempt.device is not None:
            return [("client", f"client:{user}|device:{attempt.device}")]
        return [
            ("client", f"client:{user}|addr:{attempt.address}"),
            ("user", f"user:{user}"),
            ("addr", f"addr:{attempt.address}"),
        ]
