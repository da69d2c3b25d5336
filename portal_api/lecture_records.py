"""What a lecture keeps after the room closes: its polls and its moderation log.

Closed polls stay with the lecture so an educator can look back at a class's answers (the
room itself shows only the open or latest published poll); the audit log answers "who
removed this student, and when" after the fact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import select

from classroom_server.db import Poll, PollVote
from classroom_server.db.paging import paginate
from classroom_server.policy import can_manage_course
from classroom_server.room.audit import audit_log
from classroom_server.room.polls import counts
from classroom_server.services import services
from classroom_server.web_auth import require_user
from portal_api.access import require_lecture
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import ListPage, Page

router = ApiRouter()


class PollOut(BaseModel):
    id: int
    question: str
    options: list[str]
    multiple: bool
    status: Literal["open", "closed", "published"]
    counts: list[int]
    total_voters: int
    my_choices: list[int] | None
    closed_at: datetime | None


class PollList(ListPage[PollOut]):
    pass


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_id: int
    actor_name: str | None
    action: str
    target_id: int | None
    details: dict[str, Any]


class AuditList(ListPage[AuditOut]):
    pass


def _tallies(polls: list[Poll], votes: list[PollVote], user_id: int) -> list[PollOut]:
    by_poll: dict[int, list[PollVote]] = {p.id: [] for p in polls}
    for vote in votes:
        by_poll[vote.poll_id].append(vote)
    mine = {v.poll_id: v.choices for v in votes if v.user_id == user_id}
    return [
        PollOut(
            id=p.id,
            question=p.question,
            options=p.options,
            multiple=p.multiple,
            status=p.status,
            counts=counts(p, by_poll[p.id]),
            total_voters=len(by_poll[p.id]),
            my_choices=mine.get(p.id),
            closed_at=p.closed_at,
        )
        for p in polls
    ]


@router.route("GET", "/lectures/{lecture_id}/polls", tag="lectures", query=Page, response=PollList)
async def get_polls(request: web.Request, query: Page) -> PollList:
    """The lecture's polls, oldest first: every one with its counts for the course's
    educators; for students, those whose results were published."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with services(request).database.session() as session:
        lecture = await require_lecture(session, user, lecture_id)
        where = select(Poll).where(Poll.lecture_id == lecture_id)
        if not await can_manage_course(session, user, lecture.course_id):
            where = where.where(Poll.status == "published")
        polls, total = await paginate(session, where.order_by(Poll.id), query.limit, query.offset)
        votes = list(
            await session.scalars(
                select(PollVote).where(PollVote.poll_id.in_([p.id for p in polls]))
            )
        )
    items = _tallies(polls, votes, user.id)
    return PollList.of(items, total, query)


@router.route("GET", "/lectures/{lecture_id}/audit", tag="lectures", query=Page, response=AuditList)
async def get_audit(request: web.Request, query: Page) -> AuditList:
    """The lecture's moderation log, oldest first, for the course's educators."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with services(request).database.session() as session:
        await require_lecture(session, user, lecture_id, manage=True)
        views, total = await audit_log(session, lecture_id, query.limit, query.offset)
    return AuditList.of(
        (AuditOut.model_validate(v, from_attributes=True) for v in views), total, query
    )
