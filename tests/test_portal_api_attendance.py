"""Attendance over a real server: students in a live room over Socket.IO, then the lecture's
JSON and CSV and the course's view, and who may read them."""

from __future__ import annotations

import asyncio
import csv
import io
import secrets
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.accounts import second_node
from tests.conftest import ADMIN, PASSWORD, REDIS_URL, Server, bearer, start_server
from tests.media_peer import MediaParticipant, ToneTrack
from tests.room_client import Participant, join, join_token
from tests.test_room_redis_store import FAST_BEAT, heartbeat
from tests.test_signaling_media_events import media_server as shared_media_server

media_server = shared_media_server  # a server whose ICE stays on loopback
FORMULA_NAME = '=HYPERLINK("http://127.0.0.1/x","y")'


async def _call(
    http: aiohttp.ClientSession,
    server: Server,
    method: str,
    path: str,
    headers: dict[str, str],
    body: Any = None,
    expect: int = 200,
) -> Any:
    async with http.request(method, server.url("/api/v1" + path), headers=headers, json=body) as r:
        text = await r.text()
        assert r.status == expect, f"{method} {path}: {r.status} {text}"
        return await r.json(content_type=None) if text and "json" in r.content_type else text


async def attendance_class(http: aiohttp.ClientSession, server: Server) -> tuple[int, int, str]:
    """A fresh course (student1, student2 and a student named like a formula) and a live
    lecture in it: (course id, lecture id, the formula student's username)."""
    educator = await bearer(http, server, "educator")
    admin = await bearer(http, server, *ADMIN)
    code = f"A{secrets.token_hex(4)}"
    course = await _call(
        http, server, "POST", "/courses", educator, {"code": code, "title": "Attendance"}, 201
    )
    tricky = f"eq-{secrets.token_hex(3)}"
    body = {"username": tricky, "password": PASSWORD, "display_name": FORMULA_NAME}
    await _call(http, server, "POST", "/users", admin, body, 201)
    for name in ("student1", "student2", tricky):
        path = f"/courses/{course['id']}/enrolments"
        await _call(http, server, "POST", path, educator, {"username": name}, 201)
    body = {"title": "Attendance 1", "scheduled_start": "2026-12-01T09:00:00+00:00"}
    lecture = await _call(
        http, server, "POST", f"/courses/{course['id']}/lectures", educator, body, 201
    )
    await _call(http, server, "POST", f"/lectures/{lecture['id']}/start", educator)
    return course["id"], lecture["id"], tricky


async def take_part(http: aiohttp.ClientSession, server: Server, lecture: int) -> list[Participant]:
    """student1 joins, drops and comes back, chats twice, raises a hand and votes; student2
    joins from two tabs at once, chats once and votes."""
    educator = await join(http, server, lecture, "educator")
    first = await join(http, server, lecture, "student1")
    await first.leave()
    alice = await join(http, server, lecture, "student1")
    bob = await join(http, server, lecture, "student2")
    bob_tab = await join(http, server, lecture, "student2")
    opened = await educator.call("poll:open", {"question": "Ready?", "options": ["yes", "no"]})
    poll = opened["poll"]["id"]
    for who, text in ((alice, "hello"), (alice, "a question"), (bob, "hi")):
        assert (await who.call("chat:send", {"text": text}))["ok"]
    assert (await alice.call("hand:raise"))["ok"]
    assert (await alice.call("poll:vote", {"poll_id": poll, "choices": [0]}))["ok"]
    assert (await bob_tab.call("poll:vote", {"poll_id": poll, "choices": [1]}))["ok"]
    return [educator, alice, bob, bob_tab]


def _by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["username"]: row for row in rows}


