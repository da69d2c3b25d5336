"""Audio redundancy to subscribers: RED payloads as RFC 2198 lays them out, each carrying the
frame sent before it; plain Opus to a subscriber that does not take RED; never RED from a
publisher into the forwarder."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator

import pytest
from aiortc.mediastreams import AudioStreamTrack

from signaling.sfu import ice, redundancy
from signaling.sfu.redundancy import RedEncoder, parse, without_red
from signaling.sfu.room_media import RoomMedia
from tests.sfu_peer import join, publish, until

OPUS_PT = 111
FRAME_TICKS = 960  # 20 ms at 48 kHz


@pytest.fixture
async def room() -> AsyncIterator[RoomMedia]:
    room = RoomMedia(f"test-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    yield room
    await room.close()


def test_each_payload_carries_the_frame_before_it() -> None:
    encoder = RedEncoder(OPUS_PT)
    assert parse(encoder.wrap(b"first", 1000)) == [(OPUS_PT, 0, b"first")]
    assert parse(encoder.wrap(b"second", 1000 + FRAME_TICKS)) == [
        (OPUS_PT, FRAME_TICKS, b"first"),
        (OPUS_PT, 0, b"second"),
    ]


def test_the_redundant_header_is_rfc_2198() -> None:
    encoder = RedEncoder(OPUS_PT)
    encoder.wrap(b"ab", 0)
    payload = encoder.wrap(b"cde", FRAME_TICKS)
    # F=1 | PT, 14-bit offset, 10-bit length; then F=0 | PT; then the blocks in order.
    assert (
        payload
        == bytes([0x80 | OPUS_PT])
        + (FRAME_TICKS << 10 | 2).to_bytes(3, "big")
        + bytes([OPUS_PT])
        + b"ab"
        + b"cde"
    )


def test_timestamps_wrap_around() -> None:
    encoder = RedEncoder(OPUS_PT)
    encoder.wrap(b"old", 0xFFFFFFFF - 100)
    assert parse(encoder.wrap(b"new", FRAME_TICKS - 101))[0] == (OPUS_PT, FRAME_TICKS, b"old")


@pytest.mark.parametrize(
    ("previous", "gap"),
    [
        (b"x" * 10, redundancy.MAX_OFFSET + 1),  # after a silence longer than 0.34 s
        (b"x" * (redundancy.MAX_BLOCK + 1), FRAME_TICKS),  # too long for a block
        (b"x", 0),  # the same timestamp: nothing to recover
    ],
)
def test_a_frame_that_cannot_be_a_block_is_left_out(previous: bytes, gap: int) -> None:
    encoder = RedEncoder(OPUS_PT)
    encoder.wrap(previous, 5000)
    assert encoder.wrap(b"now", 5000 + gap) == bytes([OPUS_PT]) + b"now"


def test_without_red_drops_red_from_audio_only() -> None:
    sdp = "\r\n".join(
        [
            "v=0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 0",
            "a=rtpmap:111 opus/48000/2",
            "a=rtpmap:63 red/48000/2",
            "a=fmtp:63 111/111",
            "a=rtpmap:0 PCMU/8000",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=rtpmap:96 VP8/90000",
            "",
        ]
    )
    stripped = without_red(sdp)
    assert "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n" in stripped
    assert "red/" not in stripped and "a=fmtp:63" not in stripped
    assert "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" in stripped
    assert without_red(stripped) == stripped


async def test_a_subscriber_taking_red_gets_each_frame_twice(room: RoomMedia) -> None:
    teacher = await publish(room, "teacher", [AudioStreamTrack()], red=True)  # as Chromium
    student = join(room, "student", decode=False, red=True)
    try:
        await until(
            lambda: student.by_kind["audio"] and len(student.by_kind["audio"][0].payloads) >= 20, 10
        )
        payloads = list(student.by_kind["audio"][0].payloads)
        blocks = [parse(p) for p in payloads]
        forwarder = next(iter(room.forwarders.values()))
        opus_pt = blocks[-1][-1][0]
        assert forwarder.codec.mimeType.lower() == "audio/opus", "the publisher sends plain Opus"
        assert "red/" in teacher.pc.localDescription.sdp, "the publisher offered RED"
        assert "red/" not in teacher.pc.remoteDescription.sdp, "and was answered without it"
        for before, now in itertools.pairwise(blocks):
            assert len(now) == 2, now
            assert now[0] == (opus_pt, FRAME_TICKS, before[-1][2]), "the previous frame again"
            assert now[1][0] == opus_pt and now[1][2], "then this frame"
    finally:
        await teacher.close()
        await student.close()


async def test_a_subscriber_without_red_gets_plain_opus(room: RoomMedia) -> None:
    teacher = await publish(room, "teacher", [AudioStreamTrack()])
    student = join(room, "student", decode=True)
    try:
        await until(
            lambda: student.by_kind["audio"] and len(student.by_kind["audio"][0].arrivals) >= 20, 10
        )
        answer = room.connections["student"].pc.remoteDescription.sdp
        assert "red/" not in answer
    finally:
        await teacher.close()
        await student.close()
