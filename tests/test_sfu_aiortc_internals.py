"""The contract between the SFU and aiortc's and aioice's private internals.

Each entry of ``aiortc_internals.RELIED_ON`` is checked here against the installed aiortc and
aioice, one test per entry, named ``owner.name``: after a version bump, the failing tests say
exactly which internal is missing or changed, and what the SFU needs of it. Shapes are
checked on real objects (a peer connection's receiver, sender and transports), and where a
shape alone would not say enough, by the behaviour the SFU builds on. A last test keeps the
rest of ``signaling/sfu`` from naming any of these internals itself.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aioice
import aioice.ice
import aiortc
import aiortc.rtcpeerconnection
import pytest
from aiortc import (
    RTCDtlsTransport,
    RTCIceTransport,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
    RTCRtpTransceiver,
)
from aiortc.codecs import CODECS, HEADER_EXTENSIONS
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcdtlstransport import RtpRouter
from aiortc.rtcdtlstransport import Session as SrtpSession  # pylibsrtp's, as aiortc uses it
from aiortc.rtcrtpparameters import (
    RTCRtpCodecParameters,
    RTCRtpHeaderExtensionParameters,
    RTCRtpParameters,
    RTCRtpReceiveParameters,
)
from aiortc.rtp import HeaderExtensions, HeaderExtensionsMap, RtpPacket
from aiortc.sdp import parameters_from_sdp, parameters_to_sdp

from signaling.sfu import aiortc_internals, redundancy, transport_feedback
from signaling.sfu.aiortc_internals import RELIED_ON, Internal

SFU = Path(__file__).resolve().parent.parent / "signaling" / "sfu"
AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"


@dataclass
class Specimens:
    """Real aiortc objects, as a subscriber's transceiver has them before negotiation."""

    pc: RTCPeerConnection
    transceiver: RTCRtpTransceiver
    receiver: RTCRtpReceiver
    sender: RTCRtpSender
    dtls: RTCDtlsTransport
    ice: RTCIceTransport


@pytest.fixture
async def specimens() -> AsyncIterator[Specimens]:
    pc = RTCPeerConnection()
    transceiver = pc.addTransceiver("video", direction="sendrecv")
    dtls = transceiver.sender.transport
    yield Specimens(pc, transceiver, transceiver.receiver, transceiver.sender, dtls, dtls.transport)
    await pc.close()


Check = Callable[[Specimens], Coroutine[Any, Any, None]]
CHECKS: dict[str, Check] = {}


def check(owner: str, name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[f"{owner}.{name}"] = function
        return function

    return register


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def is_async(function: Any, *names: str) -> None:
    assert inspect.iscoroutinefunction(function), f"{function!r} is no longer async"
    assert parameters(function) == list(names), f"parameters are now {parameters(function)}"


def private(owner: type, name: str) -> str:
    return f"_{owner.__name__}__{name}"


# --- RTCRtpReceiver ------------------------------------------------------------------------


@check("RTCRtpReceiver", "receive")
async def _receive(s: Specimens) -> None:
    is_async(RTCRtpReceiver.receive, "self", "parameters")
    source = inspect.getsource(aiortc.rtcpeerconnection)
    assert "receiver.receive(" in source, "RTCPeerConnection no longer calls receiver.receive()"


@check("RTCRtpReceiver", "_RTCRtpReceiver__started")
async def _receiver_started(s: Specimens) -> None:
    value = getattr(s.receiver, private(RTCRtpReceiver, "started"))
    assert value is False, f"found {value!r} on a receiver not yet started"


@check("RTCRtpReceiver", "_RTCRtpReceiver__codecs")
async def _receiver_codecs(s: Specimens) -> None:
    value = getattr(s.receiver, private(RTCRtpReceiver, "codecs"))
    assert isinstance(value, dict), f"found {type(value).__name__}"


@check("RTCRtpReceiver", "_RTCRtpReceiver__rtx_ssrc")
async def _receiver_rtx_ssrc(s: Specimens) -> None:
    value = getattr(s.receiver, private(RTCRtpReceiver, "rtx_ssrc"))
    assert isinstance(value, dict), f"found {type(value).__name__}"


class Frames:
    """Records what the receiver puts in place of its decoder queue."""

    def __init__(self) -> None:
        self.items: list[tuple[RTCRtpCodecParameters, JitterFrame] | None] = []

    def put(self, item: tuple[RTCRtpCodecParameters, JitterFrame] | None) -> None:
        self.items.append(item)


def vp8_packet(sequence: int, timestamp: int, keyframe_data: bytes) -> RtpPacket:
    # VP8 payload descriptor: S bit set, partition 0; then the frame (one packet per frame).
    return RtpPacket(
        payload_type=96,
        marker=1,
        sequence_number=sequence,
        timestamp=timestamp,
        ssrc=1234,
        payload=b"\x10" + keyframe_data,
    )


async def started_receiver(s: Specimens) -> Frames:
    frames = Frames()
    codec = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=96)
    params = RTCRtpReceiveParameters(codecs=[codec])
    assert aiortc_internals.start_without_decoder(s.receiver, params, frames)
    return frames


