"""How BigBlueButton's meetings, users and LMS contexts map onto lectures, accounts and courses.

- A meeting is a lecture. ``create`` makes one (scheduled now, for ``duration`` minutes) and a
  ``BbbMeeting`` row keeping what BBB echoes back; the same meetingID while that lecture has
  not ended is the same meeting (``duplicateWarning``). Once it ended, a ``create`` with the
  same meetingID makes a new lecture, as BBB makes a new meeting (Moodle reuses one meetingID
  for every session of an activity).
- A course per LMS context: ``meta_bbb-context-id`` (with ``meta_bbb-origin-server-name``, so
  two LMSs' course 7 stay apart) names a course with code ``bbb-<hash>``, titled by
  ``meta_bbb-context-name``; a meeting without a context goes to the "LMS meetings" course.
- An account per LMS user: ``userID``, with the LMS it comes from
  (``meta_bbb-origin-server-name``), names a ``BbbUser`` link to an account made on the first
  join (username ``bbb-<hash>``, an unusable random password: it only ever enters through the
  LMS); without a userID every join is a new guest account. ``fullName`` renames it each time.
  A moderator is enrolled as the course's educator (an LMS-made student account becomes an
  educator account the first time the LMS says it moderates), a viewer as a student.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import (
    BbbMeeting,
    BbbUser,
    Course,
    CourseRole,
    Enrolment,
    Lecture,
    LectureStatus,
    Role,
    User,
    add_unique,
)
from classroom_server.lectures import create_lecture, end, start
from classroom_server.users import UsernameTaken, create_user, find_user
from portal_api.bbb.answers import Failed, missing

DEFAULT_CONTEXT = "LMS meetings"
META_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,63}$")
"""Metadata names become XML element names in the answers: anything else is not kept."""
MAX_META = 64
MAX_META_VALUE = 4096
MAX_ID = 256


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def meeting_id_of(params: Mapping[str, str]) -> str:
    """The ``meetingID`` parameter, or BBB's refusal: missing, or not 1-256 printable
    characters."""
    meeting_id = params.get("meetingID")
    if meeting_id is None or meeting_id == "":
        raise missing("meetingID")
    if len(meeting_id) > MAX_ID or not meeting_id.isprintable():
        raise Failed(
            "invalidMeetingIdentifier",
            "The meeting ID must be 1 to 256 printable characters.",
        )
    return meeting_id


def _flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "").strip().lower() == "true"


def _number(params: Mapping[str, str], name: str, default: int = 0) -> int:
    try:
        return max(0, int(params.get(name, default)))
    except ValueError:
        return default


def metadata_of(params: Mapping[str, str]) -> dict[str, str]:
    """``meta_*`` parameters without the prefix, names lower-cased as BBB does; names that
    cannot be XML element names are dropped, so echoing them can never break an answer."""
    meta: dict[str, str] = {}
    for name, value in params.items():
        if not name.startswith("meta_"):
            continue
        key = name[5:].lower()
        if META_NAME.match(key) and len(meta) < MAX_META:
            meta[key] = value[:MAX_META_VALUE]
    return meta


@dataclass(frozen=True)
class CreateRequest:
    """What ``create`` is asked, read from its parameters once."""

    meeting_id: str
    name: str
    attendee_pw: str
    moderator_pw: str
    voice_bridge: str
    dial_number: str
    record: bool
    auto_start_recording: bool
    max_participants: int
    duration: int
    meta: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, params: Mapping[str, str]) -> CreateRequest:
        meeting_id = meeting_id_of(params)
        return cls(
            meeting_id=meeting_id,
            name=(params.get("name") or meeting_id)[:200],
            attendee_pw=params.get("attendeePW") or secrets.token_urlsafe(8),
            moderator_pw=params.get("moderatorPW") or secrets.token_urlsafe(8),
            voice_bridge=(params.get("voiceBridge") or str(70000 + secrets.randbelow(30000)))[:32],
            dial_number=params.get("dialNumber", "")[:64],
            record=_flag(params, "record"),
            auto_start_recording=_flag(params, "autoStartRecording"),
            max_participants=_number(params, "maxParticipants"),
            duration=_number(params, "duration"),
            meta=metadata_of(params),
        )


@dataclass(frozen=True)
class Meeting:
    """A BBB meeting: its row and its lecture, read together."""

    row: BbbMeeting
    lecture: Lecture

    @property
    def running(self) -> bool:
        return self.lecture.status == LectureStatus.LIVE.value

    @property
    def ended(self) -> bool:
        return self.lecture.status == LectureStatus.ENDED.value

    @property
    def internal_id(self) -> str:
        """BBB's internalMeetingID shape: a digest of the meetingID and the creation time."""
        created = int(self.row.created_at.timestamp() * 1000)
        return f"{_digest(self.row.meeting_id)[:40]}-{created}"


