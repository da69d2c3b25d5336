"""Account administration: disabling a user or resetting a password ends their sessions,
tokens and live room connections at once, on every server node; only admins may."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aiohttp
import pytest
import socketio

from tests.accounts import NEW_PASSWORD, new_user, second_node
from tests.conftest import ADMIN, PASSWORD, Server, bearer
from tests.room_client import Participant, demo_course_id, join_token, live_lecture


@pytest.fixture(scope="module")
def node_b(server: Server) -> Iterator[Server]:
    node = second_node(server)
    yield node
    node.stop()


async def _me(http: aiohttp.ClientSession, node: Server, headers: dict[str, str]) -> int:
    async with http.get(node.url("/api/v1/me"), headers=headers) as response:
        return response.status


async def _login(http: aiohttp.ClientSession, server: Server, username: str, password: str) -> int:
    body = {"username": username, "password": password}
    async with http.post(server.url("/api/v1/auth/token"), json=body) as response:
        return response.status


async def test_disabling_ends_every_session_on_every_node(
    http: aiohttp.ClientSession, server: Server, node_b: Server
) -> None:
    admin = await bearer(http, server, *ADMIN)
    username, password, user_id = await new_user(http, server)
    token = await bearer(http, server, username, password)
    async with http.get(server.url("/api/v1/me/calendar"), headers=token) as response:
        feed = (await response.json())["url"]
    async with http.get(feed) as response:
        assert response.status == 200
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        body = {"username": username, "password": password}
        async with browser.post(server.url("/api/v1/auth/login"), json=body) as response:
            assert response.status == 200
        assert await _me(browser, node_b, {}) == 200

        url = node_b.url(f"/api/v1/users/{user_id}")
        async with http.patch(url, json={"disabled": True}, headers=admin) as response:
            assert response.status == 200, await response.text()
            assert (await response.json())["disabled"] is True
        for node in (server, node_b):
            assert await _me(http, node, token) == 401
            assert await _me(browser, node, {}) == 401
    async with http.get(feed) as response:
        assert response.status == 404, "the calendar URL stops working too"
    async with http.post(
        server.url("/api/v1/auth/token"), json={"username": username, "password": password}
    ) as response:
        assert response.status == 403
        assert (await response.json())["code"] == "account_disabled"
    assert await _login(http, server, username, "wrong-password") == 401

    async with http.patch(url, json={"disabled": False}, headers=admin) as response:
        assert response.status == 200
    assert await _me(http, server, token) == 401, "re-enabling does not revive old tokens"
    assert await _login(http, server, username, password) == 200


async def test_a_password_reset_ends_every_session(
    http: aiohttp.ClientSession, server: Server, node_b: Server
) -> None:
    admin = await bearer(http, server, *ADMIN)
    username, password, user_id = await new_user(http, server)
    token = await bearer(http, server, username, password)
    async with http.patch(
        server.url(f"/api/v1/users/{user_id}"), json={"password": NEW_PASSWORD}, headers=admin
    ) as response:
        assert response.status == 200
    assert await _me(http, node_b, token) == 401
    assert await _login(http, server, username, password) == 401
    assert await _login(http, server, username, NEW_PASSWORD) == 200


async def test_only_admins_and_not_on_themselves(
    http: aiohttp.ClientSession, server: Server
) -> None:
    _, _, victim = await new_user(http, server)
    for name in ("educator", "student1"):
        headers = await bearer(http, server, name)
        async with http.patch(
            server.url(f"/api/v1/users/{victim}"), json={"disabled": True}, headers=headers
        ) as response:
            assert response.status == 403
    admin = await bearer(http, server, *ADMIN)
    async with http.get(server.url("/api/v1/me"), headers=admin) as response:
        me = (await response.json())["id"]
    for change in ({"disabled": True}, {"role": "student"}):
        async with http.patch(
            server.url(f"/api/v1/users/{me}"), json=change, headers=admin
        ) as response:
            assert response.status == 409, change
    async with http.patch(
        server.url("/api/v1/users/999999"), json={"disabled": True}, headers=admin
    ) as response:
        assert response.status == 404


async def test_a_disabled_user_leaves_live_rooms_and_cannot_rejoin(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """A room connection outlives the session that opened it: disabling cuts it, and a join
    token issued before does not let them back in."""
    admin = await bearer(http, server, *ADMIN)
    username, _, user_id = await new_user(http, server, password=PASSWORD)  # as join_token logs in
    course_id = await demo_course_id(http, server)
    educator = await bearer(http, server, "educator")
    async with http.post(
        server.url(f"/api/v1/courses/{course_id}/enrolments"),
        json={"username": username, "role": "student"},
        headers=educator,
    ) as response:
        assert response.status == 201, await response.text()
    lecture = await live_lecture(http, server)
    student = Participant(username)
    await student.connect(server, await join_token(http, server, lecture, username))
    spare_token = await join_token(http, server, lecture, username)
    try:
        async with http.patch(
            server.url(f"/api/v1/users/{user_id}"), json={"disabled": True}, headers=admin
        ) as response:
            assert response.status == 200
        assert (await student.next("room:removed")) == {}
        for _ in range(50):
            if not student.sio.connected:
                break
            await asyncio.sleep(0.1)
        assert not student.sio.connected, "still in the room after being disabled"
        again = Participant(username)
        refusals: list[object] = []
        again.sio.on("connect_error", refusals.append, namespace="/classroom")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await again.connect(server, spare_token)
        assert "account_disabled" in str(refusals), refusals
    finally:
        await student.leave()