@check("RTCRtpReceiver", "_RTCRtpReceiver__decoder_queue")
async def _receiver_decoder_queue(s: Specimens) -> None:
    queue = getattr(s.receiver, private(RTCRtpReceiver, "decoder_queue"))
    assert hasattr(queue, "put"), f"found {type(queue).__name__} without put()"
    frames = await started_receiver(s)
    keyframe = b"\x10\x02\x00\x9d\x01\x2a" + bytes(20)
    for i, timestamp in enumerate((3000, 6000, 9000)):
        await s.receiver._handle_rtp_packet(vp8_packet(i, timestamp, keyframe), arrival_time_ms=i)
    assert frames.items, "_handle_rtp_packet put no (codec, frame) in the decoder queue"
    first = frames.items[0]
    assert first is not None and isinstance(first[1], JitterFrame), f"put {first!r}"
    codec, frame = first
    assert codec.mimeType == "video/VP8", f"put codec {codec!r}"
    assert frame.timestamp == 0, f"frame timestamp {frame.timestamp}, expected rebased to 0"
    assert frame.data.startswith(keyframe[:6]), "the frame is not the depayloaded VP8 data"
    await s.receiver.stop()
    assert frames.items[-1] is None, "stopping the receiver no longer puts None"


@check("RTCRtpReceiver", "_RTCRtpReceiver__decoder_thread")
async def _receiver_decoder_thread(s: Specimens) -> None:
    value = getattr(s.receiver, private(RTCRtpReceiver, "decoder_thread"))
    assert value is None, f"found {value!r} before receive()"
    source = inspect.getsource(RTCRtpReceiver._handle_rtp_packet)
    assert "self.__decoder_thread" in source, "_handle_rtp_packet no longer checks the thread"


@check("RTCRtpReceiver", "_RTCRtpReceiver__rtcp_task")
async def _receiver_rtcp_task(s: Specimens) -> None:
    value = getattr(s.receiver, private(RTCRtpReceiver, "rtcp_task"))
    assert value is None, f"found {value!r} before receive()"
    await started_receiver(s)
    task = getattr(s.receiver, private(RTCRtpReceiver, "rtcp_task"))
    assert isinstance(task, asyncio.Future), f"start_without_decoder left {task!r}"
    await s.receiver.stop()


@check("RTCRtpReceiver", "_run_rtcp")
async def _receiver_run_rtcp(s: Specimens) -> None:
    is_async(RTCRtpReceiver._run_rtcp, "self")


@check("RTCRtpReceiver", "_send_rtcp_pli")
async def _receiver_send_rtcp_pli(s: Specimens) -> None:
    is_async(RTCRtpReceiver._send_rtcp_pli, "self", "media_ssrc")


@check("RTCRtpReceiver", "_send_rtcp")
async def _receiver_send_rtcp(s: Specimens) -> None:
    is_async(RTCRtpReceiver._send_rtcp, "self", "packet")
    for caller in (RTCRtpReceiver._run_rtcp, RTCRtpReceiver._send_rtcp_pli):
        source = inspect.getsource(caller)
        assert "self._send_rtcp(" in source, f"{caller.__name__} no longer sends by _send_rtcp"


