"""How an LTI platform's users, roles and contexts map onto accounts, course roles and courses
(the same rules as the BBB API's, docs/lms.md):

- an account per (issuer, ``sub``), made on first sight (username ``lti-<hash>``, no password:
  it only enters through the LMS, and a roster of hundreds costs no password hashing), renamed
  on each launch;
- Instructor, Administrator, ContentDeveloper or TeachingAssistant (context, institution or
  system role) make the person the course's educator (a student account becomes an educator
  account); anyone else is a student;
- a course per (issuer, context id), code ``lti-<hash>``, titled by the context's title.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import (
    Course,
    CourseRole,
    Enrolment,
    LtiContext,
    LtiUser,
    Role,
    User,
    add_unique,
)
from classroom_server.users import UsernameTaken, create_user, find_user

TEACHING_ROLES = ("Instructor", "Administrator", "ContentDeveloper", "TeachingAssistant")


class LinkRace(Exception):
    """Another launch of the same person or context is being linked at this moment."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def course_role(roles: Iterable[str]) -> CourseRole:
    """LIS role URIs (``...membership#Instructor``, ``...institution/person#Administrator``)
    or, as LTI 1.1 and some platforms send, their short names."""
    for role in roles:
        name = role.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name in TEACHING_ROLES:
            return CourseRole.EDUCATOR
    return CourseRole.STUDENT


async def _linked(session: AsyncSession, issuer: str, sub: str) -> User | None:
    return await session.scalar(
        select(User)
        .join(LtiUser, LtiUser.user_id == User.id)
        .where(LtiUser.issuer == issuer, LtiUser.sub == sub[:256])
    )


async def linked_account(
    session: AsyncSession, issuer: str, sub: str, name: str, role: CourseRole
) -> User:
    """The account of the issuer's user ``sub``, made and linked on first sight, renamed to
    ``name``; the caller commits. A simultaneous launch or roster sync that linked the person
    first wins, and its account is the one answered (LinkRace only if it cannot be read)."""
    user = await _linked(session, issuer, sub)
    if user is None:
        username = f"lti-{_digest(f'{issuer}|{sub}')[:24]}"
        account_role = Role.EDUCATOR if role == CourseRole.EDUCATOR else Role.STUDENT
        try:
            user = await create_user(session, username, None, account_role)
        except UsernameTaken:  # made by a launch whose link was lost: link it now
            user = await find_user(session, username)
            assert user is not None
        if not await add_unique(session, LtiUser(user_id=user.id, issuer=issuer, sub=sub[:256])):
            user = await _linked(session, issuer, sub)
            if user is None:
                raise LinkRace("another launch of this user is under way; try again")
    user.display_name = name[:120]
    if role == CourseRole.EDUCATOR and user.role == Role.STUDENT.value:
        user.role = Role.EDUCATOR.value
    return user


async def linked_context(
    session: AsyncSession, platform_id: int, issuer: str, context_id: str, title: str
) -> LtiContext:
    """The context's link to a course, both made on its first launch, and tied to the
    registration ``platform_id`` that launched it last; the caller commits."""
    context = await session.scalar(
        select(LtiContext).where(LtiContext.issuer == issuer, LtiContext.context_id == context_id)
    )
    if context is not None:
        context.platform_id = platform_id
        return context
    code = f"lti-{_digest(f'{issuer}|{context_id}')[:16]}"
    course = await session.scalar(select(Course).where(Course.code == code))
    if course is None:
        course = Course(
            code=code, title=(title or context_id)[:200], description="An LMS course (LTI)"
        )
        if not await add_unique(session, course):
            raise LinkRace("another launch of this course is under way; try again")
    context = LtiContext(
        issuer=issuer,
        platform_id=platform_id,
        context_id=context_id[:256],
        course_id=course.id,
        ags_scopes=[],
    )
    if not await add_unique(session, context):
        raise LinkRace("another launch of this course is under way; try again")
    return context


async def enrol(session: AsyncSession, course_id: int, user: User, role: CourseRole) -> None:
    """Enrols ``user`` with ``role`` (the LMS's role wins over an earlier one); the caller
    commits."""
    enrolment = await session.scalar(
        select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.user_id == user.id)
    )
    if enrolment is None:
        enrolment = Enrolment(course_id=course_id, user_id=user.id, role=role.value)
        if not await add_unique(session, enrolment):
            raise LinkRace("another launch of this user is under way; try again")
    enrolment.role = role.value


async def context_of_course(session: AsyncSession, course_id: int) -> LtiContext | None:
    return await session.scalar(select(LtiContext).where(LtiContext.course_id == course_id))
