"""The ``media:*`` signalling events of the ``/classroom`` namespace, as a table.

SDP travels over Socket.IO: a client publishes by offering (``media:offer``, the ack carries
the answer) and receives through server offers (``media:offer`` to the client, answered with
``media:answer``). Candidates ride inside the SDP (no trickle): both sides finish gathering
before they send, which on host/STUN/TURN candidates costs well under a second.

A track's source and quality come from a ``media:publish`` announcement keyed by the track id
the SDP's ``a=msid`` carries; an unannounced audio track is the microphone and an unannounced
video track the high-quality camera. SDP is bounded, and publishing is checked against
``media_policy`` *before* the offer touches the peer connection: a refused offer changes nothing.

``MEDIA_EVENTS`` has the shape of the room's ``EVENTS`` (payload model, handler, who may send
it, rate class), and the namespace runs both through one pipeline (``signaling.client_events``):
a handler gets its payload already validated, authorized and rate-limited, with the sender and
the lecture's media in a ``MediaCall``, and answers with an ``Outcome``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiortc import sdp as aiortc_sdp
from pydantic import BaseModel

from classroom_server.room import Actor, Outcome, RoomError
from classroom_server.room import media_policy as policy
from classroom_server.room.events import RateClass, Who
from signaling.lecture_media import Announcement, LectureMedia
from signaling.media_payloads import Answer, Empty, Join, Offer, Prefer, Publish, Unpublish
from signaling.sfu.codecs import UnsupportedCodec
from signaling.sfu.connection import Connection, Glare

log = logging.getLogger(__name__)
MEDIA_RATE = RateClass("media", 20, 1)


@dataclass(frozen=True)
class MediaCall:
    """What a media handler works on: who sent the event, from which socket, and the
    lecture's media (made on first use)."""

    sid: str
    actor: Actor
    lecture: LectureMedia
    ice_servers: list[dict[str, Any]]

    @property
    def user(self) -> int:
        return self.actor.user_id

    def connection(self) -> Connection:
        """The sender's peer connection; ``media_not_joined`` when this socket has none."""
        connection = self.lecture.connection(self.sid, self.user)
        if connection is None:
            raise RoomError("media_not_joined", "send media:join first")
        return connection

    async def rights(self) -> frozenset[policy.Source]:
        self.lecture.actors.setdefault(self.user, self.actor)
        return await self.lecture.rights(self.user)


MediaHandler = Callable[[MediaCall, Any], Awaitable[Outcome]]


@dataclass(frozen=True)
class MediaEvent:
    payload: type[BaseModel]
    handler: MediaHandler
    who: Who = "anyone"
    rate: RateClass = MEDIA_RATE


def offered_tracks(sdp: str) -> list[tuple[str, str, str]]:
    """(kind, track id, mid) of each track the offer sends, from its ``a=msid`` lines."""
    try:
        description = aiortc_sdp.SessionDescription.parse(sdp)
    except Exception as exc:
        raise RoomError("invalid_sdp", f"the SDP does not parse: {exc}") from None
    if not description.media:
        raise RoomError("invalid_sdp", "the SDP has no media sections")
    tracks = []
    for media in description.media:
        if media.direction not in ("sendonly", "sendrecv") or media.port == 0:
            continue
        parts = (media.msid or "").split()
        tracks.append((media.kind, parts[1] if len(parts) == 2 else "", media.rtp.muxId or ""))
    return tracks


async def join(call: MediaCall, data: Join) -> Outcome:
    lecture = call.lecture
    preference = policy.Preference(data.video, data.quality)
    if data.resume:
        # Nothing is made when there is nothing to give back: the client's old peer
        # connection must not answer offers meant for a new one.
        resumed = await lecture.resume(call.sid, call.actor, preference)
    else:
        resumed = False
        await lecture.join(call.sid, call.actor, preference)
    return Outcome(
        ack={"ice_servers": call.ice_servers, "tracks": lecture.catalogue(), "resumed": resumed}
    )


