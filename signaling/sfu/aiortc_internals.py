"""Every reach of the SFU into aiortc's and aioice's private internals, and nothing else.

Why: aiortc has no public hook for encoded frames, for sending pre-packetized RTP, for
transport-cc or RED, and aioice none for pinning host addresses or screening remote
addresses. The SFU needs all of these, so it uses private attributes and methods; this module
is the only place that names them (``tests/test_sfu_aiortc_internals.py`` fails if any other
module under ``signaling/sfu`` does). ``RELIED_ON`` lists each one with the shape the SFU
needs, and the same test checks every entry against the installed aiortc and aioice and
names the one that is missing or changed: run it first when bumping the pins in
``pyproject.toml``. A version other than ``TESTED_WITH`` is only logged here, on import: the
contract test, not the version number, says what broke.

What the callers build on these: ``receiver_tap`` (encoded frames instead of a decoder),
``direct_sender`` (RTP sent from the forwarder's loop), ``transport_feedback``
(transport-cc), ``redundancy`` (RED to subscribers), ``codecs`` (one codec family per
answer) and ``ice`` (host addresses and accepted networks).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol, cast

import aioice
import aioice.ice
import aiortc
from aiortc import RTCDtlsTransport, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc.codecs import CODECS, HEADER_EXTENSIONS
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcdtlstransport import RtpReceiver
from aiortc.rtcrtpparameters import (
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
    RTCRtpReceiveParameters,
    RTCRtpSendParameters,
)
from aiortc.rtp import AnyRtcpPacket, RtpPacket

logger = logging.getLogger(__name__)

TESTED_WITH = {"aiortc": "1.16.0", "aioice": "0.13.0"}
"""The versions ``RELIED_ON`` was last checked against (pinned in ``pyproject.toml``)."""


@dataclass(frozen=True, slots=True)
class Internal:
    """One private name the SFU relies on: where it lives and what it must be."""

    owner: str
    name: str
    shape: str

    @property
    def key(self) -> str:
        return f"{self.owner}.{self.name}"


_RECEIVER = "_RTCRtpReceiver__"
_SENDER = "_RTCRtpSender__"

RELIED_ON: tuple[Internal, ...] = (
    # The receiving side: encoded frames without a decoder (``receiver_tap``).
    Internal(
        "RTCRtpReceiver",
        "receive",
        "async receive(parameters), called on the instance by RTCPeerConnection once DTLS is "
        "up, so replacing it per instance before then takes effect",
    ),
    Internal("RTCRtpReceiver", _RECEIVER + "started", "bool, False until receive() ran"),
    Internal(
        "RTCRtpReceiver",
        _RECEIVER + "codecs",
        "dict payload type -> RTCRtpCodecParameters, read by _handle_rtp_packet",
    ),
    Internal("RTCRtpReceiver", _RECEIVER + "rtx_ssrc", "dict RTX ssrc -> media ssrc"),
    Internal(
        "RTCRtpReceiver",
        _RECEIVER + "decoder_queue",
        "has put(); _handle_rtp_packet puts (codec, JitterFrame) per complete frame, the "
        "frame's timestamp unwrapped and rebased to 0; stopping puts None",
    ),
    Internal(
        "RTCRtpReceiver",
        _RECEIVER + "decoder_thread",
        "None until receive(); _handle_rtp_packet hands frames on only while it is truthy; "
        "stopping calls join()",
    ),
    Internal("RTCRtpReceiver", _RECEIVER + "rtcp_task", "None until receive() starts _run_rtcp"),
    Internal("RTCRtpReceiver", "_run_rtcp", "async _run_rtcp(): sends receiver reports"),
    Internal("RTCRtpReceiver", "_send_rtcp_pli", "async _send_rtcp_pli(media_ssrc)"),
    Internal(
        "RTCRtpReceiver",
        "_send_rtcp",
        "async _send_rtcp(packet), every RTCP packet the receiver sends (reports included), "
        "looked up on the instance",
    ),
    Internal(
        "RTCRtpReceiver",
        "_handle_rtp_packet",
        "async _handle_rtp_packet(packet, arrival_time_ms), called on the instance per RTP "
        "packet with extensions already parsed",
    ),
    Internal(
        "RTCDtlsTransport",
        "_register_rtp_receiver",
        "_register_rtp_receiver(receiver, parameters): routes the receiver's RTP to it",
    ),
    # The sending side: RTP sent straight from the forwarder (``direct_sender``).
    Internal(
        "RTCRtpSender",
        "send",
        "async send(parameters: RTCRtpSendParameters), called on the instance once DTLS is up",
    ),
    Internal(
        "RTCRtpSender",
        "_retransmit",
        "async _retransmit(sequence_number), called on the instance per NACKed packet",
    ),
    Internal(
        "RTCRtpSender",
        "_send_keyframe",
        "_send_keyframe(), called on the instance on a subscriber's PLI or FIR",
    ),
    Internal("RTCRtpSender", "_ssrc", "int, the media ssrc"),
    Internal("RTCRtpSender", "_rtx_ssrc", "int, the RTX ssrc"),
    Internal(
        "RTCRtpSender",
        _SENDER + "packet_count",
        "int, read by _run_rtcp (sender reports) and getStats as packets sent",
    ),
    Internal("RTCRtpSender", _SENDER + "octet_count", "int, payload bytes sent (same readers)"),
    Internal("RTCRtpSender", _SENDER + "rtp_timestamp", "int, RTP time of the last packet"),
    Internal("RTCRtpSender", _SENDER + "ntp_timestamp", "int, NTP time of the last packet"),
    Internal(
        "RTCDtlsTransport",
        "_tx_srtp",
        "pylibsrtp.Session once connected (None before): protect(rtp) -> bytes",
    ),
    Internal(
        "RTCIceTransport",
        "_connection",
        "the aioice.Connection carrying the transport",
    ),
    Internal(
        "aioice.Connection",
        "_nominated",
        "dict component -> CandidatePair; pair.protocol.transport is an asyncio datagram "
        "transport (or None), pair.remote_addr its peer",
    ),
    # transport-cc feedback to publishers (``transport_feedback``).
    Internal(
        "RTCDtlsTransport",
        "_rtp_router",
        "RtpRouter whose route_rtp(packet) is looked up on the instance for every RTP packet",
    ),
    Internal(
        "RTCDtlsTransport",
        "_send_rtp",
        "async _send_rtp(data): protects (as RTCP when given RTCP) and sends",
    ),
    Internal(
        "aiortc.rtp.HeaderExtensions",
        "transport_sequence_number",
        "int or None, parsed when transport-cc was negotiated",
    ),
    Internal(
        "aiortc.rtp.HeaderExtensions",
        "audio_level",
        "(voice, level) or None, level in -dBov, parsed when ssrc-audio-level was negotiated",
    ),
    # What may be offered and answered (``transport_feedback``, ``redundancy``, ``codecs``).
    Internal(
        "aiortc.codecs",
        "CODECS",
        "dict kind -> mutable list of RTCRtpCodecParameters that offers and answers draw on",
    ),
    Internal(
        "aiortc.codecs",
        "HEADER_EXTENSIONS",
        "dict kind -> mutable list of RTCRtpHeaderExtensionParameters, the same way",
    ),
    Internal(
        "aiortc.sdp",
        "fmtp",
        "a parameter without '=' (RED's '96/96') is parsed as a key with value None and "
        "written back unchanged",
    ),
    Internal(
        "RTCRtpTransceiver",
        "_codecs",
        "list of RTCRtpCodecParameters common to both sides after setRemoteDescription, "
        "which createAnswer lists",
    ),
    # ICE (``ice``).
    Internal(
        "aioice.ice",
        "get_host_addresses",
        "get_host_addresses(use_ipv4, use_ipv6) -> list[str], a module global that "
        "Connection.gather_candidates looks up at call time",
    ),
    Internal(
        "aioice.Connection",
        "add_remote_candidate",
        "async add_remote_candidate(self, remote_candidate), looked up on the class",
    ),
    Internal(
        "aioice.Connection",
        "request_received",
        "request_received(self, message, addr, protocol) for each incoming STUN request, "
        "looked up on the class",
    ),
)


def untested_versions() -> list[str]:
    """Installed versions other than ``TESTED_WITH``, as ``"aiortc 1.17.0"``."""
    installed = {"aiortc": aiortc.__version__, "aioice": aioice.__version__}
    return [f"{name} {installed[name]}" for name, v in TESTED_WITH.items() if installed[name] != v]


if untested_versions():  # pragma: no cover - seen only after a pin bump
    logger.warning(
        "the SFU's aiortc/aioice internals were checked with %s, found %s: run "
        "tests/test_sfu_aiortc_internals.py",
        TESTED_WITH,
        ", ".join(untested_versions()),
    )


Async = Coroutine[Any, Any, None]
"""What aiortc's replaced methods return (they are ``async def``)."""


