"""Accounts of a test's own (made by the admin over the API) and a second server node.

Tests that change passwords, disable users or exhaust login budgets must not do it to the
shared demo accounts other tests log in as.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import aiohttp

from tests.conftest import ADMIN, Server, bearer, start_server

NEW_PASSWORD = "fresh-password-2"


async def new_user(
    http: aiohttp.ClientSession, server: Server, role: str = "student", password: str = ""
) -> tuple[str, str, int]:
    """A fresh account: (username, password, id)."""
    username = f"{role}-{secrets.token_hex(4)}"
    password = password or f"pw-{secrets.token_hex(6)}"
    admin = await bearer(http, server, *ADMIN)
    body = {"username": username, "password": password, "role": role}
    async with http.post(server.url("/api/v1/users"), json=body, headers=admin) as response:
        assert response.status == 201, await response.text()
        user_id = int((await response.json())["id"])
    return username, password, user_id


def second_node(first: Server, *flags: str) -> Server:
    """Another server process on the first one's database and data directory."""
    data_dir = Path(first.data_flags[first.data_flags.index("--data-dir") + 1])
    database = first.extra.get("database", "sqlite")
    url = None
    if "--database-url" in first.data_flags:
        url = first.data_flags[first.data_flags.index("--database-url") + 1]
    node = start_server(data_dir, database, *flags, seed=False, postgres_url=url)
    node.extra["database"] = database
    return node
