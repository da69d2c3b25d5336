"""The demo course a newcomer sees after ``qou-classroom demo``.

Running it again resets the demo accounts' passwords and prints them anew, rather than failing
on what already exists: the printed logins must always work.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.courses import create_course, enrol
from classroom_server.db import Course, CourseRole, Enrolment, Role, User
from classroom_server.users import create_user, find_user, set_password

COURSE_CODE = "OL101"
COURSE_TITLE = "Introduction to Open Learning"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    language: str
    time_zone: str


ACCOUNTS = (
    DemoAccount("educator", "Dr. Amal Haddad", Role.EDUCATOR, "en", "Asia/Hebron"),
    DemoAccount("student1", "Lina Saleh", Role.STUDENT, "ar", "Europe/Berlin"),
    DemoAccount("student2", "Omar Khalil", Role.STUDENT, "en", "America/Chicago"),
    DemoAccount("student3", "Yara Nasser", Role.STUDENT, "ar", "Asia/Dubai"),
)


async def seed_demo(
    session: AsyncSession, password: str | None = None
) -> list[tuple[DemoAccount, str]]:
    logins = []
    users: dict[str, User] = {}
    for account in ACCOUNTS:
        secret = password or secrets.token_urlsafe(9)
        user = await find_user(session, account.username)
        if user is None:
            user = await create_user(
                session,
                account.username,
                secret,
                account.role,
                account.display_name,
                account.language,
                account.time_zone,
            )
        else:
            await set_password(session, user, secret)  # and ends the old sessions
        users[account.username] = user
        logins.append((account, secret))
    course = await session.scalar(select(Course).where(Course.code == COURSE_CODE))
    if course is None:
        course = await create_course(
            session,
            users["educator"],
            COURSE_CODE,
            COURSE_TITLE,
            description="How to learn well online: tools, habits and the QOU virtual classroom.",
            language="en",
            term="2026-2027 Fall",
        )
    enrolled = set(
        await session.scalars(select(Enrolment.user_id).where(Enrolment.course_id == course.id))
    )
    for account in ACCOUNTS:
        user = users[account.username]
        if user.id not in enrolled:
            await enrol(session, course.id, user, CourseRole(account.role.value))
    await session.commit()
    return logins
