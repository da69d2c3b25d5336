"""Polls: one open at a time, one vote per student, counts for educators until published."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from classroom_server.db import Poll, PollVote, add_unique
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import EDUCATORS, Outcome, RoomError
from classroom_server.room.payloads import PollOpen, PollRef
from classroom_server.room.payloads import PollVote as PollVotePayload
from classroom_server.room.views import poll_view


def counts(poll: Poll, votes: Iterable[PollVote]) -> list[int]:
    """Votes per option of ``poll`` (a multiple-choice vote counts once per chosen option)."""
    tally = [0] * len(poll.options)
    for vote in votes:
        for choice in vote.choices:
            tally[choice] += 1
    return tally


async def _tally(ctx: RoomContext, poll: Poll) -> tuple[list[int], int, dict[int, list[int]]]:
    async with ctx.database.session() as session:
        votes = list(await session.scalars(select(PollVote).where(PollVote.poll_id == poll.id)))
    return counts(poll, votes), len(votes), {v.user_id: v.choices for v in votes}


async def current_view(ctx: RoomContext, viewer: Actor) -> dict[str, Any] | None:
    """The open poll, else the latest published one, as this viewer may see it."""
    async with ctx.database.session() as session:
        poll = await session.scalar(
            select(Poll)
            .where(Poll.lecture_id == ctx.lecture_id, Poll.status.in_(("open", "published")))
            .order_by(Poll.status.desc(), Poll.id.desc())
            .limit(1)
        )
    if poll is None:
        return None
    counts, voters, by_user = await _tally(ctx, poll)
    visible = viewer.is_educator or poll.status == "published"
    return poll_view(
        poll, counts if visible else None, voters if visible else None, by_user.get(viewer.user_id)
    )


async def _poll(ctx: RoomContext, poll_id: int) -> Poll:
    async with ctx.database.session() as session:
        poll = await session.get(Poll, poll_id)
    if poll is None or poll.lecture_id != ctx.lecture_id:
        raise RoomError("not_found", "no such poll")
    return poll


async def open_poll(ctx: RoomContext, actor: Actor, payload: PollOpen) -> Outcome:
    async with ctx.database.session() as session:
        already = await session.scalar(
            select(Poll.id).where(Poll.lecture_id == ctx.lecture_id, Poll.status == "open")
        )
        if already is not None:
            raise RoomError("conflict", "close the open poll first")
        poll = Poll(
            lecture_id=ctx.lecture_id,
            question=payload.question,
            options=payload.options,
            multiple=payload.multiple,
        )
        session.add(poll)
        await session.commit()
    empty = [0] * len(poll.options)
    tally = {"poll_id": poll.id, "counts": empty, "total_voters": 0}
    outcome = Outcome(ack={"poll": poll_view(poll, empty, 0, None)})
    outcome.emit("poll:opened", poll_view(poll, None, None, None))
    return outcome.emit("poll:counts", tally, EDUCATORS)


async def vote(ctx: RoomContext, actor: Actor, payload: PollVotePayload) -> Outcome:
    poll = await _poll(ctx, payload.poll_id)
    if poll.status != "open":
        raise RoomError("conflict", "the poll is closed")
    choices = sorted(set(payload.choices))
    if any(c >= len(poll.options) for c in choices):
        raise RoomError("invalid", "no such option")
    if len(choices) > 1 and not poll.multiple:
        raise RoomError("invalid", "this poll takes one choice")
    async with ctx.database.session() as session:
        if not await add_unique(
            session, PollVote(poll_id=poll.id, user_id=actor.user_id, choices=choices)
        ):
            raise RoomError("conflict", "you have already voted")
        await session.commit()
    counts, voters, _ = await _tally(ctx, poll)
    tally = {"poll_id": poll.id, "counts": counts, "total_voters": voters}
    return Outcome().emit("poll:counts", tally, EDUCATORS)


async def _finish(ctx: RoomContext, poll_id: int, status: str) -> Poll:
    async with ctx.database.session() as session:
        poll = await session.get(Poll, poll_id)
        if poll is None or poll.lecture_id != ctx.lecture_id:
            raise RoomError("not_found", "no such poll")
        if poll.status == "published" or (status == "closed" and poll.status == "closed"):
            raise RoomError("conflict", f"the poll is already {poll.status}")
        poll.status = status
        poll.closed_at = poll.closed_at or datetime.now(UTC)
        await session.commit()
    return poll


async def close(ctx: RoomContext, actor: Actor, payload: PollRef) -> Outcome:
    poll = await _finish(ctx, payload.poll_id, "closed")
    return Outcome().emit("poll:closed", {"poll_id": poll.id})


async def publish(ctx: RoomContext, actor: Actor, payload: PollRef) -> Outcome:
    poll = await _finish(ctx, payload.poll_id, "published")
    counts, voters, _ = await _tally(ctx, poll)
    return Outcome().emit("poll:results", poll_view(poll, counts, voters, None))
