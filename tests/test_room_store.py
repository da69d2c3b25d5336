"""The room store contract, on the in-process store and on real Redis."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from classroom_server.room import MemoryRoomStore, RedisRoomStore, RoomStore
from tests.conftest import REDIS_URL


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[RoomStore]:
    if request.param == "memory":
        yield MemoryRoomStore()
        return
    redis = Redis.from_url(REDIS_URL)
    yield RedisRoomStore(redis)
    await redis.aclose()


def lecture() -> int:
    return secrets.randbelow(10**9) + 10**6


async def test_presence_counts_users_not_tabs(store: RoomStore) -> None:
    room = lecture()
    assert await store.add_connection(room, 1, "a", ("Amal", "educator")) is True
    assert await store.add_connection(room, 1, "b", ("Amal", "educator")) is False
    assert await store.add_connection(room, 2, "c", ("Basel", "student")) is True
    assert await store.connections(room) == {1: {"a", "b"}, 2: {"c"}}
    assert await store.people(room) == {1: ("Amal", "educator"), 2: ("Basel", "student")}
    assert await store.remove_connection(room, 1, "a") is False
    assert await store.remove_connection(room, 1, "b") is True
    assert await store.remove_connection(room, 1, "b") is False
    assert await store.connections(room) == {2: {"c"}}
    assert await store.people(room) == {2: ("Basel", "student")}


async def test_hands_flags_settings_and_forgetting(store: RoomStore) -> None:
    room = lecture()
    assert await store.raise_hand(room, 5, 20.0)
    assert await store.raise_hand(room, 6, 10.0)
    assert not await store.raise_hand(room, 5, 30.0)
    assert await store.hands(room) == [(6, 10.0), (5, 20.0)]
    assert await store.lower_hand(room, 6) and not await store.lower_hand(room, 6)
    await store.set_flag(room, "muted", 5, True)
    await store.set_flag(room, "presenter", 7, True)
    await store.set_flag(room, "presenter", 7, False)
    assert (
        await store.flagged(room, "muted") == {5}
        and await store.flagged(room, "presenter") == set()
    )
    await store.put_settings(room, {"page": 3})
    assert await store.get_settings(room) == {"page": 3}
    await store.forget_room(room)
    assert await store.get_settings(room) is None and await store.hands(room) == []


async def test_rate_limit_window(store: RoomStore) -> None:
    key = f"k{secrets.token_hex(4)}"
    results = [await store.hit(key, 3, 60) for _ in range(5)]
    assert results[:3] == [0.0, 0.0, 0.0]
    assert all(0 < r <= 60 for r in results[3:])
