"""Which deck and page everyone sees; the whiteboard deck is always there."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from classroom_server.db import Annotation, Deck, Lecture, RoomSettings
from classroom_server.room.context import Actor, RoomContext, Settings
from classroom_server.room.outcome import Outcome, RoomError
from classroom_server.room.payloads import SlideShow
from classroom_server.room.views import annotation_view, deck_view

WHITEBOARD_PAGES = 20


async def create_whiteboard(session: AsyncSession, lecture_id: int) -> Deck:
    """Every lecture starts on a blank whiteboard, so there is always something to draw on."""
    deck = Deck(
        lecture_id=lecture_id,
        title="Whiteboard",
        kind="whiteboard",
        page_count=WHITEBOARD_PAGES,
        status="ready",
        progress=100,
    )
    session.add(deck)
    await session.flush()
    session.add(RoomSettings(lecture_id=lecture_id, deck_id=deck.id, page=1))
    return deck


def _in_room(lecture_id: int) -> ColumnElement[bool]:
    """The lecture's own decks, and its course's presentation library (ready decks)."""
    course = select(Lecture.course_id).where(Lecture.id == lecture_id).scalar_subquery()
    library = Deck.lecture_id.is_(None) & (Deck.course_id == course) & (Deck.status == "ready")
    return (Deck.lecture_id == lecture_id) | library


async def decks(ctx: RoomContext, ready_only: bool) -> list[dict[str, Any]]:
    # The lecture's own decks first (its whiteboard leads), then its course's library.
    query = select(Deck).where(_in_room(ctx.lecture_id))
    query = query.order_by(Deck.lecture_id.is_(None), Deck.id)
    if ready_only:
        query = query.where(Deck.status == "ready")
    async with ctx.database.session() as session:
        return [deck_view(d) for d in await session.scalars(query)]


async def page_annotations(ctx: RoomContext, settings: Settings) -> list[dict[str, Any]]:
    if settings.deck_id is None:
        return []
    async with ctx.database.session() as session:
        rows = await session.scalars(
            select(Annotation)
            .where(
                Annotation.lecture_id == ctx.lecture_id,
                Annotation.deck_id == settings.deck_id,
                Annotation.page == settings.page,
                Annotation.removed.is_(False),
            )
            .order_by(Annotation.id)
        )
        return [annotation_view(a) for a in rows]


async def show(ctx: RoomContext, actor: Actor, payload: SlideShow) -> Outcome:
    if not await ctx.may_present(actor):
        raise RoomError("forbidden", "only the educator or a presenter changes slides")
    async with ctx.database.session() as session:
        deck = await session.scalar(
            select(Deck).where(Deck.id == payload.deck_id, _in_room(ctx.lecture_id))
        )
        if deck is None or deck.status != "ready":
            raise RoomError("not_found", "no such deck in this lecture")
        if payload.page > deck.page_count:
            raise RoomError("not_found", f"the deck has {deck.page_count} pages")
        settings = await ctx.settings()
        settings.deck_id, settings.page = deck.id, payload.page
        await ctx.save_settings(session, settings)
    page = {
        "deck_id": deck.id,
        "page": payload.page,
        "annotations": await page_annotations(ctx, settings),
    }
    return Outcome().emit("slides:page", page)
