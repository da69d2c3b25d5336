"""Which recorded video tracks become the video's picture (real segments, written as the
recorder writes them, handed over as its manifest); the assembly's mixing and timing are
exercised end to end in ``test_recording_session``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recording.directory import RecordingDirectory
from recording.handoff import manifest_of
from tests.media import colour_clip, record_track
from vod.assembly import assemble, plan
from vod.probe import probe

CAMERA = (40, 180, 60)
SCREEN = (200, 50, 150)


@pytest.fixture
def directory(tmp_path: Path) -> RecordingDirectory:
    return RecordingDirectory.create(tmp_path, 1, 1, "Assembly")


def test_the_camera_is_the_picture_though_the_screen_was_shared_longer(
    directory: RecordingDirectory, tmp_path: Path
) -> None:
    """A lecture given mostly over a shared screen keeps the educator's face in the video;
    the screen is shown by the composed export instead."""
    camera = colour_clip(tmp_path / "camera.mp4", CAMERA, "320x240", 2.0)
    screen = colour_clip(tmp_path / "screen.mp4", SCREEN, "640x480", 6.0)
    record_track(directory, screen, "screen", 0.0)
    record_track(directory, camera, "camera", 1.0)

    the_plan = plan(manifest_of(directory))

    assert [s.source for s in the_plan.video] == ["camera"]
    assert the_plan.zero == pytest.approx(1.0, abs=0.1)


def test_a_screen_is_the_picture_when_no_camera_was_on(
    directory: RecordingDirectory, tmp_path: Path
) -> None:
    screen = colour_clip(tmp_path / "screen.mp4", SCREEN, "640x480", 3.0)
    record_track(directory, screen, "screen", 0.0)

    assert [s.source for s in plan(manifest_of(directory)).video] == ["screen"]


def test_tracks_recorded_before_sources_were_kept_count_as_cameras(
    directory: RecordingDirectory, tmp_path: Path
) -> None:
    clip = colour_clip(tmp_path / "camera.mp4", CAMERA, "320x240", 2.0)
    record_track(directory, clip, "camera", 0.0)
    (track,) = directory.track_dirs()
    meta = json.loads((track / "track.json").read_text())
    del meta["source"]
    (track / "track.json").write_text(json.dumps(meta))

    assert [s.source for s in plan(manifest_of(directory)).video] == ["camera"]


async def test_the_assembled_source_has_the_cameras_picture(
    directory: RecordingDirectory, tmp_path: Path
) -> None:
    camera = colour_clip(tmp_path / "camera.mp4", CAMERA, "320x240", 2.0)
    screen = colour_clip(tmp_path / "screen.mp4", SCREEN, "640x480", 5.0)
    record_track(directory, screen, "screen", 0.0)
    record_track(directory, camera, "camera", 0.5)
    target = tmp_path / "source.mkv"

    await assemble(manifest_of(directory), target)

    info = probe(target)
    assert (info.width, info.height) == (320, 240)
    assert info.duration == pytest.approx(2.0, abs=0.3)
