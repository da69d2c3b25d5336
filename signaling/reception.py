"""Which students the SFU is really delivering audio and video to, for the educator.

Every ``INTERVAL_SECONDS`` the reporter looks at each student's peer connection and at the
packet counter of every track the SFU sends them (``DirectSender.packets``, else the aiortc
sender's own ``packetsSent``): a kind (audio, video) is *delivered* when the connection is
``connected`` and some live subscription of that kind sent packets since the previous look.
A subscription alone proves nothing: a paused publisher, a dead transport or a viewer who
never answered the offer all keep their subscriptions and send nothing.

When what it sees changes (or who may see it: a new presenter), it sends ``media:reception``
to the educators and presenters only; a late or reconnecting educator gets the last one in
the join flow (``signaling.namespace_media``). Students never receive it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Literal

from classroom_server.room import Outcome, RoomContext
from classroom_server.room.outcome import EDUCATORS, users
from signaling.lecture_media import EmitOutcome, LectureMedia
from signaling.sfu.connection import Connection

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 2.0
EVENT = "media:reception"

LinkState = Literal["connected", "connecting", "none"]
Kind = Literal["audio", "video"]


def link_state(connection_state: str | None) -> LinkState:
    """The peer connection's state as the educator needs it: up, on its way, or absent."""
    if connection_state == "connected":
        return "connected"
    if connection_state in ("new", "connecting", "disconnected"):
        return "connecting"
    return "none"  # no connection, or failed/closed


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one student gets now."""

    state: LinkState
    audio: bool
    video: bool
    audio_only: bool
    """The student chose "audio and slides only": no video is their choice, not a fault."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "audio": self.audio,
            "video": self.video,
            "state": self.state,
            "audio_only": self.audio_only,
        }


NOTHING = Delivery("none", audio=False, video=False, audio_only=False)

Counters = dict[str, tuple[Kind, object, int]]
"""mid -> (kind, the counter's owner, packets sent so far), for one student."""


def delivered(state: LinkState, before: Counters, now: Counters) -> tuple[bool, bool]:
    """(audio, video): a kind counts when connected and one of its counters grew.

    A counter is compared only with the same owner's previous value: a mid that carries a
    new sender (a new peer connection after a rejoin) starts again from its first look."""
    if state != "connected":
        return False, False
    grew: set[str] = set()
    for mid, (kind, owner, packets) in now.items():
        previous = before.get(mid)
        if previous is not None and previous[1] is owner and packets > previous[2]:
            grew.add(kind)
    return "audio" in grew, "video" in grew


async def sent_packets(lecture: LectureMedia, user: int, connection: Connection) -> Counters:
    """Packets sent so far on each live subscription the SFU sends ``user``."""
    subscribed = {id(track) for track in lecture.subscribed.get(user, {}).values()}
    counters: Counters = {}
    senders = None
    for mid, track in connection.sending().items():
        if id(track) not in subscribed or track.kind not in ("audio", "video"):
            continue
        kind: Kind = "audio" if track.kind == "audio" else "video"
        if track.direct is not None:
            counters[mid] = (kind, track.direct, track.direct.packets)
            continue
        # aiortc's own sender sends this one (a non-default send path): ask it.
        if senders is None:
            senders = {t.mid: t.sender for t in connection.pc.getTransceivers()}
        sender = senders.get(mid)
        if sender is None:
            continue
        stats = await sender.getStats()
        packets = next(
            (
                getattr(entry, "packetsSent", 0) or 0
                for entry in stats.values()
                if getattr(entry, "type", None) == "outbound-rtp"
            ),
            0,
        )
        counters[mid] = (kind, sender, packets)
    return counters


class ReceptionWatch:
    """Looks at every student's delivery; keeps the counters of the previous look."""

    def __init__(self, lecture: LectureMedia) -> None:
        self.lecture = lecture
        self._counters: dict[int, Counters] = {}

    async def look(self) -> dict[int, Delivery]:
        lecture = self.lecture
        seen: dict[int, Delivery] = {}
        counters: dict[int, Counters] = {}
        for user, actor in list(lecture.actors.items()):
            if actor.is_educator:
                continue
            preference = lecture.preferences.get(user)
            audio_only = preference is not None and not preference.video
            connection = lecture.room.connections.get(str(user))
            if connection is None:
                seen[user] = Delivery("none", False, False, audio_only)
                continue
            state = link_state(connection.pc.connectionState)
            counters[user] = now = await sent_packets(lecture, user, connection)
            audio, video = delivered(state, self._counters.get(user, {}), now)
            seen[user] = Delivery(state, audio, video, audio_only)
        self._counters = counters
        return seen


def payload(deliveries: dict[int, Delivery]) -> dict[str, Any]:
    return {"users": {str(user): d.as_dict() for user, d in sorted(deliveries.items())}}


async def watchers(ctx: RoomContext) -> frozenset[int]:
    """Presenters (students) who see reception besides the educators."""
    return frozenset(await ctx.store.flagged(ctx.lecture_id, "presenter"))


class ReceptionReporter:
    """Runs a ``ReceptionWatch`` every ``interval`` seconds and reports changes."""

    def __init__(
        self, lecture: LectureMedia, emit_outcome: EmitOutcome, interval: float = INTERVAL_SECONDS
    ) -> None:
        self.watch = ReceptionWatch(lecture)
        self._emit_outcome = emit_outcome
        self._interval = interval
        self.last: dict[str, Any] | None = None
        """The last payload sent (None before the first): for a late educator."""
        self._presenters: frozenset[int] = frozenset()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> ReceptionReporter:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while not self.watch.lecture.closed:
            await asyncio.sleep(self._interval)
            try:
                await self.report()
            except asyncio.CancelledError:
                raise
            except Exception:
                lecture_id = self.watch.lecture.ctx.lecture_id
                log.exception("lecture %s: reception check failed", lecture_id)

    async def report(self) -> bool:
        """One look; sends ``media:reception`` when it differs from the last one sent (or a
        presenter appeared who has not had it). True when it sent."""
        data = payload(await self.watch.look())
        presenters = await watchers(self.watch.lecture.ctx)
        new_presenters = presenters - self._presenters
        self._presenters = presenters
        if data == self.last and not new_presenters:
            return False
        changed = data != self.last
        self.last = data
        outcome = Outcome()
        if changed:
            outcome.emit(EVENT, data, to=EDUCATORS)
        audience = presenters if changed else new_presenters
        if audience:
            outcome.emit(EVENT, data, to=users(*audience))
        await self._emit_outcome(outcome)
        return True
