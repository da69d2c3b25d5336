"""The room store in Redis, shared by every server process of a deployment.

Keys live under ``qou:room:{lecture}:`` and expire a day after the last write, so a crashed
process cannot leave a room's state behind forever.
"""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from classroom_server.room.store import Flag, Person

TTL_SECONDS = 24 * 3600


class RedisRoomStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    @staticmethod
    def _key(lecture_id: int, *parts: object) -> str:
        return ":".join(["qou:room", str(lecture_id), *map(str, parts)])

    async def add_connection(self, lecture_id: int, user_id: int, sid: str, who: Person) -> bool:
        key = self._key(lecture_id, "conn", user_id)
        people = self._key(lecture_id, "people")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(key, sid)
            pipe.scard(key)
            pipe.sadd(self._key(lecture_id, "users"), user_id)
            pipe.hset(people, str(user_id), json.dumps(who))
            pipe.expire(key, TTL_SECONDS)
            pipe.expire(self._key(lecture_id, "users"), TTL_SECONDS)
            pipe.expire(people, TTL_SECONDS)
            _, count, *_ = await pipe.execute()
        return int(count) == 1

    async def remove_connection(self, lecture_id: int, user_id: int, sid: str) -> bool:
        key = self._key(lecture_id, "conn", user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.srem(key, sid)
            pipe.scard(key)
            removed, count = await pipe.execute()
        if not removed or int(count) > 0:
            return False
        await self._redis.srem(self._key(lecture_id, "users"), user_id)
        await self._redis.hdel(self._key(lecture_id, "people"), str(user_id))
        return True

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
