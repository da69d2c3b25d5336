"""The /classroom namespace admits only holders of a valid join token."""

from __future__ import annotations

from datetime import timedelta

import pytest
import socketio

from classroom_server.security import TokenIssuer
from tests.conftest import SECRET_KEY, Server


async def connect(server: Server, auth: object) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        server.base_url,
        namespaces=["/classroom"],
        auth=auth,
        transports=["websocket"],
        socketio_path="/socket.io/",
        wait_timeout=5,
    )
    return client


@pytest.mark.parametrize("auth", [None, {}, {"token": 5}, {"token": "junk"}])
async def test_connect_without_a_valid_token_is_refused(server: Server, auth: object) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(server, auth)


async def test_access_token_is_not_a_join_token(server: Server) -> None:
    access = TokenIssuer(SECRET_KEY).issue("access", 1, timedelta(minutes=1))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(server, {"token": access.token})


async def test_join_token_is_admitted(server: Server) -> None:
    join = TokenIssuer(SECRET_KEY).issue("join", 1, timedelta(minutes=1), lecture=7, role="student")
    client = await connect(server, {"token": join.token})
    try:
        assert client.connected and "/classroom" in client.namespaces
    finally:
        await client.disconnect()
