"""The direct send path: what aiortc's sender reports matches what was sent, and packets a
subscriber reports lost (NACK) are sent again, as RTX."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from signaling.sfu import ice
from signaling.sfu.direct_sender import DirectSender
from signaling.sfu.room_media import RoomMedia
from signaling.sfu.subscriber_track import SubscriberTrack
from tests.sfu_peer import ClientPeer, TestCardTrack, join, publish, until


@pytest.fixture
async def room() -> AsyncIterator[RoomMedia]:
    room = RoomMedia(f"test-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    yield room
    await room.close()


def direct_sender(room: RoomMedia, participant_id: str) -> tuple[Any, DirectSender]:
    for sender in room.connections[participant_id].pc.getSenders():
        track = sender.track
        if isinstance(track, SubscriberTrack) and track.direct is not None:
            return sender, track.direct
    raise AssertionError("no direct sender")


class DropOne:
    """A datagram transport that loses exactly the n-th packet, like a weak link would."""

    def __init__(self, transport: Any, lose: int) -> None:
        self._transport = transport
        self._countdown = lose
        self.sent = 0

    def sendto(self, data: bytes, addr: Any) -> None:
        self.sent += 1
        self._countdown -= 1
        if self._countdown != 0:
            self._transport.sendto(data, addr)

    def get_write_buffer_size(self) -> int:
        return int(self._transport.get_write_buffer_size())

    def is_closing(self) -> bool:
        return bool(self._transport.is_closing())


async def test_lost_packets_are_retransmitted_on_nack(room: RoomMedia) -> None:
    teacher = await publish(room, "teacher", [TestCardTrack()], "VP8")
    student = join(room, "student", decode=False)
    try:
        await until(lambda: student.by_kind["video"] and student.by_kind["video"][0].keyframes, 5)
        log = student.by_kind["video"][0]
        sender, direct = direct_sender(room, "student")
        retransmitted: list[int] = []
        resend = direct._retransmit

        async def spy(sequence_number: int) -> None:
            retransmitted.append(sequence_number)
            await resend(sequence_number)

        sender._retransmit = spy
        direct._transport = DropOne(direct._transport, lose=5)
        forwarder = next(iter(room.forwarders.values()))
        before, frames_before = len(log.arrivals), forwarder.frames_in
        await until(lambda: forwarder.frames_in - frames_before >= 30, 3)
        await until(
            lambda: len(log.arrivals) - before >= forwarder.frames_in - frames_before - 1, 2
        )
        assert len(retransmitted) == 1, "the lost packet was asked for once and sent again"
        assert log.keyframes == 1, "recovered by retransmission, not by a new keyframe"
    finally:
        await teacher.close()
        await student.close()


async def test_aiortc_reports_what_the_direct_path_sent(room: RoomMedia) -> None:
    teacher = await publish(room, "teacher", [TestCardTrack()])
    student: ClientPeer = join(room, "student", decode=False)
    try:
        await until(
            lambda: student.by_kind["video"] and len(student.by_kind["video"][0].arrivals) > 20, 5
        )
        sender, direct = direct_sender(room, "student")
        stats = [s for s in (await sender.getStats()).values() if s.type == "outbound-rtp"]
        assert stats[0].packetsSent == direct.packets > 20
        assert stats[0].bytesSent == direct.octets
    finally:
        await teacher.close()
        await student.close()
