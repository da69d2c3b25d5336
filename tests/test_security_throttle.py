"""Login throttling, on the in-process store and on real Redis."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from classroom_server.security import LoginThrottle, MemoryThrottleStore, RedisThrottleStore
from classroom_server.security.proxies import ProxyPolicy
from classroom_server.security.throttle import ThrottleStore
from tests.conftest import REDIS_URL


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[ThrottleStore]:
    if request.param == "memory":
        yield MemoryThrottleStore()
        return
    redis = Redis.from_url(REDIS_URL)
    yield RedisThrottleStore(redis)
    await redis.aclose()


async def test_free_failures_then_growing_wait(store: ThrottleStore) -> None:
    throttle = LoginThrottle(store, free_per_user=3, free_per_address=100)
    user, addr = f"u{secrets.token_hex(4)}", f"10.0.0.{secrets.randbelow(250)}"
    for _ in range(3):
        assert await throttle.retry_after(user, addr) == 0
        await throttle.failed(user, addr)
    first = await throttle.retry_after(user, addr)
    assert 0 < first <= 1
    await throttle.failed(user, addr)
    assert 1 < await throttle.retry_after(user, addr) <= 2
    assert await throttle.retry_after("someone-else", addr) == 0
    await throttle.succeeded(user)
    assert await throttle.retry_after(user, addr) == 0


async def test_address_allowance_covers_many_users(store: ThrottleStore) -> None:
    throttle = LoginThrottle(store, free_per_user=100, free_per_address=4)
    addr = f"addr-{secrets.token_hex(4)}"
    for i in range(4):
        await throttle.failed(f"user{i}", addr)
    assert await throttle.retry_after("fresh-user", addr) > 0


async def test_memory_store_is_bounded() -> None:
    store = MemoryThrottleStore(max_keys=10)
    for i in range(50):
        await store.add_failure(f"k{i}", time.time())
    assert await store.get("k0") is None
    assert await store.get("k49") is not None


def test_client_address_behind_trusted_proxies() -> None:
    policy = ProxyPolicy.from_settings(["127.0.0.1", "10.0.0.0/8"])
    # The rightmost hop that is not a trusted proxy; what lies left of it anyone could write.
    assert policy.client("127.0.0.1", ["6.6.6.6, 1.2.3.4, 10.1.1.1"]) == "1.2.3.4"
    assert policy.client("127.0.0.1", ["6.6.6.6, 1.2.3.4", "10.0.0.2"]) == "1.2.3.4"
    assert policy.client("::ffff:127.0.0.1", ["8.8.8.8"]) == "8.8.8.8"
    # From an untrusted peer the header means nothing.
    assert policy.client("5.5.5.5", ["1.2.3.4"]) == "5.5.5.5"
    # Garbage stops the walk at the last real hop; no header leaves the peer.
    assert policy.client("127.0.0.1", ["not-an-ip, 10.0.0.3"]) == "10.0.0.3"
    assert policy.client("127.0.0.1", []) == "127.0.0.1"
    assert ProxyPolicy().client("127.0.0.1", ["1.2.3.4"]) == "127.0.0.1"
    assert policy.client(None, ["1.2.3.4"]) == "unknown"
