"""Joining the /classroom namespace: tokens, the snapshot, resuming, and surviving restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
import pytest
import socketio

from classroom_server.room import EVENTS
from classroom_server.room.events import OTHER
from classroom_server.security import TokenIssuer
from signaling.classroom_namespace import ClassroomNamespace
from signaling.media_events import MEDIA_EVENTS
from tests.conftest import SECRET_KEY, Server, bearer
from tests.room_client import Participant, join, join_token, live_lecture, quiet, snapshot


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


async def test_other_kinds_of_token_are_refused(server: Server) -> None:
    issuer = TokenIssuer(SECRET_KEY)
    access = issuer.issue("access", 1, timedelta(minutes=1))
    expired = issuer.issue("join", 1, timedelta(seconds=-1), lecture=1, role="educator")
    ghost = issuer.issue("join", 1, timedelta(minutes=1), lecture=10**9, role="educator")
    for token in (access, expired, ghost):
        with pytest.raises(socketio.exceptions.ConnectionError):
            await connect(server, {"token": token.token})


async def test_snapshot_on_join(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    try:
        state = educator.state
        assert state["lecture"]["id"] == lecture and state["lecture"]["status"] == "live"
        assert state["you"]["role"] == "educator" and state["you"]["name"] == "Dr. Amal Haddad"
        assert [p["name"] for p in state["roster"]] == ["Dr. Amal Haddad"]
        assert state["slide"]["page"] == 1 and state["locks"] == {
            "chat": False,
            "annotations": True,
            "room": False,
        }
        assert state["chat"] == [] and state["hands"] == [] and state["poll"] is None
        assert state["recording"] is False
    finally:
        await educator.leave()


async def test_students_wait_until_the_lecture_starts(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server, start=False)
    student = await bearer(http, server, "student1")
    url = server.url(f"/api/v1/lectures/{lecture}/join")
    async with http.post(url, headers=student) as response:
        assert response.status == 409
        assert (await response.json())["code"] == "not_started"
    educator = await join(http, server, lecture, "educator")
    assert educator.state["lecture"]["status"] == "scheduled"
    stranger_token = await bearer(http, server, "admin", "admin-password-1")
    async with http.post(url, headers=stranger_token) as response:
        assert response.status == 200 and (await response.json())["role"] == "educator"
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture}/start"),
        headers=await bearer(http, server, "educator"),
    ) as response:
        assert (await response.json())["status"] == "live"
    async with http.post(url, headers=student) as response:
        assert response.status == 200
    await educator.leave()


async def test_reconnect_with_the_same_token_resumes(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    token = await join_token(http, server, lecture, "student1")
    alice = Participant("student1")
    await alice.connect(server, token)
    await alice.call("chat:send", {"text": "before the drop"})
    await alice.leave()
    again = Participant("student1")
    state = await again.connect(server, token)
    assert [m["text"] for m in state["chat"]] == ["before the drop"]
    assert [p["name"] for p in state["roster"]].count("Lina Saleh") == 1
    await again.leave()
    await educator.leave()


async def test_a_server_restart_loses_nothing_durable(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    board = educator.state["slide"]["deck_id"]
    await educator.call("slides:show", {"deck_id": board, "page": 4})
    await educator.call(
        "annotation:add",
        {"kind": "text", "points": [[0.2, 0.2]], "color": "#112233", "width": 0.01, "text": "x²"},
    )
    await educator.call("chat:send", {"text": "remember me"})
    await educator.call("chat:lock", {"locked": True})
    await educator.call("poll:open", {"question": "Still there?", "options": ["yes", "no"]})
    student1 = await join(http, server, lecture, "student1")
    student2 = await join(http, server, lecture, "student2")
    flags = (
        ("presenter:set", {"user_id": student1.user_id, "presenter": True}),
        ("participant:mute", {"user_id": student2.user_id, "muted": True}),
        ("media:invite", {"user_id": student1.user_id}),
    )
    for event, payload in flags:
        assert (await educator.call(event, payload))["ok"], event
    for participant in (educator, student1, student2):
        await participant.leave()

    server.restart()

    async with aiohttp.ClientSession() as fresh:  # the old keep-alive connections died with it
        back = await join(fresh, server, lecture, "educator")
    state = back.state
    assert state["slide"] == {"deck_id": board, "page": 4}
    assert [a["text"] for a in state["annotations"]] == ["x²"]
    assert [m["text"] for m in state["chat"]] == ["remember me"]
    assert state["locks"]["chat"] is True
    assert state["poll"]["question"] == "Still there?" and state["poll"]["status"] == "open"
    assert state["media"]["invited"] == [student1.user_id]
    await back.leave()
    async with aiohttp.ClientSession() as fresh:  # moderation survives it too
        muted = await join(fresh, server, lecture, "student2")
        presenter = await join(fresh, server, lecture, "student1")
    assert muted.state["you"]["muted"] is True and muted.state["you"]["presenter"] is False
    assert presenter.state["you"]["presenter"] is True
    await muted.leave()
    await presenter.leave()


async def test_room_metrics(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    await educator.call("chat:send", {"text": "counted"})
    await educator.call("hand:raise")
    async with http.get(server.url("/metrics")) as response:
        text = await response.text()
    await educator.leave()
    assert 'qou_room_events_total{event="chat:send",result="ok"}' in text
    assert 'qou_room_events_total{event="hand:raise",result="forbidden"}' in text
    assert any(
        line.startswith("qou_room_connections ") and float(line.split()[1]) >= 1
        for line in text.splitlines()
    )


async def room_connections(http: aiohttp.ClientSession, server: Server) -> float:
    async with http.get(server.url("/metrics")) as response:
        text = await response.text()
    line = next(x for x in text.splitlines() if x.startswith("qou_room_connections "))
    return float(line.split()[1])


def reserved_names() -> list[str]:
    """The lifecycle names, and every name python-socketio's ``on_<name>`` lookup or any
    attribute lookup could turn into a method of the namespace."""
    names = {"connect", "disconnect", "connect_error", "message", "", "DISCONNECT", "*"}
    for attribute in dir(ClassroomNamespace):
        names |= {attribute, attribute.removeprefix("on_")}
    return sorted(names - set(EVENTS) - set(MEDIA_EVENTS))


async def test_lifecycle_and_other_reserved_names_never_reach_a_handler(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """A student who emitted ``disconnect`` left the roster but stayed in the room; ``connect``
    re-ran on_connect. Every name outside the event tables answers unknown_event and runs
    nothing: no roster change, no second snapshot, the connection count unchanged, and the
    student is still there to be removed."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    token = await join_token(http, server, lecture, "student1")
    student = Participant("student1")
    await student.connect(server, token)
    try:
        await quiet(educator, student)
        before = await room_connections(http, server)
        names = reserved_names()
        assert {"connect", "disconnect", "trigger_event", "_handle", "__init__"} <= set(names)
        for name in names:
            lifecycle = name in ("connect", "disconnect", "connect_error")
            for payload in ({}, {"token": token}, "reason") if lifecycle else ({},):
                ack = await student.call(name, payload)
                assert ack["ok"] is False, (name, ack)
                assert ack["error"]["code"] == "unknown_event", (name, ack)
        assert await quiet(educator, student) == {}, "nothing ran"
        assert await room_connections(http, server) == before
        roster = await snapshot(http, server, lecture)
        assert "Lina Saleh" in [p["name"] for p in roster["roster"]]
        await educator.call("chat:send", {"text": "still one room"})
        assert (await student.next("chat:message"))["text"] == "still one room"
        ack = await educator.call("participant:remove", {"user_id": student.user_id})
        assert ack["ok"], ack
        for _ in range(50):
            if not student.sio.connected:
                break
            await asyncio.sleep(0.1)
        assert not student.sio.connected, "participant:remove still disconnects them"
        assert await room_connections(http, server) == before - 1
    finally:
        await student.leave()
        await educator.leave()


