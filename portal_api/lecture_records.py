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

from classroom_server.db import Database
from classroom_server.lecture_polls import PollTally, lecture_polls
from classroom_server.lecture_transcripts import drawings, public_chat
from classroom_server.room.audit import audit_log
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

    @classmethod
    def of(cls, tally: PollTally) -> PollOut:
        poll = tally.poll
        return cls(
            id=poll.id,
            question=poll.question,
            options=poll.options,
            multiple=poll.multiple,
            status=poll.status,
            counts=tally.counts,
            total_voters=tally.total_voters,
            my_choices=tally.my_choices,
            closed_at=poll.closed_at,
        )


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


@router.route("GET", "/lectures/{lecture_id}/polls", tag="lectures", query=Page, response=PollList)
async def get_polls(request: web.Request, query: Page, db: Database) -> PollList:
    """The lecture's polls, oldest first: every one with its counts for the course's
    educators; for students, those whose results were published."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id)
        tallies, total = await lecture_polls(session, user, lecture, query.limit, query.offset)
    return PollList.of(map(PollOut.of, tallies), total, query)


@router.route("GET", "/lectures/{lecture_id}/audit", tag="lectures", query=Page, response=AuditList)
async def get_audit(request: web.Request, query: Page, db: Database) -> AuditList:
    """The lecture's moderation log, oldest first, for the course's educators."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        await require_lecture(session, user, lecture_id, manage=True)
        views, total = await audit_log(session, lecture_id, query.limit, query.offset)
    return AuditList.of(
        (AuditOut.model_validate(v, from_attributes=True) for v in views), total, query
    )


class ChatLine(BaseModel):
    id: int
    sender_id: int
    sender_name: str
    text: str
    sent_at: datetime


class ChatTranscript(ListPage[ChatLine]):
    pass


class DrawingOut(BaseModel):
    id: int
    deck_id: int
    page: int
    author_id: int
    shape: dict[str, Any]
    created_at: datetime


class DrawingList(BaseModel):
    """Every drawing still on the room's pages, in the order drawn (at most 5000)."""

    items: list[DrawingOut]


@router.route(
    "GET", "/lectures/{lecture_id}/chat", tag="lectures", query=Page, response=ChatTranscript
)
async def get_chat(request: web.Request, query: Page, db: Database) -> ChatTranscript:
    """The room's public chat, oldest first, for the course's educators (a breakout group's
    chat is read here after the group is back)."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        await require_lecture(session, user, lecture_id, manage=True)
        lines, total = await public_chat(session, lecture_id, query.limit, query.offset)
    return ChatTranscript.of((ChatLine(**line) for line in lines), total, query)


@router.route("GET", "/lectures/{lecture_id}/annotations", tag="lectures", response=DrawingList)
async def get_annotations(request: web.Request, db: Database) -> DrawingList:
    """The room's whiteboard and slide drawings, for the course's educators; each page's
    picture is ``/decks/{deck_id}/pages/{page}``."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        await require_lecture(session, user, lecture_id, manage=True)
        found = await drawings(session, lecture_id)
    return DrawingList(items=[DrawingOut(**d) for d in found])
