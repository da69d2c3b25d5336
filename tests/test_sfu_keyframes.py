"""Keyframe detection on real encoder output, and the 500 ms keyframe-request throttle."""

from __future__ import annotations

import fractions

import pytest
from aiortc.codecs import depayload, get_encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters

from signaling.sfu.keyframes import (
    KeyframeThrottle,
    always_keyframe,
    detector_for,
    is_h264_keyframe,
    is_vp8_keyframe,
)
from tests.sfu_peer import paint_test_card

H264 = RTCRtpCodecParameters(
    mimeType="video/H264",
    clockRate=90000,
    payloadType=99,
    parameters={"packetization-mode": "1", "profile-level-id": "42001f"},
)
VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=97)


def jitter_frames(codec: RTCRtpCodecParameters, keyframe_at: int) -> list[bytes]:
    """What the receiver tap hands over: aiortc's own payloads, depacketized by aiortc."""
    encoder = get_encoder(codec)
    frames = []
    for i in range(6):
        frame = paint_test_card(i)
        frame.pts, frame.time_base = i * 3000, fractions.Fraction(1, 90000)
        payloads, _ = encoder.encode(frame, force_keyframe=i == keyframe_at)
        frames.append(b"".join(depayload(codec, p) for p in payloads))
    return frames


@pytest.mark.parametrize(("codec", "detect"), [(H264, is_h264_keyframe), (VP8, is_vp8_keyframe)])
def test_only_keyframes_are_detected(codec: RTCRtpCodecParameters, detect: object) -> None:
    frames = jitter_frames(codec, keyframe_at=4)
    assert callable(detect)
    assert [detect(f) for f in frames] == [True, False, False, False, True, False]


def test_detectors_by_mime_type() -> None:
    assert detector_for("video/H264") is is_h264_keyframe
    assert detector_for("video/vp8") is is_vp8_keyframe
    assert detector_for("audio/opus") is always_keyframe
    with pytest.raises(ValueError, match="VP9"):
        detector_for("video/VP9")


def test_h264_needs_an_idr_slice_not_just_parameter_sets() -> None:
    sps_pps_only = b"\x00\x00\x00\x01\x67\x42\x00\x1f\x00\x00\x00\x01\x68\xce\x3c\x80"
    assert not is_h264_keyframe(sps_pps_only)
    assert is_h264_keyframe(sps_pps_only + b"\x00\x00\x00\x01\x65\x88\x84")
    assert not is_h264_keyframe(b"\x00\x00\x00\x01")  # truncated, no header byte
    assert not is_vp8_keyframe(b"\x00\x00")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_throttle_allows_one_request_per_half_second() -> None:
    clock = FakeClock()
    throttle = KeyframeThrottle(0.5, clock)
    assert throttle.request() == 0  # first: send now
    clock.now += 0.1
    assert throttle.request() == pytest.approx(0.4)  # deferred to the end of the window
    for _ in range(10):
        assert throttle.request() is None  # coalesced into the deferred one
    clock.now += 0.4
    assert throttle.due()  # the deferred request goes out, 500 ms after the first
    clock.now += 0.2
    assert throttle.request() == pytest.approx(0.3)


def test_throttle_drops_a_deferred_request_once_a_keyframe_arrived() -> None:
    clock = FakeClock()
    throttle = KeyframeThrottle(0.5, clock)
    assert throttle.request() == 0
    assert throttle.request() == pytest.approx(0.5)
    throttle.keyframe_seen()
    clock.now += 0.5
    assert not throttle.due()
    clock.now += 0.5
    assert throttle.request() == 0
