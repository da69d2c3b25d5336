"""Codec choice for the SFU: which codec a publisher sends, which one a subscriber gets.

Publishers are steered to H.264 (recordings stream-copy it into HLS), else VP8: the offer's
video payload types are reordered, and the answer keeps only the chosen codec's family (and
its RTX), so the browser cannot switch to another codec mid-call. Before, an answer listing
H.264 and VP8 let a client send VP8 into a forwarder labelled H.264, and subscribers got
nothing. Subscribers must receive exactly the publisher's codec, since frames are forwarded
without transcoding, so their transceivers offer that codec alone. An offer with neither
codec is refused with ``UnsupportedCodec``.

An answer is narrowed through ``aiortc_internals`` (aiortc lists the codecs common to both
sides after ``setRemoteDescription``, and has no public way to drop some).
"""

from __future__ import annotations

import re

from aiortc import RTCRtpReceiver, RTCRtpTransceiver
from aiortc.codecs import is_rtx
from aiortc.rtcrtpparameters import RTCRtpCodecCapability, RTCRtpCodecParameters

from signaling.sfu import aiortc_internals, redundancy

PREFERRED_VIDEO = ("H264", "VP8")
_RTPMAP = re.compile(r"^a=rtpmap:(\d+) ([\w-]+)/", re.MULTILINE)


class UnsupportedCodec(ValueError):
    """A video m-line offers no codec the SFU can forward (H.264 or VP8)."""


def check_forwardable(sdp: str) -> None:
    """Raise ``UnsupportedCodec`` if a sending video m-line has neither H.264 nor VP8."""
    for section in re.split(r"(?m)^(?=m=)", sdp):
        if not section.startswith("m=video ") or re.search(r"(?m)^a=(recvonly|inactive)", section):
            continue
        names = {name.upper() for _, name in _RTPMAP.findall(section)}
        if not names & set(PREFERRED_VIDEO):
            raise UnsupportedCodec(
                f"video offered as {', '.join(sorted(names)) or 'nothing'}: the SFU forwards "
                "without transcoding and needs H.264 or VP8"
            )


def keep_first_family(transceiver: RTCRtpTransceiver) -> None:
    """Answer with the first common codec's family only (all its payload types, and RTX).

    A publisher's audio is answered without RED: the SFU forwards and records the frames it
    receives as they are, and they must be plain Opus (subscribers get RED from the SFU, see
    ``redundancy``). Send-only transceivers keep what the SFU offered them.
    """
    codecs = aiortc_internals.negotiated_codecs(transceiver)
    if transceiver.kind == "audio" and transceiver.direction == "recvonly":
        aiortc_internals.answer_with(transceiver, [c for c in codecs if not redundancy.is_red(c)])
        return
    if transceiver.kind != "video" or not codecs:
        return
    family = codecs[0].mimeType.lower()
    kept = {c.payloadType for c in codecs if c.mimeType.lower() == family}
    aiortc_internals.answer_with(
        transceiver,
        [
            c
            for c in codecs
            if c.payloadType in kept or (is_rtx(c) and c.parameters.get("apt") in kept)
        ],
    )


def prefer_codecs(sdp: str, kind: str = "video", order: tuple[str, ...] = PREFERRED_VIDEO) -> str:
    """Move the codecs in ``order`` to the front of each ``kind`` m-line.

    Others keep their relative order, so every RTX entry still follows its base codec (aiortc
    accepts an RTX only after its base).
    """
    sections = re.split(r"(?m)^(?=m=)", sdp)
    return "".join(_reorder(s, order) if s.startswith(f"m={kind} ") else s for s in sections)


def _reorder(section: str, order: tuple[str, ...]) -> str:
    lines = section.split("\n")
    head = lines[0].rstrip("\r").split(" ")
    names = {pt: name.upper() for pt, name in _RTPMAP.findall(section)}
    rank = {name: i for i, name in enumerate(order)}
    fmts = sorted(head[3:], key=lambda pt: rank.get(names.get(pt, ""), len(order)))
    lines[0] = " ".join(head[:3] + fmts) + ("\r" if lines[0].endswith("\r") else "")
    # aiortc reads codecs in rtpmap order, browsers in m-line order: reorder both.
    slots = [i for i, line in enumerate(lines) if line.startswith("a=rtpmap:")]
    position = {pt: i for i, pt in enumerate(fmts)}
    rtpmaps = sorted((lines[i] for i in slots), key=lambda line: position.get(_pt(line), len(fmts)))
    for slot, line in zip(slots, rtpmaps, strict=True):
        lines[slot] = line
    return "\n".join(lines)


def _pt(rtpmap_line: str) -> str:
    return rtpmap_line.split(":", 1)[1].split(" ", 1)[0]


def exactly(kind: str, codec: RTCRtpCodecParameters) -> list[RTCRtpCodecCapability]:
    """aiortc's capability for ``codec`` and its RTX ones: what a subscriber must be offered
    to receive the publisher's frames as they are."""
    wanted = RTCRtpCodecCapability(
        mimeType=codec.mimeType,
        clockRate=codec.clockRate,
        channels=codec.channels,
        parameters=dict(codec.parameters),
    )
    capabilities = RTCRtpReceiver.getCapabilities(kind)
    assert capabilities is not None
    chosen = [c for c in capabilities.codecs if c == wanted]
    if not chosen:
        raise ValueError(f"aiortc cannot send {codec.mimeType} {codec.parameters}")
    return chosen + [c for c in capabilities.codecs if c.mimeType.lower().endswith("/rtx")]


def restrict_to(transceiver: RTCRtpTransceiver, codec: RTCRtpCodecParameters) -> None:
    """Offer only ``codec`` (and RTX for video) on a subscriber's transceiver; Opus is
    offered wrapped in RED first (see ``redundancy``), and plain as the fallback."""
    chosen = exactly(transceiver.kind, codec)
    if codec.mimeType.lower() == "audio/opus":
        capabilities = RTCRtpReceiver.getCapabilities("audio")
        assert capabilities is not None
        chosen[:0] = [c for c in capabilities.codecs if c.mimeType.lower() == "audio/red"]
    transceiver.setCodecPreferences(chosen)
