"""Login throttling, on the in-process store and on real Redis: guessing is slowed down, and
no budget a guesser can exhaust locks out the account's owner or the guesser's neighbours."""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from classroom_server.security import (
    Attempt,
    LoginThrottle,
    MemoryThrottleStore,
    RedisThrottleStore,
)
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


def _attempt(device: str | None = None, user: str = "", address: str = "") -> Attempt:
    return Attempt(
        user or f"u{secrets.token_hex(4)}",
        address or f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1",
        device,
    )


async def test_free_failures_then_growing_wait(store: ThrottleStore) -> None:
    throttle = LoginThrottle(store, free_per_client=3)
    attempt = _attempt()
    for _ in range(3):
        assert await throttle.retry_after(attempt) == 0
        await throttle.failed(attempt)
    first = await throttle.retry_after(attempt)
    assert 0 < first <= 1
    await throttle.failed(attempt)
    assert 1 < await throttle.retry_after(attempt) <= 2
    await throttle.succeeded(attempt)
    assert await throttle.retry_after(attempt) == 0


async def test_a_guesser_does_not_lock_out_the_owner_or_the_nat(store: ThrottleStore) -> None:
    """The class: any budget a guesser can exhaust for somebody else is a lockout. The owner
    on a known device and the others behind the guesser's address stay heard."""
    throttle = LoginThrottle(store, free_per_client=5, free_per_user=20, free_per_address=100)
    victim, nat = f"victim{secrets.token_hex(4)}", f"nat-{secrets.token_hex(4)}"
    for _ in range(30):  # the guesser, behind the same NAT address as a whole lab
        await throttle.failed(Attempt(victim, nat))
    assert await throttle.retry_after(Attempt(victim, nat)) > 0
    # The owner on a device that logged in before: only that device's own budget counts.
    assert await throttle.retry_after(Attempt(victim, nat, device="owners-laptop")) == 0
    # Everyone else behind the NAT.
    assert await throttle.retry_after(Attempt(f"classmate{secrets.token_hex(4)}", nat)) == 0


async def test_the_username_budget_stops_guessing_from_many_addresses(
    store: ThrottleStore,
) -> None:
    throttle = LoginThrottle(store, free_per_client=5, free_per_user=20, free_per_address=100)
    victim = f"victim{secrets.token_hex(4)}"
    for i in range(20):  # 20 addresses, one guess each: no (username, client) budget is hit
        await throttle.failed(Attempt(victim, f"203.0.113.{i}"))
    assert await throttle.retry_after(Attempt(victim, "203.0.113.200")) > 0
    assert await throttle.retry_after(Attempt(victim, "203.0.113.200", device="known")) == 0
    # The owner's success does not hand the guessers a fresh allowance.
    await throttle.succeeded(Attempt(victim, "198.51.100.7", device="known"))
    assert await throttle.retry_after(Attempt(victim, "203.0.113.201")) > 0


async def test_the_address_budget_stops_spraying_many_usernames(store: ThrottleStore) -> None:
    throttle = LoginThrottle(store, free_per_client=5, free_per_user=20, free_per_address=4)
    address = f"addr-{secrets.token_hex(4)}"
    for i in range(4):
        await throttle.failed(Attempt(f"user{i}", address))
    assert await throttle.retry_after(Attempt("fresh-user", address)) > 0
    assert await throttle.retry_after(Attempt("fresh-user", address, device="known")) == 0


async def test_a_known_device_is_still_throttled_on_its_own(store: ThrottleStore) -> None:
    """A stolen device cookie buys no more guesses than the device's own budget."""
    throttle = LoginThrottle(store, free_per_client=3)
    attempt = _attempt(device=f"dev-{secrets.token_hex(4)}")
    for _ in range(3):
        await throttle.failed(attempt)
    assert await throttle.retry_after(attempt) > 0


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
