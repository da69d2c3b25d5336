"""The educator's lock on the room: newcomers stay out, those present may come back."""

from __future__ import annotations

import aiohttp
import pytest
import socketio

from tests.conftest import Server, bearer
from tests.room_client import Participant, join, join_token, live_lecture


async def join_status(http: aiohttp.ClientSession, server: Server, lecture: int, who: str) -> int:
    url = server.url(f"/api/v1/lectures/{lecture}/join")
    async with http.post(url, headers=await bearer(http, server, who)) as response:
        if response.status != 200:
            assert (await response.json())["code"] == "room_locked"
        return response.status


async def test_a_locked_room_keeps_newcomers_out_and_lets_its_students_back(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    early = await join_token(http, server, lecture, "student2")  # asked before the lock
    people = [educator, alice]
    try:
        assert (await alice.call("room:lock", {"locked": True}))["error"]["code"] == "forbidden"
        assert (await educator.call("room:lock", {"locked": True})) == {"ok": True, "locked": True}
        assert (await alice.next("room:locks"))["room"] is True

        assert await join_status(http, server, lecture, "student2") == 409
        late = Participant("student2")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await late.connect(server, early)  # a token from before the lock is no way in
        assert await join_status(http, server, lecture, "educator") == 200

        await alice.leave()  # a student who was in the room comes back
        alice = await join(http, server, lecture, "student1")
        people.append(alice)
        assert alice.state["locks"]["room"] is True

        assert (await educator.call("room:lock", {"locked": False}))["ok"]
        bob = await join(http, server, lecture, "student2")
        people.append(bob)
        assert bob.state["locks"]["room"] is False
    finally:
        for person in people:
            await person.leave()
