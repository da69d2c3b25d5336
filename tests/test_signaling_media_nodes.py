"""Media nodes and lecture placement on a real Redis: the Lua script's choices."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from signaling.media_nodes import NoMediaNode, OneNode, RedisNodes, placement_key

NODES_REDIS = "redis://127.0.0.1:6379/6"


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(NODES_REDIS)
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


async def test_lectures_go_where_there_is_room_and_stay(redis: Redis) -> None:
    big, small = RedisNodes(redis, 10, 1.0), RedisNodes(redis, 4, 1.0)
    with pytest.raises(NoMediaNode):
        await big.place(1)  # no node holds a lease yet
    await big.beat(connections=3)
    await small.beat(connections=0)
    first = await small.place(1)  # either node may ask: both see the same room
    assert first.node == big.node_id and not first.moved  # 7 free against 4
    assert (await big.place(2)).node == big.node_id  # 6 free: the placement counted at once
    assert (await big.place(3)).node == big.node_id  # 5
    tie = {(await big.place(4)).node, (await big.place(5)).node}  # 4 and 4, then 3 and 4
    assert tie == {big.node_id, small.node_id}
    assert (await small.place(1)).node == big.node_id, "placed lectures stay"
    assert await small.placed(6) is None


async def test_lectures_placed_between_beats_still_count(redis: Redis) -> None:
    """A beat reports peer connections only; the lectures placed on a node count on their
    own, so four lectures started one after another, before any media, go two and two."""
    first, second = RedisNodes(redis, 10, 1.0), RedisNodes(redis, 10, 1.0)
    placed = []
    for lecture in range(1, 5):
        for node in (first, second):
            await node.beat(connections=0)  # no media yet anywhere
        placed.append((await first.place(lecture)).node)
    assert sorted(placed.count(n) for n in (first.node_id, second.node_id)) == [2, 2]
    ended = placed.index(first.node_id) + 1
    await first.release(ended)  # its lecture ended: its room is free again
    await first.beat(connections=0)
    assert await redis.scard(f"qou:media:node:{first.node_id}:lectures") == 1


async def test_a_lecture_of_a_node_that_lost_its_lease_is_placed_again_once(redis: Redis) -> None:
    dying, living = RedisNodes(redis, 10, 1.0), RedisNodes(redis, 10, 1.0)
    await dying.beat(connections=0)
    await living.beat(connections=5)
    assert (await living.place(7)).node == dying.node_id
    await dying.leave()
    assert await living.alive([dying.node_id, living.node_id]) == {living.node_id}
    moved = await living.place(7)
    assert (moved.node, moved.moved) == (living.node_id, True)
    again = await dying.place(7)  # a second node noticing the same loss
    assert (again.node, again.moved) == (living.node_id, False), "one node tells the room"


async def test_full_nodes_take_no_lecture_and_only_the_holder_releases(redis: Redis) -> None:
    node, other = RedisNodes(redis, 1, 1.0), RedisNodes(redis, 1, 1.0)
    await node.beat(connections=1)
    with pytest.raises(NoMediaNode):
        await node.place(1)
    await other.beat(connections=0)
    assert (await node.place(1)).node == other.node_id
    await node.release(1)
    assert await redis.get(placement_key(1)) == other.node_id.encode()
    await other.release(1)
    assert await other.placed(1) is None


async def test_a_running_take_is_noted_beside_the_placement(redis: Redis) -> None:
    node = RedisNodes(redis, 10, 1.0)
    assert not await node.was_recording(3)
    await node.note_recording(3, True)
    assert await node.was_recording(3)
    await node.note_recording(3, False)
    assert not await node.was_recording(3)


async def test_one_node_holds_everything_and_asks_nothing() -> None:
    node = OneNode()
    assert (await node.place(1)).node == await node.placed(2) == node.node_id
    assert await node.alive([node.node_id, "other"]) == {node.node_id}
