"""The room store in Redis, shared by every server process of a deployment.

Keys live under ``qou:room:{lecture}:`` and expire a day after the last write. Connections are
also indexed by the process holding them, which renews a lease; when a process dies without a
goodbye, the next sweep of any other (or its own restart) forgets its connections
(``classroom_server.room.redis_leases``).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from classroom_server.room.redis_leases import INSTANCES_KEY, LEASE, REMOVE, instance_key
from classroom_server.room.store import (
    Flag,
    MediaPresence,
    Person,
    PresenceChange,
    Seat,
    Waiter,
)

TTL_SECONDS = 24 * 3600
ADD_COMMANDS = 8
"""Commands ``_queue_add`` puts in a pipeline: its results come in groups of this size."""


class RedisRoomStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        # Until ``register``, a name no restart reuses, and no lease: nothing sweeps these.
        self._instance = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._lease_ms = 0
        self._mine: dict[str, tuple[int, int, Person]] = {}
        """This process's connections, sid -> (lecture, user, person): put back if swept."""
        self._lease = redis.register_script(LEASE)
        self._remove = redis.register_script(REMOVE)

    @staticmethod
    def _key(lecture_id: int, *parts: object) -> str:
        return ":".join(["qou:room", str(lecture_id), *map(str, parts)])

    def _queue_add(
        self, pipe: Pipeline, lecture_id: int, user_id: int, sid: str, who: Person
    ) -> None:
        key = self._key(lecture_id, "conn", user_id)
        people = self._key(lecture_id, "people")
        index = instance_key(self._instance, "conns")
        pipe.sadd(key, sid)
        pipe.scard(key)
        pipe.sadd(self._key(lecture_id, "users"), user_id)
        pipe.hset(people, str(user_id), json.dumps(who))
        pipe.sadd(index, f"{lecture_id}:{user_id}:{sid}")
        for name in (key, self._key(lecture_id, "users"), people):
            pipe.expire(name, TTL_SECONDS)

    async def add_connection(self, lecture_id: int, user_id: int, sid: str, who: Person) -> bool:
        self._mine[sid] = (lecture_id, user_id, who)
        async with self._redis.pipeline(transaction=True) as pipe:
            self._queue_add(pipe, lecture_id, user_id, sid, who)
            pipe.expire(instance_key(self._instance, "conns"), TTL_SECONDS)
            _, count, *_ = await pipe.execute()
        return int(count) == 1

    async def remove_connection(self, lecture_id: int, user_id: int, sid: str) -> bool:
        self._mine.pop(sid, None)
        keys = [
            self._key(lecture_id, "conn", user_id),
            self._key(lecture_id, "users"),
            self._key(lecture_id, "people"),
            instance_key(self._instance, "conns"),
        ]
        last = await self._remove(keys=keys, args=[sid, user_id, f"{lecture_id}:{user_id}:{sid}"])
        return bool(last)

    async def connections(self, lecture_id: int) -> dict[int, set[str]]:
        users = [int(u) for u in await self._redis.smembers(self._key(lecture_id, "users"))]
        if not users:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for user in users:
                pipe.smembers(self._key(lecture_id, "conn", user))
            sid_sets = await pipe.execute()
        return {
            user: {s.decode() for s in sids}
            for user, sids in zip(users, sid_sets, strict=True)
            if sids
        }

    async def people(self, lecture_id: int) -> dict[int, Person]:
        entries = await self._redis.hgetall(self._key(lecture_id, "people"))
        return {int(user): tuple(json.loads(who)) for user, who in entries.items()}

    async def set_flag(self, lecture_id: int, flag: Flag, user_id: int, on: bool) -> None:
        key = self._key(lecture_id, "flag", flag)
        if on:
            await self._redis.sadd(key, user_id)
            await self._redis.expire(key, TTL_SECONDS)
        else:
            await self._redis.srem(key, user_id)

    async def flagged(self, lecture_id: int, flag: Flag) -> set[int]:
        return {int(u) for u in await self._redis.smembers(self._key(lecture_id, "flag", flag))}

    async def raise_hand(self, lecture_id: int, user_id: int, at: float) -> bool:
        key = self._key(lecture_id, "hands")
        added = await self._redis.zadd(key, {str(user_id): at}, nx=True)
        await self._redis.expire(key, TTL_SECONDS)
        return bool(added)

    async def lower_hand(self, lecture_id: int, user_id: int) -> bool:
        return bool(await self._redis.zrem(self._key(lecture_id, "hands"), str(user_id)))

    async def hands(self, lecture_id: int) -> list[tuple[int, float]]:
        entries = await self._redis.zrange(self._key(lecture_id, "hands"), 0, -1, withscores=True)
        return [(int(entry[0]), float(entry[1])) for entry in entries]

    async def get_settings(self, lecture_id: int) -> dict[str, Any] | None:
        raw = await self._redis.get(self._key(lecture_id, "settings"))
        if raw is None:
            return None
        settings: dict[str, Any] = json.loads(raw)
        return settings

    async def put_settings(self, lecture_id: int, settings: dict[str, Any]) -> None:
        await self._redis.set(
            self._key(lecture_id, "settings"), json.dumps(settings), ex=TTL_SECONDS
        )

    async def put_media_presence(self, lecture_id: int, presence: MediaPresence) -> None:
        await self._redis.set(self._key(lecture_id, "media"), json.dumps(presence), ex=TTL_SECONDS)

    async def media_presence(self, lecture_id: int) -> MediaPresence:
        raw = await self._redis.get(self._key(lecture_id, "media"))
        return {int(user): sources for user, sources in json.loads(raw or "{}").items()}

    async def lobby_enter(self, lecture_id: int, user_id: int, sid: str, who: Waiter) -> bool:
        sids = self._key(lecture_id, "lobby", user_id)
        entries = self._key(lecture_id, "lobby")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(sids, sid)
            pipe.scard(sids)
            pipe.hsetnx(entries, str(user_id), json.dumps(who))
            pipe.expire(sids, TTL_SECONDS)
            pipe.expire(entries, TTL_SECONDS)
            _, count, *_ = await pipe.execute()
        return int(count) == 1

    async def lobby_leave(self, lecture_id: int, user_id: int, sid: str) -> bool:
        sids = self._key(lecture_id, "lobby", user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.srem(sids, sid)
            pipe.scard(sids)
            removed, count = await pipe.execute()
        if not removed or int(count):
            return False
        return bool(await self._redis.hdel(self._key(lecture_id, "lobby"), str(user_id)))

    async def lobby_drop(self, lecture_id: int, user_id: int) -> set[str]:
        sids = self._key(lecture_id, "lobby", user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.smembers(sids)
            pipe.delete(sids)
            pipe.hdel(self._key(lecture_id, "lobby"), str(user_id))
            members, *_ = await pipe.execute()
        return {m.decode() for m in members}

    async def lobby(self, lecture_id: int) -> dict[int, Waiter]:
        entries = await self._redis.hgetall(self._key(lecture_id, "lobby"))
        return {int(user): tuple(json.loads(who)) for user, who in entries.items()}

    async def hit(self, key: str, limit: int, window_seconds: int) -> float:
        now = time.time()
        window = int(now // window_seconds)
        name = f"qou:rate:{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds + 1)
            count, _ = await pipe.execute()
        if int(count) > limit:
            return (window + 1) * window_seconds - now
        return 0.0

    async def forget_room(self, lecture_id: int) -> None:
        keys = [key async for key in self._redis.scan_iter(match=self._key(lecture_id, "*"))]
        if keys:
            await self._redis.delete(*keys)

    async def register(self, instance: str, lease_seconds: float) -> PresenceChange:
        if self._mine:  # a retry after Redis was unreachable at start-up
            await self._run_lease("stop")
        self._instance, self._lease_ms = instance, max(1, round(lease_seconds * 1000))
        _, left = await self._run_lease("start")
        here = {(lecture, user) for lecture, user, _ in self._mine.values()}
        await self._put_back()  # already announced when they came: no roster churn for them
        return PresenceChange(left=[seat for seat in left if seat not in here])

    async def sweep(self) -> PresenceChange:
        if not self._lease_ms:
            return PresenceChange()
        lapsed, left = await self._run_lease("beat")
        change = PresenceChange(left=left)
        if lapsed:  # others may have forgotten our connections: put back what is still here
            change.rejoined = await self._put_back()
        return change

    async def unregister(self) -> PresenceChange:
        if not self._lease_ms:
            return PresenceChange()
        self._lease_ms = 0
        _, left = await self._run_lease("stop")
        self._mine.clear()
        return PresenceChange(left=left)

    async def _run_lease(self, mode: str) -> tuple[bool, list[Seat]]:
        lapsed, flat = await self._lease(
            keys=[INSTANCES_KEY], args=[mode, self._instance, self._lease_ms]
        )
        await self._redis.expire(instance_key(self._instance, "conns"), TTL_SECONDS)
        pairs = [int(x) for x in flat]
        return bool(lapsed), list(zip(pairs[::2], pairs[1::2], strict=True))

    async def _put_back(self) -> list[tuple[Seat, Person]]:
        """Records this process's connections again; those that are first again rejoined."""
        mine = list(self._mine.items())
        if not mine:
            return []
        async with self._redis.pipeline(transaction=True) as pipe:
            for sid, (lecture_id, user_id, who) in mine:
                self._queue_add(pipe, lecture_id, user_id, sid, who)
            results = await pipe.execute()
        rejoined: dict[Seat, Person] = {}
        for n, (_, (lecture_id, user_id, who)) in enumerate(mine):
            added, count = results[n * ADD_COMMANDS : n * ADD_COMMANDS + 2]
            if added and int(count) == 1:
                rejoined[(lecture_id, user_id)] = who
        return list(rejoined.items())
