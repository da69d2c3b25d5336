"""A course on a real database (each of ``QOU_TEST_DATABASES``) with its educator, students, an
admin and someone from another course: for tests of the office-hours rules without a server."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from classroom_server.db import Course, CourseRole, Database, Enrolment, Role, User, upgrade
from tests.conftest import run_postgres_url, scratch_postgres


@dataclass(frozen=True)
class OfficeWorld:
    database: Database
    course_id: int
    educator: User
    students: tuple[User, User, User]
    admin: User
    outsider: User
    """A student of another course."""


async def _user(database: Database, name: str, role: Role, course_id: int | None) -> User:
    async with database.session() as session:
        user = User(
            username=f"{name}-{secrets.token_hex(3)}",
            password_hash="-",
            display_name=name,
            role=role.value,
            time_zone="America/Chicago",
        )
        session.add(user)
        await session.flush()
        if course_id is not None:
            course_role = CourseRole.EDUCATOR if role == Role.EDUCATOR else CourseRole.STUDENT
            session.add(Enrolment(course_id=course_id, user_id=user.id, role=course_role.value))
        await session.commit()
    return user


@contextlib.asynccontextmanager
async def office_world(kind: str, tmp_path: Path) -> AsyncIterator[OfficeWorld]:
    """``kind`` is "sqlite" or "postgresql" (emptied first, so each test starts from nothing)."""
    if kind == "postgresql":
        database = Database(await scratch_postgres(run_postgres_url("office_hours")))
    else:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'office.sqlite3'}")
    await upgrade(database)
    try:
        async with database.session() as session:
            course, other = Course(code="OH1", title="Course"), Course(code="OH2", title="Other")
            session.add_all([course, other])
            await session.commit()
        world = OfficeWorld(
            database=database,
            course_id=course.id,
            educator=await _user(database, "Educator", Role.EDUCATOR, course.id),
            students=(
                await _user(database, "Amal", Role.STUDENT, course.id),
                await _user(database, "Basel", Role.STUDENT, course.id),
                await _user(database, "Dina", Role.STUDENT, course.id),
            ),
            admin=await _user(database, "Admin", Role.ADMIN, None),
            outsider=await _user(database, "Outsider", Role.STUDENT, other.id),
        )
        yield world
    finally:
        await database.close()
