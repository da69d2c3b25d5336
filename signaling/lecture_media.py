"""One lecture's live media: the SFU room plus what the rules need to drive it.

``RoomMedia`` only executes subscribe/unsubscribe; this class keeps the lecture's side of
things (what each track is — camera, microphone or screen, high or low —, who asked for audio
only, which socket owns each participant's peer connection) and *reconciles*: ``sync`` asks
``classroom_server.room.media_policy`` what should be forwarded and received, and makes the
SFU match. Every change (a track appears, a mute, an invitation, a preference) just calls
``sync``, so no event has its own special-case path to get wrong.

Participants are keyed by user id (one peer connection per user; a second tab that joins
media takes the connection over).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from classroom_server.attendance import TalkTally
from classroom_server.room import Actor, Outcome, RoomContext
from classroom_server.room import media_policy as policy
from classroom_server.room.store import MediaPresence
from signaling import media_metrics
from signaling.link_quality import link_report
from signaling.sfu.connection import Connection, PublishedTrack, SdpDict
from signaling.sfu.room_media import RoomMedia
from signaling.sfu.subscriber_track import SubscriberTrack
from signaling.speaking import SpeakerDetector

log = logging.getLogger(__name__)
ADAPT_SECONDS = 1.0
"""How often each viewer's camera quality is re-chosen from their receiver reports."""
RESUME_SECONDS = 15.0
"""How long a participant's media outlives their Socket.IO connection: a reconnect within it
gets the same peer connection back (``media:join`` with ``resume``), and nobody who receives
their tracks sees anything happen."""
MAX_ANNOUNCEMENTS = 16
"""Per participant: a browser publishes at most camera high+low, microphone and screen."""

EmitOutcome = Callable[[Outcome], Awaitable[None]]
EmitTo = Callable[[str, str, dict[str, Any]], Awaitable[None]]
"""(event, sid, data): one socket's signalling."""


@dataclass(frozen=True, slots=True)
class Announcement:
    source: policy.Source
    quality: policy.Quality


def default_source(kind: str) -> policy.Source:
    """Tracks nobody announced: audio is the microphone, video the camera."""
    return "microphone" if kind == "audio" else "camera"