async def test_attendance_counts_what_the_students_did(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course_id, lecture, tricky = await attendance_class(http, server)
    educator = await bearer(http, server, "educator")
    people = await take_part(http, server, lecture)
    try:
        live = await _call(http, server, "GET", f"/lectures/{lecture}/attendance", educator)
        rows = _by_name(live["rows"])
        assert rows["student2"]["here_now"] and rows["student2"]["last_leave"] is None
    finally:
        for participant in people:
            await participant.leave()
    await asyncio.sleep(0.5)  # the disconnects close the intervals
    await _call(http, server, "POST", f"/lectures/{lecture}/end", educator)

    result = await _call(http, server, "GET", f"/lectures/{lecture}/attendance", educator)
    assert result["everyone"] and result["status"] == "ended"
    assert result["csv_url"] == f"/api/v1/lectures/{lecture}/attendance.csv"
    rows = _by_name(result["rows"])
    assert set(rows) == {"educator", "student1", "student2", tricky}
    alice, bob, absent = rows["student1"], rows["student2"], rows[tricky]
    counts = ("attended", "joins", "chat_messages", "hands_raised", "poll_answers")
    assert [alice[k] for k in counts] == [True, 2, 2, 1, 1], "a reconnect is one attendance"
    assert [bob[k] for k in counts] == [True, 1, 1, 0, 1], "two tabs at once are one join"
    assert [absent[k] for k in counts] == [False, 0, 0, 0, 0]
    assert absent["first_join"] is None and absent["present_seconds"] == 0
    assert len(alice["stays"]) == 2 and all(stay["left_at"] for stay in alice["stays"])
    assert alice["stays"][0]["left_at"] <= alice["stays"][1]["joined_at"], "in order"
    assert absent["stays"] == []
    for row in (alice, bob):
        assert row["last_leave"] is not None and not row["here_now"] and not row["late"]
        assert row["first_join"] <= row["last_leave"] <= result["ended_at"]
        assert row["talk_seconds"] == 0, "nobody published a microphone"

    async with http.get(server.url(result["csv_url"]), headers=educator) as response:
        assert response.status == 200 and response.content_type == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        table = list(csv.reader(io.StringIO(await response.text())))
    header, lines = (
        table[0],
        {line[0]: dict(zip(table[0], line, strict=True)) for line in table[1:]},
    )
    assert header[:4] == ["username", "name", "role", "attended"]
    assert lines["student1"]["joins"] == "2" and lines["student1"]["chat_messages"] == "2"
    assert lines["student2"]["poll_answers"] == "1" and lines[tricky]["attended"] == "no"
    assert lines[tricky]["name"] == "'" + FORMULA_NAME, "a formula is shown, not run"

    course = await _call(http, server, "GET", f"/courses/{course_id}/attendance", educator)
    assert course["lectures_held"] == 1 and course["everyone"]
    students = _by_name(course["students"])
    assert set(students) == {"student1", "student2", tricky}, "educators are not students"
    assert students["student1"]["lectures_attended"] == 1
    assert students["student1"]["lectures_total"] == 1
    assert students["student1"]["chat_messages"] == 2 and students["student1"]["hands_raised"] == 1
    assert students[tricky]["lectures_attended"] == 0


async def test_students_see_their_own_and_outsiders_nothing(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course_id, lecture, _tricky = await attendance_class(http, server)
    people = await take_part(http, server, lecture)
    for participant in people:
        await participant.leave()
    student = await bearer(http, server, "student1")
    mine = await _call(http, server, "GET", f"/lectures/{lecture}/attendance", student)
    assert not mine["everyone"] and mine["csv_url"] is None
    assert [row["username"] for row in mine["rows"]] == ["student1"]
    assert mine["rows"][0]["joins"] == 2 and mine["rows"][0]["hands_raised"] == 1
    own_course = await _call(http, server, "GET", f"/courses/{course_id}/attendance", student)
    assert [row["username"] for row in own_course["students"]] == ["student1"]
    await _call(http, server, "GET", f"/lectures/{lecture}/attendance.csv", student, expect=403)

    outsider = await bearer(http, server, "student3")
    for path in (
        f"/lectures/{lecture}/attendance",
        f"/lectures/{lecture}/attendance.csv",
        f"/courses/{course_id}/attendance",
    ):
        problem = await _call(http, server, "GET", path, outsider, expect=403)
        assert problem["code"] == "forbidden"
    admin = await bearer(http, server, *ADMIN)
    seen = await _call(http, server, "GET", f"/lectures/{lecture}/attendance", admin)
    assert seen["everyone"] and len(seen["rows"]) == 4
    for path in ("/lectures/999999/attendance", "/courses/999999/attendance"):
        await _call(http, server, "GET", path, admin, expect=404)
    async with http.get(server.url(f"/api/v1/lectures/{lecture}/attendance")) as response:
        assert response.status == 401


async def test_a_dropped_connection_closes_its_interval(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """A connection lost without a goodbye closes the student's interval once the server
    notices; coming back opens another, and both make one attendance."""
    _course, lecture, _tricky = await attendance_class(http, server)
    educator = await bearer(http, server, "educator")

    async def student2() -> dict[str, Any]:
        result = await _call(http, server, "GET", f"/lectures/{lecture}/attendance", educator)
        row: dict[str, Any] = _by_name(result["rows"])["student2"]
        return row

    student = Participant("student2")
    await student.connect(server, await join_token(http, server, lecture, "student2"))
    assert (await student2())["here_now"]
    await student.sio.eio.disconnect(abort=True)  # the network drops, no goodbye
    for _attempt in range(100):
        if not (row := await student2())["here_now"]:
            break
        await asyncio.sleep(0.1)
    assert not row["here_now"] and row["last_leave"] is not None and row["joins"] == 1
    again = await join(http, server, lecture, "student2")
    try:
        row = await student2()
        assert row["here_now"] and row["attended"] and row["joins"] == 2
    finally:
        await again.leave()


async def test_talk_time_comes_from_the_active_speaker_detection(
    http: aiohttp.ClientSession, media_server: Server
) -> None:
    """The educator's microphone (a loud tone over a real peer connection) talks for about as
    long as it publishes; a student who only listens talks for none of it."""
    _course, lecture, _tricky = await attendance_class(http, media_server)
    educator = await bearer(http, media_server, "educator")
    speaker = MediaParticipant("educator")
    listener = MediaParticipant("student1")
    for person in (speaker, listener):
        token = await join_token(http, media_server, lecture, person.username)
        await person.connect(media_server, token)
        await person.media_join()
    began = time.monotonic()
    try:
        assert (await speaker.publish([(ToneTrack(), "microphone")]))["ok"]
        assert (await speaker.next("media:speaking")) == {"user_id": speaker.user_id}
        await asyncio.sleep(3)
    finally:
        await speaker.leave()
        await listener.leave()
    published = time.monotonic() - began
    path = f"/lectures/{lecture}/attendance"
    for _attempt in range(100):  # written every few seconds, and when the media leaves
        rows = _by_name((await _call(http, media_server, "GET", path, educator))["rows"])
        if rows["educator"]["talk_seconds"] >= 3:
            break
        await asyncio.sleep(0.25)
    assert 3 <= rows["educator"]["talk_seconds"] <= published + 1
    assert rows["student1"]["talk_seconds"] == 0


async def test_a_killed_process_leaves_no_interval_open(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    """With Redis, the process that sweeps a dead one's connections closes their intervals:
    the student it held is not counted present for ever."""
    with heartbeat(FAST_BEAT):
        node_a = start_server(tmp_path, "sqlite", "--redis-url", REDIS_URL)
        node_b = second_node(node_a, "--redis-url", REDIS_URL)
    _course, lecture, _tricky = await attendance_class(http, node_a)
    educator = await join(http, node_a, lecture, "educator")
    student = await join(http, node_b, lecture, "student1")
    try:
        assert (await educator.next("roster:joined"))["id"] == student.user_id
        node_b.process.kill()  # SIGKILL: no disconnect handler runs
        node_b.process.wait(10)
        left = await asyncio.wait_for(educator.events["roster:left"].get(), 10)
        assert left == {"user_id": student.user_id}
        headers = await bearer(http, node_a, "educator")
        path = f"/lectures/{lecture}/attendance"
        row = _by_name((await _call(http, node_a, "GET", path, headers))["rows"])["student1"]
        assert not row["here_now"] and row["last_leave"] is not None and row["joins"] == 1
    finally:
        await student.leave()
        await educator.leave()
        node_b.stop()
        node_a.stop()
