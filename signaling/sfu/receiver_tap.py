"""The receiving side's reach into aiortc's private internals (pinned: aiortc 1.16.0).

Why: aiortc has no public hook for encoded frames. ``RTCRtpReceiver.receive()`` starts a
decoder thread and ``_handle_rtp_packet()`` hands every complete frame leaving the jitter
buffer to it. The SFU must forward those frames untouched, so the tap replaces ``receive`` on
one receiver instance: no decoder thread is started, no decoder is ever created, and the
frames go to a callback on the event loop instead. This module and ``sender_tap`` are the only
ones that touch aiortc internals; the version pin is checked here, on import, for both.

aiortc 1.16.0 internals relied on (re-check every one when bumping the pin):

``RTCRtpReceiver`` (name-mangled privates, set by the replacement ``receive``):
  ``_RTCRtpReceiver__started``, ``_RTCRtpReceiver__codecs`` (payload type -> codec),
  ``_RTCRtpReceiver__rtx_ssrc`` (RTX ssrc -> media ssrc), ``_RTCRtpReceiver__rtcp_task``,
  ``_RTCRtpReceiver__decoder_thread`` (only its truthiness and ``join()`` are used) and
  ``_RTCRtpReceiver__decoder_queue`` (``_handle_rtp_packet`` calls ``put((codec, frame))``
  with a ``JitterFrame`` whose timestamp is already unwrapped and rebased to 0;
  ``__stop_decoder`` calls ``put(None)``).
``RTCRtpReceiver`` methods: ``_run_rtcp()`` (receiver reports), ``_send_rtcp_pli(ssrc)``,
  ``_send_rtcp(packet)`` (every RTCP packet the receiver sends, receiver reports included).
``RTCDtlsTransport._register_rtp_receiver(receiver, parameters)``.
``RTCPeerConnection`` calls ``transceiver.receiver.receive(params)`` when DTLS connects,
  so replacing the bound method on the instance before then is enough.
``RTCDtlsTransport`` calls ``receiver._handle_rtp_packet(packet, arrival_time_ms=...)`` on the
  instance for each RTP packet, whose ``extensions.audio_level`` aiortc has already parsed
  (``(voice, level)``, level in -dBov) when ssrc-audio-level was negotiated
  (``watch_audio_level`` wraps it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import aiortc
from aiortc import RTCRtpReceiver
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpReceiveParameters
from aiortc.rtp import AnyRtcpPacket, RtcpRrPacket, RtpPacket

from signaling.sfu.keyframes import KeyframeThrottle

PINNED_AIORTC = "1.16.0"
if aiortc.__version__ != PINNED_AIORTC:  # pragma: no cover - guards a pin bump
    raise ImportError(
        f"signaling.sfu.receiver_tap relies on aiortc {PINNED_AIORTC} internals, "
        f"found {aiortc.__version__}: re-check the list in its docstring"
    )

_RECEIVER = "_RTCRtpReceiver__"
_SENDER_ENCODER = "_RTCRtpSender__encoder"

FrameSink = Callable[[bytes, int], None]
"""Receives each complete encoded frame: (data, RTP timestamp rebased to 0)."""


class _NoDecoderThread:
    """Truthy stand-in: ``_handle_rtp_packet`` only forwards frames while it sees a thread."""

    def join(self) -> None:
        """Nothing runs, so stopping has nothing to wait for."""


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
        receiver.receive = self._receive  # type: ignore[method-assign]
        self._report_downstream_loss(receiver)

    async def _receive(self, parameters: RTCRtpReceiveParameters) -> None:
        receiver = self._receiver
        if getattr(receiver, _RECEIVER + "started"):
            return
        codecs: dict[int | None, RTCRtpCodecParameters] = getattr(receiver, _RECEIVER + "codecs")
        codecs.update((codec.payloadType, codec) for codec in parameters.codecs)
        rtx_ssrc: dict[int, int | None] = getattr(receiver, _RECEIVER + "rtx_ssrc")
        rtx_ssrc.update((e.rtx.ssrc, e.ssrc) for e in parameters.encodings if e.rtx)
        if parameters.encodings:
            self._media_ssrc = parameters.encodings[0].ssrc
        setattr(receiver, _RECEIVER + "decoder_queue", _FrameQueue(self._deliver, self._ended))
        setattr(receiver, _RECEIVER + "decoder_thread", _NoDecoderThread())
        receiver.transport._register_rtp_receiver(receiver, parameters)
        setattr(receiver, _RECEIVER + "rtcp_task", asyncio.ensure_future(receiver._run_rtcp()))
        setattr(receiver, _RECEIVER + "started", True)

    def _report_downstream_loss(self, receiver: RTCRtpReceiver) -> None:
        """Receiver reports to the publisher carry the students' loss when it is worse.

        Why: the SFU ends the publisher's RTCP, so a browser never hears that students lose
        packets. Chromium's Opus encoder sets its in-band FEC from the loss in receiver
        reports (``ChannelSend::OnReportBlockDataUpdated``): with the students' loss there,
        it may add redundancy for them. (Measured at 5 % loss, concealment stayed near the
        loss rate with or without it: Opus adds FEC in its SILK modes only, and Chromium's
        fake microphone is a tone.)
        """
        send = receiver._send_rtcp

        async def send_with_loss(packet: AnyRtcpPacket) -> None:
            if isinstance(packet, RtcpRrPacket) and self.downstream_loss > 0:
                floor = min(255, int(self.downstream_loss * 256))
                for report in packet.reports:
                    report.fraction_lost = max(report.fraction_lost, floor)
            await send(packet)

        receiver._send_rtcp = send_with_loss  # type: ignore[method-assign]

    def watch_audio_level(self, sink: Callable[[int], None]) -> None:
        """Report each packet's audio level (0 loudest .. 127 silent, -dBov) to ``sink``.

        The level is already parsed by aiortc from the RTP header extension, so watching costs
        one call per audio packet and no decoding.
        """
        receiver = self._receiver
        handle = receiver._handle_rtp_packet

        async def handle_with_level(packet: RtpPacket, arrival_time_ms: int) -> None:
            level = packet.extensions.audio_level
            if level is not None:
                sink(level[1])
            await handle(packet, arrival_time_ms=arrival_time_ms)

        receiver._handle_rtp_packet = handle_with_level  # type: ignore[method-assign]

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
        task = asyncio.ensure_future(self._receiver._send_rtcp_pli(ssrc))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
