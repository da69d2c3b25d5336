"""Attendance's rules on a real database: merged presence, reconnects counted once, late joins,
intervals a crash left open, and the batched participation counters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from classroom_server import attendance
from classroom_server.db import (
    ChatMessage,
    Enrolment,
    Lecture,
    LectureStatus,
    ParticipationTally,
    Poll,
    PollVote,
    PresenceInterval,
    User,
)
from classroom_server.room.context import RoomContext
from tests.room_domain import live_lecture_context

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def _people(ctx: RoomContext, *names: str) -> dict[str, int]:
    """Students of the lecture's course, and the lecture started at T0."""
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        assert lecture is not None
        lecture.started_at = T0
        ids = {}
        for name in names:
            user = User(username=name, password_hash="x", display_name=name.title())
            session.add(user)
            await session.flush()
            session.add(Enrolment(course_id=lecture.course_id, user_id=user.id, role="student"))
            ids[name] = user.id
        await session.commit()
    return ids


async def _rows(ctx: RoomContext) -> dict[str, attendance.AttendanceRow]:
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        assert lecture is not None
        return {row.username: row for row in await attendance.lecture_attendance(session, lecture)}


async def _end(ctx: RoomContext, when: datetime) -> None:
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        assert lecture is not None
        lecture.status, lecture.ended_at = LectureStatus.ENDED.value, when
        await session.commit()


def test_merge_joins_overlapping_and_touching_spans_only() -> None:
    spans = [(at(10), at(20)), (at(0), at(5)), (at(5), at(8)), (at(15), at(30)), (at(40), at(41))]
    assert attendance.merge(spans) == [(at(0), at(8)), (at(10), at(30)), (at(40), at(41))]
    assert attendance.merge([]) == []


