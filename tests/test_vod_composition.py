"""The composed export on real media: a generated clip as the camera, rendered slide pages, a
timeline with slide changes and an annotation, run as a job by the real worker, and the MP4
read back frame by frame."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat
from sqlalchemy import select

from classroom_server.db import Course, Database, Lecture, VodJob, upgrade
from classroom_server.slide_decks import page_image_path
from recording.directory import RecordingDirectory
from recording.handoff import hand_off
from tests.media import colour_clip, make_clip, record_track
from vod.chapters import chapters, replay, timeline_path
from vod.composition import MARGIN, compose, composed_ids, composed_path, concat_list
from vod.composition_pictures import FRAME, slide_box
from vod.ffmpeg_binary import ffmpeg_path
from vod.jobs import Worker
from vod.library import add_video
from vod.probe import probe
from vod.storage import VideoStorage

CLIP_SECONDS = 7.0
DECK, WHITEBOARD = 3, 9
PAGE_COLOURS = {1: (30, 90, 200), 2: (230, 140, 20)}  # blue, orange
RECTANGLE = {"id": 41, "deck_id": DECK, "page": 2, "kind": "rectangle", "author_id": 1,
             "points": [[0.2, 0.2], [0.6, 0.7]], "color": "#d00000", "width": 0.02}  # fmt: skip
# Slide changes at 0 s and 2 s, the rectangle on page 2 at 3 s, the whiteboard at 5 s.
ENTRIES: list[dict[str, Any]] = [
    {"t": 10.0, "event": "slides:page", "data": {"deck_id": DECK, "page": 1, "annotations": []}},
    {"t": 12.0, "event": "slides:page", "data": {"deck_id": DECK, "page": 2, "annotations": []}},
    {"t": 13.0, "event": "annotation:added", "data": RECTANGLE},
    {"t": 15.0, "event": "slides:page",
     "data": {"deck_id": WHITEBOARD, "page": 1, "annotations": []}},
]  # fmt: skip
ZERO = 10.0  # the media time of the video's first frame


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[tuple[Database, VideoStorage, int]]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    await upgrade(database)
    async with database.session() as session:
        course = Course(code="C1", title="Composition")
        session.add(course)
        await session.commit()
    yield database, VideoStorage(tmp_path), course.id
    await database.close()


def render_deck(data_dir: Path) -> None:
    """Two 4:3 pages as the slide pipeline leaves them: PNGs, each a colour with a title."""
    for page, colour in PAGE_COLOURS.items():
        path = page_image_path(data_dir, DECK, page)
        path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.new("RGB", (1600, 1200), colour)
        ImageDraw.Draw(image).text((100, 100), f"Page {page}", fill=(255, 255, 255))
        image.save(path)


def write_timeline(storage: VideoStorage, video_id: int) -> None:
    made = chapters([(0.0, DECK, 1), (2.0, DECK, 2), (5.0, WHITEBOARD, 1)], CLIP_SECONDS, {})
    timeline = replay(ENTRIES, made, ZERO, image_decks={DECK})
    timeline_path(storage, video_id).write_text(json.dumps(timeline))


def grab(video: Path, at: float, target: Path) -> Image.Image:
    binary = ffmpeg_path()
    assert binary is not None
    subprocess.run(
        [binary, "-hide_banner", "-loglevel", "error", "-y", "-ss", f"{at}", "-i", str(video),
         "-frames:v", "1", str(target)],
        check=True, timeout=60,
    )  # fmt: skip
    with Image.open(target) as image:
        return image.convert("RGB")


def mean(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[float, ...]:
    return tuple(ImageStat.Stat(image.crop(box)).mean)


def close_to(found: tuple[float, ...], wanted: tuple[int, ...], within: float = 25) -> bool:
    return all(abs(a - b) <= within for a, b in zip(found, wanted, strict=True))


async def wait_job(database: Database, video_id: int, seconds: float = 120) -> VodJob:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        async with database.session() as session:
            job = await session.scalar(select(VodJob).where(VodJob.video_id == video_id))
        if job is not None and job.state in ("done", "failed", "cancelled"):
            return job
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the composed job did not finish")
        await asyncio.sleep(0.2)


async def test_the_export_shows_slides_ink_and_camera_in_time(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    clip = make_clip(tmp_path / "camera.mp4", CLIP_SECONDS)  # 640x360 test pattern + tone
    async with database.session() as session:
        video = await add_video(session, storage, clip, course_id, "Lecture")
    render_deck(tmp_path)
    write_timeline(storage, video.id)
    assert composed_ids(storage, [video.id]) == set()

    worker = Worker(database, storage, lanes=("slow",))
    worker.start()
    try:
        await worker.enqueue(video.id, "composed")
        job = await wait_job(database, video.id)
    finally:
        await worker.stop()
    assert (job.kind, job.state, job.percent, job.last_error) == ("composed", "done", 100.0, None)
    output = composed_path(storage, video.id)
    assert composed_ids(storage, [video.id]) == {video.id}
    assert sorted(p.name for p in storage.video_dir(video.id).iterdir()) == [
        "composed.mp4",
        "original",
        "timeline.json",
    ]  # fmt: skip  (no pictures, list or partial file left behind)

    info = probe(output)
    assert (info.video_codec, info.width, info.height) == ("h264", *FRAME)
    assert info.audio_codec == "aac"
    assert abs(info.duration - probe(clip).duration) <= 0.5
    assert output.read_bytes()[4:8] == b"ftyp" and output.read_bytes().find(b"moov") < 200
    # (+faststart: the index comes before the media, so a download plays as it arrives)

    slide = slide_box((1600, 1200), room_for_camera=True)
    assert (slide.x, slide.width, slide.height) == (0, 960, 720)
    page_area = (40, 400, 400, 700)  # bottom-left of the slide: no title, no rectangle
    first = grab(output, 1.0, tmp_path / "first.png")
    second = grab(output, 2.5, tmp_path / "second.png")
    inked = grab(output, 4.0, tmp_path / "inked.png")
    board = grab(output, 6.0, tmp_path / "board.png")
    assert close_to(mean(first, page_area), PAGE_COLOURS[1])
    assert close_to(mean(second, page_area), PAGE_COLOURS[2])  # changed at the second slide
    # The rectangle's left edge (x = 0.2 of the slide), drawn at 3 s: not yet, then red.
    edge = (round(0.2 * 960) - 3, 300, round(0.2 * 960) + 3, 400)
    assert close_to(mean(second, edge), PAGE_COLOURS[2])
    assert close_to(mean(inked, edge), (208, 0, 0), within=40)
    assert close_to(mean(inked, page_area), PAGE_COLOURS[2])  # only the outline is drawn
    assert close_to(mean(board, (40, 100, 700, 700)), (255, 255, 255), within=10)

    # The corner holds the camera's picture at that moment, scaled (640x360 -> 288x162).
    pip = (FRAME[0] - MARGIN - 288, FRAME[1] - MARGIN - 162, FRAME[0] - MARGIN, FRAME[1] - MARGIN)
    camera = grab(clip, 1.0, tmp_path / "camera.png").resize((288, 162))
    difference = ImageStat.Stat(ImageChops.difference(first.crop(pip), camera)).mean
    assert max(difference) < 20, difference
    assert ImageStat.Stat(first.crop(pip)).stddev[0] > 40  # a test pattern, not a flat slide


async def test_no_slide_shown_means_no_export(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "camera.mp4", 2.0)
    target = tmp_path / "composed.mp4"
    timeline: dict[str, list[Any]] = {"chapters": [], "chat": [], "pages": [], "events": []}
    made = await compose(timeline, clip, target, tmp_path / "work", lambda d, p: None)
    assert made is False and not target.exists() and not (tmp_path / "work").exists()


def make_sound(target: Path, seconds: float) -> Path:
    binary = ffmpeg_path()
    assert binary is not None
    subprocess.run(
        [binary, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
         "sine=frequency=440:sample_rate=48000", "-t", str(seconds), "-c:a", "aac", str(target)],
        check=True, timeout=60,
    )  # fmt: skip
    return target


async def test_without_a_camera_the_slides_are_centred_with_the_audio(tmp_path: Path) -> None:
    sound = make_sound(tmp_path / "sound.m4a", 3)
    render_deck(tmp_path)
    timeline = {"pages": [{"t": 0.5, "deck_id": DECK, "page": 1, "annotations": []}]}
    target = tmp_path / "composed.mp4"
    page = page_image_path(tmp_path, DECK, 1)
    seen: list[float] = []
    assert await compose(timeline, sound, target, tmp_path / "work", lambda d, p: page, seen.append)
    assert seen == sorted(seen) and seen[0] < 10 and seen[-1] >= 90  # ffmpeg's -progress
    info = probe(target)
    assert (info.width, info.height, info.audio_codec) == (*FRAME, "aac")
    assert abs(info.duration - 3.0) <= 0.5
    frame = grab(target, 2.0, tmp_path / "frame.png")
    assert close_to(mean(frame, (200, 300, 1000, 700)), PAGE_COLOURS[1])  # 160..1120 wide
    assert close_to(mean(frame, (0, 0, 140, 720)), (17, 17, 17))  # the band beside it
    before = grab(target, 0.1, tmp_path / "before.png")  # nothing shown yet: background
    assert close_to(mean(before, (200, 300, 1000, 700)), (17, 17, 17))


def test_concat_list_holds_each_picture_until_the_next() -> None:
    text = concat_list([(0.0, Path("/w/a.png")), (2.5, Path("/w/it's.png"))], 4.0)
    assert text.splitlines() == [
        "ffconcat version 1.0",
        "file '/w/a.png'",
        "duration 2.500000",
        "file '/w/it'\\''s.png'",
        "duration 1.500000",
    ]


# -- a shared screen ------------------------------------------------------------------------

CAMERA_COLOUR = (40, 180, 60)  # green
SCREEN_COLOUR = (200, 50, 150)  # magenta
RECORDED_SECONDS = 8.0
SCREEN_SPAN = (3.0, 6.0)  # media seconds the screen was shared; the camera's first frame is 0
MAIN_AREA = (40, 400, 400, 700)  # bottom-left: a slide's or the screen's, never the camera's
PIP = (FRAME[0] - MARGIN - 100, FRAME[1] - MARGIN - 100, FRAME[0] - MARGIN, FRAME[1] - MARGIN)


async def recorded_lecture(
    database: Database, course_id: int, data_dir: Path, slides: bool
) -> RecordingDirectory:
    """A finished recording: the camera all along, the screen shared for ``SCREEN_SPAN``, and
    (if ``slides``) page 1 of the deck shown from the start."""
    async with database.session() as session:
        lecture = Lecture(course_id=course_id, title="Shared", scheduled_start=datetime.now(UTC))
        session.add(lecture)
        await session.commit()
    directory = RecordingDirectory.create(data_dir, lecture.id, course_id, "Shared")
    camera = colour_clip(data_dir / "camera.mp4", CAMERA_COLOUR, "640x480", RECORDED_SECONDS)
    screen_seconds = SCREEN_SPAN[1] - SCREEN_SPAN[0]
    screen = colour_clip(data_dir / "screen.mp4", SCREEN_COLOUR, "1024x768", screen_seconds)
    record_track(directory, camera, "camera", 0.0)
    record_track(directory, screen, "screen", SCREEN_SPAN[0])
    if slides:
        render_deck(data_dir)
        shown = {"deck_id": DECK, "page": 1, "annotations": []}
        line = json.dumps({"t": 0.0, "event": "slides:page", "data": shown})
        directory.timeline_file.write_text(line + "\n")
    directory.update_state(state="finished")
    return directory


async def processed(
    database: Database, storage: VideoStorage, directory: RecordingDirectory
) -> tuple[int, VodJob]:
    """Hands the recording to the library and runs every stage; the video and its export job."""
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
            ended = [j for j in jobs if j.state in ("done", "failed", "cancelled")]
            if jobs and len(ended) == len(jobs) and any(j.kind == "composed" for j in jobs):
                break
            if [j for j in ended if j.kind == "recorded"] and len(ended) == len(jobs) == 4:
                break  # stage 2 done and no export queued
            assert asyncio.get_running_loop().time() < deadline, [(j.kind, j.state) for j in jobs]
            await asyncio.sleep(0.2)
    finally:
        await worker.stop()
    export = [j for j in jobs if j.kind == "composed"]
    assert export, f"no composed job: {[(j.kind, j.state) for j in jobs]}"
    return video_id, export[0]


async def test_a_shared_screen_takes_the_main_area_while_shared(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    directory = await recorded_lecture(database, course_id, tmp_path, slides=True)
    started = time.monotonic()
    video_id, job = await processed(database, storage, directory)
    assert (job.state, job.percent, job.last_error) == ("done", 100.0, None)
    output = composed_path(storage, video_id)
    info = probe(output)
    assert (info.width, info.height) == FRAME
    assert abs(info.duration - RECORDED_SECONDS) <= 0.5
    assert job.started_at is not None and job.finished_at is not None
    composing = (job.finished_at - job.started_at).total_seconds()
    whole = time.monotonic() - started
    print(f"recorded and processed in {whole:.1f} s, composed in {composing:.2f} s")

    # The slide before and after the share, the screen during it (4:3: 960x720 at the left,
    # where the slide was); the camera in the corner all along.
    slide, screen = PAGE_COLOURS[1], SCREEN_COLOUR
    for at, wanted in ((1.5, slide), (2.7, slide), (3.3, screen), (5.7, screen), (6.3, slide),
                       (7.5, slide)):  # fmt: skip
        frame = grab(output, at, tmp_path / f"at-{at}.png")
        assert close_to(mean(frame, MAIN_AREA), wanted), (at, mean(frame, MAIN_AREA))
        assert close_to(mean(frame, PIP), CAMERA_COLOUR), (at, mean(frame, PIP))
    during = grab(output, 4.5, tmp_path / "during.png")
    assert close_to(mean(during, (1000, 100, 1260, 300)), (17, 17, 17)), "fitted, not stretched"


async def test_a_screen_without_slides_still_gets_the_export(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    directory = await recorded_lecture(database, course_id, tmp_path, slides=False)
    video_id, job = await processed(database, storage, directory)
    assert job.state == "done"
    output = composed_path(storage, video_id)
    before = grab(output, 1.5, tmp_path / "before.png")
    during = grab(output, 4.5, tmp_path / "during.png")
    assert close_to(mean(before, MAIN_AREA), (17, 17, 17))  # nothing shown: the background
    assert close_to(mean(during, MAIN_AREA), SCREEN_COLOUR)
    assert close_to(mean(during, PIP), CAMERA_COLOUR)
