"""A subscriber's bounded queue: order, overflow policy, keyframe requests, shutdown."""

from __future__ import annotations

import asyncio

import av
import pytest
from aiortc.mediastreams import MediaStreamError
from av.stream import Stream

from signaling.sfu.subscriber_track import VIDEO_QUEUE_FRAMES, SubscriberTrack


def frame(index: int, keyframe: bool = False) -> av.Packet[Stream]:
    packet = av.Packet(index.to_bytes(4, "big"))
    packet.pts = index * 3000
    packet.is_keyframe = keyframe
    return packet


class Recorder:
    def __init__(self) -> None:
        self.keyframe_requests = 0
        self.dropped = 0

    def request_keyframe(self) -> None:
        self.keyframe_requests += 1

    def drop(self, frames: int) -> None:
        self.dropped += frames


def video_track(recorder: Recorder, capacity: int | None = None) -> SubscriberTrack:
    return SubscriberTrack("video", recorder.request_keyframe, recorder.drop, capacity)


async def test_starts_at_a_keyframe_and_keeps_order() -> None:
    recorder = Recorder()
    track = video_track(recorder)
    assert not track.offer(frame(0))  # a decoder cannot start on a delta frame
    assert track.offer(frame(1, keyframe=True))
    assert track.offer(frame(2))
    assert [(await track.recv()).pts for _ in range(2)] == [3000, 6000]
    assert recorder.dropped == 1


async def test_recv_waits_for_the_next_frame() -> None:
    track = video_track(Recorder())
    pending = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)
    assert not pending.done()
    track.offer(frame(7, keyframe=True))
    assert (await asyncio.wait_for(pending, 1)).pts == 21000


async def test_overflow_drops_the_backlog_until_a_keyframe_and_asks_for_one() -> None:
    recorder = Recorder()
    track = video_track(recorder)
    track.offer(frame(0, keyframe=True))
    for i in range(1, VIDEO_QUEUE_FRAMES):
        assert track.offer(frame(i))
    assert track.queued == VIDEO_QUEUE_FRAMES

    assert not track.offer(frame(30))  # full: backlog and this frame go
    assert track.queued == 0
    assert not track.offer(frame(31))  # still waiting for a keyframe
    assert recorder.keyframe_requests == 0  # nobody reads: a keyframe now would be wasted

    reading = asyncio.ensure_future(track.recv())  # the sender reads again
    await asyncio.sleep(0)
    assert not track.offer(frame(32))
    assert recorder.keyframe_requests == 1  # now it can use one
    assert track.offer(frame(33, keyframe=True))
    assert (await reading).pts == 33 * 3000
    assert recorder.dropped == track.dropped_frames == VIDEO_QUEUE_FRAMES + 3


async def test_a_keyframe_arriving_on_a_full_queue_restarts_it() -> None:
    recorder = Recorder()
    track = video_track(recorder, capacity=2)
    track.offer(frame(0, keyframe=True))
    track.offer(frame(1))
    assert track.offer(frame(2, keyframe=True))
    assert track.queued == 1
    assert recorder.keyframe_requests == 0


async def test_audio_overflow_resumes_with_the_newest_frame() -> None:
    recorder = Recorder()
    track = SubscriberTrack("audio", recorder.request_keyframe, recorder.drop, capacity=3)
    for i in range(4):
        track.offer(frame(i, keyframe=True))  # every audio frame is a "keyframe"
    assert track.queued == 1
    assert (await track.recv()).pts == 3 * 3000


async def test_stop_wakes_a_waiting_sender() -> None:
    track = video_track(Recorder())
    pending = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)
    track.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(pending, 1)
