"""The sending side's reach into aiortc 1.16.0 (and aioice 0.13) internals.

Why: aiortc's ``RTCRtpSender`` runs one task per subscriber track that wakes for every frame,
packetizes it, builds an ``RtpPacket`` object per packet, stamps the time per packet and
awaits a five-deep coroutine chain down to ``sendto``. At lecture scale that overhead, not
SRTP or the syscall, is most of the SFU's CPU. ``DirectSender`` sends a forwarded frame on a
subscriber's transport synchronously from the forwarder's loop: RTP headers are packed from a
per-subscriber template, the send time is read once per frame, and the frame's payloads were
packetized once for everyone. aiortc's sender object stays in place for what it does well
(negotiation, RTCP sender reports, stats), fed through the private counters it reads.

aiortc/aioice internals relied on (re-check every one when bumping the pins):

``RTCRtpSender``: ``send(parameters)`` is called by ``RTCPeerConnection`` once DTLS is up
  (wrapped per instance to learn the negotiated payload type, header extension ids and mid);
  ``_RTCRtpSender__encoder`` (lazily created only when ``None``, then ``pack(packet)`` is called
  for anything not an ``av.Frame``); the sender-report counters ``_RTCRtpSender__packet_count``,
  ``__octet_count``, ``__rtp_timestamp``, ``__ntp_timestamp`` read by ``_run_rtcp`` and
  ``getStats``; ``_retransmit(seq)`` (called for each NACKed sequence number);
  ``_send_keyframe()`` (called on a subscriber's PLI or FIR); ``_ssrc`` and ``_rtx_ssrc``.
``RTCDtlsTransport``: ``state``, ``_tx_srtp`` (a ``pylibsrtp.Session``), ``transport``.
``RTCIceTransport._connection``: the ``aioice.Connection``, whose ``_nominated[1]`` pair gives
  ``protocol.transport`` (an asyncio datagram transport) and ``remote_addr``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, Protocol, cast

import aioice
import av
from aiortc import RTCRtpSender, clock
from aiortc.codecs.base import Encoder
from aiortc.rtcrtpparameters import RTCRtpSendParameters
from aiortc.utils import random16, random32
from av.frame import Frame
from av.stream import Stream

from signaling.sfu import receiver_tap  # noqa: F401  (asserts the aiortc pin on import)
from signaling.sfu.redundancy import RedEncoder, is_red

PINNED_AIOICE = "0.13."
if not aioice.__version__.startswith(PINNED_AIOICE):  # pragma: no cover - guards an upgrade
    raise ImportError(
        f"signaling.sfu.sender_tap relies on aioice {PINNED_AIOICE}x internals, "
        f"found {aioice.__version__}: re-check the list in its docstring"
    )

_SENDER = "_RTCRtpSender__"
_PACKET_COUNT, _OCTET_COUNT = _SENDER + "packet_count", _SENDER + "octet_count"
_RTP_TIMESTAMP, _NTP_TIMESTAMP = _SENDER + "rtp_timestamp", _SENDER + "ntp_timestamp"
MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
HISTORY = 512  # packets kept per subscriber for NACK retransmission (aiortc keeps 128)
_HEADER = struct.Struct("!BBHII")


class _Datagrams(Protocol):
    """asyncio's selector datagram transport, as far as sending needs it."""

    def sendto(self, data: bytes, addr: Any) -> None: ...

    def get_write_buffer_size(self) -> int: ...

    def is_closing(self) -> bool: ...


class SharedPayloadEncoder(Encoder):
    """Hands a sender the RTP payloads the forwarder already packetized for this frame.

    The forwarder stores them in ``packet.opaque``; ``pts`` is already in RTP clock units.
    Nothing is encoded here, so ``encode`` refuses.
    """

    def encode(self, frame: Frame, force_keyframe: bool = False) -> tuple[list[bytes], int]:
        raise TypeError("the SFU forwards encoded media; it never encodes")

    def pack(self, packet: av.Packet[Stream]) -> tuple[list[bytes], int]:
        payloads = packet.opaque
        if not isinstance(payloads, list) or packet.pts is None:
            raise TypeError("packet was not prepared by the SFU forwarder")
        return payloads, packet.pts


