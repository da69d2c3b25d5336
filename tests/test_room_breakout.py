"""Breakout rooms (issue 15, item 1): splitting the class, the group rooms, bringing it back.

Over a real server: students get their group and join its room (a child lecture), where
they chat and present; nobody else but the educators gets in; the educator's broadcast
reaches every group; the end closes the group rooms and brings everyone back, and the
groups' chat stays. The timer's end and its restart survival are the domain's, on a real
database (``test_the_timer_*``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from tests.breakout_class import enrolled_students, join_as, join_refused
from tests.conftest import Server, bearer
from tests.room_client import Participant, join, live_lecture


def assigned(groups: list[tuple[str, list[int]]], **extra: Any) -> dict[str, Any]:
    body = [{"name": name, "user_ids": ids} for name, ids in groups]
    return {"mode": "assigned", "minutes": 10, "groups": body, **extra}


async def leave_all(*participants: Participant) -> None:
    for participant in participants:
        await participant.leave()


async def test_two_groups_meet_hear_the_broadcast_and_come_back(
    http: aiohttp.ClientSession, server: Server
) -> None:
    logins = await enrolled_students(http, server, 5)
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    main = [await join_as(http, server, lecture, login) for login in logins]
    rooms: list[Participant] = []
    try:
        ids = [p.user_id for p in main]
        outsider = main[4]
        start = assigned([("Red", ids[0:2]), ("Blue", ids[2:4])])
        ack = await educator.call("breakout:start", start)
        assert ack["ok"], ack
        started = await outsider.next("breakout:started")
        assert [g["name"] for g in started["groups"]] == ["Red", "Blue"]
        assert [sorted(m["user_id"] for m in g["members"]) for g in started["groups"]] == [
            sorted(ids[0:2]),
            sorted(ids[2:4]),
        ]
        children = [g["lecture_id"] for g in started["groups"]]
        assert lecture not in children and len(set(children)) == 2
        yours = [(await p.next("breakout:yours"))["group"] for p in main[:4]]
        assert [g["lecture_id"] for g in yours] == [children[0]] * 2 + [children[1]] * 2
        assert await outsider.nothing("breakout:yours"), "no group, no invitation"

        for index, participant in enumerate(main[:4]):  # each moves into their group's room
            await participant.leave()
            room = await join_as(http, server, yours[index]["lecture_id"], logins[index])
            assert room.state["breakout"]["here"]["name"] == ("Red", "Blue")[index // 2]
            assert room.state["breakout"]["yours"] == yours[index]
            assert room.state["media"]["meeting"] is True, "everyone in a group may speak"
            rooms.append(room)
        assert rooms[0].state["you"]["presenter"] is True, "the first member presents"
        assert rooms[1].state["you"]["presenter"] is False
        refused = await join_refused(http, server, children[0], logins[4])
        assert (refused["status"], refused["code"]) == (403, "forbidden")
        refused = await join_refused(http, server, children[1], logins[0])
        assert refused["code"] == "forbidden", "a group's room is its members' only"

        assert (await rooms[0].call("chat:send", {"text": "hello Red"}))["ok"]
        assert (await rooms[1].next("chat:message"))["text"] == "hello Red"
        assert await rooms[2].nothing("chat:message"), "Blue does not hear Red"
        assert (
            await rooms[0].call(
                "slides:show", {"deck_id": rooms[0].state["slide"]["deck_id"], "page": 2}
            )
        )["ok"]

        for room in rooms:
            room.drain("chat:message")
        visitor = await join(http, server, children[1], "educator")  # the educator drops in
        assert visitor.state["you"]["role"] == "educator"
        assert visitor.state["breakout"]["here"]["lecture_id"] == children[1]
        assert (await visitor.call("breakout:broadcast", {"text": "Five minutes left"}))["ok"]
        for room in rooms:
            notice = await room.next("breakout:notice")
            assert notice["text"] == "Five minutes left"
            assert (await room.next("chat:message"))["text"] == "Five minutes left"
        assert (await educator.next("breakout:notice"))["text"] == "Five minutes left"
        assert await outsider.nothing("chat:message"), "the main room's chat stays its own"

        assert (await educator.call("breakout:end"))["ok"]
        assert (await outsider.next("breakout:ended"))["lecture_id"] == lecture
        for room in [*rooms, visitor]:
            assert (await room.next("breakout:ended"))["lecture_id"] == lecture
        for room in rooms:  # the group rooms close behind them
            await disconnected(room)
        refused = await join_refused(http, server, children[0], logins[0])
        assert refused["code"] == "lecture_ended"
        back = await join_as(http, server, lecture, logins[0])
        assert back.state["breakout"] is None
        rooms.append(back)
        kept = await transcript(http, server, children[0])
        assert [m["text"] for m in kept] == ["hello Red", "Five minutes left"]
    finally:
        await leave_all(educator, *main, *rooms)


async def disconnected(participant: Participant) -> None:
    """Waits (at most five seconds) for the server to close the participant's connection."""
    for _ in range(50):
        if not participant.sio.connected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{participant.username} is still connected")


async def transcript(http: aiohttp.ClientSession, server: Server, lecture: int) -> list[Any]:
    """A group room's chat as the educator reads it afterwards."""
    headers = await bearer(http, server, "educator")
    url = server.url(f"/api/v1/lectures/{lecture}/chat")
    async with http.get(url, headers=headers) as response:
        assert response.status == 200, await response.text()
        items: list[Any] = (await response.json())["items"]
    return items