async def test_unknown_events_spend_the_budget_of_every_other_event(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """20,000 made-up events in 3 s were all answered unknown_event. They now count against
    the "other" class (10 per second per user): a burst is cut at the bound, the flooder's
    known events of that class wait too, and another user is served meanwhile."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    flooder = await join(http, server, lecture, "student1")
    try:
        burst = 20 * OTHER.limit
        calls = [flooder.call(f"no:such:{n}", {}, patient=False) for n in range(burst)]
        calls += [flooder.call("hand:raise", {}, patient=False) for _ in range(3)]  # known
        acks = await asyncio.gather(*calls)
        codes = [ack.get("error", {}).get("code") for ack in acks]
        assert set(codes[:burst]) == {"unknown_event", "rate_limited"}, codes
        assert codes[:burst].count("unknown_event") <= 2 * OTHER.limit, codes  # two windows
        limited = next(a["error"] for a in acks if a.get("error", {}).get("code") == "rate_limited")
        assert 0 < limited["retry_after"] <= OTHER.window_seconds
        assert "rate_limited" in codes[burst:], "known events share the budget"
        assert (await educator.call("chat:lock", {"locked": False}))["ok"], "others are served"
        await asyncio.sleep(limited["retry_after"] + 0.05)
        ack = await flooder.call("no:such:event", {}, patient=False)
        assert ack["error"]["code"] == "unknown_event", "a fresh window answers again"
    finally:
        await flooder.leave()
        await educator.leave()
