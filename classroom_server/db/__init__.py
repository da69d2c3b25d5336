"""Relational data: models, the async engine, and migrations."""

from classroom_server.db.attendance_models import ParticipationTally, PresenceInterval
from classroom_server.db.auth_models import AuthSession
from classroom_server.db.bbb_models import BbbHook, BbbMeeting, BbbSecret, BbbUser
from classroom_server.db.breakout_models import (
    Breakout,
    BreakoutGroup,
    BreakoutMember,
    BreakoutPlan,
)
from classroom_server.db.caption_models import CaptionLine
from classroom_server.db.engine import Database, add_unique
from classroom_server.db.lti_models import (
    LtiContext,
    LtiKey,
    LtiLineItem,
    LtiLogin,
    LtiPlatform,
    LtiScore,
    LtiUser,
)
from classroom_server.db.mail_models import MailAnnouncement, OutboxMail
from classroom_server.db.migrate import upgrade
from classroom_server.db.models import (
    Base,
    Course,
    CourseRole,
    Enrolment,
    Lecture,
    LectureStatus,
    Role,
    User,
)
from classroom_server.db.module_models import (
    Module,
    Quiz,
    QuizAttempt,
    Unit,
    UnitProgress,
)
from classroom_server.db.office_models import (
    AvailabilityWindow,
    BlockedDate,
    Booking,
    DropIn,
    DropInEntry,
    OfficeHours,
)
from classroom_server.db.resource_models import Resource
from classroom_server.db.room_models import (
    Annotation,
    AuditEntry,
    ChatMessage,
    Deck,
    DeckPage,
    GuestLink,
    Poll,
    PollVote,
    Removal,
    RoomFlag,
    RoomSettings,
)
from classroom_server.db.vod_models import Video, VodJob, WatchPosition

__all__ = [
    "Annotation",
    "AuditEntry",
    "AuthSession",
    "AvailabilityWindow",
    "Base",
    "BbbHook",
    "BbbMeeting",
    "BbbSecret",
    "BbbUser",
    "BlockedDate",
    "Booking",
    "Breakout",
    "BreakoutGroup",
    "BreakoutMember",
    "BreakoutPlan",
    "CaptionLine",
    "ChatMessage",
    "Course",
    "CourseRole",
    "Database",
    "Deck",
    "DeckPage",
    "DropIn",
    "DropInEntry",
    "Enrolment",
    "GuestLink",
    "Lecture",
    "LectureStatus",
    "LtiContext",
    "LtiKey",
    "LtiLineItem",
    "LtiLogin",
    "LtiPlatform",
    "LtiScore",
    "LtiUser",
    "MailAnnouncement",
    "Module",
    "OfficeHours",
    "OutboxMail",
    "ParticipationTally",
    "Poll",
    "PollVote",
    "PresenceInterval",
    "Quiz",
    "QuizAttempt",
    "Removal",
    "Resource",
    "Role",
    "RoomFlag",
    "RoomSettings",
    "Unit",
    "UnitProgress",
    "User",
    "Video",
    "VodJob",
    "WatchPosition",
    "add_unique",
    "upgrade",
]
