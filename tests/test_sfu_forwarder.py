"""Forwarding between real aiortc peers on 127.0.0.1: pictures intact, slow subscribers
isolated, and per-frame work done once for all subscribers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from fractions import Fraction

import av
import pytest
from aiortc.mediastreams import AudioStreamTrack
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av.stream import Stream

from signaling.sfu import ice
from signaling.sfu.forwarder import Forwarder
from signaling.sfu.metrics import RoomCounters
from signaling.sfu.room_media import RoomMedia
from signaling.sfu.subscriber_track import SubscriberTrack
from tests.sfu_peer import ClientPeer, TestCardTrack, join, publish, until


@pytest.fixture
async def room() -> AsyncIterator[RoomMedia]:
    room = RoomMedia(f"test-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    yield room
    await room.close()


async def closing(*clients: ClientPeer) -> None:
    for client in clients:
        await client.close()


@pytest.mark.parametrize("codec", ["H264", "VP8"])
async def test_test_card_arrives_intact_and_in_order(room: RoomMedia, codec: str) -> None:
    teacher = await publish(room, "teacher", [TestCardTrack(), AudioStreamTrack()], codec)
    students = [join(room, "s1"), join(room, "s2")]
    try:
        assert {p.codec.mimeType for p in room.publications.values()} == {
            f"video/{codec}",
            "audio/opus",
        }
        await until(lambda: all(decoded(s) >= 45 and heard(s) >= 50 for s in students), 8)
        for student in students:
            indices = student.by_kind["video"][0].indices
            intact = [i for i in indices if i is not None]
            assert len(intact) >= 0.95 * len(indices), indices
            assert intact == sorted(set(intact)), "frames repeated or out of order"
            assert intact[-1] - intact[0] <= 1.1 * len(intact), "frames went missing"
    finally:
        await closing(teacher, *students)


async def test_a_stalled_subscriber_does_not_slow_the_others() -> None:
    room = RoomMedia(f"stall-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    teacher = await publish(room, "teacher", [TestCardTrack()])
    steady, stalled = join(room, "steady", decode=False), join(room, "stalled", decode=False)
    try:
        await until(lambda: steady.by_kind["video"] and stalled.by_kind["video"], 5)
        await until(lambda: stalled.by_kind["video"][0].keyframes, 5)
        gate = asyncio.Event()
        stalled_track = stall(room, "stalled", gate)

        forwarder = next(iter(room.forwarders.values()))
        frames_before, received_before = (
            forwarder.frames_in,
            len(steady.by_kind["video"][0].arrivals),
        )
        await asyncio.sleep(2.5)
        published = forwarder.frames_in - frames_before
        received = len(steady.by_kind["video"][0].arrivals) - received_before
        assert published >= 60
        assert received >= published - 2, "the steady subscriber fell behind"
        assert stalled_track.queued == 0, "the direct path keeps no backlog"
        assert stalled_track.dropped_frames >= published - 31

        keyframes_before = stalled.by_kind["video"][0].keyframes
        gate.set()  # the socket takes packets again: it resumes at a requested keyframe
        elapsed = await until(lambda: stalled.by_kind["video"][0].keyframes > keyframes_before, 2)
        assert elapsed < 1.0
    finally:
        await closing(teacher, steady, stalled)
        await room.close()


def heard(client: ClientPeer) -> int:
    logs = client.by_kind["audio"]
    return len(logs[0].arrivals) if logs else 0


def decoded(client: ClientPeer) -> int:
    logs = client.by_kind["video"]
    return len(logs[0].indices) if logs else 0


def stall(room: RoomMedia, participant_id: str, gate: asyncio.Event) -> SubscriberTrack:
    """Stall the SFU's sending to ``participant_id``'s video until ``gate`` opens, as a socket
    that pushes back would (the direct sender is not ready)."""
    senders = room.connections[participant_id].pc.getSenders()
    track = next(
        t
        for t in (s.track for s in senders)
        if isinstance(t, SubscriberTrack) and t.kind == "video"
    )
    direct = track.direct
    assert direct is not None
    ready = direct.ready
    direct.ready = lambda: gate.is_set() and ready()  # type: ignore[method-assign]
    return track


class NoKeyframes:
    def __init__(self) -> None:
        self.requests = 0

    def request_keyframe(self) -> None:
        self.requests += 1

    def keyframe_arrived(self) -> None:
        pass


def test_each_frame_is_built_and_packetized_once_for_all_subscribers() -> None:
    codec = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=97)
    source = NoKeyframes()
    forwarder = Forwarder(codec, source, RoomCounters.for_room("unit"))
    tracks = [forwarder.subscribe() for _ in range(3)]

    keyframe = b"\x10\x02\x00\x9d\x01\x2a" + bytes(3000)
    forwarder.push(keyframe, 1234)
    queued = [t._queue[0] for t in tracks]
    assert queued[0] is queued[1] is queued[2], "one av.Packet per frame"
    assert queued[0].opaque is queued[1].opaque, "one packetization per frame"
    assert queued[0].pts == 1234 and queued[0].time_base == Fraction(1, 90000)
    payloads = queued[0].opaque
    assert isinstance(payloads, list) and len(payloads) == 3  # 3000 bytes: three RTP payloads


async def test_a_subscriber_whose_transport_breaks_never_breaks_the_publisher(
    room: RoomMedia,
) -> None:
    teacher = await publish(room, "teacher", [TestCardTrack()])
    steady, broken = join(room, "steady", decode=False), join(room, "broken", decode=False)
    try:
        await until(
            lambda: all(
                c.by_kind["video"] and c.by_kind["video"][0].keyframes for c in (steady, broken)
            ),
            5,
        )
        senders = room.connections["broken"].pc.getSenders()
        track = next(t for t in (s.track for s in senders) if isinstance(t, SubscriberTrack))
        assert track.direct is not None

        def fail(packet: av.Packet[Stream]) -> bool:
            raise OSError("the socket went away")

        track.direct.send = fail  # type: ignore[method-assign]
        log = steady.by_kind["video"][0]
        before = len(log.arrivals)
        await until(lambda: len(log.arrivals) >= before + 30, 3)
        assert track.readyState == "ended", "the failing subscriber was dropped"
        assert len(room.publications) == 1, "the publisher is untouched"
    finally:
        await closing(teacher, steady, broken)
