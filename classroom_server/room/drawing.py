"""Vector annotations on the current page, the laser pointer, and who may draw."""

from __future__ import annotations

from sqlalchemy import select, update

from classroom_server.db import Annotation
from classroom_server.room.context import Actor, RoomContext, Settings
from classroom_server.room.outcome import Outcome, RoomError
from classroom_server.room.payloads import AnnotationAdd, Empty, LaserMove
from classroom_server.room.views import annotation_view


async def _drawable_page(ctx: RoomContext, actor: Actor) -> Settings:
    settings = await ctx.settings()
    if not await ctx.may_present(actor) and settings.annotations_locked:
        raise RoomError("locked", "the educator has not opened annotations to students")
    if settings.deck_id is None:
        raise RoomError("conflict", "no page is shown")
    return settings


async def add(ctx: RoomContext, actor: Actor, payload: AnnotationAdd) -> Outcome:
    settings = await _drawable_page(ctx, actor)
    assert settings.deck_id is not None
    annotation = Annotation(
        lecture_id=ctx.lecture_id,
        deck_id=settings.deck_id,
        page=settings.page,
        author_id=actor.user_id,
        shape=payload.model_dump(exclude_none=True),
    )
    async with ctx.database.session() as session:
        session.add(annotation)
        await session.commit()
    view = annotation_view(annotation)
    return Outcome(ack={"annotation": view}).emit("annotation:added", view)


async def undo(ctx: RoomContext, actor: Actor, _payload: Empty) -> Outcome:
    settings = await _drawable_page(ctx, actor)
    async with ctx.database.session() as session:
        latest = await session.scalar(
            select(Annotation)
            .where(
                Annotation.lecture_id == ctx.lecture_id,
                Annotation.deck_id == settings.deck_id,
                Annotation.page == settings.page,
                Annotation.author_id == actor.user_id,
                Annotation.removed.is_(False),
            )
            .order_by(Annotation.id.desc())
            .limit(1)
        )
        if latest is None:
            raise RoomError("not_found", "nothing of yours to undo on this page")
        latest.removed = True
        await session.commit()
    return Outcome(ack={"id": latest.id}).emit("annotation:removed", {"id": latest.id})


async def clear(ctx: RoomContext, actor: Actor, _payload: Empty) -> Outcome:
    if not await ctx.may_present(actor):
        raise RoomError("forbidden", "only the educator or a presenter clears a page")
    settings = await ctx.settings()
    async with ctx.database.session() as session:
        await session.execute(
            update(Annotation)
            .where(
                Annotation.lecture_id == ctx.lecture_id,
                Annotation.deck_id == settings.deck_id,
                Annotation.page == settings.page,
            )
            .values(removed=True)
        )
        await session.commit()
    page = {"deck_id": settings.deck_id, "page": settings.page}
    return Outcome().emit("annotation:cleared", page)


async def laser(ctx: RoomContext, actor: Actor, payload: LaserMove) -> Outcome:
    """Not stored: a pointer is only meaningful the moment it moves."""
    if not await ctx.may_present(actor):
        raise RoomError("forbidden", "only the educator or a presenter has the laser")
    data: dict[str, object] = {"user_id": actor.user_id}
    data.update({"hide": True} if payload.hide else {"x": payload.x, "y": payload.y})
    return Outcome().emit("laser:moved", data)
