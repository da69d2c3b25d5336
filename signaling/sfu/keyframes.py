"""Keyframe detection on depacketized frames, and the PLI throttle.

aiortc's depacketizers hand the jitter buffer Annex-B H.264 (each NAL unit behind a
``00 00 00 01`` start code) and bare VP8 frames (payload descriptor stripped), so both checks
look at the frame bytes the receiver tap delivers, never at RTP payloads.
"""

from __future__ import annotations

import time
from collections.abc import Callable

H264_IDR = 5
START_CODE = b"\x00\x00\x01"


def is_h264_keyframe(data: bytes) -> bool:
    """An access unit is a keyframe when it holds an IDR slice (NAL type 5).

    Emulation prevention guarantees ``00 00 01`` never occurs inside a NAL unit, so scanning
    for start codes is exact.
    """
    pos = data.find(START_CODE)
    while pos != -1 and pos + 3 < len(data):
        if data[pos + 3] & 0x1F == H264_IDR:
            return True
        pos = data.find(START_CODE, pos + 3)
    return False


def is_vp8_keyframe(data: bytes) -> bool:
    """RFC 6386 9.1: bit 0 of the frame tag is 0 on key frames, which also carry the
    ``9d 01 2a`` start code right after the 3-byte tag."""
    return len(data) >= 6 and not data[0] & 0x01 and data[3:6] == b"\x9d\x01\x2a"


def always_keyframe(data: bytes) -> bool:
    """Every Opus (and other audio) frame decodes on its own."""
    return True


def detector_for(mime_type: str) -> Callable[[bytes], bool]:
    name = mime_type.lower()
    if name == "video/h264":
        return is_h264_keyframe
    if name == "video/vp8":
        return is_vp8_keyframe
    if name.startswith("audio/"):
        return always_keyframe
    raise ValueError(f"no keyframe detector for {mime_type}")


class KeyframeThrottle:
    """At most one keyframe request per ``interval`` per publisher track, none ever lost.

    A request inside the interval is deferred to its end rather than dropped: a subscriber
    waiting for a keyframe would otherwise wait forever on publishers (Chromium among them)
    that send keyframes only when asked. A keyframe seen meanwhile cancels the deferred one,
    since it satisfies every waiter.
    """

    def __init__(self, interval: float = 0.5, clock: Callable[[], float] = time.monotonic):
        self.interval = interval
        self._clock = clock
        self._last_sent = -interval
        self.pending = False

    def request(self) -> float | None:
        """Returns 0 to send now, the delay before a deferred send, or None when one is
        already pending."""
        if self.pending:
            return None
        wait = self._last_sent + self.interval - self._clock()
        if wait <= 0:
            self._last_sent = self._clock()
            return 0.0
        self.pending = True
        return wait

    def due(self) -> bool:
        """Called when a deferred request's delay has passed: send unless a keyframe came."""
        if not self.pending:
            return False
        self.pending = False
        self._last_sent = self._clock()
        return True

    def keyframe_seen(self) -> None:
        self.pending = False
