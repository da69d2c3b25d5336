"""Access tokens for a platform's services (roster, gradebook): OAuth 2 client credentials with
a JWT client assertion signed by the tool's key (IMS Security Framework 4.1), cached per
platform and scope set until shortly before they expire.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from classroom_server.db import Database, LtiPlatform
from portal_api.lti.keys import signing_key

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TIMEOUT = aiohttp.ClientTimeout(total=15)
MAX_CACHED = 500
MAX_ANSWER_BYTES = 64 * 1024


class ServiceError(Exception):
    """The platform's service refused or could not be reached; the message says how."""


async def read_json(response: aiohttp.ClientResponse, limit: int = MAX_ANSWER_BYTES) -> Any:
    """A platform's JSON answer, bounded in size (ServiceError if it is not JSON or too big)."""
    body = await response.content.read(limit + 1)
    if len(body) > limit:
        raise ServiceError(f"{response.url} answered more than {limit} bytes")
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ServiceError(f"{response.url} did not answer JSON") from exc


@dataclass
class ServiceTokens:
    database: Database
    _cache: dict[tuple[int, str], tuple[str, float]] = field(default_factory=dict)

    async def _assertion(self, platform: LtiPlatform) -> str:
        async with self.database.session() as session:
            key = await signing_key(session)
            await session.commit()
        now = int(time.time())
        return key.sign(
            {
                "iss": platform.client_id,
                "sub": platform.client_id,
                "aud": platform.token_url,
                "iat": now,
                "exp": now + 300,
                "jti": secrets.token_urlsafe(16),
            }
        )

    async def token(
        self, http: aiohttp.ClientSession, platform: LtiPlatform, scopes: list[str]
    ) -> str:
        scope = " ".join(sorted(scopes))
        cached = self._cache.get((platform.id, scope))
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": await self._assertion(platform),
            "scope": scope,
        }
        try:
            async with http.post(platform.token_url, data=form, timeout=TIMEOUT) as response:
                if response.status != 200:
                    raise ServiceError(f"the token endpoint answered {response.status}")
                answer = await read_json(response)
        except aiohttp.ClientError as exc:
            raise ServiceError(f"the token endpoint could not be reached ({exc})") from exc
        access = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(access, str) or not access:
            raise ServiceError("the token endpoint answered no access_token")
        lifetime = answer.get("expires_in", 3600)
        lifetime = float(lifetime) if isinstance(lifetime, int | float) else 3600.0
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        self._cache[(platform.id, scope)] = (access, time.monotonic() + max(lifetime - 30, 0))
        return access
