"""The manifest a recorder hands the library survives its trip through vod's storage, and the
timeline it names reads back as written, a line cut by a crash skipped."""

from __future__ import annotations

import json
from pathlib import Path

from vod.recording_manifest import (
    RecordedTrack,
    RecordingManifest,
    load_manifest,
    read_timeline,
    save_manifest,
)
from vod.storage import VideoStorage


def test_a_saved_manifest_loads_as_it_was(tmp_path: Path) -> None:
    storage = VideoStorage(tmp_path)
    manifest = RecordingManifest(
        tracks=(
            RecordedTrack(1, "video", "h264", "7", "screen", (tmp_path / "a.mkv",)),
            RecordedTrack(2, "audio", "opus", "7", "microphone", ()),
        ),
        timeline=tmp_path / "timeline.jsonl",
        work_dir=tmp_path / "work",
    )
    save_manifest(storage, 12, manifest)
    assert load_manifest(storage, 12) == manifest
    assert not list(storage.video_dir(12).glob("*.tmp"))


def test_an_upload_has_no_manifest(tmp_path: Path) -> None:
    assert load_manifest(VideoStorage(tmp_path), 3) is None


def test_the_timeline_reads_back_without_a_line_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "timeline.jsonl"
    kept = [
        {"t": 0.5, "event": "slides:page", "data": {"page": 2}},
        {"t": 3, "event": "chat:message", "data": {}},
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in kept) + '{"t": 4.0, "event": "ch')
    assert read_timeline(path) == kept
    assert read_timeline(tmp_path / "none.jsonl") == []
