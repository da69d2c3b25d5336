"""SFU counters on /metrics, labelled by room.

Counted once per frame for all its subscribers (not once per subscriber), so metrics stay a
fixed cost per published frame however large the room grows.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from prometheus_client import Counter

FORWARDED_PACKETS = Counter(
    "qou_sfu_forwarded_packets", "RTP packets handed to subscribers' senders", ["room"]
)
FORWARDED_BYTES = Counter(
    "qou_sfu_forwarded_bytes", "RTP payload bytes handed to subscribers' senders", ["room"]
)
DROPPED_FRAMES = Counter(
    "qou_sfu_dropped_frames", "Encoded frames a subscriber queue discarded", ["room"]
)
KEYFRAME_REQUESTS = Counter(
    "qou_sfu_keyframe_requests",
    "Keyframe requests asked of publishers (before throttling)",
    ["room"],
)


@dataclass(frozen=True, slots=True)
class RoomCounters:
    """The counters' children for one room, resolved once instead of per frame."""

    forwarded_packets: Counter
    forwarded_bytes: Counter
    dropped_frames: Counter
    keyframe_requests: Counter

    @classmethod
    def for_room(cls, room: str) -> RoomCounters:
        return cls(
            FORWARDED_PACKETS.labels(room=room),
            FORWARDED_BYTES.labels(room=room),
            DROPPED_FRAMES.labels(room=room),
            KEYFRAME_REQUESTS.labels(room=room),
        )

    @staticmethod
    def forget(room: str) -> None:
        """Drop a closed room's series so label cardinality follows live rooms only."""
        for counter in (FORWARDED_PACKETS, FORWARDED_BYTES, DROPPED_FRAMES, KEYFRAME_REQUESTS):
            with contextlib.suppress(KeyError):
                counter.remove(room)
