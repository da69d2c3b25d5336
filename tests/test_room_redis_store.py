"""Two server processes, one room: Redis carries state and events between them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from tests.conftest import (
    Server,
    _spawn,
    _wait_listening,
    run_postgres_url,
    scratch_postgres,
    start_server,
)
from tests.room_client import Participant, join, join_token, live_lecture

CLUSTER_REDIS = "redis://127.0.0.1:6379/14"
LEASE_REDIS = "redis://127.0.0.1:6379/12"
"""The lease tests' servers sweep every lapsed process in their Redis: a database of their own."""
FAST_BEAT = 0.5
"""Heartbeat of the processes whose death is detected: lease 1.5 s, swept within about 2 s."""
SLOW_BEAT = 30.0
"""Heartbeat of the restarted process: its lease (90 s) cannot lapse during the test."""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    async def prepare() -> str:
        redis = Redis.from_url(CLUSTER_REDIS)
        await redis.flushdb()
        await redis.aclose()
        return await scratch_postgres(run_postgres_url("cluster"))

    url = asyncio.run(prepare())
    flags = ("--redis-url", CLUSTER_REDIS)
    first = start_server(tmp_path_factory.mktemp("node1"), "postgresql", *flags, postgres_url=url)
    second = start_server(
        tmp_path_factory.mktemp("node2"), "postgresql", *flags, seed=False, postgres_url=url
    )
    yield first, second
    first.stop()
    second.stop()


async def test_one_room_across_two_processes(
    http: aiohttp.ClientSession, cluster: tuple[Server, Server], tmp_path: Path
) -> None:
    node1, node2 = cluster
    lecture = await live_lecture(http, node1)
    educator = await join(http, node1, lecture, "educator")
    alice = await join(http, node2, lecture, "student1")
    try:
        assert (await educator.next("roster:joined"))["id"] == alice.user_id
        assert {p["name"] for p in alice.state["roster"]} == {"Dr. Amal Haddad", "Lina Saleh"}

        assert (await alice.call("hand:raise"))["ok"]
        assert [h["user_id"] for h in (await educator.next("hand:queue"))["hands"]] == [
            alice.user_id
        ]
        await educator.call("chat:send", {"text": "across nodes"})
        assert (await alice.next("chat:message"))["text"] == "across nodes"
        await educator.call("chat:send", {"text": "just you", "to": alice.user_id})
        assert (await alice.next("chat:message"))["to"]["id"] == alice.user_id

        board = educator.state["slide"]["deck_id"]
        await educator.call("slides:show", {"deck_id": board, "page": 3})
        assert (await alice.next("slides:page"))["page"] == 3
        late = await join(http, node2, lecture, "student2")
        assert late.state["slide"]["page"] == 3
        assert [h["user_id"] for h in late.state["hands"]] == [alice.user_id]
        await late.leave()

        assert (await educator.call("participant:remove", {"user_id": alice.user_id}))["ok"]
        await alice.next("room:removed")
        for _ in range(50):
            if not alice.sio.connected:
                break
            await asyncio.sleep(0.05)
        assert not alice.sio.connected, "a removal on node 1 disconnects a client on node 2"
    finally:
        await educator.leave()
        await alice.leave()


