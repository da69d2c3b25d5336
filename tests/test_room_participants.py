"""Roster, presenter, mute, removal, ending, and the audit log behind them."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import socketio
from sqlalchemy import select

from classroom_server.db import AuditEntry, Database
from tests.conftest import Server, bearer
from tests.room_client import Participant, join, join_token, live_lecture


def server_database(server: Server) -> Database:
    flags = server.data_flags
    if "--database-url" in flags:
        return Database(flags[flags.index("--database-url") + 1])
    data_dir = server.data_flags[server.data_flags.index("--data-dir") + 1]
    return Database(f"sqlite+aiosqlite:///{data_dir}/classroom.sqlite3")


async def audit_actions(server: Server, lecture_id: int) -> list[str]:
    database = server_database(server)
    try:
        async with database.session() as session:
            rows = await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.lecture_id == lecture_id)
                .order_by(AuditEntry.id)
            )
            return list(rows)
    finally:
        await database.close()


async def test_roster_counts_a_user_once_and_tracks_leaving(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    tab1 = await join(http, server, lecture, "student1")
    tab2 = await join(http, server, lecture, "student1")
    try:
        assert [p["name"] for p in tab2.state["roster"]].count("Lina Saleh") == 1
        joined = educator.drain("roster:joined")
        assert [p["id"] for p in joined] == [tab1.user_id]
        await tab1.leave()
        assert await educator.nothing("roster:left")
        await tab2.leave()
        assert (await educator.next("roster:left"))["user_id"] == tab1.user_id
    finally:
        await educator.leave()


async def test_presenter_mute_and_remove(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        board = alice.state["slide"]["deck_id"]
        assert (
            await educator.call("presenter:set", {"user_id": alice.user_id, "presenter": True})
        )["ok"]
        assert (await bob.next("roster:updated"))["presenter"] is True
        assert (await alice.call("slides:show", {"deck_id": board, "page": 2}))["ok"]
        await educator.call("presenter:set", {"user_id": alice.user_id, "presenter": False})
        assert (await alice.call("slides:show", {"deck_id": board, "page": 3}))["error"][
            "code"
        ] == "forbidden"

        assert (await educator.call("participant:mute", {"user_id": bob.user_id, "muted": True}))[
            "ok"
        ]
        update = await alice.next("roster:updated")
        while update["id"] != bob.user_id:
            update = await alice.next("roster:updated")
        assert update["muted"] is True

        assert (await educator.call("participant:remove", {"user_id": educator.user_id}))["error"][
            "code"
        ] == "forbidden"
        assert (await educator.call("participant:remove", {"user_id": bob.user_id}))["ok"]
        await bob.next("room:removed")
        for _ in range(50):
            if not bob.sio.connected:
                break
            await asyncio.sleep(0.05)
        assert not bob.sio.connected
        assert (await alice.next("roster:removed"))["user_id"] == bob.user_id
        headers = await bearer(http, server, "student2")
        async with http.post(
            server.url(f"/api/v1/lectures/{lecture}/join"), headers=headers
        ) as response:
            assert response.status == 403
            assert (await response.json())["code"] == "removed"
        assert await audit_actions(server, lecture) == [
            "presenter_set",
            "presenter_set",
            "mute",
            "remove",
        ]
    finally:
        for p in (educator, alice, bob):
            await p.leave()


async def test_removed_token_cannot_reconnect(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    token = await join_token(http, server, lecture, "student3")
    carol = Participant("student3")
    await carol.connect(server, token)
    await educator.call("participant:remove", {"user_id": carol.user_id})
    await carol.next("room:removed")
    again = Participant("student3")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await again.connect(server, token)
    await educator.leave()


async def test_ending_disconnects_everyone(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    assert (await alice.call("lecture:end"))["error"]["code"] == "forbidden"
    assert (await educator.call("lecture:end"))["ok"]
    await alice.next("lecture:ended")
    headers = await bearer(http, server, "student1")
    async with http.get(server.url(f"/api/v1/lectures/{lecture}"), headers=headers) as response:
        assert (await response.json())["status"] == "ended"
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture}/join"), headers=headers
    ) as response:
        assert response.status == 409
        assert (await response.json())["code"] == "lecture_ended"
    assert await audit_actions(server, lecture) == ["end"]
    await educator.leave()
    await alice.leave()


async def test_the_educator_mutes_every_student_at_once(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """One event names everyone muted; a presenter may be spared; a late joiner's roster and
    the audit log agree; unmuting everyone undoes it."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        mute_bob = {"user_id": bob.user_id, "muted": True}
        assert (await educator.call("participant:mute", mute_bob))["ok"]
        assert (await alice.call("participant:mute_all", {"muted": True}))["error"][
            "code"
        ] == "forbidden"
        assert (
            await educator.call("presenter:set", {"user_id": alice.user_id, "presenter": True})
        )["ok"]
        spare = {"muted": True, "except_presenters": True}
        ack = await educator.call("participant:mute_all", spare)
        assert ack == {"ok": True, "user_ids": [], "muted": True}  # bob was already muted
        ack = await educator.call("participant:mute_all", {"muted": True})
        assert ack["user_ids"] == [alice.user_id]
        event = await bob.next("roster:muted")
        while event["user_ids"] != [alice.user_id]:
            event = await bob.next("roster:muted")
        assert event == {"user_ids": [alice.user_id], "muted": True}
        late = await join(http, server, lecture, "student3")
        muted = {p["id"] for p in late.state["roster"] if p["muted"]}
        assert muted == {alice.user_id, bob.user_id}, "the educator and late joiners are not muted"
        await late.leave()
        ack = await educator.call("participant:mute_all", {"muted": False})
        assert sorted(ack["user_ids"]) == sorted([alice.user_id, bob.user_id])
        assert "mute_all" in await audit_actions(server, lecture)
    finally:
        for p in (educator, alice, bob):
            await p.leave()


async def test_asked_to_unmute_a_student_may_speak_and_is_asked_to(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """The mute is lifted and the invitation given at once; turning the microphone on stays
    the student's own act, so only the student hears the request."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    try:
        assert (await educator.call("participant:mute", {"user_id": bob.user_id, "muted": True}))[
            "ok"
        ]
        ask = {"user_id": bob.user_id}
        assert (await alice.call("participant:ask_unmute", ask))["error"]["code"] == "forbidden"
        mine = {"user_id": educator.user_id}
        refused = await educator.call("participant:ask_unmute", mine)
        assert refused["error"]["code"] == "invalid"
        assert (await educator.call("participant:ask_unmute", ask))["ok"]
        assert await bob.next("participant:unmute_requested") == {"by": "Dr. Amal Haddad"}
        permission = await alice.next("media:permissions")
        assert permission == {"user_id": bob.user_id, "invited": True}
        update = await alice.next("roster:updated")
        while update["id"] != bob.user_id or update["muted"]:
            update = await alice.next("roster:updated")
        assert await alice.nothing("participant:unmute_requested")
        assert "ask_unmute" in await audit_actions(server, lecture)
    finally:
        for p in (educator, alice, bob):
            await p.leave()
