"""The receiving side: a publisher's encoded frames, tapped before any decoder.

Why: aiortc has no public hook for encoded frames. ``RTCRtpReceiver.receive()`` starts a
decoder thread and ``_handle_rtp_packet()`` hands every complete frame leaving the jitter
buffer to it. The SFU must forward those frames untouched, so the tap replaces ``receive`` on
one receiver instance: no decoder thread is started, no decoder is ever created, and the
frames go to a callback on the event loop instead. The aiortc internals this takes are
reached through ``aiortc_internals`` (see its ``RELIED_ON``), the only module that names them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiortc import RTCRtpReceiver
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpReceiveParameters
from aiortc.rtp import AnyRtcpPacket, RtcpRrPacket, RtpPacket

from signaling.sfu import aiortc_internals
from signaling.sfu.keyframes import KeyframeThrottle

FrameSink = Callable[[bytes, int], None]
"""Receives each complete encoded frame: (data, RTP timestamp rebased to 0)."""


class _FrameQueue:
    """Stand-in for the decoder queue; ``put`` runs on the event loop, once per frame."""

    def __init__(self, sink: FrameSink, on_end: Callable[[], None]) -> None:
        self._sink = sink
        self._on_end = on_end

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        if item is None:
            self._on_end()
        else:
            frame = item[1]
            self._sink(frame.data, frame.timestamp)


class ReceiverTap:
    """Diverts one publisher receiver's encoded frames to ``sink`` and asks it for keyframes.

    Install before the receiver starts (on the ``track`` event or right after
    ``setRemoteDescription``); its remote track then never yields frames and ends with it.
    Frames arriving before ``deliver_to`` names a sink are discarded.
    """

    def __init__(self, receiver: RTCRtpReceiver, throttle: KeyframeThrottle | None = None) -> None:
        self._receiver = receiver
        self._sink: FrameSink | None = None
        self._on_pli: Callable[[], None] | None = None
        self._throttle = throttle or KeyframeThrottle()
        self._media_ssrc: int | None = None
        self._deferred: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Future[None]] = set()
        self.keyframe_requests_sent = 0
        self.downstream_loss = 0.0
        """Worst loss (0..1) among those receiving this track, reported to the publisher."""
        aiortc_internals.intercept_receive(receiver, self._receive)
        self._report_downstream_loss(receiver)

    async def _receive(self, parameters: RTCRtpReceiveParameters) -> None:
        frames = _FrameQueue(self._deliver, self._ended)
        if aiortc_internals.start_without_decoder(self._receiver, parameters, frames):
            if parameters.encodings:
                self._media_ssrc = parameters.encodings[0].ssrc

    def _report_downstream_loss(self, receiver: RTCRtpReceiver) -> None:
        """Receiver reports to the publisher carry the students' loss when it is worse.

        Why: the SFU ends the publisher's RTCP, so a browser never hears that students lose
        packets. Chromium's Opus encoder sets its in-band FEC from the loss in receiver
        reports (``ChannelSend::OnReportBlockDataUpdated``): with the students' loss there,
        it may add redundancy for them. (Measured at 5 % loss, concealment stayed near the
        loss rate with or without it: Opus adds FEC in its SILK modes only, and Chromium's
        fake microphone is a tone.)
        """

        def with_loss(send: aiortc_internals.RtcpSend) -> aiortc_internals.RtcpSend:
            async def send_with_loss(packet: AnyRtcpPacket) -> None:
                if isinstance(packet, RtcpRrPacket) and self.downstream_loss > 0:
                    floor = min(255, int(self.downstream_loss * 256))
                    for report in packet.reports:
                        report.fraction_lost = max(report.fraction_lost, floor)
                await send(packet)

            return send_with_loss

        aiortc_internals.intercept_rtcp(receiver, with_loss)

    def watch_audio_level(self, sink: Callable[[int], None]) -> None:
        """Report each packet's audio level (0 loudest .. 127 silent, -dBov) to ``sink``.

        The level is already parsed by aiortc from the RTP header extension, so watching costs
        one call per audio packet and no decoding.
        """

        def with_level(handle: aiortc_internals.RtpHandle) -> aiortc_internals.RtpHandle:
            async def handle_with_level(packet: RtpPacket, arrival_time_ms: int) -> None:
                level = packet.extensions.audio_level
                if level is not None:
                    sink(level[1])
                await handle(packet, arrival_time_ms=arrival_time_ms)

            return handle_with_level

        aiortc_internals.intercept_rtp(self._receiver, with_level)

    def deliver_to(self, sink: FrameSink, on_pli: Callable[[], None] | None = None) -> None:
        """Hand frames to ``sink``; ``on_pli`` hears of each keyframe request actually sent."""
        self._sink = sink
        self._on_pli = on_pli

    def _deliver(self, data: bytes, timestamp: int) -> None:
        if self._sink is not None:
            self._sink(data, timestamp)

    def _ended(self) -> None:
        if self._deferred is not None:
            self._deferred.cancel()
        track = self._receiver.track
        if track is not None:
            track.stop()

    def request_keyframe(self) -> None:
        """Ask the publisher for a keyframe (PLI), throttled per ``KeyframeThrottle``."""
        delay = self._throttle.request()
        if delay == 0:
            self._send_pli()
        elif delay is not None:
            loop = asyncio.get_running_loop()
            self._deferred = loop.call_later(delay, self._deferred_due)

    def keyframe_arrived(self) -> None:
        self._throttle.keyframe_seen()

    def _deferred_due(self) -> None:
        self._deferred = None
        if self._throttle.due():
            self._send_pli()

    def _send_pli(self) -> None:
        ssrc = self._media_ssrc
        if ssrc is None:
            sources = self._receiver.getSynchronizationSources()
            ssrc = sources[0].source if sources else None
        if ssrc is None:
            return  # nothing received yet; the first frames will carry a keyframe
        self.keyframe_requests_sent += 1
        if self._on_pli is not None:
            self._on_pli()
        task = asyncio.ensure_future(aiortc_internals.send_pli(self._receiver, ssrc))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
