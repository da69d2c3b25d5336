"""The lobby: students of a lecture that requires admission wait until an educator admits
them (one by one or all at once) or denies them; admitted, they come straight back in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from tests.conftest import Server, bearer
from tests.room_client import Participant, join_token, live_lecture


class Waiting(Participant):
    """Someone in the lobby: what ``lobby:wait`` told them."""

    view: dict[str, Any]

    @property
    def user_id(self) -> int:
        return int(self.view["you"]["id"])


async def lobby_on(educator: Participant) -> None:
    assert await educator.call("room:lobby", {"enabled": True}) == {"ok": True, "enabled": True}
    assert await educator.next("room:lobby") == {"enabled": True}


class Room:
    """A live lecture and everyone a test brings into it, disconnected when the test ends
    whatever happened. Each account logs in once per test (an Argon2 hash on the server)
    however often it joins."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        server: Server,
        lecture: int,
        bearers: dict[str, dict[str, str]],
    ) -> None:
        self.http, self.server, self.lecture = http, server, lecture
        self.people: list[Participant] = []
        self._bearers = bearers

    async def _token(self, who: str) -> str:
        if who not in self._bearers:
            self._bearers[who] = await bearer(self.http, self.server, who)
        return await join_token(self.http, self.server, self.lecture, who, self._bearers[who])

    async def joins(self, who: str) -> Participant:
        """``who`` connects and is let into the room (admitted, or no lobby)."""
        person = Participant(who)
        self.people.append(person)
        await person.connect(self.server, await self._token(who))
        return person

    async def waits(self, who: str) -> Waiting:
        """``who`` connects and is kept in the lobby."""
        person = Waiting(who)
        self.people.append(person)
        person.view = await person.wait_in_lobby(self.server, await self._token(who))
        return person

    @property
    def educator(self) -> Participant:
        """The educator who joined first, with the room."""
        return self.people[0]


@asynccontextmanager
async def live_room(
    http: aiohttp.ClientSession,
    server: Server,
    turn_lobby_on: bool = False,
    **lecture_fields: Any,
) -> AsyncIterator[Room]:
    """A fresh started lecture (so no other test's lobby or roster) with the educator in, who
    turns the lobby on if asked."""
    headers = await bearer(http, server, "educator")
    lecture = await live_lecture(http, server, headers=headers, **lecture_fields)
    room = Room(http, server, lecture, {"educator": headers})
    try:
        educator = await room.joins("educator")
        if turn_lobby_on:
            await lobby_on(educator)
        yield room
    finally:
        for person in room.people:
            await person.leave()


async def waiting_ids(educator: Participant) -> list[int]:
    """The next waiting list the educators are sent."""
    update = await educator.next("lobby:waiting")
    return [entry["user_id"] for entry in update["waiting"]]


async def sent_away(person: Participant) -> bool:
    """True once the server has closed the person's connection, waiting at most five seconds."""
    for _ in range(250):
        if not person.sio.connected:
            return True
        await asyncio.sleep(0.02)
    return False


