"""Service tokens (portal_api/lti/service_tokens.py) from a token endpoint on loopback: the
client assertion is signed by the tool's key (verified here with the tool's JWKS), a token is
reused until shortly before it expires, and a refusing endpoint is a ServiceError saying so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web

from classroom_server.db import Database, LtiPlatform, upgrade
from portal_api.lti.keys import published_keys
from portal_api.lti.service_tokens import ServiceError, ServiceTokens
from tests.conftest import free_port


class TokenEndpoint:
    def __init__(self) -> None:
        self.forms: list[dict[str, str]] = []
        self.status = 200
        self.answer: Any = {"access_token": "t-1", "expires_in": 3600}

    async def handle(self, request: web.Request) -> web.Response:
        self.forms.append({k: str(v) for k, v in (await request.post()).items()})
        return web.json_response(self.answer, status=self.status)


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[tuple[Database, TokenEndpoint, LtiPlatform]]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'lti.sqlite3'}")
    await upgrade(database)
    endpoint = TokenEndpoint()
    app = web.Application()
    app.router.add_post("/token", endpoint.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}/token"
    platform = LtiPlatform(
        id=1, issuer="https://lms", client_id="c1", token_url=url, deployment_ids=["1"]
    )
    yield database, endpoint, platform
    await runner.cleanup()
    await database.close()


async def test_the_assertion_is_signed_by_the_tool_and_tokens_are_reused(
    setup: tuple[Database, TokenEndpoint, LtiPlatform],
) -> None:
    database, endpoint, platform = setup
    tokens = ServiceTokens(database)
    async with aiohttp.ClientSession() as http:
        assert await tokens.token(http, platform, ["b", "a"]) == "t-1"
        assert await tokens.token(http, platform, ["a", "b"]) == "t-1"
        assert len(endpoint.forms) == 1  # the same scopes: the cached token
        endpoint.answer = {"access_token": "t-2", "expires_in": 10}  # (less than the margin)
        assert await tokens.token(http, platform, ["c"]) == "t-2"
        assert await tokens.token(http, platform, ["c"]) == "t-2"
        assert len(endpoint.forms) == 3  # a token about to expire is not reused

    form = endpoint.forms[0]
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"].endswith("jwt-bearer")
    assert form["scope"] == "a b"
    async with database.session() as session:
        jwks = await published_keys(session)
    key = jwt.PyJWKSet.from_dict(jwks).keys[0]
    claims = jwt.decode(
        form["client_assertion"], key.key, algorithms=["RS256"], audience=platform.token_url
    )
    assert claims["iss"] == claims["sub"] == "c1" and claims["jti"]


@pytest.mark.parametrize(
    ("status", "answer", "words"),
    [
        (401, {"error": "invalid_client"}, "answered 401"),
        (200, {"token_type": "bearer"}, "no access_token"),
        (200, "not an object", "no access_token"),
    ],
)
async def test_a_refusing_token_endpoint_is_a_service_error(
    setup: tuple[Database, TokenEndpoint, LtiPlatform], status: int, answer: Any, words: str
) -> None:
    database, endpoint, platform = setup
    endpoint.status, endpoint.answer = status, answer
    async with aiohttp.ClientSession() as http:
        with pytest.raises(ServiceError, match=words):
            await ServiceTokens(database).token(http, platform, ["a"])
