"""Recorded lecture: time from the lecture's end to a playable video, as a fraction of length.

    python bench/recording_playable.py [--minutes 10 30 ...]

A synthetic lecture (test pattern + tone, 854x480, 15 fps, H.264 with a keyframe every 4 s as
the recorder asks for, plus two Opus speakers) is cached under bench/.cache. Its packets are
written through the recorder's own ``SegmentWriter`` into a recording directory, as a live
capture would leave it. The clock then runs from the hand-off (what ``lecture:end`` does)
until the ``recorded`` job is done: segments joined, the video stream-copied, both speakers
mixed to AAC, chapters written, the MP4 download and the HLS source rendition made, through
the real worker and a SQLite database.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import av
from sqlalchemy import select

from classroom_server.db import Course, Database, Lecture, VodJob, upgrade
from recording.directory import RecordingDirectory
from recording.handoff import hand_off
from recording.segment_writer import SegmentWriter
from vod.ffmpeg_binary import ffmpeg_path
from vod.jobs import Worker
from vod.storage import VideoStorage

CACHE = Path(__file__).resolve().parent / ".cache"


def source(minutes: int) -> Path:
    target = CACHE / f"recorded-{minutes}min.mkv"
    if target.exists():
        return target
    CACHE.mkdir(exist_ok=True)
    print(f"making a {minutes}-minute synthetic recording…", flush=True)
    seconds = str(minutes * 60)
    subprocess.run(
        [ffmpeg_path() or "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=15",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000",
         "-t", seconds, "-map", "0:v", "-map", "1:a", "-map", "2:a",
         "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline", "-g", "60",
         "-b:v", "900k", "-pix_fmt", "yuv420p",
         "-c:a", "libopus", "-b:a", "32k", "-ac", "2", str(target)],
        check=True,
    )  # fmt: skip
    return target


def capture(recording: Path, directory: RecordingDirectory) -> None:
    """Writes every stream's packets as the recorder would have, at their media times."""
    with av.open(str(recording)) as container:
        writers = {}
        for stream in container.streams:
            codec = stream.codec_context.name
            track = directory.new_track_dir({"kind": stream.type, "codec": codec})
            writers[stream.index] = SegmentWriter(track, codec, take=1)
        # Matroska keeps H.264 length-prefixed; WebRTC delivers Annex-B (SPS/PPS in keyframes).
        annex_b = av.BitStreamFilterContext("h264_mp4toannexb", container.streams.video[0])
        for packet in container.demux():
            if packet.size == 0 or packet.pts is None or packet.time_base is None:
                continue
            seconds = float(packet.pts * packet.time_base)
            keyframe = bool(packet.is_keyframe)
            converted = annex_b.filter(packet) if packet.stream.type == "video" else [packet]
            for frame in converted:
                writers[packet.stream.index].write(bytes(frame), seconds, keyframe)
        for writer in writers.values():
            writer.close()


async def measure(minutes: int) -> float:
    recording = source(minutes)
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = Path(scratch)
        database = Database(f"sqlite+aiosqlite:///{data_dir / 'db.sqlite3'}")
        await upgrade(database)
        async with database.session() as session:
            course = Course(code="B1", title="Bench")
            session.add(course)
            await session.flush()
            lecture = Lecture(course_id=course.id, title="Bench", scheduled_start=datetime.now(UTC))
            session.add(lecture)
            await session.commit()
        directory = RecordingDirectory.create(data_dir, lecture.id, course.id, "Bench")
        capture(recording, directory)
        directory.update_state(state="finished")
        worker = Worker(database, VideoStorage(data_dir), lanes=("fast",))
        worker.start()
        started = datetime.now(UTC)
        video_id = await hand_off(database, worker.enqueue, directory)
        # The end is the job's own recorded finish: polling twice a second costs nothing
        # measurable, where 20 queries a second took ~3 % of a core from the ffmpeg being timed.
        while True:
            async with database.session() as session:
                job = await session.scalar(
                    select(VodJob).where(VodJob.video_id == video_id, VodJob.kind == "recorded")
                )
            state = job.state if job else None
            if job is not None and state in ("done", "failed"):
                break
            await asyncio.sleep(0.5)
        finished = job.finished_at or datetime.now(UTC)
        elapsed = (finished.replace(tzinfo=finished.tzinfo or UTC) - started).total_seconds()
        await worker.stop()
        await database.close()
        if state != "done":
            raise SystemExit(f"the recorded job {state}")
    fraction = elapsed / (minutes * 60)
    print(f"RESULT recording_playable_{minutes}min_seconds={elapsed:.2f} fraction={fraction:.4f}")
    return fraction


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, nargs="+", default=[10])
    for minutes in parser.parse_args().minutes:
        asyncio.run(measure(minutes))


if __name__ == "__main__":
    main()
