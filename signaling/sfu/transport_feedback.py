"""Transport-wide congestion control feedback (transport-cc) for publishers.

Why: a browser's send rate follows the feedback its receiver gives. aiortc's receiver sends
REMB from its own abs-send-time estimator, which on loopback reported 73-92 kbps per video
stream for whole sessions, and Chromium obeyed: 30 kbps per track, 320x240 cameras,
unreadable screens. Chromium's own send-side estimator (GoogCC, as used with Janus,
mediasoup and LiveKit) needs only to hear when each packet arrived: every packet carries a
transport-wide sequence number (header extension), and the SFU reports arrival times back
in RTCP transport-cc messages (RTPFB, FMT 15; draft-holmer-rmcat-transport-wide-cc-
extensions-01). The browser then probes, measures delay and loss itself, and sends what the
link carries.

``negotiate()`` makes aiortc answer with the extension and the ``transport-cc`` feedback (and
without ``goog-remb`` and abs-send-time, so no REMB caps the estimate). ``TransportFeedback``
watches one DTLS transport's parsed RTP packets (its router's ``route_rtp``, which sees every
packet, routed or not, probes included) and sends a feedback message every 50 ms while
packets arrive. It is attached to publishers' transports only: fan-out to subscribers costs
nothing more.

aiortc internals relied on, all through ``aiortc_internals``: its process-wide codec and
header extension lists (what an answer may negotiate), the DTLS transport's RTP routing (to
see each packet) and its sending of a ready-made RTCP message.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from collections.abc import Sequence

from aiortc import RTCDtlsTransport
from aiortc.rtcdtlstransport import RtpReceiver
from aiortc.rtcrtpparameters import RTCRtcpFeedback, RTCRtpHeaderExtensionParameters
from aiortc.rtp import RtpPacket

from signaling.sfu import aiortc_internals

URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
EXTENSION_ID = 5  # only used in the SFU's own offers; answers take the offerer's id
INTERVAL = 0.05
"""Seconds between feedback messages: GoogCC reacts within a few of them."""
MAX_STATUSES = 400
"""Packets per message: at most ~1.2 kB, under any path MTU."""
MAX_SPAN = 5000
"""A gap wider than this (a long outage) is not reported packet by packet."""
START_KBPS = 2500
"""Where the browser's estimate starts (``x-google-start-bitrate``; Chromium's own is 300).

