"""A platform's public keys, fetched from its JWKS URL and cached: every launch verifies
against them, and a platform rotating its key publishes the new ``kid`` first, so a ``kid`` not
in the cached set fetches the set again (at most once per ``REFETCH_AFTER``, so forged tokens
naming made-up kids cannot make the server hammer the platform).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import aiohttp
from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKSetError

MAX_JWKS_BYTES = 64 * 1024
MAX_CACHED = 200
FRESH_FOR = 300.0
REFETCH_AFTER = 10.0
TIMEOUT = aiohttp.ClientTimeout(total=10)


class KeysUnavailable(Exception):
    """The platform's JWKS could not be fetched or read, or holds no key of that kid."""


@dataclass
class _Cached:
    keys: PyJWKSet
    fetched: float


@dataclass
class PlatformKeys:
    _cache: dict[str, _Cached] = field(default_factory=dict)

    async def _fetch(self, http: aiohttp.ClientSession, url: str) -> PyJWKSet:
        try:
            async with http.get(url, timeout=TIMEOUT) as response:
                if response.status != 200:
                    raise KeysUnavailable(f"the platform's JWKS answered {response.status}")
                body = await response.content.read(MAX_JWKS_BYTES + 1)
        except aiohttp.ClientError as exc:
            raise KeysUnavailable(f"the platform's JWKS could not be fetched ({exc})") from exc
        if len(body) > MAX_JWKS_BYTES:
            raise KeysUnavailable("the platform's JWKS is too large")
        try:
            keys = PyJWKSet.from_json(body.decode("utf-8"))
        except (PyJWKSetError, ValueError) as exc:
            raise KeysUnavailable(f"the platform's JWKS is not a key set ({exc})") from exc
        if len(self._cache) >= MAX_CACHED:
            self._cache.pop(next(iter(self._cache)))
        self._cache[url] = _Cached(keys, time.monotonic())
        return keys

    async def key(self, http: aiohttp.ClientSession, url: str, kid: str | None) -> PyJWK:
        """The key ``kid`` names (a set of one key may be used without a kid)."""
        cached = self._cache.get(url)
        age = time.monotonic() - cached.fetched if cached else FRESH_FOR
        fetched_now = cached is None or age >= FRESH_FOR
        keys = await self._fetch(http, url) if fetched_now or cached is None else cached.keys
        found = _pick(keys, kid)
        if found is None and not fetched_now and age >= REFETCH_AFTER:
            found = _pick(await self._fetch(http, url), kid)
        if found is None:
            raise KeysUnavailable(f"the platform's JWKS has no key {kid!r}")
        return found


def _pick(keys: PyJWKSet, kid: str | None) -> PyJWK | None:
    if kid is None:
        return keys.keys[0] if len(keys.keys) == 1 else None
    return next((k for k in keys.keys if k.key_id == kid), None)
