"""Who may publish which media, who receives which track, and whose media is held back.

The SFU (``signaling``) executes; these rules decide. In a lecture the educator and a
presenter publish camera, microphone and screen; a student publishes microphone and camera
only while invited by an educator. In an office-hour meeting (a lecture ``private_to`` one
student) both sides publish everything. Everyone receives every publication but their own,
without video when they asked for "audio and slides only", and one camera quality per
publisher. A muted participant's audio, and a revoked student's media, are not forwarded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from classroom_server.db import CourseRole, Lecture
from classroom_server.policy import lecture_course_role
from classroom_server.room.audit import audit
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import Outcome, RoomError
from classroom_server.room.payloads import UserRef

Source = Literal["camera", "microphone", "screen"]
Quality = Literal["high", "low"]
EVERYTHING: frozenset[Source] = frozenset({"camera", "microphone", "screen"})
INVITED: frozenset[Source] = frozenset({"camera", "microphone"})
KIND_OF: dict[Source, str] = {"camera": "video", "microphone": "audio", "screen": "video"}


@dataclass(frozen=True, slots=True)
class Publication:
    """A published track as the rules see it."""

    publication_id: str
    user_id: int
    kind: str
    source: Source
    quality: Quality


@dataclass(frozen=True, slots=True)
class Preference:
    """What a receiver asked for: video at all, and which camera quality (None: let the
    server choose from the receiver's loss and round-trip time)."""

    video: bool = True
    quality: Quality | None = None


LOSSY = 0.08
"""Packet loss (fraction) above which a viewer gets the low camera."""
SLOW_RTT = 0.4
"""Round-trip time (s) above which a viewer gets the low camera."""
CLEAN = 0.02
CLEAN_RTT = 0.25
CLEAN_REPORTS = 4
"""Clean reports in a row (loss <= CLEAN, RTT <= CLEAN_RTT) before going back up to high."""


MAX_BACKOFF = 16
"""A flapping link waits up to 16x ``CLEAN_REPORTS`` clean reports before going up again."""


def clean_reports_needed(downs: int) -> int:
    """Clean reports before going back up, doubling with each time the viewer went down:
    every switch costs the viewer a keyframe wait (and the SFU a renegotiation)."""
    factor: int = min(1 << max(downs - 1, 0), MAX_BACKOFF)
    return CLEAN_REPORTS * factor


def adapt_quality(
    current: Quality,
    loss: float,
    rtt: float | None,
    clean_streak: int,
    needed: int = CLEAN_REPORTS,
) -> tuple[Quality, int]:
    """The camera quality a viewer's receiver reports can carry, and the new clean streak.

    Down at once on loss or delay (the viewer is suffering); up only after ``needed`` clean
    reports in a row (a single good second on a bad link would flap).
    """
    slow = rtt is not None and rtt > SLOW_RTT
    if loss > LOSSY or slow:
        return "low", 0
    clean = loss <= CLEAN and (rtt is None or rtt <= CLEAN_RTT)
    streak = clean_streak + 1 if clean else 0
    if current == "low" and streak >= needed:
        return "high", 0
    return current, streak


async def is_meeting(ctx: RoomContext) -> bool:
    """An office-hour meeting room rather than a lecture."""
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
    return lecture is not None and lecture.private_to is not None


async def publish_rights(ctx: RoomContext, actor: Actor, meeting: bool) -> frozenset[Source]:
    if meeting or await ctx.may_present(actor):
        return EVERYTHING
    if actor.user_id in await ctx.store.flagged(ctx.lecture_id, "invited"):
        return INVITED
    return frozenset()


def check_publish(rights: frozenset[Source], source: Source, kind: str | None = None) -> None:
    """Raises ``forbidden`` (not allowed) or ``invalid`` (a source that is not that kind)."""
    if kind is not None and KIND_OF[source] != kind:
        raise RoomError("invalid", f"a {source} track is {KIND_OF[source]}, not {kind}")
    if source not in rights:
        raise RoomError(
            "forbidden",
            f"you may not publish {source}"
            + ("" if rights else ": an educator has to invite you first"),
        )


def forwarded(publication: Publication, muted: set[int], rights: frozenset[Source]) -> bool:
    """Whether the SFU passes the publication's frames on right now."""
    if publication.kind == "audio" and publication.user_id in muted:
        return False
    return publication.source in rights


def receives(
    viewer_id: int,
    preference: Preference,
    publications: Iterable[Publication],
    automatic: Quality = "high",
) -> set[str]:
    """The publication ids ``viewer_id`` should be subscribed to.

    Of a publisher's cameras, the viewer's chosen quality (else ``automatic``, what their
    reports can carry) when it exists, else the other.
    """
    wanted: Quality = preference.quality or automatic
    chosen: set[str] = set()
    cameras: dict[int, dict[Quality, str]] = {}
    for publication in publications:
        if publication.user_id == viewer_id:
            continue
        if publication.kind == "video" and not preference.video:
            continue
        if publication.source == "camera":
            cameras.setdefault(publication.user_id, {})[publication.quality] = (
                publication.publication_id
            )
            continue
        chosen.add(publication.publication_id)
    for by_quality in cameras.values():
        other: Quality = "low" if wanted == "high" else "high"
        chosen.add(by_quality.get(wanted) or by_quality[other])
    return chosen


async def invited(ctx: RoomContext) -> list[int]:
    return sorted(await ctx.store.flagged(ctx.lecture_id, "invited"))


async def _set_invited(ctx: RoomContext, actor: Actor, user_id: int, on: bool) -> Outcome:
    async with ctx.database.session() as session:
        role = await lecture_course_role(session, ctx.lecture_id, user_id)
        if role is None:
            raise RoomError("not_found", "no such participant")
        if role != CourseRole.STUDENT:
            raise RoomError("invalid", "only students are invited to speak")
        audit(session, ctx, actor, "media_invite" if on else "media_revoke", user_id)
        await ctx.save_flag(session, "invited", user_id, on)
    return Outcome().emit("media:permissions", {"user_id": user_id, "invited": on})


async def invite(ctx: RoomContext, actor: Actor, payload: UserRef) -> Outcome:
    """Let a student publish microphone and camera (e.g. after a raised hand)."""
    return await _set_invited(ctx, actor, payload.user_id, True)


async def revoke(ctx: RoomContext, actor: Actor, payload: UserRef) -> Outcome:
    """Take the invitation back: the SFU stops forwarding the student's media."""
    return await _set_invited(ctx, actor, payload.user_id, False)