@check("RTCRtpReceiver", "_handle_rtp_packet")
async def _receiver_handle_rtp_packet(s: Specimens) -> None:
    is_async(RTCRtpReceiver._handle_rtp_packet, "self", "packet", "arrival_time_ms")
    source = inspect.getsource(aiortc.rtcdtlstransport)
    assert "._handle_rtp_packet(packet, arrival_time_ms=" in source, (
        "RTCDtlsTransport no longer calls receiver._handle_rtp_packet(packet, arrival_time_ms=)"
    )


@check("RTCDtlsTransport", "_register_rtp_receiver")
async def _dtls_register_rtp_receiver(s: Specimens) -> None:
    function = RTCDtlsTransport._register_rtp_receiver
    assert parameters(function) == ["self", "receiver", "parameters"], parameters(function)


# --- RTCRtpSender --------------------------------------------------------------------------


@check("RTCRtpSender", "send")
async def _sender_send(s: Specimens) -> None:
    is_async(RTCRtpSender.send, "self", "parameters")
    source = inspect.getsource(aiortc.rtcpeerconnection)
    assert ".sender.send(" in source, "RTCPeerConnection no longer calls sender.send()"


@check("RTCRtpSender", "_retransmit")
async def _sender_retransmit(s: Specimens) -> None:
    is_async(RTCRtpSender._retransmit, "self", "sequence_number")
    assert "self._retransmit(" in inspect.getsource(RTCRtpSender._handle_rtcp_packet)


@check("RTCRtpSender", "_send_keyframe")
async def _sender_send_keyframe(s: Specimens) -> None:
    function = RTCRtpSender._send_keyframe
    assert not inspect.iscoroutinefunction(function), "_send_keyframe is now async"
    assert parameters(function) == ["self"], parameters(function)
    assert "self._send_keyframe(" in inspect.getsource(RTCRtpSender._handle_rtcp_packet)


@check("RTCRtpSender", "_ssrc")
async def _sender_ssrc(s: Specimens) -> None:
    assert isinstance(s.sender._ssrc, int), f"found {s.sender._ssrc!r}"


@check("RTCRtpSender", "_rtx_ssrc")
async def _sender_rtx_ssrc(s: Specimens) -> None:
    assert isinstance(s.sender._rtx_ssrc, int), f"found {s.sender._rtx_ssrc!r}"


async def reports(s: Specimens) -> None:
    """The counters ``report_sent`` sets are what sender reports and getStats tell."""
    for name in ("packet_count", "octet_count", "rtp_timestamp", "ntp_timestamp"):
        value = getattr(s.sender, private(RTCRtpSender, name))
        assert isinstance(value, int), f"__{name} is {value!r}"
        assert f"self.__{name}" in inspect.getsource(RTCRtpSender._run_rtcp), (
            f"sender reports no longer read __{name}"
        )
    aiortc_internals.report_sent(s.sender, 7, 700, 1234, 5678)
    stats = [v for v in (await s.sender.getStats()).values() if v.type == "outbound-rtp"]
    assert (stats[0].packetsSent, stats[0].bytesSent) == (7, 700), "getStats reads others"


for _name in ("packet_count", "octet_count", "rtp_timestamp", "ntp_timestamp"):
    CHECKS[f"RTCRtpSender._RTCRtpSender__{_name}"] = reports


@check("RTCDtlsTransport", "_tx_srtp")
async def _dtls_tx_srtp(s: Specimens) -> None:
    assert hasattr(s.dtls, "_tx_srtp"), "no _tx_srtp"
    assert "self._tx_srtp = Session(" in inspect.getsource(RTCDtlsTransport), (
        "_tx_srtp is no longer a pylibsrtp.Session"
    )
    assert callable(getattr(SrtpSession, "protect", None)), "Session.protect is gone"


@check("RTCIceTransport", "_connection")
async def _ice_connection(s: Specimens) -> None:
    connection = s.ice._connection
    assert isinstance(connection, aioice.Connection), f"found {type(connection).__name__}"


@check("aioice.Connection", "_nominated")
async def _aioice_nominated(s: Specimens) -> None:
    nominated = s.ice._connection._nominated
    assert isinstance(nominated, dict), f"found {type(nominated).__name__}"
    pair_type = aioice.ice.CandidatePair
    assert "protocol" in parameters(pair_type.__init__), "CandidatePair(protocol, ...) changed"
    assert isinstance(inspect.getattr_static(pair_type, "remote_addr"), property), (
        "CandidatePair.remote_addr is no longer a property"
    )
    assert "self.transport" in inspect.getsource(aioice.ice.StunProtocol), (
        "StunProtocol no longer keeps its datagram transport as .transport"
    )
    assert aiortc_internals.nominated_path(s.dtls) is None, "a path before any nomination"


