"""The room store contract, on the in-process store and on real Redis."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from classroom_server.room import MemoryRoomStore, RedisRoomStore, RoomStore
from classroom_server.room.store import PresenceChange
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


async def test_media_presence_is_shared_and_forgotten(store: RoomStore) -> None:
    room = lecture()
    assert await store.media_presence(room) == {}
    await store.put_media_presence(room, {3: ["camera", "microphone"], 4: ["receiving"]})
    assert await store.media_presence(room) == {3: ["camera", "microphone"], 4: ["receiving"]}
    await store.forget_room(room)
    assert await store.media_presence(room) == {}


async def test_the_lobby_counts_users_not_tabs_and_keeps_who_came_first(
    store: RoomStore,
) -> None:
    room = lecture()
    assert await store.lobby_enter(room, 3, "a", ("Lina", False, 20.0)) is True
    assert await store.lobby_enter(room, 3, "b", ("Lina", False, 25.0)) is False
    assert await store.lobby_enter(room, 4, "c", ("Sami", True, 10.0)) is True
    assert await store.lobby(room) == {3: ("Lina", False, 20.0), 4: ("Sami", True, 10.0)}
    assert await store.lobby_leave(room, 3, "a") is False  # another tab still waits
    assert await store.lobby_leave(room, 3, "b") is True
    assert await store.lobby_leave(room, 3, "b") is False
    assert await store.lobby(room) == {4: ("Sami", True, 10.0)}
    assert await store.lobby_enter(room, 4, "d", ("Sami", True, 30.0)) is False
    assert await store.lobby_drop(room, 4) == {"c", "d"}
    assert await store.lobby_drop(room, 4) == set()
    assert await store.lobby_leave(room, 4, "c") is False  # dropped already: no second goodbye
    assert await store.lobby(room) == {}
    await store.lobby_enter(room, 5, "e", ("Omar", False, 1.0))
    await store.forget_room(room)
    assert await store.lobby(room) == {}


async def test_rate_limit_window(store: RoomStore) -> None:
    key = f"k{secrets.token_hex(4)}"
    results = [await store.hit(key, 3, 60) for _ in range(5)]
    assert results[:3] == [0.0, 0.0, 0.0]
    assert all(0 < r <= 60 for r in results[3:])


LEASE_REDIS = "redis://127.0.0.1:6379/13"
"""Leases sweep every lapsed process in their Redis: a database no server under test uses."""


@pytest.fixture
async def lease_redis() -> AsyncIterator[Redis]:
    redis = Redis.from_url(LEASE_REDIS)
    yield redis
    await redis.aclose()


def name() -> str:
    return f"test-{secrets.token_hex(6)}"


def here(room: int, *changes: PresenceChange) -> list[tuple[int, int]]:
    """Departures in ``room``: a sweep also finds what earlier runs of these tests left."""
    return sorted(seat for change in changes for seat in change.left if seat[0] == room)


async def test_memory_store_leases_change_nothing() -> None:
    store = MemoryRoomStore()
    await store.add_connection(1, 1, "a", ("Amal", "educator"))
    assert await store.register("x", 1.0) == PresenceChange()
    assert await store.sweep() == PresenceChange()
    assert await store.unregister() == PresenceChange()
    assert await store.connections(1) == {1: {"a"}}


async def test_a_lapsed_process_is_swept_once(lease_redis: Redis) -> None:
    room = lecture()
    live, dying = RedisRoomStore(lease_redis), RedisRoomStore(lease_redis)
    others = [RedisRoomStore(lease_redis) for _ in range(3)]
    for store, lease in ((live, 5.0), (dying, 0.3), *((o, 5.0) for o in others)):
        await store.register(name(), lease)
    await dying.add_connection(room, 1, "d1", ("Basel", "student"))
    await dying.add_connection(room, 2, "d2", ("Dana", "student"))
    await live.add_connection(room, 2, "l2", ("Dana", "student"))
    assert await live.sweep() == PresenceChange()  # the lease still runs
    await asyncio.sleep(0.4)  # ``dying`` stops beating: killed
    changes = await asyncio.gather(*(s.sweep() for s in (live, *others)))
    assert here(room, *changes) == [(room, 1)]
    assert await live.connections(room) == {2: {"l2"}}
    assert await live.people(room) == {2: ("Dana", "student")}
    assert await live.add_connection(room, 1, "l1", ("Basel", "student")) is True
    for store in (live, *others):
        await store.unregister()


async def test_a_restart_forgets_its_earlier_run(lease_redis: Redis) -> None:
    room, me = lecture(), name()
    before = RedisRoomStore(lease_redis)
    await before.register(me, 60.0)
    await before.add_connection(room, 1, "s1", ("Basel", "student"))
    after = RedisRoomStore(lease_redis)  # same name, earlier run killed: lease still running
    assert here(room, await after.register(me, 60.0)) == [(room, 1)]
    assert await after.connections(room) == {}
    await after.add_connection(room, 2, "s2", ("Dana", "student"))
    assert here(room, await after.unregister()) == [(room, 2)]
    assert await after.people(room) == {}


async def test_a_process_thought_dead_puts_its_users_back(lease_redis: Redis) -> None:
    room = lecture()
    slow, other = RedisRoomStore(lease_redis), RedisRoomStore(lease_redis)
    await slow.register(name(), 0.2)
    await other.register(name(), 5.0)
    await slow.add_connection(room, 1, "a", ("Basel", "student"))
    await slow.add_connection(room, 1, "b", ("Basel", "student"))
    await asyncio.sleep(0.3)  # ``slow`` missed its beats (a stalled loop, Redis unreachable)
    assert here(room, await other.sweep()) == [(room, 1)]
    change = await slow.sweep()
    assert here(room, change) == [] and change.rejoined == [((room, 1), ("Basel", "student"))]
    assert await other.connections(room) == {1: {"a", "b"}}
    assert await slow.remove_connection(room, 1, "a") is False
    assert await slow.remove_connection(room, 1, "b") is True
    await slow.unregister()
    await other.unregister()