# --- receiving -----------------------------------------------------------------------------


class FrameQueue(Protocol):
    """Takes the decoder queue's place: ``(codec, frame)`` per frame, ``None`` at the end."""

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None: ...


class _NoDecoderThread:
    """Truthy stand-in: ``_handle_rtp_packet`` only forwards frames while it sees a thread."""

    def join(self) -> None:
        """Nothing runs, so stopping has nothing to wait for."""


def intercept_receive(
    receiver: RTCRtpReceiver, receive: Callable[[RTCRtpReceiveParameters], Async]
) -> None:
    """Have ``receive`` run instead of ``receiver.receive`` when the connection starts it."""
    receiver.receive = receive  # type: ignore[method-assign,assignment]


def start_without_decoder(
    receiver: RTCRtpReceiver, parameters: RTCRtpReceiveParameters, frames: FrameQueue
) -> bool:
    """What ``RTCRtpReceiver.receive`` does, with ``frames`` where the decoder thread would
    be: codecs and RTX ssrcs learnt, RTP routed to the receiver, receiver reports started.
    False (nothing done) if it had already started."""
    if getattr(receiver, _RECEIVER + "started"):
        return False
    codecs: dict[int | None, RTCRtpCodecParameters] = getattr(receiver, _RECEIVER + "codecs")
    codecs.update((codec.payloadType, codec) for codec in parameters.codecs)
    rtx_ssrc: dict[int, int | None] = getattr(receiver, _RECEIVER + "rtx_ssrc")
    rtx_ssrc.update((e.rtx.ssrc, e.ssrc) for e in parameters.encodings if e.rtx)
    setattr(receiver, _RECEIVER + "decoder_queue", frames)
    setattr(receiver, _RECEIVER + "decoder_thread", _NoDecoderThread())
    receiver.transport._register_rtp_receiver(receiver, parameters)
    setattr(receiver, _RECEIVER + "rtcp_task", asyncio.ensure_future(receiver._run_rtcp()))
    setattr(receiver, _RECEIVER + "started", True)
    return True