# --- transport-cc --------------------------------------------------------------------------


@check("RTCDtlsTransport", "_rtp_router")
async def _dtls_rtp_router(s: Specimens) -> None:
    router = s.dtls._rtp_router
    assert isinstance(router, RtpRouter), f"found {type(router).__name__}"
    assert parameters(RtpRouter.route_rtp) == ["self", "packet"], parameters(RtpRouter.route_rtp)
    assert "self._rtp_router.route_rtp(" in inspect.getsource(RTCDtlsTransport), (
        "RTCDtlsTransport no longer routes each RTP packet by _rtp_router.route_rtp"
    )


@check("RTCDtlsTransport", "_send_rtp")
async def _dtls_send_rtp(s: Specimens) -> None:
    is_async(RTCDtlsTransport._send_rtp, "self", "data")
    source = inspect.getsource(RTCDtlsTransport._send_rtp)
    assert "protect_rtcp" in source, "_send_rtp no longer protects RTCP as RTCP"


def extensions_map() -> HeaderExtensionsMap:
    extensions = HeaderExtensionsMap()
    extensions.configure(
        RTCRtpParameters(
            headerExtensions=[
                RTCRtpHeaderExtensionParameters(id=3, uri=transport_feedback.URI),
                RTCRtpHeaderExtensionParameters(id=1, uri=AUDIO_LEVEL_URI),
            ]
        )
    )
    return extensions


@check("aiortc.rtp.HeaderExtensions", "transport_sequence_number")
async def _transport_sequence_number(s: Specimens) -> None:
    extensions = extensions_map()
    parsed = extensions.get(*extensions.set(HeaderExtensions(transport_sequence_number=4321)))
    assert parsed.transport_sequence_number == 4321, f"parsed {parsed!r}"


@check("aiortc.rtp.HeaderExtensions", "audio_level")
async def _audio_level(s: Specimens) -> None:
    extensions = extensions_map()
    parsed = extensions.get(*extensions.set(HeaderExtensions(audio_level=(True, 42))))
    assert parsed.audio_level == (True, 42), f"parsed {parsed.audio_level!r}"


# --- negotiation ---------------------------------------------------------------------------


@check("aiortc.codecs", "CODECS")
async def _codecs(s: Specimens) -> None:
    assert set(CODECS) >= {"audio", "video"}, f"kinds {set(CODECS)}"
    assert all(isinstance(c, RTCRtpCodecParameters) for c in CODECS["audio"] + CODECS["video"])
    assert aiortc_internals.offered_codecs("audio") is CODECS["audio"]
    redundancy.register()
    capabilities = RTCRtpReceiver.getCapabilities("audio")
    assert capabilities is not None
    offered = {c.mimeType.lower() for c in capabilities.codecs}
    assert "audio/red" in offered, "a codec added to CODECS is not offered"


@check("aiortc.codecs", "HEADER_EXTENSIONS")
async def _header_extensions(s: Specimens) -> None:
    assert set(HEADER_EXTENSIONS) >= {"audio", "video"}, f"kinds {set(HEADER_EXTENSIONS)}"
    transport_feedback.negotiate()
    capabilities = RTCRtpReceiver.getCapabilities("video")
    assert capabilities is not None
    uris = {e.uri for e in capabilities.headerExtensions}
    assert transport_feedback.URI in uris, "an extension added to HEADER_EXTENSIONS is not offered"
    assert transport_feedback.ABS_SEND_TIME not in uris, "one removed is still offered"


@check("aiortc.sdp", "fmtp")
async def _fmtp(s: Specimens) -> None:
    parsed = parameters_from_sdp("111/111")
    assert parsed == {"111/111": None}, f"RED's fmtp parsed as {parsed!r}"
    assert parameters_to_sdp(parsed) == "111/111", f"written as {parameters_to_sdp(parsed)!r}"


