"""Media across server processes: two ``serve`` nodes on one Redis and one PostgreSQL.

A lecture's media is held by one node; participants whose Socket.IO connection landed on the
other node get it through the relay. Every packet stays on loopback (the nodes gather ICE
candidates on 127.0.0.1 and accept checks from 127.0.0.0/8 only).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiortc.mediastreams import MediaStreamTrack
from redis.asyncio import Redis

from signaling.media_nodes import NODES_KEY, placement_key
from tests.conftest import (
    CLI,
    SECRET_KEY,
    Server,
    bearer,
    run_postgres_url,
    scratch_postgres,
    start_server,
)
from tests.media import make_clip
from tests.media_peer import MediaParticipant, ToneTrack
from tests.room_client import demo_course_id, join_token, live_lecture
from tests.sfu_peer import ClientPeer, TestCardTrack, until
from tests.test_portal_api_videos import ready, upload
from tests.test_recording_service import fetch, lecture_video

NODES_REDIS = "redis://127.0.0.1:6379/11"
FAILOVER_REDIS = "redis://127.0.0.1:6379/10"
"""The killed node's cluster has a database of its own: lecture ids repeat across clusters."""
LOOPBACK_ICE = ("--ice-address", "127.0.0.1", "--ice-allow", "127.0.0.0/8")


def start_nodes(tmp: pytest.TempPathFactory, name: str, redis_url: str) -> tuple[Server, Server]:
    """Two nodes on one data directory (a shared filesystem path, as docs/deployment.md
    says), one Redis and one PostgreSQL."""

    async def prepare() -> str:
        redis = Redis.from_url(redis_url)
        await redis.flushdb()
        await redis.aclose()
        return await scratch_postgres(run_postgres_url(name))

    url = asyncio.run(prepare())
    shared = tmp.mktemp(name)
    flags = ("--redis-url", redis_url, *LOOPBACK_ICE)
    first = start_server(shared, "postgresql", *flags, postgres_url=url)
    second = start_server(shared, "postgresql", *flags, seed=False, postgres_url=url)
    return first, second


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    first, second = start_nodes(tmp_path_factory, "relay", NODES_REDIS)
    # VOD jobs run on a worker of their own, as in the distributed mode.
    worker = subprocess.Popen(
        [*CLI, "worker", *first.data_flags, "--redis-url", NODES_REDIS],
        stdout=(Path(first.data_flags[1]) / "worker.log").open("ab"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "QOU_SECRET_KEY": SECRET_KEY},
    )
    yield first, second
    worker.terminate()
    worker.wait(10)
    first.stop()
    second.stop()