RtcpSend = Callable[[AnyRtcpPacket], Async]


def intercept_rtcp(receiver: RTCRtpReceiver, wrap: Callable[[RtcpSend], RtcpSend]) -> None:
    """Pass every RTCP packet ``receiver`` sends through ``wrap(send)``."""
    receiver._send_rtcp = wrap(receiver._send_rtcp)  # type: ignore[method-assign,assignment]


RtpHandle = Callable[..., Async]
"""``handle(packet, arrival_time_ms=...)``, as the DTLS transport calls it."""


def intercept_rtp(receiver: RTCRtpReceiver, wrap: Callable[[RtpHandle], RtpHandle]) -> None:
    """Pass every RTP packet ``receiver`` handles through ``wrap(handle)``."""
    receiver._handle_rtp_packet = wrap(receiver._handle_rtp_packet)  # type: ignore[method-assign]


def send_pli(receiver: RTCRtpReceiver, media_ssrc: int) -> Awaitable[None]:
    """Ask the publisher of ``media_ssrc`` for a keyframe (RTCP PLI)."""
    return receiver._send_rtcp_pli(media_ssrc)


# --- sending -------------------------------------------------------------------------------


class Datagrams(Protocol):
    """asyncio's selector datagram transport, as far as sending needs it."""

    def sendto(self, data: bytes, addr: Any) -> None: ...

    def get_write_buffer_size(self) -> int: ...

    def is_closing(self) -> bool: ...


def intercept_send(
    sender: RTCRtpSender, on_parameters: Callable[[RTCRtpSendParameters], None]
) -> None:
    """Tell ``on_parameters`` what was negotiated when the connection starts ``sender``."""
    stock_send = sender.send

    async def send(parameters: RTCRtpSendParameters) -> None:
        on_parameters(parameters)
        await stock_send(parameters)

    sender.send = send  # type: ignore[method-assign]


def on_nack(sender: RTCRtpSender, retransmit: Callable[[int], Async]) -> None:
    """Have ``retransmit(sequence_number)`` answer the subscriber's NACKs."""
    sender._retransmit = retransmit  # type: ignore[method-assign,assignment]


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Route a subscriber's PLI/FIR to ``callback``; aiortc would only flag its encoder."""
    sender._send_keyframe = callback  # type: ignore[method-assign]


def ssrcs(sender: RTCRtpSender) -> tuple[int, int]:
    """The sender's media and RTX ssrc."""
    return sender._ssrc, sender._rtx_ssrc


def report_sent(
    sender: RTCRtpSender, packets: int, octets: int, rtp_timestamp: int, ntp_timestamp: int
) -> None:
    """Make aiortc's sender reports (RTCP SR) and ``getStats`` tell what was sent around it."""
    setattr(sender, _SENDER + "packet_count", packets)
    setattr(sender, _SENDER + "octet_count", octets)
    setattr(sender, _SENDER + "rtp_timestamp", rtp_timestamp)
    setattr(sender, _SENDER + "ntp_timestamp", ntp_timestamp)


