"""The ``media:*`` signalling events of the ``/classroom`` namespace.

SDP travels over Socket.IO: a client publishes by offering (``media:offer``, the ack carries
the answer) and receives through server offers (``media:offer`` to the client, answered with
``media:answer``). Candidates ride inside the SDP (no trickle): both sides finish gathering
before they send, which on host/STUN/TURN candidates costs well under a second.

A track's source and quality come from a ``media:publish`` announcement keyed by the track id
the SDP's ``a=msid`` carries; an unannounced audio track is the microphone and an unannounced
video track the high-quality camera. Every payload is validated, SDP is bounded, events are
rate-limited, and publishing is checked against ``media_policy`` *before* the offer touches the
peer connection: a refused offer changes nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiortc import sdp as aiortc_sdp
from pydantic import BaseModel, ValidationError

from classroom_server.room import Actor, Outcome, RoomContext, RoomError
from classroom_server.room import media_policy as policy
from classroom_server.room.events import RateClass
from signaling.lecture_media import Announcement, LectureMedia
from signaling.media_payloads import Answer, Empty, Join, Offer, Prefer, Publish, Unpublish
from signaling.media_registry import MediaRegistry
from signaling.reception import EVENT as RECEPTION
from signaling.sfu.codecs import UnsupportedCodec
from signaling.sfu.connection import Glare

if TYPE_CHECKING:
    from signaling.classroom_namespace import ClassroomNamespace

log = logging.getLogger(__name__)
MEDIA_RATE = RateClass("media", 20, 1)
MEDIA_EVENTS: dict[str, type[BaseModel]] = {
    "media:join": Join,
    "media:offer": Offer,
    "media:answer": Answer,
    "media:publish": Publish,
    "media:unpublish": Unpublish,
    "media:prefer": Prefer,
    "media:leave": Empty,
}
RESYNC_AFTER = {"participant:mute", "media:invite", "media:revoke", "presenter:set"}
"""Room events that change what the SFU may forward."""


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


class MediaEvents:
    """Handles ``media:*`` for one namespace; rules come from ``media_policy``."""

    def __init__(self, namespace: ClassroomNamespace, registry: MediaRegistry) -> None:
        self._ns = namespace
        self.registry = registry

    async def handle(self, event: str, sid: str, payload: Any) -> dict[str, Any]:
        # python-socketio dispatches events only for connected clients, and on_connect saved
        # the session before accepting: it always holds the actor (see classroom_namespace).
        session = await self._ns.get_session(sid)
        actor: Actor = session["actor"]
        lecture_id: int = session["lecture_id"]
        ctx = self._ns.room_context(lecture_id)
        retry_after = await ctx.store.hit(
            f"{lecture_id}:{actor.user_id}:{MEDIA_RATE.name}", MEDIA_RATE.limit, 1
        )
        if retry_after > 0:
            raise RoomError(
                "rate_limited", "too many media events", retry_after=round(retry_after, 2)
            )
        try:
            data = MEDIA_EVENTS[event].model_validate(payload)
        except ValidationError as exc:
            fields = [".".join(map(str, e["loc"])) or "payload" for e in exc.errors()]
            raise RoomError(
                "invalid", "the payload does not match the event", fields=fields
            ) from None
        lecture = await self._lecture(ctx)
        user = actor.user_id
        if event == "media:join":
            assert isinstance(data, Join)
            preference = policy.Preference(data.video, data.quality)
            if data.resume:
                # Nothing is made when there is nothing to give back: the client's old peer
                # connection must not answer offers meant for a new one.
                resumed = await lecture.resume(sid, actor, preference)
            else:
                resumed = False
                await lecture.join(sid, actor, preference)
            return {
                "ice_servers": self.registry.ice_servers,
                "tracks": lecture.catalogue(),
                "resumed": resumed,
            }
        if event == "media:publish":
            assert isinstance(data, Publish)
            policy.check_publish(await self._rights(lecture, sid, actor), data.source)
            lecture.announce(user, data.track_id, Announcement(data.source, data.quality))
            await lecture.sync()
            return {}
        if event == "media:offer":
            assert isinstance(data, Offer)
            return {"answer": await self._offer(lecture, sid, actor, data)}
        connection = lecture.connection(sid, user)
        if connection is None:
            raise RoomError("media_not_joined", "send media:join first")
        if event == "media:answer":
            assert isinstance(data, Answer)
            if connection.pc.signalingState != "have-local-offer":
                raise RoomError("no_offer", "there is no server offer to answer")
            try:
                await connection.handle_answer({"type": data.type, "sdp": data.sdp})
            except Exception as exc:
                raise RoomError("invalid_sdp", f"the answer was refused: {exc}") from None
            return {}
        if event == "media:unpublish":
            assert isinstance(data, Unpublish)
            track_id = data.track_id
            for transceiver in connection.pc.getTransceivers():
                if data.mid is not None and transceiver.mid == data.mid:
                    track = transceiver.receiver.track
                    track_id = track.id if track is not None else None
            if track_id is not None:
                lecture.room.unpublish(f"{user}/{track_id}")
            return {}
        if event == "media:prefer":
            assert isinstance(data, Prefer)
            lecture.preferences[user] = policy.Preference(data.video, data.quality)
            await lecture.sync()
            return {}
        await lecture.leave(user)  # media:leave
        return {}

    async def _rights(
        self, lecture: LectureMedia, sid: str, actor: Actor
    ) -> frozenset[policy.Source]:
        lecture.actors.setdefault(actor.user_id, actor)
        return await lecture.rights(actor.user_id)

    async def _offer(
        self, lecture: LectureMedia, sid: str, actor: Actor, offer: Offer
    ) -> dict[str, str]:
        user = actor.user_id
        rights = await self._rights(lecture, sid, actor)
        announced: list[tuple[str, Announcement]] = []
        relabel: list[tuple[str, Announcement]] = []
        published = lecture.published_mids(user)
        for kind, track_id, mid in offered_tracks(offer.sdp):
            if kind not in ("audio", "video"):
                raise RoomError("invalid_sdp", f"cannot publish {kind} media")
            info = offer.tracks.get(mid)
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
        connection = lecture.connection(sid, user)
        if connection is None:
            connection = await lecture.join(
                sid, actor, lecture.preferences.get(user, policy.Preference())
            )
        try:
            # Glare is judged under the connection's lock: a check here could pass while a
            # server offer is being made or is due (see signaling.sfu.connection).
            answer = await connection.handle_offer({"type": offer.type, "sdp": offer.sdp})
        except Glare:
            raise RoomError("glare", "answer the server's offer first, then offer again") from None
        except UnsupportedCodec as exc:
            raise RoomError("unsupported_codec", str(exc)) from None
        except Exception as exc:
            log.info("offer from %s refused: %s", user, exc)
            raise RoomError("invalid_sdp", f"the offer was refused: {exc}") from None
        if relabel:
            await lecture.sync()
        return answer

    async def _lecture(self, ctx: RoomContext) -> LectureMedia:
        lecture_id = ctx.lecture_id

        async def emit_outcome(outcome: Outcome) -> None:
            await self._ns.emit_outcome(lecture_id, outcome)

        async def emit_to(event: str, sid: str, data: dict[str, Any]) -> None:
            await self._ns.emit(event, data, to=sid)

        return await self.registry.ensure(ctx, emit_outcome, emit_to)

    # -- hooks the namespace calls --------------------------------------------------------

    async def welcome(self, sid: str, lecture_id: int) -> None:
        """Part of the join flow: the track catalogue right after ``room:state``."""
        lecture = self.registry.lecture(lecture_id)
        tracks = lecture.catalogue() if lecture is not None else []
        await self._ns.emit("media:tracks", {"tracks": tracks}, to=sid)
        if lecture is not None and lecture.speaking.speaker is not None:
            await self._ns.emit("media:speaking", {"user_id": lecture.speaking.speaker}, to=sid)
        reception = self.registry.reception(lecture_id)
        if reception is not None:
            actor: Actor | None = (await self._ns.get_session(sid)).get("actor")
            if actor is not None and await self._ns.room_context(lecture_id).may_present(actor):
                await self._ns.emit(RECEPTION, reception, to=sid)

    async def after_event(self, lecture_id: int, event: str) -> None:
        lecture = self.registry.lecture(lecture_id)
        if lecture is not None and event in RESYNC_AFTER:
            await lecture.sync()

    async def disconnected(self, sid: str, lecture_id: int, user: int, room_empty: bool) -> None:
        lecture = self.registry.lecture(lecture_id)
        if lecture is None:
            return
        if room_empty:
            await self.registry.close(lecture_id)
        elif lecture.sids.get(user) == sid:
            lecture.detach(user)

    async def ended(self, lecture_id: int) -> None:
        await self.registry.close(lecture_id)
