"""Building modules without a server: a unit points only to the course's own videos and
resources, a module holds at most MAX_UNITS units, an open course needs a licence, and a
summative quiz's attempts are numbered, limited and complete the unit when used up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from classroom_server.db import Course, Module, Resource, Video
from classroom_server.mastery import Answer
from classroom_server.module_content import (
    NotInCourse,
    TooManyUnits,
    Unlicensed,
    edit_module,
    new_module,
    new_unit,
)
from classroom_server.module_progress import MAX_UNITS, quizzes_of
from classroom_server.quiz_attempts import (
    AttemptsExhausted,
    attempts_of,
    quiz_with_unit,
    record_attempt,
)
from tests.conftest import DATABASES
from tests.office_hours_domain import OfficeWorld, office_world

QUESTION = {
    "id": "q1",
    "kind": "single",
    "prompt": "2 + 2?",
    "options": [{"id": "a", "text": "4", "correct": True}, {"id": "b", "text": "5"}],
}


@pytest.fixture(params=DATABASES)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OfficeWorld]:
    async with office_world(request.param, tmp_path) as made:
        yield made


async def module_of(world: OfficeWorld) -> Module:
    async with world.database.session() as session:
        module = await new_module(session, world.course_id, {"title": "Week 1"})
        await session.commit()
        return module


async def test_a_unit_points_only_to_the_courses_own_video_or_resource(
    world: OfficeWorld,
) -> None:
    module = await module_of(world)
    async with world.database.session() as session:
        other = Course(code="ELSE", title="Elsewhere")
        session.add(other)
        await session.flush()
        theirs = Video(course_id=other.id, title="Theirs")
        ours = Resource(course_id=world.course_id, title="Ours", kind="book", url="https://x.org")
        session.add_all([theirs, ours])
        await session.commit()
        with pytest.raises(NotInCourse, match=f"video {theirs.id} in this course"):
            await new_unit(session, module, {"kind": "video", "title": "V", "video_id": theirs.id})
        with pytest.raises(NotInCourse, match="resource 999999 in this course"):
            await new_unit(
                session, module, {"kind": "reading", "title": "R", "resource_id": 999999}
            )
        unit = await new_unit(
            session, module, {"kind": "reading", "title": "R", "resource_id": ours.id}
        )
        await session.commit()
    assert unit.resource_id == ours.id


async def test_a_module_holds_at_most_max_units(world: OfficeWorld) -> None:
    module = await module_of(world)
    async with world.database.session() as session:
        for n in range(MAX_UNITS):
            await new_unit(session, module, {"kind": "quiz", "title": f"Q{n}"}, None)
        await session.commit()
        with pytest.raises(TooManyUnits):
            await new_unit(session, module, {"kind": "quiz", "title": "one more"}, None)


async def test_an_open_course_needs_a_licence(world: OfficeWorld) -> None:
    module = await module_of(world)
    with pytest.raises(Unlicensed):
        edit_module(module, {"open_course": True})
    edit_module(module, {"open_course": True, "licence": "CC BY 4.0"})
    assert module.open_course and module.licence == "CC BY 4.0"


async def test_a_summative_quizs_attempts_are_limited_and_complete_the_unit(
    world: OfficeWorld,
) -> None:
    module = await module_of(world)
    student = world.students[0].id
    wrong = [Answer(question="q1", choices=["b"])]
    async with world.database.session() as session:
        quiz_unit = await new_unit(
            session,
            module,
            {"kind": "quiz", "title": "Check"},
            {"summative": True, "max_attempts": 2, "questions": [QUESTION]},
        )
        await session.commit()
        made = (await quizzes_of(session, [quiz_unit]))[quiz_unit.id]
        found = await quiz_with_unit(session, made.id)
        assert found is not None
        quiz, unit = found
        first = await record_attempt(session, quiz, unit, student, wrong, 0.8)
        assert (first.attempt.number, first.mastered, first.progress.state) == (
            1,
            False,
            "in_progress",
        )
        second = await record_attempt(session, quiz, unit, student, wrong, 0.8)
        assert (second.attempt.number, second.progress.state) == (2, "completed")
        await session.commit()
        with pytest.raises(AttemptsExhausted):
            await record_attempt(session, quiz, unit, student, wrong, 0.8)
        attempts, total = await attempts_of(session, quiz.id, student, 10, 0)
    assert total == 2 and [a.number for a in attempts] == [2, 1]