@contextmanager
def heartbeat(seconds: float) -> Iterator[None]:
    """Servers spawned (or restarted) inside take ``QOU_ROOM_HEARTBEAT_SECONDS`` from here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QOU_ROOM_HEARTBEAT_SECONDS", str(seconds))
        yield


@pytest.fixture(scope="module")
def lease_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    """Three processes on one Redis and database: A and B beat fast, C slowly."""

    async def prepare() -> str:
        redis = Redis.from_url(LEASE_REDIS)
        await redis.flushdb()
        await redis.aclose()
        return await scratch_postgres(run_postgres_url("leases"))

    url = asyncio.run(prepare())
    flags = ("--redis-url", LEASE_REDIS)
    servers: list[Server] = []
    for n, beat in enumerate((FAST_BEAT, FAST_BEAT, SLOW_BEAT)):
        with heartbeat(beat):
            servers.append(
                start_server(
                    tmp_path_factory.mktemp(f"lease{n}"),
                    "postgresql",
                    *flags,
                    seed=n == 0,
                    postgres_url=url,
                )
            )
    yield servers
    for server in servers:
        server.stop()


async def next_within(participant: Participant, event: str, seconds: float) -> object:
    return await asyncio.wait_for(participant.events[event].get(), seconds)


def roster_ids(participant: Participant) -> list[int]:
    return [entry["id"] for entry in participant.state["roster"]]


async def test_a_killed_process_users_leave_the_roster(
    http: aiohttp.ClientSession, lease_cluster: list[Server]
) -> None:
    node_a, node_b, _ = lease_cluster
    lecture = await live_lecture(http, node_a)
    educator = await join(http, node_a, lecture, "educator")
    student = await join(http, node_b, lecture, "student1")
    token = await join_token(http, node_a, lecture, "student1")
    again = Participant("student1")
    try:
        assert (await educator.next("roster:joined"))["id"] == student.user_id
        killed = time.monotonic()
        node_b.process.kill()  # SIGKILL: no disconnect handler runs anywhere
        node_b.process.wait(10)
        left = await next_within(educator, "roster:left", 3 * FAST_BEAT * 2 + 2)
        assert left == {"user_id": student.user_id}
        assert time.monotonic() - killed < 5.0
        assert await educator.nothing("roster:left", 2 * FAST_BEAT), "announced once"

        await again.connect(node_a, token)
        assert (await educator.next("roster:joined"))["id"] == student.user_id
        assert sorted(roster_ids(again)) == sorted([educator.user_id, student.user_id])
    finally:
        for participant in (educator, student, again):
            await participant.leave()


async def test_a_restarted_process_forgets_its_earlier_run(
    http: aiohttp.ClientSession, lease_cluster: list[Server]
) -> None:
    node_a, _, node_c = lease_cluster
    lecture = await live_lecture(http, node_a)
    educator = await join(http, node_a, lecture, "educator")
    student = await join(http, node_c, lecture, "student1")
    token = await join_token(http, node_c, lecture, "student1")
    again = Participant("student1")
    try:
        assert (await educator.next("roster:joined"))["id"] == student.user_id
        assert (await student.call("hand:raise"))["ok"]
        mute = {"user_id": student.user_id, "muted": True}
        assert (await educator.call("participant:mute", mute))["ok"]
        present = {"user_id": student.user_id, "presenter": True}
        assert (await educator.call("presenter:set", present))["ok"]

        with heartbeat(SLOW_BEAT):
            node_c.restart()  # kill -9, then the same command on the same port
        # Its lease runs 90 s more: only the restart itself can have forgotten the student.
        left = await next_within(educator, "roster:left", 5)
        assert left == {"user_id": student.user_id}

        state = await again.connect(node_c, token)
        assert (await educator.next("roster:joined"))["id"] == student.user_id
        assert roster_ids(again).count(student.user_id) == 1
        mine = next(p for p in state["roster"] if p["id"] == student.user_id)
        assert mine["muted"] and mine["presenter"], "flags live in Redis, not in the process"
        assert [h["user_id"] for h in state["hands"]] == [student.user_id]
    finally:
        for participant in (educator, student, again):
            await participant.leave()


async def test_a_cleanly_stopped_process_says_goodbye(
    http: aiohttp.ClientSession, lease_cluster: list[Server]
) -> None:
    node_a, _, node_c = lease_cluster
    lecture = await live_lecture(http, node_a)
    educator = await join(http, node_a, lecture, "educator")
    student = await join(http, node_c, lecture, "student1")
    try:
        assert (await educator.next("roster:joined"))["id"] == student.user_id
        node_c.stop()  # SIGTERM: a graceful shutdown
        assert await next_within(educator, "roster:left", 5) == {"user_id": student.user_id}
        assert await educator.nothing("roster:left", 1.0), "announced once"
    finally:
        with heartbeat(SLOW_BEAT):
            node_c.process = _spawn(node_c.command, node_c.log)
            _wait_listening(node_c)
        await educator.leave()
        await student.leave()