async def publish(call: MediaCall, data: Publish) -> Outcome:
    policy.check_publish(await call.rights(), data.source)
    call.lecture.announce(call.user, data.track_id, Announcement(data.source, data.quality))
    await call.lecture.sync()
    return Outcome()


async def offer(call: MediaCall, data: Offer) -> Outcome:
    lecture, user = call.lecture, call.user
    rights = await call.rights()
    announced: list[tuple[str, Announcement]] = []
    relabel: list[tuple[str, Announcement]] = []
    published = lecture.published_mids(user)
    for kind, track_id, mid in offered_tracks(data.sdp):
        if kind not in ("audio", "video"):
            raise RoomError("invalid_sdp", f"cannot publish {kind} media")
        info = data.tracks.get(mid)
        publication_id = published.get(mid, f"{user}/{track_id}")
        if publication_id in lecture.publications:
            # Already published: forwarding follows the rules from here on. A label the
            # client gives only now (its earlier offer raced the announcement) still counts.
            if info is not None:
                policy.check_publish(rights, info.source, kind)
                relabel.append((publication_id, Announcement(info.source, info.quality)))
            continue
        announcement = (
            Announcement(info.source, info.quality)
            if info is not None
            else lecture.source_of(user, track_id, kind)
        )
        policy.check_publish(rights, announcement.source, kind)
        if info is not None:
            # Keyed by mid: the msid's track id may be absent, and aiortc then makes one up.
            announced.append((f"mid:{mid}", announcement))
    for key, announcement in announced:
        lecture.announce(user, key, announcement)
    for publication_id, announcement in relabel:
        lecture.relabel(publication_id, announcement)
    connection = lecture.connection(call.sid, user)
    if connection is None:
        connection = await lecture.join(
            call.sid, call.actor, lecture.preferences.get(user, policy.Preference())
        )
    try:
        # Glare is judged under the connection's lock: a check here could pass while a
        # server offer is being made or is due (see signaling.sfu.connection).
        answer = await connection.handle_offer({"type": data.type, "sdp": data.sdp})
    except Glare:
        raise RoomError("glare", "answer the server's offer first, then offer again") from None
    except UnsupportedCodec as exc:
        raise RoomError("unsupported_codec", str(exc)) from None
    except Exception as exc:
        log.info("offer from %s refused: %s", user, exc)
        raise RoomError("invalid_sdp", f"the offer was refused: {exc}") from None
    if relabel:
        await lecture.sync()
    return Outcome(ack={"answer": answer})


async def answer(call: MediaCall, data: Answer) -> Outcome:
    connection = call.connection()
    if connection.pc.signalingState != "have-local-offer":
        raise RoomError("no_offer", "there is no server offer to answer")
    try:
        await connection.handle_answer({"type": data.type, "sdp": data.sdp})
    except Exception as exc:
        raise RoomError("invalid_sdp", f"the answer was refused: {exc}") from None
    return Outcome()


async def unpublish(call: MediaCall, data: Unpublish) -> Outcome:
    connection = call.connection()
    track_id = data.track_id
    for transceiver in connection.pc.getTransceivers():
        if data.mid is not None and transceiver.mid == data.mid:
            track = transceiver.receiver.track
            track_id = track.id if track is not None else None
    if track_id is not None:
        call.lecture.room.unpublish(f"{call.user}/{track_id}")
    return Outcome()


async def prefer(call: MediaCall, data: Prefer) -> Outcome:
    call.connection()
    call.lecture.preferences[call.user] = policy.Preference(data.video, data.quality)
    await call.lecture.sync()
    return Outcome()


async def leave(call: MediaCall, data: Empty) -> Outcome:
    call.connection()
    await call.lecture.leave(call.user)
    return Outcome()


MEDIA_EVENTS: dict[str, MediaEvent] = {
    "media:join": MediaEvent(Join, join),
    "media:offer": MediaEvent(Offer, offer),
    "media:answer": MediaEvent(Answer, answer),
    "media:publish": MediaEvent(Publish, publish),
    "media:unpublish": MediaEvent(Unpublish, unpublish),
    "media:prefer": MediaEvent(Prefer, prefer),
    "media:leave": MediaEvent(Empty, leave),
}
