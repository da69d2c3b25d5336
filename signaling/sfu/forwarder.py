"""Fans one published track's encoded frames out to its subscribers.

Per frame, the expensive parts happen once for everyone: the ``av.Packet``, the keyframe
check, the RTP packetization (stored in ``packet.opaque``) and the send-time stamp. Each
subscriber then costs one non-blocking ``offer``: with a ``DirectSender``, an RTP header,
SRTP and ``sendto`` per packet and nothing else.
"""

from __future__ import annotations

import fractions
import logging
from collections.abc import Callable
from typing import Protocol

import av
from aiortc.codecs import get_encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av.stream import Stream

from signaling.sfu.direct_sender import SendTime
from signaling.sfu.keyframes import detector_for
from signaling.sfu.metrics import RoomCounters
from signaling.sfu.subscriber_track import SubscriberTrack

logger = logging.getLogger(__name__)


class KeyframeSource(Protocol):
    """The publisher side: where keyframe requests go and keyframe sightings are reported."""

    def request_keyframe(self) -> None: ...

    def keyframe_arrived(self) -> None: ...


def packetizer_for(codec: RTCRtpCodecParameters) -> Callable[[av.Packet[Stream]], list[bytes]]:
    """RTP payloads for one frame, exactly as aiortc's sender would produce them.

    Audio frames are their own payload; aiortc's Opus packer would only copy them (and its
    constructor opens an encoder, which the SFU never needs).
    """
    if codec.mimeType.lower().startswith("audio/"):
        return lambda packet: [bytes(packet)]
    encoder = get_encoder(codec)
    return lambda packet: encoder.pack(packet)[0]


class Forwarder:
    """One published track -> N ``SubscriberTrack`` queues."""

    def __init__(
        self,
        codec: RTCRtpCodecParameters,
        keyframes: KeyframeSource,
        counters: RoomCounters,
    ) -> None:
        self.codec = codec
        self.kind = codec.mimeType.split("/")[0].lower()
        self._keyframes = keyframes
        self._counters = counters
        self._time_base = fractions.Fraction(1, codec.clockRate)
        self._is_keyframe = detector_for(codec.mimeType)
        self._packetize = packetizer_for(codec)
        self._tracks: list[SubscriberTrack] = []
        self.send_time = SendTime()
        self.frames_in = 0
        self.paused = False

    def pause(self, paused: bool) -> None:
        """Stop (or resume) handing frames to subscribers, keeping them subscribed: how the
        room mutes a participant without renegotiating. Video subscribers resume on a
        keyframe, so resuming asks for one."""
        if self.paused == paused:
            return
        self.paused = paused
        if not paused:
            for track in self._tracks:
                track.awaiting_keyframe = self.kind == "video"
            self.request_keyframe()

    def subscribe(self) -> SubscriberTrack:
        """A new subscriber; it asks for a keyframe itself once its sender is ready."""
        track = SubscriberTrack(self.kind, self.request_keyframe, self._counters.dropped_frames.inc)
        self._tracks.append(track)
        # aiortc's sender stops the track when its transport fails: stop feeding it then.
        track.once("ended", lambda: self._discard(track))
        return track

    def _discard(self, track: SubscriberTrack) -> None:
        if track in self._tracks:
            self._tracks.remove(track)

    def request_keyframe(self) -> None:
        if self.kind == "video":
            self._keyframes.request_keyframe()

    def push(self, data: bytes, timestamp: int) -> None:
        """Called by the receiver tap on the event loop for each complete frame."""
        self.frames_in += 1
        packet = av.Packet(data)
        packet.pts = timestamp
        packet.time_base = self._time_base
        packet.is_keyframe = keyframe = self._is_keyframe(data)
        if keyframe and self.kind == "video":
            self._keyframes.keyframe_arrived()
        if not self._tracks or self.paused:
            return
        payloads = self._packetize(packet)
        packet.opaque = payloads
        self.send_time.update()
        delivered = 0
        for track in self._tracks:
            try:
                delivered += track.offer(packet)
            except Exception:
                # One subscriber's broken transport must not break the publisher's receive
                # loop (this runs inside it) nor the other subscribers.
                logger.exception("dropping a failing %s subscriber", self.kind)
                track.stop()
        if delivered:
            self._counters.forwarded_packets.inc(delivered * len(payloads))
            self._counters.forwarded_bytes.inc(delivered * sum(map(len, payloads)))

    def close(self) -> None:
        for track in list(self._tracks):
            track.stop()
