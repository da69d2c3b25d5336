"""Recording a live track with real aiortc peers and real files: what arrives is what is kept.

A publisher sends H.264 (aiortc's encoder) and Opus into a ``RoomMedia``; a recording session
attached to it writes segments. The frames in the files must be byte-for-byte (NAL unit by
NAL unit) the frames the SFU forwarded: no transcoding. Assembly must keep them so too.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import av
import pytest
from aiortc.mediastreams import MediaStreamError

from recording.directory import RecordingDirectory
from recording.handoff import manifest_of
from recording.marks import read_marks
from recording.segment_writer import MAX_SECONDS
from recording.session import RecordingSession
from signaling.sfu import ice
from signaling.sfu.room_media import RoomMedia
from tests.media_peer import ToneTrack
from tests.sfu_peer import TestCardTrack, publish, until
from vod.assembly import NothingRecorded, assemble
from vod.probe import probe
from vod.recording_manifest import read_timeline

FIRST_TAKE, SECOND_TAKE = 9.0, 3.0


def nal_units(frame: bytes) -> tuple[bytes, ...]:
    """A frame's NAL units, from Annex-B (as received) or 4-byte length prefixes (Matroska)."""
    if frame.startswith((b"\x00\x00\x00\x01", b"\x00\x00\x01")):
        return tuple(u.rstrip(b"\x00") for u in frame.split(b"\x00\x00\x01") if u.strip(b"\x00"))
    units, pos = [], 0
    while pos + 4 <= len(frame):
        size = int.from_bytes(frame[pos : pos + 4], "big")
        units.append(frame[pos + 4 : pos + 4 + size])
        pos += 4 + size
    return tuple(units)


