"""Weak networks: the SFU gives a student on a lossy link the low camera, and the high one
again once the link is clean, from the student's own RTCP receiver reports.

The loss is made at the student's end: its aiortc receiver drops two video packets in five
(retransmissions included) before they are counted, exactly what a lossy downlink looks like
to the receiver statistics that go back to the SFU. Nothing on the server is faked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.media_peer import MediaParticipant, ToneTrack
from tests.sfu_peer import TestCardTrack, until
from tests.test_signaling_media_events import Room, intact, media_server, room

__all__ = ["media_server", "room"]  # fixtures


class LossyLink:
    """Drops 40% of a client's incoming video packets while ``on``."""

    def __init__(self, person: MediaParticipant) -> None:
        self.on = True
        self.dropped = 0
        self._wrapped: set[int] = set()
        self._person = person

    def wrap_receivers(self) -> None:
        for transceiver in self._person.peer.pc.getTransceivers():
            receiver = transceiver.receiver
            if transceiver.kind != "video" or id(receiver) in self._wrapped:
                continue
            self._wrapped.add(id(receiver))
            receiver._handle_rtp_packet = self._dropping(receiver._handle_rtp_packet)

    def _dropping(self, handle: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        async def maybe(packet: Any, arrival_time_ms: int) -> None:
            if self.on and packet.sequence_number % 5 < 2:
                self.dropped += 1
                return
            await handle(packet, arrival_time_ms=arrival_time_ms)

        return maybe


async def test_a_lossy_student_gets_the_low_camera_and_then_high_again(room: Room) -> None:
    educator = await room.join("educator")
    await educator.media_join()
    high, low = TestCardTrack(), TestCardTrack()
    for track, quality in ((high, "high"), (low, "low")):
        ack = await educator.call(
            "media:publish", {"track_id": track.id, "source": "camera", "quality": quality}
        )
        assert ack["ok"], ack
    assert (
        await educator.publish(
            [(high, "camera"), (low, "camera"), (ToneTrack(), "microphone")], announce=False
        )
    )["ok"]
    high_id, low_id = f"{educator.user_id}/{high.id}", f"{educator.user_id}/{low.id}"

    clean, lossy = await room.join("student1"), await room.join("student2")
    link = LossyLink(lossy)
    await clean.media_join()
    await lossy.media_join()
    await until(lambda: high_id in lossy.receiving and high_id in clean.receiving, 5)
    link.wrap_receivers()

    went_low = await until(lambda: low_id in lossy.receiving, 10)
    assert high_id not in lossy.receiving and link.dropped > 0
    assert clean.receiving == {high_id, next(p for p in clean.receiving if p != high_id)}
    assert low_id not in clean.receiving  # the clean link keeps the high camera
    before = intact(lossy)
    link.on = False
    link.wrap_receivers()  # the low camera's receiver, should loss come back
    # The picture plays again. (The lossy link may have eaten the low camera's first keyframe;
    # this aiortc client never asks for another itself, as a browser would, so it may only
    # see pictures again after the switch back up, which brings a fresh keyframe.)
    recovered = await until(lambda: intact(lossy) > before + 15, 20)
    print(f"pictures again {recovered:.1f} s after the link cleared")

    # Clean reports bring it back up once the long memory of loss has faded: about 17 s
    # after heavy loss (media_policy.SLOW_CAP), so that a weak link does not flap.
    went_high = await until(lambda: high_id in lossy.receiving, 30)
    print(f"switched down after {went_low:.1f} s of loss, up after {went_high:.1f} s clean")
    assert low_id not in lossy.receiving
    # Each switch reused the camera's transceiver: the SDP did not grow an m-line per switch.
    offers = lossy.drain("media:offer")
    assert len(offers) >= 3  # subscribe, down, up
    assert {offer["sdp"].count("\r\nm=") for offer in offers} == {2}
