"""Public and private chat, with deletion and a lock for students."""

from __future__ import annotations

from sqlalchemy import or_, select, update

from classroom_server.db import ChatMessage, User
from classroom_server.policy import lecture_course_role
from classroom_server.room.audit import audit
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import Outcome, RoomError, users
from classroom_server.room.payloads import ById, ChatSend
from classroom_server.room.store import Person
from classroom_server.room.views import chat_view

HISTORY = 100


async def send(ctx: RoomContext, actor: Actor, payload: ChatSend) -> Outcome:
    settings = await ctx.settings()
    async with ctx.database.session() as session:
        recipient = None
        if payload.to is not None:
            recipient = await session.get(User, payload.to)
            role = await lecture_course_role(session, ctx.lecture_id, payload.to)
            if recipient is None or role is None or payload.to == actor.user_id:
                raise RoomError("not_found", "no such participant to write to")
            if not actor.is_educator and role != "educator":
                raise RoomError("forbidden", "students write privately to educators only")
        elif settings.chat_locked and not actor.is_educator:
            raise RoomError("locked", "the educator has locked public chat")
        message = ChatMessage(
            lecture_id=ctx.lecture_id,
            sender_id=actor.user_id,
            recipient_id=payload.to,
            text=payload.text,
        )
        session.add(message)
        await session.commit()
    people: dict[int, Person] = {actor.user_id: (actor.name, actor.role)}
    if recipient is not None:
        people[recipient.id] = (recipient.display_name, recipient.role)
    view = chat_view(message, people)
    outcome = Outcome(ack={"message": view})
    to = users(actor.user_id, recipient.id) if recipient else None
    return outcome.emit("chat:message", view, to) if to else outcome.emit("chat:message", view)


async def history(ctx: RoomContext, user_id: int) -> list[dict[str, object]]:
    """The last messages this user may see: public ones and their own private ones."""
    async with ctx.database.session() as session:
        rows = list(
            await session.scalars(
                select(ChatMessage)
                .where(
                    ChatMessage.lecture_id == ctx.lecture_id,
                    ChatMessage.deleted.is_(False),
                    or_(
                        ChatMessage.recipient_id.is_(None),
                        ChatMessage.sender_id == user_id,
                        ChatMessage.recipient_id == user_id,
                    ),
                )
                .order_by(ChatMessage.id.desc())
                .limit(HISTORY)
            )
        )
        ids = {m.sender_id for m in rows} | {m.recipient_id for m in rows if m.recipient_id}
        found = await session.scalars(select(User).where(User.id.in_(ids)))
        people = {u.id: (u.display_name, u.role) for u in found}
    return [chat_view(m, people) for m in reversed(rows)]


async def delete(ctx: RoomContext, actor: Actor, payload: ById) -> Outcome:
    async with ctx.database.session() as session:
        result = await session.execute(
            update(ChatMessage)
            .where(
                ChatMessage.id == payload.id,
                ChatMessage.lecture_id == ctx.lecture_id,
                ChatMessage.deleted.is_(False),
            )
            .values(deleted=True)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise RoomError("not_found", "no such message")
        audit(session, ctx, actor, "chat_delete", None, {"message_id": payload.id})
        await session.commit()
    return Outcome().emit("chat:deleted", {"id": payload.id})
