"""``LectureMedia.sync`` reads the room's flags once, whatever the number of participants.

A sync runs on every join, leave, mute, invitation and adaptation; reading each participant's
rights from the store (two round trips each) made every change O(N) Redis round trips and a
class arriving O(N^2). Real Redis, through a wrapper that counts the calls reaching the store.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from classroom_server.db import Database
from classroom_server.room import Actor, Outcome, RoomContext
from classroom_server.room import media_policy as policy
from classroom_server.room.redis_store import RedisRoomStore
from classroom_server.room.store import MediaPresence
from signaling.lecture_media import LectureMedia
from signaling.sfu.room_media import RoomMedia
from tests.conftest import REDIS_URL


class CountingStore:
    """The Redis room store, counting the calls that reach it by method name."""

    def __init__(self, store: RedisRoomStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return await method(*args, **kwargs)

        return counted


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


async def nothing(*_args: Any) -> None:
    return None


async def class_arrives(
    redis: Redis, tmp_path: Path, students: int
) -> tuple[list[int], dict[int, frozenset[policy.Source]], MediaPresence]:
    """Store calls made by each sync as an educator and ``students`` students join (one
    presenter, every third invited), then by one more sync; each one's rights as a single
    check (``publish_rights``) sees them; and the media presence other processes read."""
    lecture_id = 2_000_000_000 + os.getpid() % 100_000 * 100 + students
    store = CountingStore(RedisRoomStore(redis))
    await store.forget_room(lecture_id)
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}")  # sync never asks
    ctx = RoomContext(lecture_id, database, store)  # type: ignore[arg-type]
    people = [Actor(1, "educator", "educator")]
    people += [Actor(100 + n, f"student {n}", "student") for n in range(students)]
    await store.set_flag(lecture_id, "presenter", 100, True)
    for student in people[1::3]:
        await store.set_flag(lecture_id, "invited", student.user_id, True)

    async def emit_outcome(_outcome: Outcome) -> None:
        return None

    lecture = LectureMedia(ctx, RoomMedia(f"count-{lecture_id}"), False, emit_outcome, nothing)
    per_sync = []
    try:
        for actor in people:
            store.calls.clear()
            await lecture.join(f"sid-{actor.user_id}", actor, policy.Preference())
            per_sync.append(sum(store.calls.values()))
        store.calls.clear()
        await lecture.sync()
        per_sync.append(sum(store.calls.values()))
        rights = {actor.user_id: await lecture.rights(actor.user_id) for actor in people}
        presence = await store.media_presence(lecture_id)
    finally:
        await lecture.close()
        await store.forget_room(lecture_id)
        await database.close()
    return per_sync, rights, presence


async def test_a_sync_reads_the_flags_once_whatever_the_class_size(
    redis: Redis, tmp_path: Path
) -> None:
    small, small_rights, presence = await class_arrives(redis, tmp_path, 5)
    large, large_rights, _ = await class_arrives(redis, tmp_path, 50)
    print(f"store calls per sync: {small[-1]} with 6 participants, {large[-1]} with 51")
    # Reads of muted, presenters, invited; and one write of the media presence when a join
    # changed it.
    assert set(small[:-1]) == set(large[:-1]) == {4}, (small, large)
    assert small[-1] == large[-1] == 3, (small, large)
    assert presence == {actor: ["receiving"] for actor in [1, *range(100, 105)]}
    assert small_rights[1] == small_rights[100] == policy.EVERYTHING  # educator, presenter
    assert small_rights[103] == policy.INVITED and small_rights[101] == frozenset()
    assert large_rights == {**large_rights, **small_rights}