async def test_a_reconnect_is_one_attendance_with_two_joins(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        ids = await _people(ctx, "alice", "bob")
        await attendance.joined(ctx.database, ctx.lecture_id, ids["alice"], at(1))
        await attendance.left(ctx.database, ctx.lecture_id, ids["alice"], at(11))
        await attendance.joined(ctx.database, ctx.lecture_id, ids["alice"], at(12))
        await attendance.left(ctx.database, ctx.lecture_id, ids["alice"], at(22))
        rows = await _rows(ctx)
        alice = rows["alice"].presence
        assert alice is not None
        assert (alice.joins, alice.present_seconds) == (2, 20 * 60)
        assert (alice.first_join, alice.last_leave, alice.late) == (at(1), at(22), False)
        assert alice.stays == [(at(1), at(11)), (at(12), at(22))]
        assert rows["bob"].presence is None, "an enrolled student who never came is listed absent"
        assert [r.attended for r in rows.values()] == [True, False]


async def test_two_devices_at_once_count_their_overlap_once(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        ids = await _people(ctx, "alice")
        lecture_id, alice = ctx.lecture_id, ids["alice"]
        async with ctx.database.session() as session:
            for start, end in ((at(0), at(30)), (at(10), at(40))):
                row = PresenceInterval(lecture_id=lecture_id, user_id=alice, joined_at=start)
                row.left_at = end
                session.add(row)
            await session.commit()
        presence = (await _rows(ctx))["alice"].presence
        assert presence is not None and presence.present_seconds == 40 * 60


async def test_a_late_join_is_marked_late(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        ids = await _people(ctx, "early", "late")
        await attendance.joined(ctx.database, ctx.lecture_id, ids["early"], at(4))
        await attendance.joined(ctx.database, ctx.lecture_id, ids["late"], at(25))
        await _end(ctx, at(60))
        rows = await _rows(ctx)
        early, late = rows["early"].presence, rows["late"].presence
        assert early is not None and late is not None
        assert (early.late, late.late) == (False, True)
        assert late.present_seconds == 35 * 60, "open until the end: counted to the end"


async def test_intervals_a_crash_left_open_are_closed_at_the_end(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        ids = await _people(ctx, "alice", "bob")
        now = datetime.now(UTC)
        await attendance.joined(ctx.database, ctx.lecture_id, ids["alice"], now)
        live = (await _rows(ctx))["alice"].presence
        assert live is not None and live.here_now and live.last_leave is None
        await _end(ctx, now + timedelta(minutes=3))
        await attendance.lecture_closed(ctx.database, ctx.lecture_id)
        async with ctx.database.session() as session:
            open_left = await session.scalar(
                select(PresenceInterval.left_at).where(PresenceInterval.user_id == ids["alice"])
            )
        assert open_left == now + timedelta(minutes=3)
        ended = (await _rows(ctx))["alice"].presence
        assert ended is not None and not ended.here_now and ended.present_seconds == 180


async def test_an_orphan_is_capped_when_its_user_comes_back(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        ids = await _people(ctx, "alice")
        await attendance.joined(ctx.database, ctx.lecture_id, ids["alice"], at(0))
        await attendance.joined(ctx.database, ctx.lecture_id, ids["alice"], at(60 * 24))
        async with ctx.database.session() as session:
            rows = list(
                await session.scalars(select(PresenceInterval).order_by(PresenceInterval.id))
            )
        assert rows[0].left_at == at(0) + attendance.MAX_OPEN
        assert rows[1].left_at is None, "only the new interval is open"


async def test_participation_counts_talk_hands_chat_and_votes(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        ids = await _people(ctx, "alice", "bob")
        talk = attendance.TalkTally(ctx.database, ctx.lecture_id)
        for _window in range(10):
            talk.add(ids["alice"], 0.5)
        async with ctx.database.session() as session:
            assert await session.scalar(select(ParticipationTally)) is None, "batched, not written"
        await talk.flush()
        talk.add(ids["alice"], 0.5)
        await talk.flush(ids["alice"])
        await talk.flush()  # nothing pending: nothing written
        await attendance.hand_raised(ctx.database, ctx.lecture_id, ids["alice"])
        await attendance.hand_raised(ctx.database, ctx.lecture_id, ids["alice"])
        async with ctx.database.session() as session:
            poll = Poll(lecture_id=ctx.lecture_id, question="?", options=["a", "b"])
            session.add(poll)
            await session.flush()
            session.add(PollVote(poll_id=poll.id, user_id=ids["bob"], choices=[0]))
            for text, deleted in (("hi", False), ("spam", True), ("again", False)):
                session.add(
                    ChatMessage(
                        lecture_id=ctx.lecture_id, sender_id=ids["bob"], text=text, deleted=deleted
                    )
                )
            await session.commit()
        rows = await _rows(ctx)
        alice, bob = rows["alice"].participation, rows["bob"].participation
        assert (alice.talk_seconds, alice.hands_raised, alice.chat_messages) == (5.5, 2, 0)
        assert (bob.chat_messages, bob.poll_answers, bob.talk_seconds) == (2, 1, 0)


async def test_a_course_sums_its_held_lectures_per_student(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        ids = await _people(ctx, "alice", "bob")
        async with ctx.database.session() as session:
            first = await session.get(Lecture, ctx.lecture_id)
            assert first is not None
            second = Lecture(
                course_id=first.course_id,
                title="Week 2",
                scheduled_start=at(60 * 24 * 7),
                status=LectureStatus.ENDED.value,
                started_at=at(60 * 24 * 7),
                ended_at=at(60 * 24 * 7 + 60),
            )
            unheld = Lecture(course_id=first.course_id, title="Week 3", scheduled_start=at(0))
            session.add_all([second, unheld])
            await session.commit()
            course_id = first.course_id
        await attendance.joined(ctx.database, ctx.lecture_id, ids["alice"], at(0))
        await attendance.left(ctx.database, ctx.lecture_id, ids["alice"], at(30))
        await attendance.joined(ctx.database, second.id, ids["alice"], at(60 * 24 * 7 + 10))
        await attendance.left(ctx.database, second.id, ids["alice"], at(60 * 24 * 7 + 20))
        await attendance.hand_raised(ctx.database, second.id, ids["alice"])
        async with ctx.database.session() as session:
            rows, held = await attendance.course_attendance(session, course_id)
            mine, _ = await attendance.course_attendance(session, course_id, ids["bob"])
        assert held == 2
        by_name = {row.username: row for row in rows}
        alice = by_name["alice"]
        assert (alice.lectures_attended, alice.lectures_total) == (2, 2)
        assert alice.present_seconds == 40 * 60 and alice.participation.hands_raised == 1
        assert by_name["bob"].lectures_attended == 0
        assert [row.username for row in mine] == ["bob"]


async def test_a_guest_let_in_is_listed_as_a_guest(tmp_path: Path) -> None:
    async with live_lecture_context(tmp_path) as ctx:
        await _people(ctx, "alice")
        async with ctx.database.session() as session:
            guest = User(
                username="guest-1",
                password_hash="!guest",
                display_name="Sami",
                guest_lecture_id=ctx.lecture_id,
            )
            session.add(guest)
            await session.commit()
        await attendance.joined(ctx.database, ctx.lecture_id, guest.id, at(2))
        await attendance.left(ctx.database, ctx.lecture_id, guest.id, at(12))
        rows = await _rows(ctx)
        assert rows["guest-1"].role == "guest" and rows["alice"].role == "student"
        presence = rows["guest-1"].presence
        assert presence is not None and presence.present_seconds == 10 * 60
