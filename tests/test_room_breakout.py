"""Breakout rooms (issue 15, item 1): splitting the class, the group rooms, bringing it back.

Over a real server: students get their group and join its room (a child lecture), where
they chat and present; nobody else but the educators gets in; the educator's broadcast
reaches every group; the end closes the group rooms and brings everyone back, and the
groups' chat stays. The timer's end and its restart survival are the domain's, on a real
database (``test_the_timer_*``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from classroom_server.breakout_timer import BreakoutTimer
from classroom_server.db import Breakout, BreakoutMember, Enrolment, Lecture, LectureStatus, User
from classroom_server.room import Actor, Outcome, RoomContext, RoomError, breakout
from classroom_server.room.payloads import BreakoutStart
from tests.breakout_class import enrolled_students, join_as, join_refused
from tests.conftest import PASSWORD, Server, bearer
from tests.room_client import Participant, join, live_lecture
from tests.room_domain import live_lecture_context


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
        assert rooms[1].state["locks"]["annotations"] is False, "the whole group draws"
        note = {"kind": "text", "points": [[0.2, 0.2]], "color": "#112233", "width": 0.01}
        assert (await rooms[1].call("annotation:add", {**note, "text": "our idea"}))["ok"]
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
        late = await join_as(http, server, children[0], logins[1])  # a reconnect, too
        assert late.state["breakout"]["notice"]["text"] == "Five minutes left"
        await late.leave()
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
        headers = await bearer(http, server, "educator")
        url = server.url(f"/api/v1/lectures/{children[0]}/annotations")
        async with http.get(url, headers=headers) as response:
            drawn = (await response.json())["items"]
        assert [d["shape"]["text"] for d in drawn] == ["our idea"], "the whiteboard is kept"
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


async def test_random_groups_deal_the_students_present_and_a_latecomer_finds_theirs(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    students = [await join(http, server, lecture, f"student{n}") for n in (1, 2, 3)]
    try:
        ack = await educator.call("breakout:start", {"mode": "random", "minutes": 5, "count": 2})
        assert ack["ok"], ack
        groups = ack["breakout"]["groups"]
        sizes = sorted(len(g["members"]) for g in groups)
        assert sizes == [1, 2], "three students dealt into two groups"
        placed = sorted(m["user_id"] for g in groups for m in g["members"])
        assert placed == sorted(p.user_id for p in students), "each present student, once"
        assert educator.user_id not in placed
        again = await educator.call("breakout:start", {"mode": "random", "minutes": 5, "count": 2})
        assert again["error"]["code"] == "conflict", "one breakout at a time"

        await students[0].leave()  # reconnecting: room:state says where to go
        back = await join(http, server, lecture, "student1")
        mine = back.state["breakout"]["yours"]
        assert mine is not None and back.state["breakout"]["here"] is None
        assert any(
            g["lecture_id"] == mine["lecture_id"]
            and back.user_id in [m["user_id"] for m in g["members"]]
            for g in groups
        )
        students[0] = back
        group_room = await join(http, server, mine["lecture_id"], "educator")
        nested = await group_room.call(
            "breakout:start", {"mode": "random", "minutes": 5, "count": 2}
        )
        assert nested["error"]["code"] == "conflict", "a group room is not split again"
        assert (await group_room.call("breakout:end"))["ok"], "the educator ends it from a group"
        assert (await educator.next("breakout:ended"))["lecture_id"] == lecture
        await group_room.leave()
        assert (await educator.call("breakout:end"))["error"]["code"] == "conflict"
    finally:
        await leave_all(educator, *students)


async def test_students_choose_a_group_and_the_educator_moves_one(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    lina = await join(http, server, lecture, "student1")
    omar = await join(http, server, lecture, "student2")
    rooms: list[Participant] = []
    try:
        assert (await lina.call("breakout:choose", {"group": 1}))["error"]["code"] == "conflict"
        ack = await educator.call("breakout:start", {"mode": "choose", "minutes": 5, "count": 3})
        assert ack["ok"] and all(g["members"] == [] for g in ack["breakout"]["groups"])
        assert (await lina.call("breakout:choose", {"group": 4}))["error"]["code"] == "not_found"
        chosen = await lina.call("breakout:choose", {"group": 2})
        assert chosen["ok"] and chosen["group"]["number"] == 2
        groups = (await omar.next("breakout:groups"))["groups"]
        assert [m["user_id"] for m in groups[1]["members"]] == [lina.user_id]
        assert (await omar.call("breakout:choose", {"group": 2}))["ok"]
        room = await join(http, server, chosen["group"]["lecture_id"], "student1")
        rooms.append(room)
        assert room.state["you"]["presenter"] is True, "the first to choose presents"

        move = {"user_id": lina.user_id, "group": 3}
        assert (await educator.call("breakout:move", move))["ok"]
        told = await room.next("breakout:yours")  # told in the room she was in ...
        assert told["group"]["number"] == 3
        await disconnected(room)  # ... and out of it
        refused = await join_refused(
            http, server, chosen["group"]["lecture_id"], ("student1", PASSWORD)
        )
        assert refused["code"] == "forbidden", "a moved student leaves the old group for good"
        moved = await join(http, server, told["group"]["lecture_id"], "student1")
        rooms.append(moved)
        assert moved.state["breakout"]["here"]["number"] == 3

        educator_id = {"user_id": educator.user_id, "group": 1}
        assert (await educator.call("breakout:move", educator_id))["error"]["code"] == "not_found"
        mover = await educator.call("breakout:move", {"user_id": omar.user_id, "group": 9})
        assert mover["error"]["code"] == "not_found"
    finally:
        await leave_all(educator, lina, omar, *rooms)


async def test_bounds_and_students_who_are_not_the_course_s(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """What the payload model refuses (``invalid``) and what only the course knows
    (``not_found``): nothing opens, and the room hears nothing."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    lina = await join(http, server, lecture, "student1")
    try:
        me, other = lina.user_id, educator.user_id
        invalid = [
            {"mode": "random", "minutes": 5},  # no count
            {"mode": "choose", "minutes": 5, "count": 51},
            {"mode": "random", "minutes": 0, "count": 2},
            {"mode": "random", "minutes": 241, "count": 2},
            {"mode": "assigned", "minutes": 5},  # no groups
            assigned([("A", [me]), ("B", [me])]),  # one student, two groups
            assigned([("A", []), ("a", [])]),  # one name twice
            assigned([(f"G{n}", []) for n in range(51)]),
            {"mode": "everyone", "minutes": 5, "count": 2},
        ]
        for payload in invalid:
            ack = await educator.call("breakout:start", payload)
            assert ack["error"]["code"] == "invalid", (payload, ack)
        for payload in [assigned([("A", [other])]), {"mode": "plan", "minutes": 5}]:
            ack = await educator.call("breakout:start", payload)
            assert ack["error"]["code"] == "not_found", (payload, ack)
        assert await lina.nothing("breakout:started")
        assert (await join(http, server, lecture, "student2")).state["breakout"] is None
    finally:
        await leave_all(educator, lina)


