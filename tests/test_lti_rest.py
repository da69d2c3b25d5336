"""The admin API for LTI platforms (portal_api/lti/rest.py): admins only, problem+json refusals
(a duplicate, a URL that is not http(s)), and a removed platform's logins refused."""

from __future__ import annotations

import secrets
from typing import Any

import aiohttp

from tests.conftest import ADMIN, Server, bearer

PLATFORMS = "/api/v1/admin/lti/platforms"


def registration(issuer: str) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "client_id": "canvas-1",
        "deployment_ids": ["d1"],
        "auth_url": f"{issuer}/api/lti/authorize_redirect",
        "token_url": f"{issuer}/login/oauth2/token",
        "jwks_url": f"{issuer}/api/lti/security/jwks",
    }


async def test_admins_register_list_and_remove_platforms(server: Server) -> None:
    issuer = f"https://canvas-{secrets.token_hex(3)}.example"
    async with aiohttp.ClientSession() as http:
        admin = await bearer(http, server, *ADMIN)
        educator = await bearer(http, server, "educator")
        async with http.post(
            server.url(PLATFORMS), json=registration(issuer), headers=educator
        ) as response:
            assert response.status == 403
            assert response.content_type == "application/problem+json"
        async with http.post(
            server.url(PLATFORMS), json=registration(issuer), headers=admin
        ) as response:
            assert response.status == 201, await response.text()
            made = await response.json()
        assert made["issuer"] == issuer and made["deployment_ids"] == ["d1"]
        async with http.post(
            server.url(PLATFORMS), json=registration(issuer), headers=admin
        ) as response:
            assert response.status == 409
            assert "already registered" in (await response.json())["detail"]
        bad = {**registration(issuer + "x"), "jwks_url": "ftp://lms.example/keys"}
        async with http.post(server.url(PLATFORMS), json=bad, headers=admin) as response:
            assert response.status == 422
            assert response.content_type == "application/problem+json"

        async with http.get(server.url(PLATFORMS), headers=educator) as response:
            assert response.status == 403
        async with http.get(server.url(PLATFORMS), headers=admin) as response:
            listed = (await response.json())["items"]
        assert made in listed

        query = {"iss": issuer, "login_hint": "u", "target_link_uri": "x"}
        async with http.get(
            server.url("/lti/login"), params=query, allow_redirects=False
        ) as response:
            assert response.status == 302
        path = f"{PLATFORMS}/{made['id']}"
        async with http.delete(server.url(path), headers=educator) as response:
            assert response.status == 403
        async with http.delete(server.url(path), headers=admin) as response:
            assert response.status == 204
        async with http.delete(server.url(path), headers=admin) as response:
            assert response.status == 404
        async with http.get(
            server.url("/lti/login"), params=query, allow_redirects=False
        ) as response:
            assert response.status == 403