class LectureMedia:
    """See the module docstring."""

    def __init__(
        self,
        ctx: RoomContext,
        room: RoomMedia,
        meeting: bool,
        emit_outcome: EmitOutcome,
        emit_to: EmitTo,
    ) -> None:
        self.ctx = ctx
        self.room = room
        self.meeting = meeting
        self._emit_outcome = emit_outcome
        self._emit_to = emit_to
        self.actors: dict[int, Actor] = {}
        self.sids: dict[int, str] = {}
        self.preferences: dict[int, policy.Preference] = {}
        self.announced: dict[int, dict[str, Announcement]] = {}
        self.publications: dict[str, policy.Publication] = {}
        self.subscribed: dict[int, dict[str, SubscriberTrack]] = {}
        self._catalogue: list[dict[str, Any]] = []
        self._presence: MediaPresence = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self.closed = False
        self.automatic: dict[int, policy.Quality] = {}
        self._links: dict[int, policy.LinkHistory] = {}
        self._last_report: dict[int, object] = {}
        self._sent: dict[int, tuple[int, int]] = {}  # viewer -> camera packets, NACKed
        self._detached: dict[int, asyncio.TimerHandle] = {}
        self.talk = TalkTally(ctx.database, ctx.lecture_id)
        self.speaking = SpeakerDetector(self._announce_speaker, talked=self.talk.add)
        self._spawn(self.speaking.run())
        self._spawn(self.talk.run())
        self._spawn(self._adapt_forever())

    # -- participants -------------------------------------------------------------------

    async def join(self, sid: str, actor: Actor, preference: policy.Preference) -> Connection:
        """The participant's connection, owned by ``sid`` from now on."""
        user = actor.user_id
        owner = self.sids.get(user)
        if user in self._detached or (owner is not None and owner != sid):
            await self.leave(user)
        self.actors[user] = actor
        self.sids[user] = sid
        self.preferences[user] = preference
        self.subscribed.setdefault(user, {})
        connection = self.room.connect(str(user), lambda offer: self._send_offer(user, offer))
        await self.sync()
        return connection

    def detach(self, user: int) -> None:
        """The participant's socket is gone: keep their media ``RESUME_SECONDS`` for a resume."""
        self.sids.pop(user, None)
        if user not in self._detached:
            loop = asyncio.get_running_loop()
            self._detached[user] = loop.call_later(
                RESUME_SECONDS, lambda: self._spawn(self._expire(user))
            )

    async def _expire(self, user: int) -> None:
        if user in self._detached:
            await self.leave(user)

    async def resume(self, sid: str, actor: Actor, preference: policy.Preference) -> bool:
        """Give a detached participant's peer connection to their new socket; False (nothing
        changed) when there is none to give back."""
        user = actor.user_id
        timer = self._detached.pop(user, None)
        connection = self.room.connections.get(str(user))
        if timer is None or connection is None:
            return False
        timer.cancel()
        self.actors[user] = actor
        self.sids[user] = sid
        self.preferences[user] = preference
        if connection.pc.signalingState == "have-local-offer":  # sent to the old socket
            await self._send_offer(user, connection.local_description())
        await self.sync()
        return True

    def connection(self, sid: str, user: int) -> Connection | None:
        if self.sids.get(user) != sid:
            return None
        return self.room.connections.get(str(user))

    async def leave(self, user: int) -> None:
        timer = self._detached.pop(user, None)
        if timer is not None:
            timer.cancel()
        self.sids.pop(user, None)
        self.subscribed.pop(user, None)
        self.automatic.pop(user, None)
        self._links.pop(user, None)
        self._last_report.pop(user, None)
        self._sent.pop(user, None)
        self.announced.pop(user, None)
        self.speaking.forget(user)
        await self.talk.flush(user)
        await self.room.disconnect(str(user))
        await self.sync()

    def announce(self, user: int, track_id: str, announcement: Announcement) -> None:
        tracks = self.announced.setdefault(user, {})
        tracks.pop(track_id, None)
        if len(tracks) >= MAX_ANNOUNCEMENTS:
            del tracks[next(iter(tracks))]
        tracks[track_id] = announcement
        publication = self.publications.get(f"{user}/{track_id}")
        if publication is not None:
            self.publications[publication.publication_id] = policy.Publication(
                publication.publication_id,
                user,
                publication.kind,
                announcement.source,
                announcement.quality,
            )

    def relabel(self, publication_id: str, announcement: Announcement) -> None:
        """Correct what a published track is (sync then tells everyone)."""
        publication = self.publications.get(publication_id)
        if publication is None:
            return
        self.publications[publication_id] = policy.Publication(
            publication_id,
            publication.user_id,
            publication.kind,
            announcement.source,
            announcement.quality,
        )

    def source_of(self, user: int, track_id: str, kind: str) -> Announcement:
        known = self.announced.get(user, {}).get(track_id)
        return known or Announcement(default_source(kind), "high")

    def published_mids(self, user: int) -> dict[str, str]:
        """mid -> publication id of what ``user`` publishes on their connection."""
        connection = self.room.connections.get(str(user))
        if connection is None:
            return {}
        found = {}
        for transceiver in connection.pc.getTransceivers():
            track = transceiver.receiver.track
            if transceiver.mid is not None and track is not None:
                publication_id = f"{user}/{track.id}"
                if publication_id in self.publications:
                    found[transceiver.mid] = publication_id
        return found

    def _mid_of(self, track: PublishedTrack) -> str | None:
        connection = self.room.connections.get(track.participant_id)
        if connection is None:
            return None
        for transceiver in connection.pc.getTransceivers():
            if transceiver.receiver.track is track.track:
                return transceiver.mid
        return None

    async def rights(self, user: int) -> frozenset[policy.Source]:
        actor = self.actors.get(user)
        if actor is None:
            return frozenset()
        return await policy.publish_rights(self.ctx, actor, self.meeting)

    # -- SFU callbacks --------------------------------------------------------------------

    def published(self, track: PublishedTrack) -> None:
        if self.closed:
            return
        user = int(track.participant_id)
        mid = self._mid_of(track)
        by_mid = self.announced.get(user, {}).get(f"mid:{mid}") if mid is not None else None
        announcement = by_mid or self.source_of(user, track.track_id, track.kind)
        self.publications[track.publication_id] = policy.Publication(
            track.publication_id, user, track.kind, announcement.source, announcement.quality
        )
        if track.kind == "audio":
            forwarder = self.room.forwarders.get(track.publication_id)

            def heard(level: int) -> None:
                if forwarder is not None and not forwarder.paused:
                    self.speaking.heard(user, level)

            track.tap.watch_audio_level(heard)
        self._spawn(self.sync())

    def unpublished(self, publication_id: str) -> None:
        if self.closed:
            return
        self.publications.pop(publication_id, None)
        for tracks in self.subscribed.values():
            tracks.pop(publication_id, None)
        self._spawn(self.sync())

    # -- reconciliation -------------------------------------------------------------------

    async def sync(self) -> None:
        """Make forwarding and subscriptions match the rules; announce a changed catalogue."""
        async with self._lock:
            # The room's flags once per sync, whatever the number of participants: a sync
            # runs on every join, leave, mute and adaptation.
            store, lecture_id = self.ctx.store, self.ctx.lecture_id
            muted = await store.flagged(lecture_id, "muted")
            presenters = await store.flagged(lecture_id, "presenter")
            invited = await store.flagged(lecture_id, "invited")
            rights = {
                user: policy.rights_given(actor, self.meeting, presenters, invited)
                for user, actor in self.actors.items()
            }
            for publication_id, publication in self.publications.items():
                forwarder = self.room.forwarders.get(publication_id)
                if forwarder is not None:
                    allowed = rights.get(publication.user_id, frozenset())
                    forwarder.pause(not policy.forwarded(publication, muted, allowed))
            publications = list(self.publications.values())
            for user, tracks in self.subscribed.items():
                if str(user) not in self.room.connections:
                    continue
                preference = self.preferences.get(user, policy.Preference())
                automatic = self.automatic.get(user, "high")
                wanted = policy.receives(user, preference, publications, automatic)
                # Ended subscriptions first: their transceivers can carry the new ones.
                for publication_id in sorted(tracks.keys() - wanted):
                    del tracks[publication_id]
                    self.room.unsubscribe(str(user), publication_id)
                for publication_id in sorted(wanted - tracks.keys()):
                    tracks[publication_id] = self.room.subscribe(str(user), publication_id)
            media_metrics.record(
                self.room.room_id,
                {p.user_id for p in publications},
                len(publications),
                sum(len(tracks) for tracks in self.subscribed.values()),
                len(self.room.connections),
            )
            catalogue = self.catalogue()
            changed = catalogue != self._catalogue
            self._catalogue = catalogue
            presence = self.presence()
            if presence != self._presence:
                self._presence = presence
                await store.put_media_presence(lecture_id, presence)
        if changed:
            await self._emit_outcome(Outcome().emit("media:tracks", {"tracks": catalogue}))

    # -- weak networks ----------------------------------------------------------------------

    async def _adapt_forever(self) -> None:
        while True:
            await asyncio.sleep(ADAPT_SECONDS)
            if await self.adapt():
                await self.sync()
            await self.report_audio_loss()

    async def report_audio_loss(self) -> None:
        """Tell each microphone's publisher the worst loss among those hearing it, so that
        its browser adds Opus FEC for them (see ``ReceiverTap.downstream_loss``)."""
        worst: dict[str, float] = {}
        for user, tracks in list(self.subscribed.items()):
            connection = self.room.connections.get(str(user))
            if connection is None:
                continue
            by_track = {id(track): publication_id for publication_id, track in tracks.items()}
            sending = connection.sending()
            for transceiver in connection.pc.getTransceivers():
                if transceiver.kind != "audio" or transceiver.mid is None:
                    continue
                publication_id = by_track.get(id(sending.get(transceiver.mid)))
                report = await link_report(transceiver.sender) if publication_id else None
                if publication_id and report is not None:
                    worst[publication_id] = max(worst.get(publication_id, 0.0), report.loss)
        for publication_id, published in self.room.publications.items():
            if published.kind == "audio":
                published.tap.downstream_loss = worst.get(publication_id, 0.0)

    async def adapt(self) -> bool:
        """Re-choose each viewer's automatic camera quality from the receiver report of the
        camera they get now; True when someone's changed. The change is carried out by
        ``sync``: the new camera is a new subscription, which starts on a keyframe."""
        changed = False
        has_low = {p.user_id for p in self.publications.values() if p.quality == "low"}
        for user, tracks in list(self.subscribed.items()):
            connection = self.room.connections.get(str(user))
            if connection is None:
                continue
            cameras = {
                id(track)
                for publication_id, track in tracks.items()
                if (publication := self.publications.get(publication_id)) is not None
                and publication.source == "camera"
                and publication.user_id in has_low
            }
            sending = connection.sending()
            watched = [
                (transceiver, track)
                for transceiver in connection.pc.getTransceivers()
                if transceiver.mid is not None
                and id(track := sending.get(transceiver.mid)) in cameras
            ]
            reports = [await link_report(transceiver.sender) for transceiver, _ in watched]
            known = [r for r in reports if r is not None]
            stamp = tuple(r.at for r in known)
            if not known or self._last_report.get(user) == stamp:
                continue  # no new report since the last look: the same one counts once
            self._last_report[user] = stamp
            rtts = [r.rtt for r in known if r.rtt is not None]
            current = self.automatic.get(user, "high")
            quality, self._links[user] = policy.adapt_quality(
                current,
                max(max(r.loss for r in known), self._nack_loss(user, [t for _, t in watched])),
                max(rtts) if rtts else None,
                self._links.get(user, policy.LinkHistory()),
            )
            if quality != current:
                log.info(
                    "lecture %s: user %s now gets the %s camera", self.ctx.lecture_id, user, quality
                )
                self.automatic[user] = quality
                changed = True
        return changed

    def _nack_loss(self, user: int, tracks: list[SubscriberTrack | None]) -> float:
        """Share of the packets sent since the last report that the viewer asked for again.

        Receiver reports count a packet repaired by retransmission as received, so on a link
        losing 5 % they show about 0 % while the link runs over its capacity; the NACKs show
        the loss before repair."""
        packets = nacked = 0
        for track in tracks:
            if track is not None and track.direct is not None:
                packets += track.direct.packets
                nacked += track.direct.nacked
        last_packets, last_nacked = self._sent.get(user, (packets, nacked))
        self._sent[user] = (packets, nacked)
        sent = packets - last_packets
        return 0.0 if sent <= 0 else min(1.0, max(0, nacked - last_nacked) / sent)

    def qualities(self) -> dict[int, policy.Quality]:
        """The camera quality each viewer gets automatically (for tests and diagnostics)."""
        return {user: self.automatic.get(user, "high") for user in self.subscribed}

    def catalogue(self) -> list[dict[str, Any]]:
        entries = []
        for publication_id in sorted(self.publications):
            publication = self.publications[publication_id]
            forwarder = self.room.forwarders.get(publication_id)
            entries.append(
                {
                    "publication_id": publication_id,
                    "user_id": publication.user_id,
                    "kind": publication.kind,
                    "source": publication.source,
                    "quality": publication.quality,
                    "forwarded": forwarder is not None and not forwarder.paused,
                }
            )
        return entries

    def presence(self) -> MediaPresence:
        """Who sends what and who receives, for counts read in other processes."""
        presence: dict[int, set[str]] = {user: {"receiving"} for user in self.subscribed}
        for publication in self.publications.values():
            presence.setdefault(publication.user_id, set()).add(publication.source)
        return {user: sorted(sources) for user, sources in sorted(presence.items())}

    def mids(self, user: int) -> dict[str, str]:
        """mid -> publication id of the tracks the SFU sends ``user``."""
        connection = self.room.connections.get(str(user))
        tracks = {id(track): pid for pid, track in self.subscribed.get(user, {}).items()}
        if connection is None:
            return {}
        return {
            mid: tracks[id(track)]
            for mid, track in connection.sending().items()
            if id(track) in tracks
        }

    async def _send_offer(self, user: int, offer: SdpDict) -> None:
        sid = self.sids.get(user)
        if sid is not None:
            await self._emit_to("media:offer", sid, {**offer, "tracks": self.mids(user)})

    async def _announce_speaker(self, user: int | None) -> None:
        await self._emit_outcome(Outcome().emit("media:speaking", {"user_id": user}))

    def _spawn(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("lecture %s media task failed", self.ctx.lecture_id)

        def done(task: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            if task.cancelled() and isinstance(work, Coroutine):
                work.close()  # cancelled (by close) before it began: it never will

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(done)

    async def close(self) -> None:
        self.closed = True
        await self.talk.flush()  # logs what it could not write
        for timer in self._detached.values():
            timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        await self.room.close()
        media_metrics.forget(self.room.room_id)
