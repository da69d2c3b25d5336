"""Courses and enrolments (the foundation; the portal issue extends them)."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.courses import (
    Conflict,
    create_course,
    enrol_username,
    get_course_view,
    list_courses,
    update_course,
)
from classroom_server.db import CourseRole, Database, Role
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem, not_found
from portal_api.access import require_course
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import CourseList, CourseOut, Page

router = ApiRouter()


class CourseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    language: Literal["en", "ar"] = "en"
    term: str = Field("", max_length=32)


class CourseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    language: Literal["en", "ar"] | None = None
    term: str | None = Field(None, max_length=32)


class EnrolmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    role: Literal["educator", "student"] = "student"


class EnrolmentOut(BaseModel):
    course_id: int
    user_id: int
    username: str
    role: Literal["educator", "student"]


@router.route("GET", "/courses", tag="courses", query=Page, response=CourseList)
async def get_courses(request: web.Request, query: Page, db: Database) -> CourseList:
    """Your courses (all courses for an admin)."""
    user = await require_user(request)
    async with db.session() as session:
        views, total = await list_courses(session, user, query.limit, query.offset)
    return CourseList.of(map(CourseOut.of, views), total, query)


@router.route(
    "POST",
    "/courses",
    tag="courses",
    body=CourseCreate,
    response=CourseOut,
    status=201,
    errors=(409,),
)
async def post_course(request: web.Request, body: CourseCreate, db: Database) -> CourseOut:
    """Create a course; an educator who creates one teaches it."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    async with db.session() as session:
        try:
            course = await create_course(session, user, **body.model_dump())
        except Conflict as exc:
            raise Problem(409, "conflict", "Conflict", str(exc)) from exc
        await session.commit()
        view = await get_course_view(session, user, course.id)
    assert view is not None
    return CourseOut.of(view)


@router.route("GET", "/courses/{course_id}", tag="courses", response=CourseOut)
async def get_course(request: web.Request, db: Database) -> CourseOut:
    """One course you teach or take."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id)
        view = await get_course_view(session, user, course_id)
    assert view is not None
    return CourseOut.of(view)


@router.route(
    "POST",
    "/courses/{course_id}/enrolments",
    tag="courses",
    body=EnrolmentCreate,
    response=EnrolmentOut,
    status=201,
    errors=(409,),
)
async def post_enrolment(request: web.Request, body: EnrolmentCreate, db: Database) -> EnrolmentOut:
    """Enrol a user by username (educators of the course and admins)."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(
            session,
            user,
            course_id,
            manage=True,
            denied="Only the course's educators may enrol people",
        )
        try:
            member = await enrol_username(session, course_id, body.username, CourseRole(body.role))
        except Conflict as exc:
            raise Problem(409, "conflict", "Conflict", str(exc)) from exc
        if member is None:
            raise not_found(f"user {body.username!r}")
        await session.commit()
    return EnrolmentOut(
        course_id=course_id, user_id=member.id, username=member.username, role=body.role
    )


@router.route("PATCH", "/courses/{course_id}", tag="courses", body=CourseUpdate, response=CourseOut)
async def patch_course(request: web.Request, body: CourseUpdate, db: Database) -> CourseOut:
    """Edit a course you teach."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        course = await require_course(
            session, user, course_id, manage=True, denied="Only the course's educators edit it"
        )
        update_course(course, body.model_dump(exclude_none=True))
        await session.commit()
        view = await get_course_view(session, user, course_id)
    assert view is not None
    return CourseOut.of(view)