def srtp_protect(dtls: RTCDtlsTransport) -> Callable[[bytes], bytes]:
    """The connected transport's SRTP ``protect`` for outgoing RTP."""
    protect: Callable[[bytes], bytes] = dtls._tx_srtp.protect
    return protect


def nominated_path(dtls: RTCDtlsTransport) -> tuple[Datagrams, Any] | None:
    """The socket and peer address of the transport's nominated ICE pair (RTP component),
    or None before one is nominated or after its socket went away."""
    pair = dtls.transport._connection._nominated.get(1)
    if pair is None or pair.protocol.transport is None:
        return None
    return cast(Datagrams, pair.protocol.transport), pair.remote_addr


# --- the transport -------------------------------------------------------------------------


RtpRoute = Callable[[RtpPacket], RtpReceiver | None]


def intercept_routing(dtls: RTCDtlsTransport, wrap: Callable[[RtpRoute], RtpRoute]) -> None:
    """Pass every RTP packet arriving on ``dtls`` (routed or not, probes included) through
    ``wrap(route)``."""
    router = dtls._rtp_router
    router.route_rtp = wrap(router.route_rtp)  # type: ignore[method-assign,assignment]


def send_rtcp(dtls: RTCDtlsTransport, data: bytes) -> Awaitable[None]:
    """Protect and send a ready-made RTCP message on ``dtls`` (ConnectionError if closed)."""
    return dtls._send_rtp(data)


# --- negotiation ---------------------------------------------------------------------------


def offered_codecs(kind: str) -> list[RTCRtpCodecParameters]:
    """aiortc's process-wide list of ``kind`` codecs that offers and answers draw on; what is
    changed in it is negotiated by every peer connection from then on."""
    return CODECS[kind]


def offered_header_extensions(kind: str) -> list[RTCRtpHeaderExtensionParameters]:
    """aiortc's process-wide list of ``kind`` RTP header extensions, the same way."""
    return HEADER_EXTENSIONS[kind]


def negotiated_codecs(transceiver: RTCRtpTransceiver) -> list[RTCRtpCodecParameters]:
    """The codecs both sides share after ``setRemoteDescription``, which an answer lists."""
    return transceiver._codecs


def answer_with(transceiver: RTCRtpTransceiver, codecs: list[RTCRtpCodecParameters]) -> None:
    """Narrow what ``createAnswer`` lists for ``transceiver`` to ``codecs``."""
    transceiver._codecs = codecs


# --- ICE -----------------------------------------------------------------------------------


HostLookup = Callable[[bool, bool], list[str]]
_stock_host_lookup: HostLookup = aioice.ice.get_host_addresses


def replace_host_lookup(lookup: Callable[[HostLookup, bool, bool], list[str]]) -> None:
    """Gather host candidates on ``lookup(aioice_lookup, use_ipv4, use_ipv6)``, process-wide
    (once: a second call is ignored)."""
    if aioice.ice.get_host_addresses is not _stock_host_lookup:
        return

    def get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return lookup(_stock_host_lookup, use_ipv4, use_ipv6)

    aioice.ice.get_host_addresses = get_host_addresses


_screen: Callable[[str], bool] | None = None
_stock_add_remote = aioice.ice.Connection.add_remote_candidate
_stock_request_received = aioice.ice.Connection.request_received


async def _add_remote_candidate(
    self: aioice.ice.Connection, remote_candidate: aioice.Candidate | None
) -> None:
    if remote_candidate is not None and _screen is not None and not _screen(remote_candidate.host):
        return
    await _stock_add_remote(self, remote_candidate)


def _request_received(
    self: aioice.ice.Connection,
    message: aioice.stun.Message,
    addr: tuple[str, int],
    protocol: aioice.ice.StunProtocol,
) -> None:
    if _screen is None or _screen(addr[0]):
        _stock_request_received(self, message, addr, protocol)


def screen_remote_hosts(allowed: Callable[[str], bool] | None) -> None:
    """Drop remote candidates and incoming ICE checks whose host ``allowed`` refuses,
    process-wide, before aioice forms a pair or answers; None screens nothing."""
    global _screen
    _screen = allowed
    aioice.ice.Connection.add_remote_candidate = _add_remote_candidate  # type: ignore[method-assign]
    aioice.ice.Connection.request_received = _request_received  # type: ignore[method-assign]
