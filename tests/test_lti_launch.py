"""Launch validation (portal_api/lti/launch.py) against a real server and a simulated platform
on loopback: a good launch enters, and each broken token is refused with a status and a
message that says what was wrong — and enters nobody."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import aiohttp
from yarl import URL

from portal_api.lti.login_cookie import cookie_name
from tests.conftest import Server
from tests.lti_platform import (
    LEARNER,
    LTI,
    Platform,
    browser,
    launch,
    login,
    new_key,
    running_platform,
)


def holding_login_cookie(http: aiohttp.ClientSession, server: Server, state: str) -> None:
    """Gives a client the cookie the login set in the browser that started it."""
    http.cookie_jar.update_cookies({cookie_name(state): "1"}, URL(server.url("/lti/launch")))


async def _me(http: aiohttp.ClientSession, server: Server) -> int:
    async with http.get(server.url("/api/v1/me")) as response:
        return response.status


async def _refused(
    http: aiohttp.ClientSession,
    platform: Platform,
    token_of: Callable[[str], str],
    status: int,
    words: str,
) -> None:
    """Logs in, launches with ``token_of(nonce)``: refused with ``status`` and ``words``, and
    no session."""
    state, nonce = await login(http, platform)
    response = await launch(http, platform, state, token_of(nonce))
    text = await response.text()
    assert response.status == status, text
    assert words in text, text
    assert "LTI launch refused" in text
    assert "qou_session" not in response.cookies


async def test_a_valid_launch_enters_and_each_broken_token_is_refused(server: Server) -> None:
    async with running_platform(server) as platform, browser() as http:
        sub = "learner-1"

        def good(nonce: str) -> str:
            return platform.id_token(nonce, sub, [LEARNER])

        def with_claims(**claims: Any) -> Callable[[str], str]:
            """A learner's token for the nonce, signed by the platform, with these claims."""
            return lambda nonce: platform.id_token(nonce, sub, [LEARNER], **claims)

        past = int(time.time()) - 3600
        broken: list[tuple[Callable[[str], str], int, str]] = [
            (
                lambda n: platform.sign(platform.claims(n, sub, [LEARNER]), key=new_key()),
                401,
                "signature does not match",
            ),
            (with_claims(aud="someone-else", azp="someone-else"), 401, "wrong audience"),
            (with_claims(iat=past - 300, exp=past), 401, "expired"),
            (with_claims(**{LTI + "deployment_id": "other"}), 403, "deployment"),
            (lambda n: good("another-nonce"), 401, "nonce"),
            (with_claims(**{LTI + "version": "1.1"}), 400, "1.3.0"),
            (with_claims(**{LTI + "message_type": "Other"}), 400, "not supported"),
        ]
        for token_of, status, words in broken:
            await _refused(http, platform, token_of, status, words)
        assert await _me(http, server) == 401  # nobody entered so far

        state, nonce = await login(http, platform)
        token = good(nonce)
        async with browser() as victim:  # login CSRF: another browser is handed the launch
            planted = await launch(victim, platform, state, token)
            assert planted.status == 403
            assert "did not start this login" in await planted.text()
            assert await _me(victim, server) == 401
        entered = await launch(http, platform, state, token)  # the state was not spent
        assert entered.status == 302, await entered.text()
        assert await _me(http, server) == 200
        assert cookie_name(state) not in {c.key for c in http.cookie_jar}, "the cookie is spent"

    async with browser() as replayer:  # the same state and token, again, cookie and all
        holding_login_cookie(replayer, server, state)
        replayed = await launch(replayer, platform, state, token)
        assert replayed.status == 400
        assert "replay refused" in await replayed.text()
        assert await _me(replayer, server) == 401


async def test_a_login_from_an_unregistered_platform_or_without_its_fields_is_refused(
    server: Server,
) -> None:
    async with browser() as http:
        query = {"iss": "https://unknown.example", "login_hint": "x", "target_link_uri": "y"}
        async with http.get(
            server.url("/lti/login"), params=query, allow_redirects=False
        ) as response:
            assert response.status == 403
            assert "no platform" in await response.text()
        async with http.get(server.url("/lti/login"), allow_redirects=False) as response:
            assert response.status == 400
            assert "login_hint" in await response.text()
        holding_login_cookie(http, server, "nope")
        async with http.post(
            server.url("/lti/launch"), data={"state": "nope", "id_token": "x.y.z"}
        ) as response:
            assert response.status == 400
            assert "unknown or expired" in await response.text()
