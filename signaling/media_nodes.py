"""Which process holds a lecture's media: media nodes with leases, and placement, in Redis.

One Python process forwards media on one core, and a lecture's peer connections must all end
on the process that holds its ``LectureMedia``. Each ``serve`` process with Redis is a media
node: it renews a lease (``qou:media:node:{id}``, a hash of its address, capacity and peer
connections with a TTL, beside the set of lectures placed on it)
every ``beat_seconds`` and is listed in ``qou:media:nodes``. A lecture is placed when its media
is first needed, on the live node with the most room (``qou:media:lecture:{id}`` holds the
node), the way LiveKit and Scalelite pin a room to one server. Placing is one Lua script, so
nodes placing the same lecture at once agree; a placement whose node lost its lease is placed
again by the first node to need it, and that node alone is told it moved the lecture.

The embedded default is one node, ``OneNode``: everything is here, and nothing is asked of
Redis. Node ids are new on every start: a restarted process holds none of its old media.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

NODES_KEY = "qou:media:nodes"
PLACEMENT_SECONDS = 24 * 3600
"""A placement outlives its holder's refreshes by this much at most (a lecture longer than a
day keeps it: the holder refreshes it on every beat)."""


def node_key(node: str) -> str:
    return f"qou:media:node:{node}"


def lectures_key(node: str) -> str:
    """The lectures placed on ``node``: its load beside its peer connections."""
    return f"qou:media:node:{node}:lectures"


def placement_key(lecture_id: int) -> str:
    return f"qou:media:lecture:{lecture_id}"


def recording_key(lecture_id: int) -> str:
    return f"qou:media:recording:{lecture_id}"


def new_node_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


PLACE = """
local current = redis.call('GET', KEYS[2])
if current and redis.call('EXISTS', 'qou:media:node:' .. current) == 1 then
  return {current, 0}
end
local best, best_room = '', 0
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = 'qou:media:node:' .. node
  local info = redis.call('HMGET', key, 'capacity', 'connections')
  if not info[1] then
    redis.call('SREM', KEYS[1], node)
  else
    local held = redis.call('SCARD', key .. ':lectures')
    local room = tonumber(info[1]) - tonumber(info[2] or '0') - held
    if room > best_room or (room == best_room and room > 0 and node < best) then
      best, best_room = node, room
    end
  end