async def current_meeting(session: AsyncSession, meeting_id: str) -> Meeting | None:
    """The newest meeting of ``meeting_id`` (ended or not), else None."""
    query = (
        select(BbbMeeting, Lecture)
        .join(Lecture, Lecture.id == BbbMeeting.lecture_id)
        .where(BbbMeeting.meeting_id == meeting_id)
        .order_by(BbbMeeting.id.desc())
        .limit(1)
    )
    found = (await session.execute(query)).first()
    return Meeting(found[0], found[1]) if found else None


async def meetings_in_progress(session: AsyncSession) -> list[Meeting]:
    """Every meeting whose lecture has not ended: what ``getMeetings`` lists."""
    query = (
        select(BbbMeeting, Lecture)
        .join(Lecture, Lecture.id == BbbMeeting.lecture_id)
        .where(Lecture.status != LectureStatus.ENDED.value)
        .order_by(BbbMeeting.id)
    )
    return [Meeting(row, lecture) for row, lecture in (await session.execute(query)).all()]


async def context_course(session: AsyncSession, meta: Mapping[str, str]) -> Course:
    """The course of the LMS context the meeting belongs to, made on its first meeting."""
    context = meta.get("bbb-context-id") or meta.get("bbb-context")
    if context:
        key = f"{meta.get('bbb-origin-server-name', '')}:{context}"
        title = meta.get("bbb-context-name") or meta.get("bbb-context-label") or context
    else:
        key, title = "", DEFAULT_CONTEXT
    code = f"bbb-{_digest(key)[:16]}"
    course: Course | None = await session.scalar(select(Course).where(Course.code == code))
    if course is None:
        made = Course(code=code, title=title[:200], description="Meetings of an LMS (BBB API)")
        if await add_unique(session, made):
            return made
        course = await session.scalar(select(Course).where(Course.code == code))
        assert course is not None
    return course