Started at 300 kbps, a 720p camera is first scaled down, and the encoder's quality scaler
takes many seconds to bring the resolution back after the estimate has grown. A link that
cannot carry 1 Mbps shows it within a second or two of feedback, and the estimate falls."""

DELTA_US = 250
REFERENCE_US = 64_000
_CC = RTCRtcpFeedback(type="transport-cc")
_REMB = RTCRtcpFeedback(type="goog-remb")


def negotiate() -> None:
    """Let aiortc negotiate transport-cc on every codec, no REMB, and a start bitrate for video
    (idempotent)."""
    for kind in ("audio", "video"):
        for codec in aiortc_internals.offered_codecs(kind):
            if codec.mimeType.lower().endswith("/rtx"):
                continue
            codec.rtcpFeedback[:] = [f for f in codec.rtcpFeedback if f != _REMB]
            if _CC not in codec.rtcpFeedback:
                codec.rtcpFeedback.append(_CC)
            if kind == "video":
                codec.parameters["x-google-start-bitrate"] = str(START_KBPS)
            elif codec.mimeType.lower() == "audio/opus":
                codec.parameters["useinbandfec"] = 1  # an int, as aiortc parses it; see ReceiverTap
        extensions = aiortc_internals.offered_header_extensions(kind)
        extensions[:] = [e for e in extensions if e.uri != ABS_SEND_TIME]
        if all(e.uri != URI for e in extensions):
            extensions.append(RTCRtpHeaderExtensionParameters(id=EXTENSION_ID, uri=URI))


def build_message(
    base_seq: int,
    arrivals_us: Sequence[int | None],
    feedback_count: int,
    media_ssrc: int,
) -> tuple[bytes, int]:
    """One RTCP transport-cc message for packets ``base_seq``, ``base_seq + 1``, ...

    ``arrivals_us`` holds each packet's arrival time in microseconds, None if it never came;
    the first entry must be a packet that came. Returns the message and how many entries it
    covers: fewer than given when a delta would not fit in 16 bits (then the rest goes in the
    next message, with its own reference time).
    """
    first = arrivals_us[0]
    assert first is not None, "a message starts at a received packet"
    reference = first // REFERENCE_US
    previous = reference * REFERENCE_US
    symbols: list[int] = []
    deltas = bytearray()
    for arrival in arrivals_us[:MAX_STATUSES]:
        if arrival is None:
            symbols.append(0)
            continue
        ticks = round((arrival - previous) / DELTA_US)
        if 0 <= ticks <= 0xFF:
            symbols.append(1)
            deltas.append(ticks)
        elif -0x8000 <= ticks <= 0x7FFF:
            symbols.append(2)
            deltas += struct.pack("!h", ticks)
        else:
            break
        previous += ticks * DELTA_US
    while symbols and symbols[-1] == 0:
        symbols.pop()  # end on a received packet; the missing ones go in the next message
    count = len(symbols)
    chunks = bytearray()
    for start in range(0, count, 7):
        chunk = 0xC000  # status vector chunk, two-bit symbols
        for i, symbol in enumerate(symbols[start : start + 7]):
            chunk |= symbol << (12 - 2 * i)
        chunks += struct.pack("!H", chunk)
    body = (
        # Sender SSRC 0, as mediasoup sends it: the message is about the transport.
        struct.pack("!IIHH", 0, media_ssrc, base_seq & 0xFFFF, count)
        + struct.pack("!I", ((reference & 0xFFFFFF) << 8) | (feedback_count & 0xFF))
        + chunks
        + deltas
    )
    padding = -len(body) % 4
    if padding:
        body += bytes(padding - 1) + bytes([padding])
    header = struct.pack("!BBH", 0x80 | (0x20 if padding else 0) | 15, 205, len(body) // 4)
    return header + body, count


class Arrivals:
    """Transport-wide sequence numbers and arrival times since the last report."""

    def __init__(self) -> None:
        self._arrivals: dict[int, int] = {}
        self._last_seq: int | None = None  # unwrapped
        self._next_seq: int | None = None  # first not yet reported
        self._media_ssrc = 0
        self._count = 0

    def note(self, seq: int, ssrc: int, arrival_us: int) -> None:
        last = self._last_seq
        unwrapped = seq if last is None else last + ((seq - last + 0x8000) & 0xFFFF) - 0x8000
        self._last_seq = unwrapped if last is None else max(unwrapped, last)
        if self._next_seq is not None and unwrapped < self._next_seq:
            return  # too late: already reported lost
        self._arrivals[unwrapped] = arrival_us
        self._media_ssrc = ssrc

    def messages(self) -> list[bytes]:
        """Feedback for every packet since the last call (losses included), then forget them."""
        arrivals, self._arrivals = self._arrivals, {}
        if not arrivals:
            return []
        end = max(arrivals)
        start = min(arrivals) if self._next_seq is None else self._next_seq
        start = max(start, end - MAX_SPAN)
        out = []
        while start <= end:
            while start not in arrivals:
                start += 1  # a message begins at a received packet
            span = [arrivals.get(seq) for seq in range(start, min(end, start + MAX_STATUSES) + 1)]
            message, covered = build_message(start, span, self._count, self._media_ssrc)
            self._count += 1
            out.append(message)
            start += covered
        self._next_seq = end + 1
        return out


class TransportFeedback:
    """Reports arrivals on one DTLS transport (one publisher's bundle) to its sender."""

    def __init__(self, transport: RTCDtlsTransport) -> None:
        self._transport = transport
        self.arrivals = Arrivals()
        self._timer: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Future[None]] = set()

        def noting(route: aiortc_internals.RtpRoute) -> aiortc_internals.RtpRoute:
            def route_and_note(packet: RtpPacket) -> RtpReceiver | None:
                seq = packet.extensions.transport_sequence_number
                if seq is not None:
                    self.arrivals.note(seq, packet.ssrc, time.monotonic_ns() // 1000)
                    if self._timer is None:
                        loop = asyncio.get_running_loop()
                        self._timer = loop.call_later(INTERVAL, self._flush)
                return route(packet)

            return route_and_note

        aiortc_internals.intercept_routing(transport, noting)

    def _flush(self) -> None:
        self._timer = None
        for message in self.arrivals.messages():
            self._send(message)

    def _send(self, message: bytes) -> None:
        async def send() -> None:
            with contextlib.suppress(ConnectionError):  # closed: nobody is left to tell
                await aiortc_internals.send_rtcp(self._transport, message)

        task = asyncio.ensure_future(send())
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