end
if best == '' then return {'', 0} end
local lectures = 'qou:media:node:' .. best .. ':lectures'
redis.call('SADD', lectures, ARGV[2])
redis.call('PEXPIRE', lectures, redis.call('PTTL', 'qou:media:node:' .. best))
redis.call('SET', KEYS[2], best, 'EX', ARGV[1])
if current then return {best, 1} end
return {best, 0}
"""
"""KEYS nodes, placement; ARGV placement seconds, lecture id. Returns [node or '' when every
node is full, 1 when this call moved the lecture off a node that lost its lease]. A node's
load is its peer connections (from its beat) plus the lectures placed on it (a set the
placement itself adds to), so lectures placed between two beats, before any of their media
exists, still count and spread out."""

BEAT = """
redis.call('HSET', KEYS[2], 'address', ARGV[2], 'capacity', ARGV[3], 'connections', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('SADD', KEYS[1], ARGV[1])
for _, lecture in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local placement = 'qou:media:lecture:' .. lecture
  if redis.call('GET', placement) == ARGV[1] then
    redis.call('EXPIRE', placement, ARGV[6])
  else
    redis.call('SREM', KEYS[3], lecture)
  end
end
redis.call('PEXPIRE', KEYS[3], ARGV[5])
"""
"""KEYS nodes, node, its lectures; ARGV node id, address, capacity, connections, lease ms,
placement seconds. Renews the lease and the placements still this node's; forgets the rest."""

RELEASE = """
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class NoMediaNode(Exception):
    """Every live media node is at capacity (or none is live)."""


@dataclass(frozen=True)
class Placement:
    node: str
    moved: bool = False
    """This call placed the lecture again because its node had lost its lease."""


class MediaNodes(Protocol):
    """Where lectures' media are held; see the module docstring."""

    node_id: str

    async def placed(self, lecture_id: int) -> str | None:
        """The lecture's node, without placing it (None when it has none)."""
        ...

    async def place(self, lecture_id: int) -> Placement:
        """The lecture's node, placed now if it has none or its node is gone."""
        ...

    async def release(self, lecture_id: int) -> None:
        """This node closed the lecture's media: it may be placed anywhere next time."""
        ...

    async def beat(self, connections: int) -> None:
        """Renews this node's lease, saying how many peer connections it holds, and the
        placements of the lectures placed on it."""
        ...

    async def alive(self, nodes: Iterable[str]) -> set[str]:
        """Which of ``nodes`` hold a lease now."""
        ...

    async def leave(self) -> None:
        """A clean stop: the lease ends now, not when it lapses."""
        ...

    async def note_recording(self, lecture_id: int, recording: bool) -> None:
        """Whether a take of the lecture runs: a node that places it again starts one."""
        ...

    async def was_recording(self, lecture_id: int) -> bool: ...


class OneNode:
    """The embedded default: this process is the only node."""

    def __init__(self) -> None:
        self.node_id = new_node_id()

    async def placed(self, lecture_id: int) -> str | None:
        return self.node_id

    async def place(self, lecture_id: int) -> Placement:
        return Placement(self.node_id)

    async def release(self, lecture_id: int) -> None:
        return None

    async def beat(self, connections: int) -> None:
        return None

    async def alive(self, nodes: Iterable[str]) -> set[str]:
        return {self.node_id} & set(nodes)

    async def leave(self) -> None:
        return None

    async def note_recording(self, lecture_id: int, recording: bool) -> None:
        return None  # nothing is ever placed again

    async def was_recording(self, lecture_id: int) -> bool:
        return False


def media_nodes(
    redis: Redis | None, address: str, capacity: int, beat_seconds: float
) -> MediaNodes:
    """The nodes this process is one of: with Redis, shared; without, just itself.
    ``address`` (host:port) is for whoever reads Redis to see where a node is."""
    if redis is None:
        return OneNode()
    return RedisNodes(redis, capacity, beat_seconds, address)


class RedisNodes:
    """Media nodes in a Redis every ``serve`` process shares."""

    def __init__(self, redis: Redis, capacity: int, beat_seconds: float, address: str = "") -> None:
        self.node_id = new_node_id()
        self._address = address
        self._redis = redis
        self._capacity = capacity
        self._lease_ms = max(1, round(beat_seconds * 3 * 1000))
        self._place = redis.register_script(PLACE)
        self._beat = redis.register_script(BEAT)
        self._release = redis.register_script(RELEASE)

    async def placed(self, lecture_id: int) -> str | None:
        node = await self._redis.get(placement_key(lecture_id))
        return node.decode() if isinstance(node, bytes) else node

    async def place(self, lecture_id: int) -> Placement:
        keys = [NODES_KEY, placement_key(lecture_id)]
        node, moved = await self._place(keys=keys, args=[PLACEMENT_SECONDS, lecture_id])
        node = node.decode() if isinstance(node, bytes) else str(node)
        if not node:
            raise NoMediaNode("every media node is at capacity")
        return Placement(node, bool(moved))

    async def release(self, lecture_id: int) -> None:
        keys = [placement_key(lecture_id), lectures_key(self.node_id)]
        await self._release(keys=keys, args=[self.node_id, lecture_id])

    async def beat(self, connections: int) -> None:
        keys = [NODES_KEY, node_key(self.node_id), lectures_key(self.node_id)]
        args: list[str | int] = [
            self.node_id,
            self._address,
            self._capacity,
            connections,
            self._lease_ms,
            PLACEMENT_SECONDS,
        ]
        await self._beat(keys=keys, args=args)

    async def alive(self, nodes: Iterable[str]) -> set[str]:
        wanted = sorted(set(nodes))
        if not wanted:
            return set()
        async with self._redis.pipeline(transaction=False) as pipe:
            for node in wanted:
                pipe.exists(node_key(node))
            found = await pipe.execute()
        return {node for node, exists in zip(wanted, found, strict=True) if exists}

    async def leave(self) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(node_key(self.node_id), lectures_key(self.node_id))
            pipe.srem(NODES_KEY, self.node_id)
            await pipe.execute()

    async def note_recording(self, lecture_id: int, recording: bool) -> None:
        if recording:
            await self._redis.set(recording_key(lecture_id), self.node_id, ex=PLACEMENT_SECONDS)
        else:
            await self._redis.delete(recording_key(lecture_id))

    async def was_recording(self, lecture_id: int) -> bool:
        return bool(await self._redis.exists(recording_key(lecture_id)))
