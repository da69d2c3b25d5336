"""How BBB's meetings, LMS contexts and users map onto lectures, courses and accounts, on a
real database (SQLite and PostgreSQL): a course per LMS context, one account per LMS userID,
roles from the join, a new lecture once the last one ended, metadata that stay XML-safe."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from classroom_server.db import Course, CourseRole, Database, Enrolment, upgrade
from classroom_server.users import NO_PASSWORD
from portal_api.bbb.answers import Failed
from portal_api.bbb.meetings import (
    CreateRequest,
    admit,
    create_meeting,
    end_meeting,
    join_role,
    meeting_id_of,
    metadata_of,
)
from tests.conftest import DATABASES, run_postgres_url, scratch_postgres


@pytest.fixture(params=DATABASES)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "postgresql":
        db = Database(await scratch_postgres(run_postgres_url("bbb_meetings")))
    else:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bbb.sqlite3'}")
    await upgrade(db)
    yield db
    await db.close()


def ask(meeting_id: str, **params: str) -> CreateRequest:
    return CreateRequest.of(
        {"meetingID": meeting_id, "attendeePW": "ap", "moderatorPW": "mp", **params}
    )


async def test_a_course_per_lms_context(database: Database) -> None:
    async with database.session() as session:
        a, _ = await create_meeting(
            session,
            ask(
                "a",
                **{
                    "meta_bbb-context-id": "7",
                    "meta_bbb-context-name": "Algebra",
                    "meta_bbb-origin-server-name": "one.example",
                },
            ),
        )
        b, _ = await create_meeting(
            session,
            ask("b", **{"meta_bbb-context-id": "7", "meta_bbb-origin-server-name": "one.example"}),
        )
        other_lms, _ = await create_meeting(
            session,
            ask("c", **{"meta_bbb-context-id": "7", "meta_bbb-origin-server-name": "two.example"}),
        )
        loose, _ = await create_meeting(session, ask("d"))
        await session.commit()
        assert a.lecture.course_id == b.lecture.course_id
        assert other_lms.lecture.course_id != a.lecture.course_id
        assert loose.lecture.course_id not in (a.lecture.course_id, other_lms.lecture.course_id)
        titles = {c.id: c.title for c in await session.scalars(select(Course))}
        assert titles[a.lecture.course_id] == "Algebra"
        assert titles[loose.lecture.course_id] == "LMS meetings"


async def test_same_meeting_until_it_ends(database: Database) -> None:
    async with database.session() as session:
        first, existed = await create_meeting(session, ask("m", name="Week 1"))
        assert not existed
        again, existed = await create_meeting(session, ask("m", name="ignored"))
        assert existed and again.lecture.id == first.lecture.id
        end_meeting(first)
        await session.flush()
        after, existed = await create_meeting(session, ask("m"))
        assert not existed and after.lecture.id != first.lecture.id
        await session.commit()


async def test_one_account_per_lms_user_and_roles_from_the_join(database: Database) -> None:
    async with database.session() as session:
        meeting, _ = await create_meeting(session, ask("m"))
        assert join_role(meeting, {"password": "ap"}) == CourseRole.STUDENT
        assert join_role(meeting, {"password": "mp"}) == CourseRole.EDUCATOR
        assert join_role(meeting, {"role": "moderator", "password": "ap"}) == CourseRole.EDUCATOR
        with pytest.raises(Failed) as refused:
            join_role(meeting, {"password": "wrong"})
        assert refused.value.key == "invalidPassword"

        student = await admit(
            session, meeting, {"fullName": "Ann", "userID": "42"}, CourseRole.STUDENT
        )
        assert student.role == "student"
        assert student.password_hash == NO_PASSWORD, "an LMS's user has no password to hash"
        assert meeting.running and meeting.row.user_joined
        promoted = await admit(
            session, meeting, {"fullName": "Ann B.", "userID": "42"}, CourseRole.EDUCATOR
        )
        assert promoted.id == student.id
        assert (promoted.role, promoted.display_name) == ("educator", "Ann B.")
        enrolment = await session.scalar(select(Enrolment).where(Enrolment.user_id == student.id))
        assert enrolment is not None and enrolment.role == "educator"
        promoted.disabled = True
        with pytest.raises(Failed) as refused:
            await admit(session, meeting, {"fullName": "Ann", "userID": "42"}, CourseRole.STUDENT)
        assert refused.value.key == "accountDisabled"
        elsewhere, _ = await create_meeting(
            session, ask("n", **{"meta_bbb-origin-server-name": "two.example"})
        )
        other_lms_user = await admit(
            session, elsewhere, {"fullName": "Bob", "userID": "42"}, CourseRole.STUDENT
        )
        assert other_lms_user.id != student.id
        guest_a = await admit(session, meeting, {"fullName": "Guest"}, CourseRole.STUDENT)
        guest_b = await admit(session, meeting, {"fullName": "Guest"}, CourseRole.STUDENT)
        assert guest_a.id != guest_b.id
        with pytest.raises(Failed) as refused:
            await admit(session, meeting, {"userID": "42"}, CourseRole.STUDENT)
        assert refused.value.key == "missingParameter"
        end_meeting(meeting)
        with pytest.raises(Failed) as refused:
            await admit(session, meeting, {"fullName": "Late"}, CourseRole.STUDENT)
        assert refused.value.key == "meetingForciblyEnded"
        await session.commit()


def test_meeting_ids_and_metadata() -> None:
    assert meeting_id_of({"meetingID": "abc-123"}) == "abc-123"
    for bad in ({}, {"meetingID": ""}):
        with pytest.raises(Failed) as refused:
            meeting_id_of(bad)
        assert refused.value.key == "missingParameter"
    for bad_id in ("x" * 257, "a\nb"):
        with pytest.raises(Failed) as refused:
            meeting_id_of({"meetingID": bad_id})
        assert refused.value.key == "invalidMeetingIdentifier"
    meta = metadata_of(
        {"meta_Bbb-Context": "x", "meta_1bad": "y", "meta_a b": "z", "meta_<x>": "w", "name": "n"}
    )
    assert meta == {"bbb-context": "x"}
