"""The SFU's send path: each forwarded frame goes out on a subscriber's transport at once.

Why: aiortc's ``RTCRtpSender`` runs one task per subscriber track that wakes for every frame,
packetizes it, builds an ``RtpPacket`` object per packet, stamps the time per packet and
awaits a five-deep coroutine chain down to ``sendto``. At lecture scale that overhead, not
SRTP or the syscall, is most of the SFU's CPU. ``DirectSender`` sends a forwarded frame on a
subscriber's transport synchronously from the forwarder's loop: RTP headers are packed from a
per-subscriber template, the send time is read once per frame, and the frame's payloads were
packetized once for everyone. aiortc's sender object stays in place for what it does well
(negotiation, RTCP sender reports, stats), fed through the private counters it reads; every
aiortc/aioice internal this takes is reached through ``aiortc_internals``.
"""

from __future__ import annotations

import struct
from typing import Any

import av
from aiortc import RTCRtpSender, clock
from aiortc.rtcrtpparameters import RTCRtpSendParameters
from aiortc.utils import random16, random32
from av.stream import Stream

from signaling.sfu import aiortc_internals
from signaling.sfu.aiortc_internals import Datagrams
from signaling.sfu.redundancy import RedEncoder, is_red

MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
HISTORY = 512  # packets kept per subscriber for NACK retransmission (aiortc keeps 128)
_HEADER = struct.Struct("!BBHII")


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
        self._ssrc, self._rtx_ssrc = aiortc_internals.ssrcs(sender)
        self._send_time = send_time
        self._sequence = random16() % 32768  # lower half, as aiortc does, to avoid SRTP wraps
        self._origin = random32()
        self._last_timestamp: int | None = None
        self._rebase = False
        self._rtx_sequence = random16() % 32768
        self._history: list[tuple[int, int, int, bytes] | None] = [None] * HISTORY
        self._transport: Datagrams | None = None
        self._addr: Any = None
        self._parameters: RTCRtpSendParameters | None = None
        self._extensions = b""  # the RTP header extensions, the same in every packet
        self._red: RedEncoder | None = None
        self.packets = 0
        self.octets = 0
        self.nacked = 0
        """Packets the subscriber asked again for: its link's loss before repair."""
        aiortc_internals.intercept_send(sender, self._configure)
        aiortc_internals.on_nack(sender, self._retransmit)

    def _configure(self, parameters: RTCRtpSendParameters) -> None:
        self._parameters = parameters
        codec = parameters.codecs[0]
        self._payload_type = codec.payloadType or 0
        # Configured again on each renegotiation: RED exactly while the subscriber takes it.
        self._red = None
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

    def _connect(self) -> Datagrams | None:
        dtls = self._sender.transport
        if self._parameters is None or dtls.state != "connected":
            return None
        path = aiortc_internals.nominated_path(dtls)
        if path is None:
            return None
        self._transport, self._addr = path
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
        protect = aiortc_internals.srtp_protect(self._sender.transport)
        sendto, addr, ssrc, pt = transport.sendto, self._addr, self._ssrc, self._payload_type
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
        aiortc_internals.report_sent(
            self._sender, self.packets, self.octets, timestamp, self._send_time.ntp
        )

    async def _retransmit(self, sequence_number: int) -> None:
        self.nacked += 1
        entry = self._history[sequence_number % HISTORY]
        if entry is None or entry[0] != sequence_number or self._transport is None:
            return
        _, marker, timestamp, payload = entry
        if self._rtx_payload_type is None:
            header = _HEADER.pack(
                0x90, marker | self._payload_type, sequence_number, timestamp, self._ssrc
            )
        else:
            header = _HEADER.pack(
                0x90,
                marker | self._rtx_payload_type,
                self._rtx_sequence,
                timestamp,
                self._rtx_ssrc,
            )
            payload = struct.pack("!H", sequence_number) + payload
            self._rtx_sequence = (self._rtx_sequence + 1) & 0xFFFF
        protect = aiortc_internals.srtp_protect(self._sender.transport)
        packet = protect(header + self._extensions + payload)
        self._transport.sendto(packet, self._addr)
