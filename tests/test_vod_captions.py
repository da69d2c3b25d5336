"""A recorded lecture's live captions: WebVTT cues from the timeline's caption lines, and on
real media a subtitle rendition in the master playlist that ffmpeg's HLS demuxer reads back."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import pytest
from sqlalchemy import select

from classroom_server.db import Course, Database, Lecture, VodJob, upgrade
from recording.directory import RecordingDirectory
from recording.handoff import hand_off
from tests.media import colour_clip, record_track
from vod.captions import LONGEST_CUE, SHORTEST_CUE, Cue, cue_text, cues, track_path, webvtt
from vod.chapters import vtt_time
from vod.ffmpeg_binary import ffmpeg_path
from vod.jobs import Worker
from vod.storage import VideoStorage

ARABIC = "مرحبا بكم في المحاضرة"


def said(t: float, text: str, lang: str | None = "ar") -> dict[str, Any]:
    return {"t": t, "event": "caption:line", "data": {"id": 1, "text": text, "lang": lang}}


def test_cues_last_until_the_next_line_within_bounds() -> None:
    entries = [
        said(10.5, "first"),
        {"t": 11.0, "event": "chat:message", "data": {"text": "not a caption"}},
        {"t": 11.2, "event": "caption:preview", "data": {"text": "typing"}},
        said(12.0, "second"),
        said(12.2, "third"),  # the next line is long after: the longest a cue lasts
        said(20.0, "fourth"),
        said(29.5, "near the end"),
        said(32.0, "after the video"),
        said(41.0, "   "),
    ]
    made = cues(entries, zero=10.0, duration=21.0)
    assert [(c.start, c.end, c.text) for c in made] == [
        (0.5, 2.0, "first"),
        (2.0, 2.0 + SHORTEST_CUE, "second"),  # a quick next line: still shown a moment
        (2.2, 2.2 + LONGEST_CUE, "third"),
        (10.0, 17.0, "fourth"),
        (19.5, 21.0, "near the end"),  # clipped to the video's end
    ]
    assert cues([], zero=0.0, duration=10.0) == []


def test_cue_text_is_one_safe_line() -> None:
    assert cue_text("a\n\nb --> <c> & d") == "a b --&gt; &lt;c&gt; &amp; d"
    text = webvtt([Cue(1.0, 2.5, ARABIC, "ar")])
    assert text.split("\n") == ["WEBVTT", "", "1", "00:00:01.000 --> 00:00:02.500", ARABIC, ""]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    await upgrade(database)
    yield database
    await database.close()


async def recorded_lecture(
    database: Database, data_dir: Path, lines: list[dict[str, Any]]
) -> RecordingDirectory:
    """A finished recording: a 6 s camera from media time 2 s, and a timeline of ``lines``."""
    async with database.session() as session:
        course = Course(code="CC1", title="Captioned")
        session.add(course)
        await session.flush()
        lecture = Lecture(course_id=course.id, title="Week 2", scheduled_start=datetime.now(UTC))
        session.add(lecture)
        await session.commit()
    directory = RecordingDirectory.create(data_dir, lecture.id, course.id, "Week 2")
    camera = colour_clip(data_dir / "camera.mp4", (40, 160, 60), "320x240", 6.0)
    record_track(directory, camera, "camera", 2.0)
    directory.timeline_file.write_text("".join(json.dumps(line) + "\n" for line in lines))
    directory.update_state(state="finished")
    return directory


async def processed(database: Database, storage: VideoStorage, lines: list[Any]) -> int:
    """Hands a recording to the library and runs every stage to its end; the video's id."""
    directory = await recorded_lecture(database, storage.root.parent, lines)
    worker = Worker(database, storage)
    worker.start()
    try:
        video_id = await hand_off(database, worker.enqueue, directory)
        assert video_id is not None
        deadline = asyncio.get_running_loop().time() + 240
        while True:
            async with database.session() as session:
                found = await session.scalars(select(VodJob).where(VodJob.video_id == video_id))
                jobs = list(found)
            kinds = {j.kind for j in jobs}
            if {"recorded", "ladder"} <= kinds and all(j.state == "done" for j in jobs):
                return video_id
            assert not [j for j in jobs if j.state in ("failed", "cancelled")], jobs
            assert asyncio.get_running_loop().time() < deadline, [(j.kind, j.state) for j in jobs]
            await asyncio.sleep(0.2)
    finally:
        await worker.stop()


