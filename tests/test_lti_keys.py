"""The tool's keys (portal_api/lti/keys.py): the JWKS at /lti/jwks publishes public keys only,
and a rotation (``qou-classroom lti rotate-key``) makes a new key that signs while the retired
one stays published for platforms that cached it."""

from __future__ import annotations

import aiohttp

from tests.conftest import Server, run_cli


async def test_the_tool_publishes_its_public_key_only(server: Server) -> None:
    async with aiohttp.ClientSession() as http, http.get(server.url("/lti/jwks")) as response:
        assert response.status == 200
        keys = (await response.json())["keys"]
    assert keys and all(k["kty"] == "RSA" and k["alg"] == "RS256" and k["kid"] for k in keys)
    assert not any("d" in k or "p" in k for k in keys)


async def test_a_rotated_key_signs_and_the_old_one_stays_published(server: Server) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url("/lti/jwks")) as response:
            before = {k["kid"] for k in (await response.json())["keys"]}
        new_kid = run_cli("lti", "rotate-key", *server.data_flags).stdout.split()[-1]
        async with http.get(server.url("/lti/jwks")) as response:
            after = [k["kid"] for k in (await response.json())["keys"]]
    assert after[0] == new_kid  # the newest first: the one that signs
    assert before <= set(after)
