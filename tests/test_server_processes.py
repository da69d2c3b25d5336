"""``serve --workers 2``: two server processes on one port, sharing rooms through Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from signaling.media_nodes import NODES_KEY
from tests.conftest import Server, run_cli, run_postgres_url, scratch_postgres, start_server
from tests.processes import children_running, wait_gone
from tests.room_client import Participant, join, live_lecture

WORKERS_REDIS = "redis://127.0.0.1:6379/9"


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    async def prepare() -> str:
        redis = Redis.from_url(WORKERS_REDIS)
        await redis.flushdb()
        await redis.aclose()
        return await scratch_postgres(run_postgres_url("workers"))

    url = asyncio.run(prepare())
    flags = ("--workers", "2", "--redis-url", WORKERS_REDIS)
    server = start_server(
        tmp_path_factory.mktemp("workers"), "postgresql", *flags, postgres_url=url
    )
    yield server
    server.stop()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(WORKERS_REDIS, decode_responses=True)
    yield client
    await client.aclose()


def serving(server: Server) -> set[int]:
    """Process ids of the server processes under ``server`` (not the resource tracker)."""
    return children_running(server.process.pid, "spawn_main")


async def media_nodes_are(redis: Redis, pids: set[int]) -> None:
    """Waits until the live media nodes are exactly the processes ``pids`` (a killed one's
    lease lapses after three beats; a new one registers once started)."""
    for _ in range(150):
        nodes = await redis.smembers(NODES_KEY)
        alive = {int(n.split(":")[1]) for n in nodes if await redis.exists(f"qou:media:node:{n}")}
        if alive == pids:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"media nodes {alive}, not the processes {pids}")


async def test_two_processes_share_the_port_and_the_rooms(
    http: aiohttp.ClientSession, workers: Server, redis: Redis
) -> None:
    pids = serving(workers)
    assert len(pids) == 2
    await media_nodes_are(redis, pids)  # each process is a media node
    lecture = await live_lecture(http, workers)
    people: list[Participant] = []
    try:
        for name in ["educator", "student1", "student2", "student3"] * 4:  # tabs of each
            people.append(await join(http, workers, lecture, name))
        connected = [
            await redis.scard(f"qou:instance:{name}:conns")
            for name in await redis.smembers("qou:instances")
        ]
        assert sorted(connected) != [0, len(people)] and sum(connected) == len(people), connected
        educator = people[0]
        assert (await educator.call("chat:send", {"text": "to every process"}))["ok"]
        for person in people[1:]:
            assert (await person.next("chat:message"))["text"] == "to every process"
    finally:
        for person in people:
            await person.leave()


async def test_a_dead_process_is_started_again(
    http: aiohttp.ClientSession, workers: Server, redis: Redis
) -> None:
    before = serving(workers)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        now = serving(workers)
        if len(now) == 2 and victim not in now:
            break
        await asyncio.sleep(0.1)
    assert len(now) == 2 and victim not in now, now
    await media_nodes_are(redis, now)
    async with http.get(workers.url("/healthz")) as response:
        assert response.status == 200


async def test_long_polling_is_off_when_processes_share_the_port(
    http: aiohttp.ClientSession, workers: Server
) -> None:
    async with http.get(workers.url("/socket.io/?EIO=4&transport=polling")) as response:
        assert response.status == 400


def test_workers_need_redis_postgresql_and_a_port(tmp_path: Path) -> None:
    for flags, needs in [
        (("--workers", "2"), "--redis-url"),
        (("--workers", "2", "--redis-url", WORKERS_REDIS), "--database-url"),
    ]:
        result = run_cli("serve", "--data-dir", str(tmp_path), *flags, check=False)
        assert result.returncode == 2 and needs in result.stderr, result.stderr


def test_the_processes_die_with_the_parent(tmp_path: Path) -> None:
    url = asyncio.run(scratch_postgres(run_postgres_url("workers_orphans")))
    run_cli("migrate", "--data-dir", str(tmp_path), "--database-url", url)
    flags = ("--workers", "2", "--redis-url", WORKERS_REDIS)
    server = start_server(tmp_path, "postgresql", *flags, seed=False, postgres_url=url)
    children = serving(server)
    assert len(children) == 2
    server.process.kill()  # no chance to stop them
    server.process.wait(10)
    assert not wait_gone(children, 10), "orphaned server processes"
