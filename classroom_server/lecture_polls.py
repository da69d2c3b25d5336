"""A lecture's polls after the fact, as a member may see them: counts, voters, own choices.

The room shows only the open or latest published poll; this is the record an educator looks
back at (every poll) and a student re-reads (the published ones).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Lecture, Poll, PollVote, User
from classroom_server.db.paging import paginate
from classroom_server.policy import can_manage_course
from classroom_server.room.polls import counts


@dataclass(frozen=True)
class PollTally:
    poll: Poll
    counts: list[int]
    total_voters: int
    my_choices: list[int] | None


async def lecture_polls(
    session: AsyncSession, user: User, lecture: Lecture, limit: int, offset: int
) -> tuple[list[PollTally], int]:
    """A page of the lecture's polls, oldest first, each with its tally and ``user``'s vote:
    every poll for the course's educators, the published ones for its students."""
    query = select(Poll).where(Poll.lecture_id == lecture.id)
    if not await can_manage_course(session, user, lecture.course_id):
        query = query.where(Poll.status == "published")
    polls, total = await paginate(session, query.order_by(Poll.id), limit, offset)
    votes = await session.scalars(
        select(PollVote).where(PollVote.poll_id.in_([p.id for p in polls]))
    )
    by_poll: dict[int, list[PollVote]] = {p.id: [] for p in polls}
    for vote in votes:
        by_poll[vote.poll_id].append(vote)
    mine = {v.poll_id: v.choices for vs in by_poll.values() for v in vs if v.user_id == user.id}
    tallies = [
        PollTally(p, counts(p, by_poll[p.id]), len(by_poll[p.id]), mine.get(p.id)) for p in polls
    ]
    return tallies, total