async def create_meeting(session: AsyncSession, ask: CreateRequest) -> tuple[Meeting, bool]:
    """The meeting ``ask`` names, and whether it existed already (BBB's duplicateWarning);
    the caller commits."""
    existing = await current_meeting(session, ask.meeting_id)
    if existing is not None and not existing.ended:
        return existing, True
    course = await context_course(session, ask.meta)
    duration = min(max(ask.duration or 60, 5), 600)
    lecture = await create_lecture(session, course.id, ask.name, datetime.now(UTC), duration)
    lecture.record_automatically = ask.record and ask.auto_start_recording
    row = BbbMeeting(
        meeting_id=ask.meeting_id,
        lecture_id=lecture.id,
        name=ask.name,
        attendee_pw=ask.attendee_pw,
        moderator_pw=ask.moderator_pw,
        voice_bridge=ask.voice_bridge,
        dial_number=ask.dial_number,
        record=ask.record,
        max_participants=ask.max_participants,
        duration=ask.duration,
        meta=dict(ask.meta),
        user_joined=False,
        forcibly_ended=False,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    await session.flush()
    return Meeting(row, lecture), False


def join_role(meeting: Meeting, params: Mapping[str, str]) -> CourseRole:
    """Moderator (educator) or viewer (student): BBB 2.6's ``role`` wins over the older
    ``password``, which must be one of the meeting's two."""
    role = params.get("role", "").strip().upper()
    if role in ("MODERATOR", "VIEWER"):
        return CourseRole.EDUCATOR if role == "MODERATOR" else CourseRole.STUDENT
    password = params.get("password")
    if password is None:
        raise missing("role")
    if secrets.compare_digest(password.encode(), meeting.row.moderator_pw.encode()):
        return CourseRole.EDUCATOR
    if secrets.compare_digest(password.encode(), meeting.row.attendee_pw.encode()):
        return CourseRole.STUDENT
    raise Failed(
        "invalidPassword",
        "You either did not supply a password or the password supplied is neither the"
        " attendee or moderator password for this conference.",
    )


async def _account(session: AsyncSession, external_id: str | None, name: str, role: Role) -> User:
    """The account linked to the LMS's ``userID``, made and linked on first sight."""
    if external_id:
        linked = await session.scalar(
            select(User)
            .join(BbbUser, BbbUser.user_id == User.id)
            .where(BbbUser.external_id == external_id)
        )
        if linked is not None:
            return linked
        username = f"bbb-{_digest(external_id)[:24]}"
    else:
        username = f"bbb-guest-{secrets.token_hex(10)}"
    try:
        # An LMS's user never signs in with a password: no argon2 hash on the join's path.
        user = await create_user(session, username, None, role, name)
    except UsernameTaken:  # made by a join whose link was lost: link it now
        found = await find_user(session, username)
        assert found is not None
        user = found
    if external_id and not await add_unique(
        session, BbbUser(user_id=user.id, external_id=external_id)
    ):
        raise Failed("joinFailed", "Another join of this user is under way; try again.")
    return user


async def admit(
    session: AsyncSession, meeting: Meeting, params: Mapping[str, str], role: CourseRole
) -> User:
    """The account the LMS's user enters as, enrolled in the meeting's course with ``role``;
    the lecture starts on its first join (a BBB meeting runs once someone joined). The caller
    commits."""
    full_name = params.get("fullName")
    if not full_name:
        raise missing("fullName")
    if meeting.ended:
        raise Failed("meetingForciblyEnded", "You can not re-join a meeting that has ended.")
    account_role = Role.EDUCATOR if role == CourseRole.EDUCATOR else Role.STUDENT
    lms_user = params.get("userID") or None
    external_id = lms_key(meeting, lms_user) if lms_user else None
    user = await _account(session, external_id, full_name[:120], account_role)
    if user.disabled:
        raise Failed("accountDisabled", "This account was disabled by an administrator.")
    user.display_name = full_name[:120]
    if role == CourseRole.EDUCATOR and user.role == Role.STUDENT.value:
        user.role = Role.EDUCATOR.value
    enrolment = await session.scalar(
        select(Enrolment).where(
            Enrolment.course_id == meeting.lecture.course_id, Enrolment.user_id == user.id
        )
    )
    if enrolment is None:
        enrolment = Enrolment(course_id=meeting.lecture.course_id, user_id=user.id)
        enrolment.role = role.value
        if not await add_unique(session, enrolment):
            raise Failed("joinFailed", "Another join of this user is under way; try again.")
    enrolment.role = role.value
    start(meeting.lecture)
    meeting.row.user_joined = True
    return user


SYSTEM_USERNAME = "bbb-system"


async def system_account(session: AsyncSession) -> User:
    """Who ``sendChatMessage``'s messages are from (each shows the ``userName`` the LMS gave,
    as BBB's do): one account, made on first use, that never logs in. The caller commits."""
    found = await find_user(session, SYSTEM_USERNAME)
    if found is not None:
        return found
    try:
        return await create_user(session, SYSTEM_USERNAME, None, Role.EDUCATOR, "System")
    except UsernameTaken:
        found = await find_user(session, SYSTEM_USERNAME)
        assert found is not None
        return found


def end_meeting(meeting: Meeting) -> None:
    """Ends the lecture (the caller commits, then tells the room, as the REST API's end)."""
    end(meeting.lecture)
    meeting.row.forcibly_ended = True


def lms_key(meeting: Meeting, user_id: str) -> str:
    """An LMS's userID is its own numbering (Moodle's user 2): it names an account together
    with the LMS it comes from (``meta_bbb-origin-server-name``), so two LMSs' user 2 are
    two people. Hostnames hold no "|", so the userID is what follows the first one."""
    return f"{meeting.row.meta.get('bbb-origin-server-name', '')}|{user_id}"[:256]


async def external_ids(session: AsyncSession, user_ids: list[int]) -> dict[int, str]:
    """The LMS's userID of each of these accounts that has one."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(BbbUser.user_id, BbbUser.external_id).where(BbbUser.user_id.in_(user_ids))
    )
    return {user_id: external.partition("|")[2] for user_id, external in rows.all()}


def milliseconds(when: datetime | None) -> int:
    return int(when.timestamp() * 1000) if when is not None else 0


def java_date(when: datetime) -> str:
    """BBB's createDate, a Java ``Date.toString()`` in UTC."""
    return when.astimezone(UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def meta_of(meeting: Meeting) -> dict[str, Any]:
    return {key: value for key, value in meeting.row.meta.items() if META_NAME.match(key)}
