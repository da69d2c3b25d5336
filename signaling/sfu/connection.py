"""One participant's RTCPeerConnection with the SFU, spoken to in plain SDP dicts.

Signalling is transport-agnostic: ``handle_offer``/``handle_answer`` take and return
``{"type", "sdp"}`` dicts, and server-initiated offers go out through the ``send_offer``
callback the signalling layer provides. Publishing is client-initiated (the client adds
tracks and offers); subscribing is server-initiated (the SFU adds a send-only transceiver
per subscribed track and re-offers).

Negotiation is serialised by a lock and the SFU is the impolite peer: aiortc cannot roll
back, so a client must answer a pending server offer before offering itself. Subscriptions
added in the same tick share one re-offer; those added while an offer is outstanding go
out right after its answer.

A client offer is refused with ``Glare`` when, under the lock, a server offer is outstanding
*or* about to go out: a subscription added since the last server offer has a transceiver
with no mid yet, and aiortc cannot answer a client offer while it has one (``ValueError``
in ``setLocalDescription``, which reached the client as ``invalid_sdp`` and lost its
publication). The check is made under the lock, not before it, so a server offer created
while the client's offer waited for the lock is glare too, not an ``InvalidStateError``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiortc import RTCIceServer, RTCPeerConnection, RTCRtpTransceiver, RTCSessionDescription
from aiortc import sdp as aiortc_sdp
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from signaling.sfu import aiortc_internals, ice, redundancy
from signaling.sfu.codecs import check_forwardable, keep_first_family, prefer_codecs, restrict_to
from signaling.sfu.direct_sender import DirectSender
from signaling.sfu.forwarder import Forwarder
from signaling.sfu.header_extensions import ExtensionIds
from signaling.sfu.receiver_tap import ReceiverTap
from signaling.sfu.subscriber_track import SubscriberTrack
from signaling.sfu.transport_feedback import TransportFeedback, negotiate

logger = logging.getLogger(__name__)

SdpDict = dict[str, str]
SendOffer = Callable[[SdpDict], Awaitable[None]]


class Glare(Exception):
    """A client offer crossed a server offer (sent, or due once the lock is free)."""


@dataclass(frozen=True, slots=True)
class PublishedTrack:
    """A track a participant sends to the SFU, ready to be given a forwarder."""

    participant_id: str
    track_id: str
    kind: str
    codec: RTCRtpCodecParameters
    tap: ReceiverTap
    track: MediaStreamTrack

    @property
    def publication_id(self) -> str:
        return f"{self.participant_id}/{self.track_id}"


class Connection:
    """See the module docstring; one instance per participant."""

    def __init__(
        self,
        participant_id: str,
        *,
        on_publish: Callable[[PublishedTrack], None],
        send_offer: SendOffer | None = None,
        host_addresses: Sequence[str] | None = None,
        ice_servers: Sequence[RTCIceServer] | None = None,
    ) -> None:
        self.participant_id = participant_id
        negotiate()
        redundancy.register()
        self.pc = RTCPeerConnection(ice.configuration(host_addresses, ice_servers))
        self._host_addresses = host_addresses
        self._on_publish = on_publish
        self._send_offer = send_offer
        self._lock = asyncio.Lock()
        self._new_taps: list[tuple[RTCRtpTransceiver, ReceiverTap]] = []
        self._negotiation_needed = False
        self._negotiations: set[asyncio.Future[None]] = set()
        self._sending: list[tuple[RTCRtpTransceiver, SubscriberTrack, RTCRtpCodecParameters]] = []
        self.feedback: TransportFeedback | None = None
        self._extension_ids = ExtensionIds()
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        # Fired inside setRemoteDescription, before the receiver starts: the moment to tap.
        for transceiver in self.pc.getTransceivers():
            if transceiver.receiver.track is track:
                self._new_taps.append((transceiver, ReceiverTap(transceiver.receiver)))
                if self.feedback is None:  # one bundle: one transport carries every track
                    self.feedback = TransportFeedback(transceiver.receiver.transport)

    async def handle_offer(self, offer: SdpDict) -> SdpDict:
        """Answer a client offer (publishing new tracks, or any client-side change).

        Raises ``Glare`` (nothing changed) if the server has an offer out or one due; see
        the module docstring."""
        async with self._lock:
            if self.pc.signalingState != "stable" or self._unoffered():
                raise Glare("answer the server's offer first, then offer again")
            check_forwardable(offer["sdp"])
            self._extension_ids.learn(offer["sdp"])
            await self.pc.setRemoteDescription(
                RTCSessionDescription(sdp=prefer_codecs(offer["sdp"]), type=offer["type"])
            )
            for transceiver in self.pc.getTransceivers():
                keep_first_family(transceiver)
            await self._set_local(await self.pc.createAnswer())
            self._announce_publications()
        if self._negotiation_needed:
            self._schedule_negotiation()
        return self.local_description()

    async def handle_answer(self, answer: SdpDict) -> None:
        """Apply the client's answer to the last server offer; re-offer if more changed."""
        async with self._lock:
            self._extension_ids.learn(answer["sdp"])
            await self.pc.setRemoteDescription(
                RTCSessionDescription(sdp=answer["sdp"], type=answer["type"])
            )
        if self._negotiation_needed:
            self._schedule_negotiation()

    async def create_offer(self) -> SdpDict | None:
        """A server offer carrying pending subscription changes, or None if there are none
        or an offer is already waiting for its answer."""
        async with self._lock:
            if not self._negotiation_needed or self.pc.signalingState != "stable":
                return None
            self._negotiation_needed = False
            offer = await self.pc.createOffer()
            offer.sdp = self._extension_ids.apply(offer.sdp)
            await self._set_local(offer)
            return self.local_description()

    def _unoffered(self) -> bool:
        """A subscription's transceiver is in no offer yet and the server's next offer, due
        once the lock is free, will add it (with no ``send_offer`` none ever would)."""
        return self._send_offer is not None and any(
            transceiver.mid is None for transceiver, _, _ in self._sending
        )

    def subscribe(self, forwarder: Forwarder) -> SubscriberTrack:
        """Start sending ``forwarder``'s frames to this participant (after a re-offer).

        A send-only transceiver whose subscription ended carries the new one when it can (same
        kind and codec): a viewer switching camera quality or video off and on
        again does not grow the SDP by an m-line each time. The re-offer then only tells the
        client which publication its mid now carries.
        """
        track = forwarder.subscribe()
        if self._reuse(forwarder, track):
            self._schedule_negotiation()
            return track
        transceiver = self.pc.addTransceiver(track, direction="sendonly")
        self._send_from(forwarder, transceiver, track)
        self._sending.append((transceiver, track, forwarder.codec))
        self._schedule_negotiation()
        return track

    def _send_from(
        self, forwarder: Forwarder, transceiver: RTCRtpTransceiver, track: SubscriberTrack
    ) -> None:
        """Offer ``forwarder``'s codec (Opus wrapped in RED, see ``redundancy``) on a new
        send-only transceiver and send its frames there directly (``DirectSender``).

        (``bench/sfu_fanout.py`` overrides this to measure aiortc's own senders instead.)"""
        restrict_to(transceiver, forwarder.codec)
        aiortc_internals.on_keyframe_request(transceiver.sender, forwarder.request_keyframe)
        track.direct = DirectSender(transceiver.sender, forwarder.send_time)

    def _reuse(self, forwarder: Forwarder, track: SubscriberTrack) -> bool:
        codec = forwarder.codec
        for index, (transceiver, old, old_codec) in enumerate(self._sending):
            if (
                old.readyState != "ended"
                or old.direct is None
                or transceiver.kind != forwarder.kind
                or transceiver.mid is None
                or old_codec.mimeType.lower() != codec.mimeType.lower()
                or old_codec.clockRate != codec.clockRate
                or old_codec.parameters != codec.parameters
            ):
                continue
            # aiortc's own sender loop ended with the old track; it is not restarted (the
            # direct path sends), so the transceiver keeps its sender as it is.
            aiortc_internals.on_keyframe_request(transceiver.sender, forwarder.request_keyframe)
            old.direct.follow(forwarder.send_time, codec.clockRate // 30)
            track.direct = old.direct
            self._sending[index] = (transceiver, track, old_codec)
            return True
        return False

    def sending(self) -> dict[str, SubscriberTrack]:
        """mid -> the subscription each negotiated send-only transceiver carries now."""
        return {
            transceiver.mid: track
            for transceiver, track, _ in self._sending
            if transceiver.mid is not None and track.readyState == "live"
        }

    def local_description(self) -> SdpDict:
        description = self.pc.localDescription
        return {"type": description.type, "sdp": description.sdp}

    async def close(self) -> None:
        for negotiation in self._negotiations:
            negotiation.cancel()
        if self.feedback is not None:
            self.feedback.close()
        await self.pc.close()

    async def _set_local(self, description: RTCSessionDescription) -> None:
        with ice.gathering_on(self._host_addresses):
            await self.pc.setLocalDescription(description)

    def _announce_publications(self) -> None:
        answer = aiortc_sdp.SessionDescription.parse(self.pc.localDescription.sdp)
        media_by_mid = {m.rtp.muxId: m for m in answer.media}
        for transceiver, tap in self._new_taps:
            media = media_by_mid[transceiver.mid or ""]
            track = transceiver.receiver.track
            self._on_publish(
                PublishedTrack(
                    participant_id=self.participant_id,
                    track_id=track.id,
                    kind=transceiver.kind,
                    codec=media.rtp.codecs[0],
                    tap=tap,
                    track=track,
                )
            )
        self._new_taps.clear()

    def _schedule_negotiation(self) -> None:
        # Extra tasks are harmless: create_offer hands out one offer per batch of changes.
        self._negotiation_needed = True
        if self._send_offer is not None:
            task = asyncio.ensure_future(self._negotiate(self._send_offer))
            self._negotiations.add(task)
            task.add_done_callback(self._negotiations.discard)

    async def _negotiate(self, send_offer: SendOffer) -> None:
        try:
            offer = await self.create_offer()
            if offer is not None:
                await send_offer(offer)
        except Exception:
            # Runs as its own task: nobody else would ever see the error.
            logger.exception("renegotiation with %s failed", self.participant_id)
