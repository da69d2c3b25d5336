"""Drop-in hours: who may run a queue, arrival order and places, admitting into a private room,
closing, and the course's list of open drop-ins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from classroom_server.db import DropIn, Lecture
from classroom_server.drop_in import (
    RUN_BY,
    DropInError,
    QueuePlace,
    admit_next,
    close,
    drop_in_for,
    enter,
    open_drop_ins,
    place_of,
    start_drop_in,
    waiting_page,
)
from classroom_server.office_hours import NotAllowed, NotFound
from tests.conftest import DATABASES
from tests.office_hours_domain import OfficeWorld, office_world


@pytest.fixture(params=DATABASES)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OfficeWorld]:
    async with office_world(request.param, tmp_path) as made:
        yield made


async def opened(world: OfficeWorld) -> DropIn:
    async with world.database.session() as session:
        return await start_drop_in(session, world.educator, world.course_id)


async def test_only_its_educator_or_an_admin_runs_a_queue(world: OfficeWorld) -> None:
    drop_in = await opened(world)
    async with world.database.session() as session:
        for anyone in (world.students[0], world.outsider, world.educator, world.admin):
            assert (await drop_in_for(session, anyone, drop_in.id, run=False)).id == drop_in.id
        for runner in (world.educator, world.admin):
            assert (await drop_in_for(session, runner, drop_in.id, run=True)).id == drop_in.id
        with pytest.raises(NotAllowed) as refused:
            await drop_in_for(session, world.students[0], drop_in.id, run=True)
        assert str(refused.value) == RUN_BY
        with pytest.raises(NotFound, match=f"drop-in {drop_in.id + 1} does not exist"):
            await drop_in_for(session, world.educator, drop_in.id + 1, run=False)


async def test_the_queue_keeps_arrival_order_and_places(world: OfficeWorld) -> None:
    drop_in = await opened(world)
    amal, basel, dina = world.students
    async with world.database.session() as session:
        assert await place_of(session, drop_in, amal) == QueuePlace("none", None, None)
        assert await enter(session, drop_in, basel) == QueuePlace("waiting", 1, None)
        assert await enter(session, drop_in, amal) == QueuePlace("waiting", 2, None)
        assert await enter(session, drop_in, basel) == QueuePlace("waiting", 1, None), "kept"
        await enter(session, drop_in, dina)
        waiting, total = await waiting_page(session, drop_in, 2, 1)
        assert total == 3 and [(w.name, w.place) for w in waiting] == [("Amal", 2), ("Dina", 3)]

        admitted = await admit_next(session, drop_in)
        assert admitted.student_id == basel.id
        meeting = await session.get(Lecture, admitted.lecture_id)
        assert meeting is not None and meeting.private_to == basel.id
        assert await place_of(session, drop_in, basel) == QueuePlace(
            "admitted", None, admitted.lecture_id
        )
        assert await place_of(session, drop_in, amal) == QueuePlace("waiting", 1, None)
        assert (await enter(session, drop_in, basel)).place == 3, "back in line after a visit"


async def test_closing_sends_the_queue_away(world: OfficeWorld) -> None:
    opened_id = (await opened(world)).id
    async with world.database.session() as session:
        drop_in = await drop_in_for(session, world.educator, opened_id, run=True)
        with pytest.raises(DropInError) as empty:
            await admit_next(session, drop_in)
        assert (empty.value.code, empty.value.message) == ("queue_empty", "Nobody is waiting")
        await enter(session, drop_in, world.students[0])
        await close(session, drop_in)
    async with world.database.session() as session:
        drop_in = await drop_in_for(session, world.educator, opened_id, run=True)
        assert not drop_in.open
        assert (await place_of(session, drop_in, world.students[0])).state == "left"
        assert await waiting_page(session, drop_in, 50, 0) == ([], 0)
        with pytest.raises(DropInError) as closed:
            await enter(session, drop_in, world.students[1])
        assert closed.value.code == "closed"
        with pytest.raises(DropInError):
            await admit_next(session, drop_in)


async def test_the_course_lists_its_open_drop_ins_oldest_first(world: OfficeWorld) -> None:
    first, second, third = [await opened(world) for _ in range(3)]
    async with world.database.session() as session:
        await close(session, await drop_in_for(session, world.educator, second.id, run=True))
        rows, total = await open_drop_ins(session, world.course_id, 50, 0)
        assert [d.id for d in rows] == [first.id, third.id] and total == 2
        rows, total = await open_drop_ins(session, world.course_id, 1, 1)
        assert [d.id for d in rows] == [third.id] and total == 2
        assert await open_drop_ins(session, world.course_id + 1, 50, 0) == ([], 0)