def video_packets(path: Path) -> list[tuple[float, bool, tuple[bytes, ...]]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [
            (float(p.pts * p.time_base), bool(p.is_keyframe), nal_units(bytes(p)))
            for p in container.demux(stream)
            if p.size and p.pts is not None
        ]


@pytest.fixture
async def room() -> AsyncIterator[RoomMedia]:
    room = RoomMedia(f"rec-{uuid.uuid4().hex[:8]}", host_addresses=ice.LOOPBACK)
    yield room
    await room.close()


async def test_two_takes_are_written_as_received_and_assembled_by_copy(
    room: RoomMedia, tmp_path: Path
) -> None:
    directory = RecordingDirectory.create(tmp_path, 41, 7, "Week 1")
    session = RecordingSession(directory)
    teacher = await publish(room, "teacher", [TestCardTrack(), ToneTrack()])
    forwarded: list[tuple[bytes, ...]] = []
    spy_task: asyncio.Task[None] | None = None
    try:
        await until(lambda: len(room.forwarders) == 2, 10)
        video = next(f for f in room.forwarders.values() if f.kind == "video")
        spy = video.subscribe()  # sees every frame the SFU forwards from here on

        async def watch() -> None:
            try:
                while True:
                    forwarded.append(nal_units(bytes(await spy.recv())))
            except MediaStreamError:
                pass

        spy_task = asyncio.ensure_future(watch())
        await until(lambda: forwarded, 10)
        session.attach(room)  # after publishing: the listener is told of both tracks
        requests_before = room.counters.keyframe_requests._value.get()
        assert session.start({"deck_id": 3, "page": 1})
        assert not session.start()  # already recording
        await asyncio.sleep(FIRST_TAKE / 2)
        session.observe("slides:page", {"deck_id": 3, "page": 2, "annotations": []})
        session.observe("chat:message", {"id": 1, "from": {"name": "A"}, "text": "hi"})
        session.observe("laser:moved", {"x": 0.5, "y": 0.5})  # not a replay event
        await asyncio.sleep(FIRST_TAKE / 2)
        assert await session.stop()
        requests = room.counters.keyframe_requests._value.get() - requests_before
        session.observe("slides:page", {"deck_id": 3, "page": 3})  # between takes
        await asyncio.sleep(1.0)
        session.start()
        await asyncio.sleep(SECOND_TAKE)
        await session.finish()
    finally:
        await teacher.close()
        if spy_task is not None:
            spy_task.cancel()

    # Keyframes were asked for while recording (one at the start, then every 4 s).
    assert requests >= 2, requests
    takes = read_marks(directory.marks_file)
    assert [t["take"] for t in takes] == [1, 2]
    assert takes[0]["stop"] == pytest.approx(FIRST_TAKE, abs=0.3)
    assert takes[1]["start"] == takes[0]["stop"]
    total = takes[1]["stop"]
    assert total == pytest.approx(FIRST_TAKE + SECOND_TAKE, abs=0.5)

    track_dirs = directory.track_dirs()
    kinds = {json.loads((d / "track.json").read_text())["kind"]: d for d in track_dirs}
    assert set(kinds) == {"video", "audio"}
    segments = sorted(kinds["video"].glob("*.mkv"))
    assert {s.name[:3] for s in segments} == {"001", "002"}
    recorded = [p for s in segments for p in video_packets(s)]
    for segment in segments:
        times = [t for t, _, _ in video_packets(segment)]
        assert times[-1] - times[0] <= MAX_SECONDS
        assert video_packets(segment)[0][1], "every segment starts on a keyframe"
    # About 30 fps for the time recorded (the first frame waits for a keyframe).
    assert len(recorded) >= 25 * (total - 1.5), len(recorded)
    keyframes = sum(1 for _, key, _ in recorded if key)
    assert keyframes >= 3, keyframes  # 0 s, ~4 s, ~8 s and the second take's first
    # No transcoding: every recorded frame is one the SFU forwarded, unit for unit.
    seen = set(forwarded)
    assert all(units in seen for _, _, units in recorded)
    times = [t for t, _, _ in recorded]
    assert times == sorted(times) and times[-1] == pytest.approx(total, abs=0.5)
    assert list(kinds["audio"].glob("002-*.mkv")), "audio recorded in the second take"

    timeline = read_timeline(directory.timeline_file)
    assert [(e["event"], e["data"].get("page")) for e in timeline] == [
        ("slides:page", 1),
        ("slides:page", 2),
        ("chat:message", None),
        ("slides:page", 3),  # changed between takes: the second take opens on it
    ]
    assert timeline[1]["t"] == pytest.approx(FIRST_TAKE / 2, abs=0.3)
    assert timeline[3]["t"] == pytest.approx(takes[1]["start"], abs=0.05)
    assert directory.read_state()["state"] == "finished"

    target = tmp_path / "assembled.mkv"
    plan = await assemble(manifest_of(directory), target)
    assembled = video_packets(target)
    assert len(assembled) == len(recorded)
    assert [units for _, _, units in assembled] == [units for _, _, units in recorded]
    with av.open(str(target)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert sum(1 for _ in container.decode(audio)) > 0
        assert (container.duration or 0) / 1e6 == pytest.approx(total - plan.zero, abs=0.5)


async def test_vp8_is_recorded_as_received_and_encoded_to_h264_at_assembly(
    room: RoomMedia, tmp_path: Path
) -> None:
    directory = RecordingDirectory.create(tmp_path, 42, 7, "VP8 week")
    session = RecordingSession(directory)
    session.attach(room)  # before publishing: the listener hears of the tracks as they come
    teacher = await publish(room, "teacher", [TestCardTrack(), ToneTrack()], video_codec="VP8")
    forwarded: list[bytes] = []
    spy_task: asyncio.Task[None] | None = None
    try:
        await until(lambda: len(room.forwarders) == 2, 10)
        video = next(f for f in room.forwarders.values() if f.kind == "video")
        assert video.codec.mimeType.lower() == "video/vp8"
        spy = video.subscribe()

        async def watch() -> None:
            try:
                while True:
                    forwarded.append(bytes(await spy.recv()))
            except MediaStreamError:
                pass

        spy_task = asyncio.ensure_future(watch())
        await until(lambda: forwarded, 10)
        session.start()
        await asyncio.sleep(4.0)
        await session.finish()
    finally:
        await teacher.close()
        if spy_task is not None:
            spy_task.cancel()

    (video_dir,) = [d for d in directory.track_dirs() if "vp8" in (d / "track.json").read_text()]
    recorded = []
    for segment in sorted(video_dir.glob("*.mkv")):
        with av.open(str(segment)) as container:
            stream = container.streams.video[0]
            assert stream.codec_context.name == "vp8"
            assert (stream.codec_context.width, stream.codec_context.height) == (320, 240)
            recorded += [bytes(p) for p in container.demux(stream) if p.size]
    assert len(recorded) >= 25 * 3
    seen = set(forwarded)
    assert all(frame in seen for frame in recorded)  # VP8 frames kept byte for byte

    target = tmp_path / "assembled.mkv"
    plan = await assemble(manifest_of(directory), target)
    recorded_seconds = read_marks(directory.marks_file)[0]["stop"]  # 4 s, more under load
    with av.open(str(target)) as container:
        assert container.streams.video[0].codec_context.name == "h264"  # encoded once, here
        decoded = sum(1 for _ in container.decode(container.streams.video[0]))
        assert decoded == pytest.approx(len(recorded), abs=2)
        duration = (container.duration or 0) / 1e6
        assert duration == pytest.approx(recorded_seconds - plan.zero, abs=0.5)


async def test_a_camera_published_again_continues_the_picture(
    room: RoomMedia, tmp_path: Path
) -> None:
    directory = RecordingDirectory.create(tmp_path, 43, 7, "Reloaded")
    session = RecordingSession(directory)
    session.attach(room)
    session.start()
    clients = [await publish(room, "teacher", [TestCardTrack()])]
    try:
        await asyncio.sleep(3.0)
        await room.disconnect("teacher")  # the educator reloads the page
        await clients[0].close()
        clients.append(await publish(room, "teacher", [TestCardTrack(), ToneTrack()]))
        await asyncio.sleep(2.0)
        clients.append(await publish(room, "student", [TestCardTrack()]))  # not the picture
        await asyncio.sleep(2.0)
        await session.finish()
    finally:
        for client in clients:
            await client.close()

    target = tmp_path / "assembled.mkv"
    plan = await assemble(manifest_of(directory), target)
    assert [s.participant for s in plan.video] == ["teacher", "teacher"]
    assert plan.video[0].last < plan.video[1].first
    frames = sum(len(video_packets(seg)) for s in plan.video for seg in s.segments)
    assembled = video_packets(target)
    assert len(assembled) == frames
    assert assembled[-1][0] == pytest.approx(plan.duration, abs=0.1)
    assert plan.duration == pytest.approx(7.0, abs=0.8)  # both of the teacher's cameras


async def test_an_audio_only_recording_assembles_into_an_audio_only_source(
    room: RoomMedia, tmp_path: Path
) -> None:
    """Microphone and slides, no camera: the speakers' mix is the source, not a failure."""
    directory = RecordingDirectory.create(tmp_path, 44, 7, "Microphone only")
    session = RecordingSession(directory)
    session.attach(room)
    session.start()
    clients = [await publish(room, "teacher", [ToneTrack()])]
    try:
        await asyncio.sleep(2.0)
        clients.append(await publish(room, "student", [ToneTrack()]))  # a second speaker
        await asyncio.sleep(2.0)
        await session.finish()
    finally:
        for client in clients:
            await client.close()

    target = tmp_path / "assembled.mkv"
    plan = await assemble(manifest_of(directory), target)
    assert plan.video == () and plan.codec is None
    assert sorted(s.participant for s in plan.audio) == ["student", "teacher"]
    recorded_seconds = read_marks(directory.marks_file)[0]["stop"]  # 4 s, more under load
    info = probe(target)
    assert (info.video_codec, info.audio_codec) == (None, "aac")
    assert info.duration == pytest.approx(recorded_seconds - plan.zero, abs=0.5)
    assert info.duration == pytest.approx(plan.duration, abs=0.5)
    with av.open(str(target)) as container:
        assert sum(1 for _ in container.decode(container.streams.audio[0])) > 0


async def test_a_recording_with_neither_video_nor_audio_is_nothing_recorded(
    tmp_path: Path,
) -> None:
    directory = RecordingDirectory.create(tmp_path, 45, 7, "Empty")
    with pytest.raises(NothingRecorded):
        await assemble(manifest_of(directory), tmp_path / "assembled.mkv")
