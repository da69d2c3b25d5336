"""A platform's keys (portal_api/lti/platform_keys.py), fetched from a JWKS server on loopback:
cached, fetched again for a kid the platform published since (its key rotation), but not for
every made-up kid, and refused when the answer is not a small key set."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from jwt.algorithms import RSAAlgorithm

from portal_api.lti import platform_keys
from portal_api.lti.platform_keys import KeysUnavailable, PlatformKeys
from tests.conftest import free_port
from tests.lti_platform import new_key


def jwk(kid: str) -> dict[str, Any]:
    public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(new_key().public_key()))
    return {**public, "kid": kid, "alg": "RS256", "use": "sig"}


class Jwks:
    def __init__(self) -> None:
        self.body: Any = {"keys": [jwk("k1")]}
        self.status = 200
        self.fetches = 0

    async def handle(self, _request: web.Request) -> web.Response:
        self.fetches += 1
        if isinstance(self.body, bytes):
            return web.Response(body=self.body, status=self.status)
        return web.json_response(self.body, status=self.status)


@pytest.fixture
async def jwks() -> AsyncIterator[tuple[Jwks, str]]:
    served = Jwks()
    app = web.Application()
    app.router.add_get("/jwks", served.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield served, f"http://127.0.0.1:{port}/jwks"
    await runner.cleanup()


async def test_keys_are_cached_and_a_rotated_kid_is_fetched_once(
    jwks: tuple[Jwks, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served, url = jwks
    keys = PlatformKeys()
    async with aiohttp.ClientSession() as http:
        assert (await keys.key(http, url, "k1")).key_id == "k1"
        assert (await keys.key(http, url, "k1")).key_id == "k1"
        assert served.fetches == 1
        with pytest.raises(KeysUnavailable, match="no key 'made-up'"):
            await keys.key(http, url, "made-up")
        assert served.fetches == 1  # fetched just now: a made-up kid does not fetch again

        monkeypatch.setattr(platform_keys, "REFETCH_AFTER", 0.0)
        served.body = {"keys": [jwk("k1"), jwk("k2")]}
        assert (await keys.key(http, url, "k2")).key_id == "k2"
        assert served.fetches == 2


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (500, {"keys": []}, "answered 500"),
        (200, b"not json", "not a key set"),
        (200, b"{" + b" " * platform_keys.MAX_JWKS_BYTES + b"}", "too large"),
    ],
)
async def test_a_bad_jwks_is_refused_with_the_reason(
    jwks: tuple[Jwks, str], status: int, body: Any, words: str
) -> None:
    served, url = jwks
    served.status, served.body = status, body
    async with aiohttp.ClientSession() as http:
        with pytest.raises(KeysUnavailable, match=words):
            await PlatformKeys().key(http, url, "k1")
