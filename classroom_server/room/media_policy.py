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

from classroom_server.db import BreakoutGroup, CourseRole, Lecture
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
"""Packet loss (fraction) in one report above which a viewer gets the low camera at once."""
SMOOTH_LOSSY = 0.04
"""Smoothed loss above which a viewer gets the low camera: steady loss of a few percent (a
weak radio link) ruins video as surely as a burst does."""
SMOOTHING = 0.35
"""Weight of a new report in the smoothed loss that moves a viewer down: a few reports
decide, one does not."""
SLOW_SMOOTHING = 0.1
"""Weight of a new report in the loss that must be clean before going back up: the low
layer's 15 packets a second on a link losing 5 % often report no loss for several seconds
in a row, so only a long memory tells a clean link from a lucky streak."""
SLOW_CAP = 0.08
"""The long memory holds at most this much loss: after a burst (a handover, a download next
door) the way back up takes seconds (about 17), not minutes."""
SLOW_RTT = 0.4
"""Round-trip time (s) above which a viewer gets the low camera."""
QUEUED_RTT = 0.15
"""Round-trip time above the viewer's lowest (s) that says a queue is building on their link:
the camera is more than the link carries, before loss shows it."""
CLEAN = 0.02
CLEAN_RTT = 0.25
CLEAN_QUEUE = 0.05
CLEAN_REPORTS = 4
"""Clean reports in a row (slowly smoothed loss <= CLEAN, RTT <= CLEAN_RTT and within
CLEAN_QUEUE of the lowest) before going back up to high."""


MAX_BACKOFF = 16
"""A flapping link waits up to 16x ``CLEAN_REPORTS`` clean reports before going up again."""


@dataclass(frozen=True, slots=True)
class LinkHistory:
    """What one viewer's earlier reports said, carried from one report to the next."""

    loss: float | None = None
    """Smoothed loss (``SMOOTHING``), None before the first report."""
    slow_loss: float | None = None
    """Loss with a long memory (``SLOW_SMOOTHING``)."""
    base_rtt: float | None = None
    """Lowest round-trip time seen: the link with empty queues."""
    clean_streak: int = 0
    downs: int = 0
    """Times the viewer was moved down: each makes the way back up longer."""


def clean_reports_needed(downs: int) -> int:
    """Clean reports before going back up, doubling with each time the viewer went down:
    every switch costs the viewer a keyframe wait (and the SFU a renegotiation)."""
    factor: int = min(1 << max(downs - 1, 0), MAX_BACKOFF)
    return CLEAN_REPORTS * factor


def adapt_quality(
    current: Quality, loss: float, rtt: float | None, history: LinkHistory
) -> tuple[Quality, LinkHistory]:
    """The camera quality a viewer's receiver reports can carry, and the history to keep.

    Down at once on a lossy report, on steady loss, on delay, or on a queue building (RTT
    grown over the link's lowest); up only after enough clean reports in a row, more after
    each time down (a single good second on a bad link would flap: a low layer of 15 packets
    a second often shows no loss on a link that drops 5 %).
    """
    smoothed = _smooth(history.loss, loss, SMOOTHING)
    slow = min(_smooth(history.slow_loss, loss, SLOW_SMOOTHING), SLOW_CAP)
    base = history.base_rtt if rtt is None else min(rtt, history.base_rtt or rtt)
    queue = 0.0 if rtt is None or base is None else rtt - base
    kept = LinkHistory(smoothed, slow, base, 0, history.downs)
    if loss > LOSSY or smoothed > SMOOTH_LOSSY or (rtt or 0) > SLOW_RTT or queue > QUEUED_RTT:
        if current == "high":
            return "low", LinkHistory(smoothed, slow, base, 0, history.downs + 1)
        return "low", kept
    clean = slow <= CLEAN and (rtt is None or rtt <= CLEAN_RTT) and queue <= CLEAN_QUEUE
    if not clean:
        return current, kept
    streak = history.clean_streak + 1
    if current == "low" and streak >= clean_reports_needed(history.downs):
        return "high", kept
    return current, LinkHistory(smoothed, slow, base, streak, history.downs)


def _smooth(previous: float | None, sample: float, weight: float) -> float:
    return sample if previous is None else previous + weight * (sample - previous)


async def is_meeting(ctx: RoomContext) -> bool:
    """An office-hour meeting room, or a breakout group's room: everyone in it publishes."""
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        group = await session.get(BreakoutGroup, ctx.lecture_id)
    return lecture is not None and (lecture.private_to is not None or group is not None)


async def publish_rights(ctx: RoomContext, actor: Actor, meeting: bool) -> frozenset[Source]:
    if meeting or actor.is_educator:  # nothing to read
        return EVERYTHING
    presenters = await ctx.store.flagged(ctx.lecture_id, "presenter")
    invited = await ctx.store.flagged(ctx.lecture_id, "invited")
    return rights_given(actor, meeting, presenters, invited)


def rights_given(
    actor: Actor, meeting: bool, presenters: set[int], invited: set[int]
) -> frozenset[Source]:
    """What ``actor`` may publish, from the room's flag sets already read: a reconciliation
    of every participant reads them once, not once per participant."""
    if meeting or actor.is_educator or actor.user_id in presenters:
        return EVERYTHING
    if actor.user_id in invited:
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