@pytest.fixture
def doomed_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """Two nodes, the first of which the test kills."""
    doomed, survivor = start_nodes(tmp_path_factory, "failover", FAILOVER_REDIS)
    yield doomed, survivor
    doomed.stop()
    survivor.stop()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(NODES_REDIS, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
async def failover_redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(FAILOVER_REDIS, decode_responses=True)
    yield client
    await client.aclose()


async def node_id(redis: Redis, server: Server) -> str:
    """The media node id of ``server`` (ids carry the process id)."""
    for _ in range(50):
        for node in await redis.smembers(NODES_KEY):
            if node.split(":")[1] == str(server.process.pid):
                return str(node)
        await asyncio.sleep(0.1)
    raise AssertionError(f"{server.base_url} is not a media node")


class People:
    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.http = http
        self.all: list[MediaParticipant] = []

    async def join(self, server: Server, lecture: int, username: str) -> MediaParticipant:
        person = MediaParticipant(username)
        self.all.append(person)
        await person.connect(server, await join_token(self.http, server, lecture, username))
        return person

    async def close(self) -> None:
        for person in self.all:
            await person.leave()


@pytest.fixture
async def people(http: aiohttp.ClientSession) -> AsyncIterator[People]:
    crowd = People(http)
    yield crowd
    await crowd.close()


def intact(person: MediaParticipant) -> int:
    return sum(1 for log in person.received("video") for i in log.indices if i is not None)


async def publish_lecture(educator: MediaParticipant) -> None:
    await educator.media_join()
    ack = await educator.publish([(TestCardTrack(), "camera"), (ToneTrack(), "microphone")])
    assert ack["ok"], ack


async def test_students_on_either_node_get_the_media_held_by_one(
    http: aiohttp.ClientSession, nodes: tuple[Server, Server], redis: Redis, people: People
) -> None:
    holder, other = nodes
    lecture = await live_lecture(http, holder)
    await redis.set(placement_key(lecture), await node_id(redis, holder))
    educator = await people.join(other, lecture, "educator")  # publishes through the relay
    relayed = await people.join(other, lecture, "student1")
    local = await people.join(holder, lecture, "student2")
    await publish_lecture(educator)
    for student in (relayed, local):
        ack = await student.media_join()
        assert len(ack["tracks"]) == 2, ack  # the holder's catalogue, not an empty one
    await until(
        lambda: all(intact(s) >= 15 and s.frames("audio") >= 25 for s in (relayed, local)), 15
    )
    assert await redis.get(placement_key(lecture)) == await node_id(redis, holder)

    bad = await relayed.call("media:answer", {"type": "answer", "sdp": "v=0 no offer"})
    assert bad["error"]["code"] == "no_offer", bad  # the holder's error, as one process says it
    ack = await relayed.call("media:prefer", {"video": False})
    assert ack["ok"], ack  # later events reach the holder too
    await asyncio.sleep(0.5)  # frames already in flight
    video, audio = intact(relayed), relayed.frames("audio")
    await until(lambda: relayed.frames("audio") >= audio + 50, 5)
    assert intact(relayed) - video <= 2, "audio only now: the holder stopped the video"


async def test_a_lecture_that_emptied_keeps_its_node(
    http: aiohttp.ClientSession, nodes: tuple[Server, Server], redis: Redis, people: People
) -> None:
    """Everyone leaves (the holder closes the media), then people come back through both
    nodes: the one that relayed before and the one that did not must agree on the holder."""
    holder, other = nodes
    lecture = await live_lecture(http, holder)
    await redis.set(placement_key(lecture), await node_id(redis, holder))
    first = await people.join(other, lecture, "educator")
    await first.media_join()
    await first.leave()  # the room is empty now
    await asyncio.sleep(1.5)  # a beat of each node
    educator = await people.join(holder, lecture, "educator")
    student = await people.join(other, lecture, "student1")
    await publish_lecture(educator)
    await student.media_join()
    await until(lambda: intact(student) >= 15, 15)
    assert await redis.get(placement_key(lecture)) == await node_id(redis, holder)


async def test_lectures_are_spread_over_the_nodes(
    http: aiohttp.ClientSession, nodes: tuple[Server, Server], redis: Redis, people: People
) -> None:
    first, second = nodes
    # The earlier tests' lectures stay placed (until they end) and weigh on their nodes: forget
    # them, and let a beat of each node drop them from its load, so both start even.
    for key in await redis.keys("qou:media:lecture:*"):
        await redis.delete(key)
    await asyncio.sleep(2.5)
    placed = []
    for server in (first, first):
        lecture = await live_lecture(http, server)
        await (await people.join(server, lecture, "educator")).media_join()
        placed.append(await redis.get(placement_key(lecture)))
    assert set(placed) == {await node_id(redis, first), await node_id(redis, second)}


async def test_a_take_records_on_the_holder_and_plays_from_every_node(
    http: aiohttp.ClientSession, nodes: tuple[Server, Server], redis: Redis, people: People
) -> None:
    """The educator's socket is on the other node: the take starts on the holder (where the
    media is), the room's chat reaches its timeline, the lecture's end hands it off, a worker
    processes it, and either node serves the video from the shared data directory."""
    holder, other = nodes
    lecture = await live_lecture(http, holder)
    await redis.set(placement_key(lecture), await node_id(redis, holder))
    educator = await people.join(other, lecture, "educator")
    student = await people.join(other, lecture, "student1")
    assert (await educator.call("recording:start", {})) == {"ok": True, "recording": True}
    late = await people.join(other, lecture, "student2")
    assert late.state["recording"] is True  # asked of the holder's recorder
    await publish_lecture(educator)
    started = time.monotonic()
    assert (await student.call("chat:send", {"text": "recorded across nodes"}))["ok"]
    await asyncio.sleep(3)
    assert (await educator.call("lecture:end", {}))["ok"]
    length = time.monotonic() - started
    video = await lecture_video(http, other, lecture)
    assert video["duration_seconds"] == pytest.approx(length, abs=1.5)
    for server in nodes:
        master = (await fetch(http, server, f"/vod/{video['id']}/master.m3u8")).decode()
        assert "hls/source/index.m3u8" in master
    timeline = (await fetch(http, other, f"/vod/{video['id']}/timeline.json")).decode()
    assert "recorded across nodes" in timeline


async def test_a_video_uploaded_on_one_node_plays_from_the_other(
    http: aiohttp.ClientSession, nodes: tuple[Server, Server], tmp_path: Path
) -> None:
    first, second = nodes
    clip = make_clip(tmp_path / "clip.mp4", 3).read_bytes()
    status, video = await upload(http, first, await demo_course_id(http, first), clip)
    assert status == 202, video
    video = await ready(http, second, video["id"])  # processed by the separate worker
    assert video["status"] == "ready", video
    master = (await fetch(http, second, f"/vod/{video['id']}/master.m3u8")).decode()
    assert "hls/source/index.m3u8" in master
    download = await fetch(http, second, f"/vod/{video['id']}/download.mp4")
    assert download[4:8] == b"ftyp"


async def rejoin(person: MediaParticipant, *publish: tuple[MediaStreamTrack, str]) -> None:
    """What the web client does on ``media:moved``: a new peer connection, published again."""
    await person.peer.close()
    person.peer = ClientPeer(decode=True)
    await person.media_join()
    if publish:
        ack = await person.publish(list(publish))
        assert ack["ok"], ack


async def test_a_lost_node_s_lectures_move_and_media_comes_back(
    http: aiohttp.ClientSession,
    doomed_nodes: tuple[Server, Server],
    failover_redis: Redis,
    people: People,
) -> None:
    redis = failover_redis
    doomed, survivor = doomed_nodes
    lecture = await live_lecture(http, survivor)
    await redis.set(placement_key(lecture), await node_id(redis, doomed))
    educator = await people.join(survivor, lecture, "educator")
    student = await people.join(survivor, lecture, "student1")
    await publish_lecture(educator)
    await student.media_join()
    assert (await educator.call("recording:start", {}))["ok"]
    await until(lambda: intact(student) >= 15, 15)

    doomed.process.kill()
    killed = time.monotonic()
    moved = await asyncio.wait_for(student.events["media:moved"].get(), 10)
    noticed = time.monotonic() - killed
    assert moved == {"reason": "node_lost"}
    assert await educator.next("media:moved") == moved
    assert await redis.get(placement_key(lecture)) == await node_id(redis, survivor)

    await rejoin(educator, (TestCardTrack(), "camera"), (ToneTrack(), "microphone"))
    await rejoin(student)
    await until(lambda: intact(student) >= 15 and student.frames("audio") >= 25, 15)
    back = time.monotonic() - killed
    print(f"media:moved after {noticed:.1f} s, media back after {back:.1f} s")
    assert noticed < 6, "three missed beats of one second, and the next beat"

    # The take goes on, on the survivor; the dead node's becomes a video of its own.
    late = await people.join(survivor, lecture, "student2")
    assert late.state["recording"] is True
    await asyncio.sleep(2)
    assert (await educator.call("lecture:end", {}))["ok"]
    assert len(await lecture_videos(http, survivor, lecture, 2, within=30)) == 2


async def lecture_videos(
    http: aiohttp.ClientSession, server: Server, lecture: int, count: int, within: float
) -> list[dict[str, Any]]:
    """The lecture's library videos once there are ``count`` (processed or not: these nodes
    have no worker)."""
    headers = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    deadline = time.monotonic() + within
    while True:
        url = server.url(f"/api/v1/videos?course_id={course}&limit=100")
        async with http.get(url, headers=headers) as response:
            mine = [v for v in (await response.json())["items"] if v["lecture_id"] == lecture]
        if len(mine) >= count or time.monotonic() > deadline:
            return mine
        await asyncio.sleep(0.5)