@check("RTCRtpTransceiver", "_codecs")
async def _transceiver_codecs(s: Specimens) -> None:
    codecs = s.transceiver._codecs
    assert isinstance(codecs, list), f"found {type(codecs).__name__}"
    source = inspect.getsource(aiortc.rtcpeerconnection)
    assert "codecs=transceiver._codecs" in source, "descriptions no longer list _codecs"


# --- aioice --------------------------------------------------------------------------------


@check("aioice.ice", "get_host_addresses")
async def _get_host_addresses(s: Specimens) -> None:
    stock = aiortc_internals._stock_host_lookup
    assert stock is not None, "aioice.ice.get_host_addresses is gone"
    assert parameters(stock) == ["use_ipv4", "use_ipv6"], parameters(stock)
    source = inspect.getsource(aioice.ice.Connection)
    assert "get_host_addresses(" in source, "Connection no longer looks it up by module global"


@check("aioice.Connection", "add_remote_candidate")
async def _add_remote_candidate(s: Specimens) -> None:
    is_async(aiortc_internals._stock_add_remote, "self", "remote_candidate")


@check("aioice.Connection", "request_received")
async def _request_received(s: Specimens) -> None:
    function = aiortc_internals._stock_request_received
    assert parameters(function) == ["self", "message", "addr", "protocol"], parameters(function)
    assert ".receiver.request_received(" in inspect.getsource(aioice.ice.StunProtocol), (
        "StunProtocol no longer hands requests to Connection.request_received"
    )


# --- the tests -----------------------------------------------------------------------------


def test_every_internal_relied_on_has_a_check() -> None:
    listed = {internal.key for internal in RELIED_ON}
    assert listed - set(CHECKS) == set(), "internals in RELIED_ON with no check here"
    assert set(CHECKS) - listed == set(), "checks here for internals RELIED_ON does not list"


@pytest.mark.parametrize("internal", RELIED_ON, ids=lambda internal: internal.key)
async def test_internal(internal: Internal, specimens: Specimens) -> None:
    try:
        await CHECKS[internal.key](specimens)
    except (AssertionError, AttributeError, TypeError, KeyError) as problem:
        first_line = str(problem).split("\n", 1)[0]
        pytest.fail(
            f"aiortc {aiortc.__version__} / aioice {aioice.__version__}: "
            f"{internal.key} is missing or changed ({type(problem).__name__}: {first_line}). "
            f"The SFU needs: {internal.shape}. Fix signaling/sfu/aiortc_internals.py.",
            pytrace=False,
        )


PRIVATE_NAMES = {i.name for i in RELIED_ON if i.name.startswith("_")}


def internals_named(path: Path) -> list[str]:
    """Where a module names an internal from ``RELIED_ON`` (outside ``self``'s own)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        where = f"{path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE_NAMES:
            if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                found.append(f"{where} .{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "_RTCRtp" in node.value:
                found.append(f"{where} {node.value!r}")
        elif isinstance(node, ast.ImportFrom) and node.module == "aiortc.codecs":
            names = {alias.name for alias in node.names} & {"CODECS", "HEADER_EXTENSIONS"}
            found += [f"{where} imports {name}" for name in sorted(names)]
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            found += [f"{where} imports {m}" for m in modules if m.split(".")[0] == "aioice"]
    return found


def test_only_the_adapter_names_aiortc_internals() -> None:
    found = [
        hit
        for path in sorted(SFU.glob("*.py"))
        if path.name != "aiortc_internals.py"
        for hit in internals_named(path)
    ]
    assert found == [], "reach aiortc/aioice internals through signaling/sfu/aiortc_internals.py"


def test_the_scan_sees_each_kind_of_reach(tmp_path: Path) -> None:
    module = tmp_path / "reach.py"
    module.write_text(
        "import aioice.ice\n"
        "from aiortc.codecs import CODECS\n"
        "protect = dtls._tx_srtp.protect\n"
        "count = getattr(sender, '_RTCRtpSender__packet_count')\n"
        "self._ssrc = 1\n"
    )
    assert internals_named(module) == [
        "reach.py:1 imports aioice.ice",
        "reach.py:2 imports CODECS",
        "reach.py:3 ._tx_srtp",
        "reach.py:4 '_RTCRtpSender__packet_count'",
    ]