async def test_a_student_waits_is_seen_admitted_and_comes_back_straight_in(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with live_room(http, server, turn_lobby_on=True) as room:
        educator = room.educator
        assert educator.state["lobby"] == {"enabled": False, "waiting": []}
        alice = await room.waits("student1")
        assert alice.view["lecture"] == {"id": room.lecture, "title": "Week 1"}
        assert alice.view["you"]["guest"] is False
        assert await alice.nothing("room:state")  # no snapshot, no roster: nothing of the room
        update = await educator.next("lobby:waiting")
        [entry] = update["waiting"]
        assert entry["user_id"] == alice.user_id
        assert entry["name"] == "Lina Saleh" and entry["guest"] is False and entry["since"]
        assert await educator.nothing("roster:joined")

        # While waiting, nothing of the room is open to them.
        ack = await alice.call("chat:send", {"text": "let me in"})
        assert ack["error"]["code"] == "in_lobby"

        # A late educator sees who waits in room:state.
        late = await room.joins("educator")
        assert [w["user_id"] for w in late.state["lobby"]["waiting"]] == [entry["user_id"]]
        assert late.state["lobby"]["enabled"] is True

        assert (await educator.call("lobby:admit", {"user_id": entry["user_id"]}))["ok"]
        assert await alice.next("lobby:admitted") == {}
        assert await waiting_ids(educator) == []
        await alice.leave()

        back = await room.joins("student1")  # admitted: straight in
        assert back.state["lobby"] == {"enabled": True, "waiting": []}
        await back.leave()
        back = await room.joins("student1")  # and again after a drop
        assert (await educator.next("roster:joined"))["id"] == back.user_id


async def test_a_denied_student_is_sent_away_and_a_retry_waits_again(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with live_room(http, server, turn_lobby_on=True) as room:
        educator = room.educator
        omar = await room.waits("student2")
        [omar_id] = await waiting_ids(educator)
        ack = await educator.call("lobby:deny", {"user_id": omar_id})
        assert ack == {"ok": True, "denied": omar_id}
        assert "did not admit" in (await omar.next("lobby:denied"))["message"]
        assert await sent_away(omar)  # the server closes the waiting connection
        assert await waiting_ids(educator) == []
        assert (await educator.call("lobby:deny", {"user_id": omar_id}))["error"]["code"] == (
            "not_found"
        )

        again = await room.waits("student2")
        assert await waiting_ids(educator) == [omar_id]
        await again.leave()  # leaving the lobby takes them off the list
        assert await waiting_ids(educator) == []


async def test_admit_all_and_turning_the_lobby_off_let_everyone_in(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with live_room(http, server) as room:
        educator = room.educator
        present = await room.joins("student3")  # in before the lobby: stays in
        assert (await present.call("room:lobby", {"enabled": True}))["error"]["code"] == (
            "forbidden"
        )
        await lobby_on(educator)
        assert (await present.next("room:lobby")) == {"enabled": True}
        alice = await room.waits("student1")
        assert await waiting_ids(educator) == [alice.user_id]
        omar = await room.waits("student2")
        assert await waiting_ids(educator) == [alice.user_id, omar.user_id]  # longest first
        ack = await educator.call("lobby:admit_all")
        assert ack == {"ok": True, "admitted": sorted([alice.user_id, omar.user_id])}
        assert await alice.next("lobby:admitted") == {}
        assert await omar.next("lobby:admitted") == {}
        assert await waiting_ids(educator) == []

        await present.leave()  # a student present when the lobby came on comes back in
        present = await room.joins("student3")

        assert await present.nothing("roster:joined")  # nobody came in yet: they reconnect
        await alice.leave()
        await omar.leave()


async def test_turning_the_lobby_off_lets_whoever_waits_in(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with live_room(http, server, turn_lobby_on=True) as room:
        educator = room.educator
        alice = await room.waits("student1")
        assert await waiting_ids(educator) == [alice.user_id]
        assert await educator.call("room:lobby", {"enabled": False}) == {
            "ok": True,
            "enabled": False,
        }
        assert await educator.next("room:lobby") == {"enabled": False}
        assert await alice.next("lobby:admitted") == {}
        assert await waiting_ids(educator) == []
        await alice.leave()
        omar = await room.joins("student2")  # newcomers no longer wait
        assert omar.state["lobby"] == {"enabled": False, "waiting": []}


async def test_educators_never_wait_and_a_lecture_can_require_admission_from_creation(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with live_room(http, server, requires_admission=True) as room:
        educator = room.educator
        assert educator.state["lobby"]["enabled"] is True
        omar = await room.waits("student2")
        assert await omar.nothing("room:state")
        assert await waiting_ids(educator) == [omar.user_id]
        # The room lock and the lobby: unlocking keeps the lobby's admissions.
        assert (await educator.call("lobby:admit", {"user_id": omar.user_id}))["ok"]
        assert (await educator.call("room:lock", {"locked": True}))["ok"]
        assert (await educator.call("room:lock", {"locked": False}))["ok"]
        await omar.leave()
        admitted = await room.joins("student2")
        # A student who was never admitted waits; the lobby refuses events to nobody else.
        alice = await room.waits("student1")
        assert (await admitted.call("lobby:admit", {"user_id": alice.user_id}))["error"][
            "code"
        ] == "forbidden"


async def test_the_end_of_the_lecture_sends_whoever_waits_away(
    http: aiohttp.ClientSession, server: Server
) -> None:
    async with live_room(http, server, requires_admission=True) as room:
        alice = await room.waits("student1")
        assert await waiting_ids(room.educator) == [alice.user_id]
        assert (await room.educator.call("lecture:end"))["ok"]
        assert await sent_away(alice)