class Deliveries:
    """A room broadcaster that keeps what it is asked to deliver (what the namespace does
    with it is the real-server tests' part)."""

    def __init__(self) -> None:
        self.delivered: list[tuple[int, Outcome]] = []

    async def deliver(self, lecture_id: int, outcome: Outcome) -> None:
        self.delivered.append((lecture_id, outcome))


async def people(ctx: RoomContext) -> tuple[Actor, User]:
    """The lecture's educator (as the room knows them) and a student of its course."""
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        assert lecture is not None
        made = [
            User(username=name, display_name=name, role=role, password_hash="x")
            for name, role in (("teacher", "educator"), ("s1", "student"))
        ]
        session.add_all(made)
        await session.flush()
        for user in made:
            session.add(Enrolment(course_id=lecture.course_id, user_id=user.id, role=user.role))
        await session.commit()
    return Actor(made[0].id, "teacher", "educator"), made[1]


async def test_the_timer_ends_a_breakout_once_even_after_a_restart(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        teacher, student = await people(ctx)
        plan = BreakoutStart.model_validate(
            assigned([("A", [student.id]), ("B", [])], minutes=1, record=True)
        )
        started = await breakout.start(ctx, teacher, plan)
        children = [g["lecture_id"] for g in started.ack["breakout"]["groups"]]
        first = Deliveries()
        assert await BreakoutTimer(ctx.database, first).tick() == 0, "not due yet"

        async with ctx.database.session() as session:  # the minute passes while no one runs
            past = datetime.now(UTC) - timedelta(seconds=1)
            await session.execute(update(Breakout).values(ends_at=past))
            await session.commit()
        assert await breakout.state(ctx, teacher) is None, "past its end it is not shown"
        with pytest.raises(RoomError) as refused:  # not before the overdue one is closed
            await breakout.start(ctx, teacher, plan)
        assert refused.value.code == "conflict"
        restarted, other_process = Deliveries(), Deliveries()
        ended = await BreakoutTimer(ctx.database, restarted).tick()
        assert ended == 1 and await BreakoutTimer(ctx.database, other_process).tick() == 0
        [(main, outcome)] = restarted.delivered
        assert main == ctx.lecture_id
        assert [e.event for e in outcome.emits] == ["breakout:ended"]
        assert sorted(outcome.elsewhere) == sorted(children)
        for child in outcome.elsewhere.values():
            assert child.end_room and [e.event for e in child.emits] == ["breakout:ended"]
            assert [type(e).__name__ for e in child.effects] == ["LectureEnded"]
        async with ctx.database.session() as session:
            for child_id in children:
                child_lecture = await session.get(Lecture, child_id)
                assert child_lecture is not None
                assert child_lecture.status == LectureStatus.ENDED.value
                assert child_lecture.record_automatically is True, "recorded as asked"
            kept = await session.get(BreakoutMember, (started.ack["breakout"]["id"], student.id))
            assert kept is not None, "who was in which group is kept"


async def test_the_timer_ends_the_breakout_of_an_ended_lecture(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        teacher, _student = await people(ctx)
        plan = BreakoutStart.model_validate({"mode": "choose", "minutes": 30, "count": 2})
        await breakout.start(ctx, teacher, plan)
        async with ctx.database.session() as session:
            await session.execute(
                update(Lecture)
                .where(Lecture.id == ctx.lecture_id)
                .values(status=LectureStatus.ENDED.value)
            )
            await session.commit()
        deliveries = Deliveries()
        assert await BreakoutTimer(ctx.database, deliveries).tick() == 1
        assert deliveries.delivered[0][0] == ctx.lecture_id


async def test_the_server_ends_the_breakout_when_its_minute_is_up(
    http: aiohttp.ClientSession, server: Server
) -> None:
    """The timer as the server runs it: nobody ends the breakout, its minute runs out."""
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    lina = await join(http, server, lecture, "student1")
    group: Participant | None = None
    try:
        start = assigned([("Timed", [lina.user_id])], minutes=1)
        ack = await educator.call("breakout:start", start)
        child = ack["breakout"]["groups"][0]["lecture_id"]
        group = await join(http, server, child, "student1")
        ends_at = datetime.fromisoformat(ack["breakout"]["ends_at"])
        left = (ends_at - datetime.now(UTC)).total_seconds()
        assert 50 < left <= 60
        ended = await asyncio.wait_for(group.events["breakout:ended"].get(), left + 10)
        assert ended["lecture_id"] == lecture
        assert datetime.now(UTC) >= ends_at - timedelta(seconds=1), "not before its time"
        assert (await educator.next("breakout:ended"))["lecture_id"] == lecture
        await disconnected(group)
        assert (await join_refused(http, server, child, ("student1", PASSWORD)))["code"] == (
            "lecture_ended"
        )
    finally:
        await leave_all(educator, lina, *([group] if group else []))


async def test_two_educators_starting_at_once_make_one_breakout(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        teacher, _student = await people(ctx)
        co_teacher = Actor(teacher.user_id, "co-teacher", "educator")
        plan = BreakoutStart.model_validate({"mode": "choose", "minutes": 30, "count": 2})
        results = await asyncio.gather(
            breakout.start(ctx, teacher, plan),
            breakout.start(ctx, co_teacher, plan),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, RoomError)]
        assert len(refused) == 1 and refused[0].code == "conflict", results
        async with ctx.database.session() as session:
            # The database itself holds the line, whatever the room's check saw.
            second = Breakout(lecture_id=ctx.lecture_id, mode="choose", ends_at=datetime.now(UTC))
            session.add(second)
            with pytest.raises(IntegrityError):
                await session.flush()
