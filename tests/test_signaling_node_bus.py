"""Requests between media nodes over a real Redis's pub/sub."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from signaling import node_bus
from signaling.node_bus import NodeBus, NodeUnreachable, RemoteError

BUS_REDIS = "redis://127.0.0.1:6379/6"


class Node:
    """A bus end whose handler records what it ran."""

    def __init__(self, redis: Redis, name: str) -> None:
        self.name = name
        self.ran: list[tuple[str, dict[str, Any]]] = []
        self.bus = NodeBus(redis, name, self.handle)

    async def handle(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        self.ran.append((op, args))
        if op == "refuse":
            raise RemoteError("forbidden", "not you", {"why": 1})
        if op == "crash":
            raise ValueError("boom")
        if op == "hang":
            await asyncio.sleep(60)
        return {"echo": args}


@pytest.fixture
async def nodes() -> AsyncIterator[tuple[Node, Node]]:
    redis = Redis.from_url(BUS_REDIS)
    run = secrets.token_hex(4)  # pub/sub channels are shared by every database of a Redis
    a, b = Node(redis, f"a-{run}"), Node(redis, f"b-{run}")
    await a.bus.start()
    await b.bus.start()
    yield a, b
    await a.bus.stop()
    await b.bus.stop()
    await redis.aclose()


async def test_a_call_runs_on_the_other_node_and_answers(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    assert await a.bus.call(b.name, "event", {"x": 1}) == {"echo": {"x": 1}}
    assert b.ran == [("event", {"x": 1})] and a.ran == []
    await a.bus.tell(b.name, "resync", {"lecture": 2})
    for _ in range(100):
        if len(b.ran) == 2:
            break
        await asyncio.sleep(0.01)
    assert b.ran[1] == ("resync", {"lecture": 2})


async def test_errors_come_back_coded(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    with pytest.raises(RemoteError) as refused:
        await a.bus.call(b.name, "refuse", {})
    assert (refused.value.code, str(refused.value), refused.value.extra) == (
        "forbidden",
        "not you",
        {"why": 1},
    )
    with pytest.raises(RemoteError) as crashed:
        await a.bus.call(b.name, "crash", {})
    assert crashed.value.code == "internal_error"


async def test_an_absent_or_silent_node_is_unreachable(
    nodes: tuple[Node, Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = nodes
    with pytest.raises(NodeUnreachable):
        await a.bus.call("nobody", "event", {})  # fails at once: no subscriber
    monkeypatch.setattr(node_bus, "CALL_TIMEOUT_SECONDS", 0.3)
    with pytest.raises(NodeUnreachable):
        await a.bus.call(b.name, "hang", {})
