"""Two server processes, one room: Redis carries state and events between them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from tests.conftest import Server, run_postgres_url, scratch_postgres, start_server
from tests.room_client import join, live_lecture

CLUSTER_REDIS = "redis://127.0.0.1:6379/14"


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
