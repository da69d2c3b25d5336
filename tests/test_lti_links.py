"""How a platform's people and contexts map onto ours (classroom_server/lti_links.py), on a
real database: teaching roles make educators, one account per (platform, sub), one course per
(platform, context), and the LMS's role wins on each enrolment."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from classroom_server.db import Course, CourseRole, Database, Enrolment, Role
from classroom_server.lti_links import (
    context_of_course,
    course_role,
    enrol,
    linked_account,
    linked_context,
)
from classroom_server.lti_platforms import add_platform
from classroom_server.security.passwords import verify_password
from classroom_server.users import NO_PASSWORD
from tests.test_lti_platforms import GOOD, database  # noqa: F401  (the fixture)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([LIS + "membership#Instructor"], CourseRole.EDUCATOR),
        ([LIS + "institution/person#Administrator"], CourseRole.EDUCATOR),
        ([LIS + "membership/Instructor#TeachingAssistant"], CourseRole.EDUCATOR),
        (["ContentDeveloper"], CourseRole.EDUCATOR),
        ([LIS + "membership#Learner"], CourseRole.STUDENT),
        ([LIS + "institution/person#Student", LIS + "membership#Mentor"], CourseRole.STUDENT),
        ([], CourseRole.STUDENT),
    ],
)
def test_teaching_roles_make_educators(roles: list[str], expected: CourseRole) -> None:
    assert course_role(roles) == expected


async def test_people_and_contexts_are_linked_once(database: Database) -> None:  # noqa: F811
    async with database.session() as session:
        platform = await add_platform(session, GOOD)
        student = await linked_account(session, GOOD.issuer, "42", "Amal", CourseRole.STUDENT)
        again = await linked_account(session, GOOD.issuer, "42", "Amal H.", CourseRole.EDUCATOR)
        assert again.id == student.id
        assert (again.display_name, again.role) == ("Amal H.", Role.EDUCATOR.value)
        assert again.username.startswith("lti-")
        assert not verify_password(again.password_hash, "")  # no password opens it
        assert not verify_password(again.password_hash, NO_PASSWORD)

        context = await linked_context(session, platform.id, GOOD.issuer, "c-7", "Physics")
        assert (
            await linked_context(session, platform.id, GOOD.issuer, "c-7", "Renamed")
        ).id == context.id
        course = await session.get(Course, context.course_id)
        assert course is not None and course.title == "Physics"
        found = await context_of_course(session, course.id)
        assert found is not None and found.id == context.id

        await enrol(session, course.id, student, CourseRole.STUDENT)
        await enrol(session, course.id, student, CourseRole.EDUCATOR)
        await session.commit()
        roles = (
            await session.scalars(select(Enrolment.role).where(Enrolment.course_id == course.id))
        ).all()
        assert roles == [CourseRole.EDUCATOR.value]
