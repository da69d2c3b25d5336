"""Live captions: the educator assigns captioners, and caption sources send lines.

A final line is kept (the last few come back in ``room:state``), goes to everyone as
``caption:line`` and, through the recorder's timeline, into the video's WebVTT track; a line
that is not final is a typing preview (``caption:preview``), shown in place and not kept.
Who produces lines is a ``CaptionSource`` (``caption_source``): a typing person today.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from classroom_server.db import CaptionLine, User
from classroom_server.policy import lecture_course_role
from classroom_server.room.audit import audit
from classroom_server.room.caption_source import CaptionSource, CaptionText, HumanCaptioner
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import Outcome, RoomError
from classroom_server.room.payloads import CaptionAssign, CaptionSend
from classroom_server.room.views import iso

KEPT_LINES = 5
"""Final lines a (re)joining viewer sees at once: enough to catch up a sentence or two."""


def line_view(line: CaptionLine, name: str | None) -> dict[str, Any]:
    return {
        "id": line.id,
        "user_id": line.author_id,
        "name": name,
        "source": line.source,
        "text": line.text,
        "lang": line.lang,
        "at": iso(line.said_at),
    }


async def captioners(ctx: RoomContext) -> list[int]:
    return sorted(await ctx.store.flagged(ctx.lecture_id, "captioner"))


async def assign(ctx: RoomContext, actor: Actor, payload: CaptionAssign) -> Outcome:
    """Names (or stops) a student as a captioner; educators caption without being named."""
    async with ctx.database.session() as session:
        user = await session.get(User, payload.user_id)
        role = await lecture_course_role(session, ctx.lecture_id, payload.user_id)
        if user is None or role is None:
            raise RoomError("not_found", "no such participant")
        if role == "educator":
            raise RoomError("invalid", "educators caption without being assigned")
        details = {"captioner": payload.captioner}
        audit(session, ctx, actor, "caption_assign", user.id, details)
        await ctx.save_flag(session, "captioner", user.id, payload.captioner)
    view = {"user_ids": await captioners(ctx)}
    return Outcome(ack=dict(view)).emit("caption:captioners", view)


async def publish(ctx: RoomContext, source: CaptionSource, said: CaptionText) -> Outcome:
    """The one path of every caption source into the room (see ``caption_source``)."""
    await source.authorize(ctx)
    if not said.final:
        preview = {"user_id": source.user_id, "name": source.name, "source": source.kind,
                   "text": said.text, "lang": said.lang}  # fmt: skip
        return Outcome().emit("caption:preview", preview)
    async with ctx.database.session() as session:
        line = CaptionLine(
            lecture_id=ctx.lecture_id,
            author_id=source.user_id,
            source=source.kind,
            text=said.text,
            lang=said.lang,
        )
        session.add(line)
        await session.commit()
    view = line_view(line, source.name)
    return Outcome(ack={"line": view}).emit("caption:line", view)


async def send(ctx: RoomContext, actor: Actor, payload: CaptionSend) -> Outcome:
    said = CaptionText(payload.text, payload.final, payload.lang)
    return await publish(ctx, HumanCaptioner(actor), said)


async def recent(ctx: RoomContext) -> list[dict[str, Any]]:
    """The last final lines, oldest first."""
    async with ctx.database.session() as session:
        rows = list(
            await session.scalars(
                select(CaptionLine)
                .where(CaptionLine.lecture_id == ctx.lecture_id)
                .order_by(CaptionLine.id.desc())
                .limit(KEPT_LINES)
            )
        )
        authors = {line.author_id for line in rows if line.author_id is not None}
        found = await session.execute(
            select(User.id, User.display_name).where(User.id.in_(authors))
        )
        names = {user_id: name for user_id, name in found}
    return [
        line_view(line, names.get(line.author_id) if line.author_id else None)
        for line in reversed(rows)
    ]


async def state(ctx: RoomContext) -> dict[str, Any]:
    """What ``room:state`` carries: who captions, and the last lines said."""
    return {"captioners": await captioners(ctx), "lines": await recent(ctx)}