def use_shared_payloads(sender: RTCRtpSender) -> None:
    """Make ``sender`` send the forwarder's payloads instead of packetizing per subscriber."""
    setattr(sender, _SENDER + "encoder", SharedPayloadEncoder())


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Route a subscriber's PLI/FIR to ``callback``; aiortc would only flag its encoder."""
    sender._send_keyframe = callback  # type: ignore[method-assign]


class SendTime:
    """When the latest frame was forwarded (NTP), read once per frame for every subscriber's
    sender reports. (No abs-send-time is written: the SFU negotiates transport-cc instead,
    see ``transport_feedback``.)"""

    def __init__(self) -> None:
        self.ntp = 0

    def update(self) -> None:
        self.ntp = clock.current_ntp_time()


class DirectSender:
    """Sends one subscriber's copy of each frame straight onto its SRTP/ICE transport.

    Keeps its own sequence numbers and RTP timestamp origin (aiortc's sender task, which
    would use others, never gets a frame), its own NACK history, and feeds aiortc's sender
    report counters so receivers can still synchronise audio with video.
    """

    def __init__(self, sender: RTCRtpSender, send_time: SendTime) -> None:
        self._sender = sender
        self._send_time = send_time
        self._sequence = random16() % 32768  # lower half, as aiortc does, to avoid SRTP wraps
        self._origin = random32()
        self._last_timestamp: int | None = None
        self._rebase = False
        self._rtx_sequence = random16() % 32768
        self._history: list[tuple[int, int, int, bytes] | None] = [None] * HISTORY
        self._transport: _Datagrams | None = None
        self._addr: Any = None
        self._parameters: RTCRtpSendParameters | None = None
        self._extensions = b""  # the RTP header extensions, the same in every packet
        self._red: RedEncoder | None = None
        self.packets = 0
        self.octets = 0
        self.nacked = 0
        """Packets the subscriber asked again for: its link's loss before repair."""
        stock_send = sender.send

        async def send(parameters: RTCRtpSendParameters) -> None:
            self._configure(parameters)
            await stock_send(parameters)

        sender.send = send  # type: ignore[method-assign]
        sender._retransmit = self._retransmit  # type: ignore[method-assign]

    def _configure(self, parameters: RTCRtpSendParameters) -> None:
        self._parameters = parameters
        codec = parameters.codecs[0]
        self._payload_type = codec.payloadType or 0
        if is_red(codec):  # the subscriber took RED: wrap the Opus it names
            primary = next(c for c in parameters.codecs[1:] if not is_red(c))
            self._red = RedEncoder(primary.payloadType or 0)
        self._rtx_payload_type = next(
            (
                c.payloadType
                for c in parameters.codecs
                if c.mimeType.lower().endswith("/rtx")
                and c.parameters.get("apt") == codec.payloadType
            ),
            None,
        )
        ids = {e.uri: e.id for e in parameters.headerExtensions}
        elements = b""
        if MID_URI in ids and parameters.muxId:
            mid = parameters.muxId.encode()
            elements += bytes([ids[MID_URI] << 4 | (len(mid) - 1)]) + mid
        padding = -len(elements) % 4
        head = struct.pack("!HH", 0xBEDE, (len(elements) + padding) // 4)
        self._extensions = head + elements + b"\x00" * padding

    def follow(self, send_time: SendTime, frame_ticks: int) -> None:
        """Carry another forwarder's frames from the next one on (a viewer switched camera
        quality): sequence numbers run on, and RTP time is re-based so the new stream
        continues ``frame_ticks`` after the last frame sent, instead of jumping to wherever
        the other publisher's clock stands."""
        self._send_time = send_time
        self._rebase = self._last_timestamp is not None
        self._frame_ticks = frame_ticks

    def ready(self) -> bool:
        """Connected, negotiated and not pushed back by the kernel: a frame would go out.

        aioice closes its sockets (say, when ICE consent expires) before aiortc's DTLS
        transport notices, so the socket's own state is checked too.
        """
        transport = self._transport or self._connect()
        return (
            transport is not None
            and self._sender.transport.state == "connected"
            and not transport.is_closing()
            and not transport.get_write_buffer_size()
        )

    def _connect(self) -> _Datagrams | None:
        dtls = self._sender.transport
        if self._parameters is None or dtls.state != "connected":
            return None
        pair = dtls.transport._connection._nominated.get(1)
        if pair is None or pair.protocol.transport is None:
            return None
        self._transport = cast(_Datagrams, pair.protocol.transport)
        self._addr = pair.remote_addr
        return self._transport

    def send(self, packet: av.Packet[Stream]) -> bool:
        """Send one frame (``packet.opaque`` payloads, ``pts`` in RTP clock units); False,
        with nothing sent, when not ``ready``."""
        if not self.ready():
            return False
        transport = self._transport
        assert transport is not None
        payloads: list[bytes] = packet.opaque  # type: ignore[assignment]
        red = self._red
        if red is not None:
            payloads = [red.wrap(payload, packet.pts or 0) for payload in payloads]
        if self._rebase and self._last_timestamp is not None:
            self._rebase = False
            self._origin = self._last_timestamp + self._frame_ticks - (packet.pts or 0)
        timestamp = (self._origin + (packet.pts or 0)) & 0xFFFFFFFF
        self._last_timestamp = timestamp
        ext = self._extensions
        protect = self._sender.transport._tx_srtp.protect
        sendto, addr, ssrc, pt = (
            transport.sendto,
            self._addr,
            self._sender._ssrc,
            self._payload_type,
        )
        sequence, last = self._sequence, len(payloads) - 1
        history, octets = self._history, 0
        for i, payload in enumerate(payloads):
            marker = 0x80 if i == last else 0
            sendto(
                protect(_HEADER.pack(0x90, marker | pt, sequence, timestamp, ssrc) + ext + payload),
                addr,
            )
            history[sequence % HISTORY] = (sequence, marker, timestamp, payload)
            sequence = (sequence + 1) & 0xFFFF
            octets += len(payload)
        self._sequence = sequence
        self.packets += len(payloads)
        self.octets += octets
        self._report(timestamp)
        return True

    def _report(self, timestamp: int) -> None:
        """What aiortc's sender reports (RTCP SR, getStats) is what this one sent."""
        sender = self._sender
        setattr(sender, _PACKET_COUNT, self.packets)
        setattr(sender, _OCTET_COUNT, self.octets)
        setattr(sender, _RTP_TIMESTAMP, timestamp)
        setattr(sender, _NTP_TIMESTAMP, self._send_time.ntp)

    async def _retransmit(self, sequence_number: int) -> None:
        self.nacked += 1
        entry = self._history[sequence_number % HISTORY]
        if entry is None or entry[0] != sequence_number or self._transport is None:
            return
        _, marker, timestamp, payload = entry
        if self._rtx_payload_type is None:
            header = _HEADER.pack(
                0x90, marker | self._payload_type, sequence_number, timestamp, self._sender._ssrc
            )
        else:
            header = _HEADER.pack(
                0x90,
                marker | self._rtx_payload_type,
                self._rtx_sequence,
                timestamp,
                self._sender._rtx_ssrc,
            )
            payload = struct.pack("!H", sequence_number) + payload
            self._rtx_sequence = (self._rtx_sequence + 1) & 0xFFFF
        packet = self._sender.transport._tx_srtp.protect(header + self._extensions + payload)
        self._transport.sendto(packet, self._addr)