def read_back(playlist: Path, target: Path) -> tuple[str, list[str]]:
    """ffmpeg's own reading of a playlist (its stream list), and the timings of the cues its
    HLS demuxer gives for the first subtitle stream, written out again as WebVTT."""
    binary = ffmpeg_path()
    assert binary is not None
    run = subprocess.run(
        [binary, "-hide_banner", "-y", "-i", str(playlist), "-map", "0:s:0", "-c:s", "webvtt",
         "-f", "webvtt", str(target)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    again = target.read_text(encoding="utf-8")
    return run.stderr, spans(again.splitlines())


def seconds(clock: str) -> float:
    """A WebVTT time, with or without hours (ffmpeg leaves them out)."""
    total = 0.0
    for part in clock.split(":"):
        total = total * 60 + float(part)
    return round(total, 3)


def spans(lines: list[str]) -> list[tuple[float, float]]:
    timings = [line.split(" --> ") for line in lines if "-->" in line]
    return [(seconds(start), seconds(end)) for start, end in timings]


async def test_a_captioned_recording_gets_a_webvtt_subtitle_rendition(
    database: Database, tmp_path: Path
) -> None:
    storage = VideoStorage(tmp_path)
    lines = [
        {"t": 2.0, "event": "slides:page", "data": {"deck_id": 1, "page": 1, "annotations": []}},
        said(3.0, ARABIC),
        {"t": 3.5, "event": "caption:preview", "data": {"text": "لم"}},
        said(5.0, "and in English", "en"),
        said(6.5, "ثم نكمل"),
    ]
    video_id = await processed(database, storage, lines)
    track = track_path(storage, video_id)
    written = track.read_text(encoding="utf-8").split("\n")
    end = written[11].rsplit(" ", 1)[-1]  # the last cue stops with the video (15 fps: 5.93 s)
    assert "00:00:05.900" <= end <= vtt_time(6.0)
    timings = ["00:00:01.000 --> 00:00:03.000", "00:00:03.000 --> 00:00:04.500",
               f"00:00:04.500 --> {end}"]  # fmt: skip
    assert written == [
        "WEBVTT", "",
        "1", timings[0], ARABIC, "",
        "2", timings[1], "and in English", "",
        "3", timings[2], "ثم نكمل", "",
    ]  # fmt: skip
    with av.open(str(track)) as container:  # the track alone is valid WebVTT to libavformat
        (stream,) = container.streams.subtitles
        assert stream.codec_context.name == "webvtt"
        assert sum(1 for p in container.demux(stream) if p.size) == 3

    master = storage.master(video_id).read_text()
    media = [line for line in master.splitlines() if line.startswith("#EXT-X-MEDIA:")]
    assert media == [
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="captions",NAME="Captions",DEFAULT=NO,'
        'AUTOSELECT=YES,CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog",'
        'URI="hls/captions/index.m3u8"'
    ]
    variants = [line for line in master.splitlines() if line.startswith("#EXT-X-STREAM-INF:")]
    assert len(variants) >= 2, "the ladder's rewrite kept the captions too"
    assert all('SUBTITLES="captions"' in line for line in variants)

    # ffmpeg's HLS demuxer reads the rendition as a WebVTT stream of the master playlist, and
    # the subtitles playlist back to the same cues. (Through the master, ffmpeg 7 drops the
    # first cue of a subtitle rendition whatever it holds: a quirk of its demuxer's probing.)
    listing, through_master = read_back(storage.master(video_id), tmp_path / "master.vtt")
    assert "Subtitle: webvtt" in listing
    assert through_master and set(through_master) <= set(spans(timings))
    assert through_master[-1] == spans(timings)[-1]
    _, alone = read_back(track.parent / "index.m3u8", tmp_path / "alone.vtt")
    assert alone == spans(timings)


async def test_a_recording_without_captions_is_unchanged(
    database: Database, tmp_path: Path
) -> None:
    storage = VideoStorage(tmp_path)
    previews_only = [{"t": 3.0, "event": "caption:preview", "data": {"text": "typing"}}]
    video_id = await processed(database, storage, previews_only)
    master = storage.master(video_id).read_text()
    assert "SUBTITLES" not in master and "#EXT-X-MEDIA" not in master
    assert not storage.rendition_dir(video_id, "captions").exists()
