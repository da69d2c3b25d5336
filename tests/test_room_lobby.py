"""The lobby: students of a lecture that requires admission wait until an educator admits
them (one by one or all at once) or denies them; admitted, they come straight back in."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from tests.conftest import Server
from tests.room_client import Participant, join, join_token, live_lecture


class Waiting(Participant):
    """Someone in the lobby: what ``lobby:wait`` told them."""

    view: dict[str, Any]

    @property
    def user_id(self) -> int:
        return int(self.view["you"]["id"])


async def wait_in_lobby(
    http: aiohttp.ClientSession, server: Server, lecture: int, who: str
) -> Waiting:
    person = Waiting(who)
    person.view = await person.wait_in_lobby(server, await join_token(http, server, lecture, who))
    return person


async def lobby_on(educator: Participant) -> None:
    assert await educator.call("room:lobby", {"enabled": True}) == {"ok": True, "enabled": True}
    assert await educator.next("room:lobby") == {"enabled": True}


async def waiting_ids(educator: Participant) -> list[int]:
    """The next waiting list the educators are sent."""
    update = await educator.next("lobby:waiting")
    return [entry["user_id"] for entry in update["waiting"]]


async def test_a_student_waits_is_seen_admitted_and_comes_back_straight_in(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    people = [educator]
    try:
        await lobby_on(educator)
        assert educator.state["lobby"] == {"enabled": False, "waiting": []}
        alice = await wait_in_lobby(http, server, lecture, "student1")
        people.append(alice)
        assert alice.view["lecture"] == {"id": lecture, "title": "Week 1"}
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
        late = await join(http, server, lecture, "educator")
        people.append(late)
        assert [w["user_id"] for w in late.state["lobby"]["waiting"]] == [entry["user_id"]]
        assert late.state["lobby"]["enabled"] is True

        assert (await educator.call("lobby:admit", {"user_id": entry["user_id"]}))["ok"]
        assert await alice.next("lobby:admitted") == {}
        assert await waiting_ids(educator) == []
        await alice.leave()

        alice = await join(http, server, lecture, "student1")  # admitted: straight in
        people.append(alice)
        assert alice.state["lobby"] == {"enabled": True, "waiting": []}
        await alice.leave()
        alice = await join(http, server, lecture, "student1")  # and again after a drop
        people.append(alice)
        assert (await educator.next("roster:joined"))["id"] == alice.user_id
    finally:
        for person in people:
            await person.leave()


async def test_a_denied_student_is_sent_away_and_a_retry_waits_again(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    people = [educator]
    try:
        await lobby_on(educator)
        omar = await wait_in_lobby(http, server, lecture, "student2")
        people.append(omar)
        [omar_id] = await waiting_ids(educator)
        ack = await educator.call("lobby:deny", {"user_id": omar_id})
        assert ack == {"ok": True, "denied": omar_id}
        assert "did not admit" in (await omar.next("lobby:denied"))["message"]
        for _ in range(50):  # the server closes the waiting connection
            if not omar.sio.connected:
                break
            await asyncio.sleep(0.1)
        assert not omar.sio.connected
        assert await waiting_ids(educator) == []
        assert (await educator.call("lobby:deny", {"user_id": omar_id}))["error"]["code"] == (
            "not_found"
        )

        again = await wait_in_lobby(http, server, lecture, "student2")
        people.append(again)
        assert await waiting_ids(educator) == [omar_id]
        await again.leave()  # leaving the lobby takes them off the list
        assert await waiting_ids(educator) == []
    finally:
        for person in people:
            await person.leave()


async def test_admit_all_and_turning_the_lobby_off_let_everyone_in(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    present = await join(http, server, lecture, "student3")  # in before the lobby: stays in
    people = [educator, present]
    try:
        assert (await present.call("room:lobby", {"enabled": True}))["error"]["code"] == (
            "forbidden"
        )
        await lobby_on(educator)
        assert (await present.next("room:lobby")) == {"enabled": True}
        alice = await wait_in_lobby(http, server, lecture, "student1")
        assert await waiting_ids(educator) == [alice.user_id]
        omar = await wait_in_lobby(http, server, lecture, "student2")
        people += [alice, omar]
        assert await waiting_ids(educator) == [alice.user_id, omar.user_id]  # longest first
        ack = await educator.call("lobby:admit_all")
        assert ack == {"ok": True, "admitted": sorted([alice.user_id, omar.user_id])}
        assert await alice.next("lobby:admitted") == {}
        assert await omar.next("lobby:admitted") == {}
        assert await waiting_ids(educator) == []

        await present.leave()  # a student present when the lobby came on comes back in
        present = await join(http, server, lecture, "student3")
        people.append(present)

        assert await present.nothing("roster:joined")  # nobody came in yet: they reconnect
        await alice.leave()
        await omar.leave()

    finally:
        for person in people:
            await person.leave()


async def test_turning_the_lobby_off_lets_whoever_waits_in(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    people = [educator]
    try:
        await lobby_on(educator)
        alice = await wait_in_lobby(http, server, lecture, "student1")
        people.append(alice)
        assert await waiting_ids(educator) == [alice.user_id]
        assert await educator.call("room:lobby", {"enabled": False}) == {
            "ok": True,
            "enabled": False,
        }
        assert await educator.next("room:lobby") == {"enabled": False}
        assert await alice.next("lobby:admitted") == {}
        assert await waiting_ids(educator) == []
        await alice.leave()
        omar = await join(http, server, lecture, "student2")  # newcomers no longer wait
        people.append(omar)
        assert omar.state["lobby"] == {"enabled": False, "waiting": []}
    finally:
        for person in people:
            await person.leave()


async def test_educators_never_wait_and_a_lecture_can_require_admission_from_creation(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server, requires_admission=True)
    educator = await join(http, server, lecture, "educator")
    people = [educator]
    try:
        assert educator.state["lobby"]["enabled"] is True
        omar = await wait_in_lobby(http, server, lecture, "student2")
        people.append(omar)
        assert await omar.nothing("room:state")
        assert await waiting_ids(educator) == [omar.user_id]
        # The room lock and the lobby: unlocking keeps the lobby's admissions.
        assert (await educator.call("lobby:admit", {"user_id": omar.user_id}))["ok"]
        assert (await educator.call("room:lock", {"locked": True}))["ok"]
        assert (await educator.call("room:lock", {"locked": False}))["ok"]
        await omar.leave()
        omar = await join(http, server, lecture, "student2")
        people.append(omar)
        # A student who was never admitted waits; the lobby refuses events to nobody else.
        alice = await wait_in_lobby(http, server, lecture, "student1")
        people.append(alice)
        assert (await omar.call("lobby:admit", {"user_id": alice.user_id}))["error"][
            "code"
        ] == "forbidden"
    finally:
        for person in people:
            await person.leave()


async def test_the_end_of_the_lecture_sends_whoever_waits_away(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server, requires_admission=True)
    educator = await join(http, server, lecture, "educator")
    alice = await wait_in_lobby(http, server, lecture, "student1")
    try:
        assert await waiting_ids(educator) == [alice.user_id]
        assert (await educator.call("lecture:end"))["ok"]
        for _ in range(50):
            if not alice.sio.connected:
                break
            await asyncio.sleep(0.1)
        assert not alice.sio.connected
    finally:
        await alice.leave()
        await educator.leave()
