"""Breakout groups over REST: the plan prepared before the lecture, and the groups afterwards
with what each kept (its chat and whiteboard, read through ``lecture_records``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from classroom_server.breakout_plans import (
    NotEnrolled,
    course_students,
    load_plan,
    past_breakouts,
    save_plan,
)
from classroom_server.db import Database
from classroom_server.room.payloads import MAX_GROUPS, BreakoutGroupPlan, check_groups
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem
from portal_api.access import require_lecture
from portal_api.router import ApiRouter, path_id

router = ApiRouter()


class BreakoutPlanIn(BaseModel):
    """Groups by name, each with the user ids of enrolled students; a student in one only."""

    model_config = ConfigDict(extra="forbid")

    groups: Annotated[list[BreakoutGroupPlan], Field(min_length=1, max_length=MAX_GROUPS)]

    @model_validator(mode="after")
    def _distinct(self) -> BreakoutPlanIn:
        check_groups(self.groups)
        return self


class StudentOut(BaseModel):
    user_id: int
    name: str


class BreakoutPlanOut(BaseModel):
    """The lecture's prepared groups (empty when none were saved), and the course's students
    a plan may place (by name, at most 2000)."""

    lecture_id: int
    groups: list[BreakoutGroupPlan]
    students: list[StudentOut]


class BreakoutMemberOut(BaseModel):
    user_id: int
    name: str


class BreakoutGroupOut(BaseModel):
    number: int
    name: str
    lecture_id: int
    members: list[BreakoutMemberOut]
    chat_url: str
    annotations_url: str


class BreakoutOut(BaseModel):
    id: int
    mode: str
    record: bool
    started_at: datetime
    ends_at: datetime
    ended_at: datetime | None
    groups: list[BreakoutGroupOut]


class BreakoutList(BaseModel):
    """The lecture's breakouts, newest first (at most 50)."""

    items: list[BreakoutOut]


def _not_enrolled(exc: NotEnrolled) -> Problem:
    return Problem(
        422,
        "validation_error",
        "Invalid request",
        "Every member must be a student of the course",
        errors=[
            {"location": ["body", "groups"], "message": f"user {u} is not", "type": "enrolment"}
            for u in exc.user_ids
        ],
    )


@router.route(
    "PUT",
    "/lectures/{lecture_id}/breakout-plan",
    tag="lectures",
    body=BreakoutPlanIn,
    response=BreakoutPlanOut,
)
async def put_breakout_plan(
    request: web.Request, body: BreakoutPlanIn, db: Database
) -> BreakoutPlanOut:
    """Save the breakout groups prepared for a lecture (the course's educators)."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id, manage=True)
        try:
            await save_plan(session, lecture.id, lecture.course_id, body.groups)
        except NotEnrolled as exc:
            raise _not_enrolled(exc) from None
        await session.commit()
        students = await course_students(session, lecture.course_id)
    return BreakoutPlanOut(lecture_id=lecture_id, groups=body.groups, students=students)


@router.route(
    "GET", "/lectures/{lecture_id}/breakout-plan", tag="lectures", response=BreakoutPlanOut
)
async def get_breakout_plan(request: web.Request, db: Database) -> BreakoutPlanOut:
    """The breakout groups prepared for a lecture (the course's educators)."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id, manage=True)
        groups = await load_plan(session, lecture_id) or []
        students = await course_students(session, lecture.course_id)
    return BreakoutPlanOut(lecture_id=lecture_id, groups=groups, students=students)


def _group_out(group: dict[str, Any]) -> BreakoutGroupOut:
    child = group["lecture_id"]
    return BreakoutGroupOut(
        **group,
        chat_url=f"/api/v1/lectures/{child}/chat",
        annotations_url=f"/api/v1/lectures/{child}/annotations",
    )


@router.route("GET", "/lectures/{lecture_id}/breakouts", tag="lectures", response=BreakoutList)
async def get_breakouts(request: web.Request, db: Database) -> BreakoutList:
    """A lecture's breakout groups with their members, and where each group's chat and
    whiteboard are kept (the course's educators)."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        await require_lecture(session, user, lecture_id, manage=True)
        found = await past_breakouts(session, lecture_id)
    items = [BreakoutOut(**{**b, "groups": [_group_out(g) for g in b["groups"]]}) for b in found]
    return BreakoutList(items=items)
