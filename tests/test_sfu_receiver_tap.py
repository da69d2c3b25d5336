"""The receiver tap: frames leave aiortc before any decoder exists, and keyframe requests
reach the publisher at most once per 500 ms."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator

import aiortc.codecs
import aiortc.rtcrtpreceiver
import pytest
from aiortc.mediastreams import AudioStreamTrack

from signaling.sfu import ice
from signaling.sfu.room_media import RoomMedia
from tests.sfu_peer import ClientPeer, TestCardTrack, join, publish, until


@pytest.fixture
async def room() -> AsyncIterator[RoomMedia]:
    room = RoomMedia(f"test-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    yield room
    await room.close()


def counted(client: ClientPeer, kind: str) -> int:
    return sum(len(log.arrivals) for log in client.by_kind[kind])


async def test_forwarding_never_creates_a_decoder(
    room: RoomMedia, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every peer in this process is decode-free (publisher encodes, subscribers count), so
    # any decoder or decoder thread would have to come from the SFU's forward path.
    decoders: list[str] = []
    real_get_decoder = aiortc.codecs.get_decoder

    def spy(codec: aiortc.RTCRtpCodecParameters) -> object:
        decoders.append(codec.mimeType)
        return real_get_decoder(codec)

    monkeypatch.setattr(aiortc.rtcrtpreceiver, "get_decoder", spy)
    threads_before = set(threading.enumerate())

    teacher = await publish(room, "teacher", [TestCardTrack(), AudioStreamTrack()])
    students = [join(room, f"s{i}", decode=False) for i in range(2)]
    try:
        await until(lambda: all(counted(s, "video") >= 45 for s in students), 8)
        assert all(counted(s, "audio") >= 50 for s in students)
        assert sum(f.frames_in for f in room.forwarders.values()) >= 100
        new_threads = [t.name for t in set(threading.enumerate()) - threads_before]
        assert not [name for name in new_threads if "decoder" in name], new_threads
        assert decoders == []
    finally:
        for client in (teacher, *students):
            await client.close()


async def test_keyframe_requests_are_coalesced_per_track(room: RoomMedia) -> None:
    teacher = await publish(room, "teacher", [TestCardTrack()], "VP8")
    student = join(room, "student", decode=False)
    try:
        await until(lambda: student.by_kind["video"] and student.by_kind["video"][0].keyframes, 5)
        tap = next(iter(room.publications.values())).tap
        log = student.by_kind["video"][0]
        await asyncio.sleep(0.6)  # out of the join request's window
        sent, keyframes = tap.keyframe_requests_sent, log.keyframes

        for _ in range(20):
            tap.request_keyframe()
        assert tap.keyframe_requests_sent == sent + 1  # one PLI now, the rest coalesced
        # aiortc's VP8 encoder makes keyframes only when asked, so this one is ours.
        await until(lambda: log.keyframes > keyframes, 1)
        await asyncio.sleep(0.7)
        assert tap.keyframe_requests_sent == sent + 1, "the keyframe cancelled the deferred PLI"

        tap.request_keyframe()
        tap.request_keyframe()
        await asyncio.sleep(0.6)
        assert tap.keyframe_requests_sent == sent + 2  # deferred one not needed: keyframe came
    finally:
        await teacher.close()
        await student.close()
