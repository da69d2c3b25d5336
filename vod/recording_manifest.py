"""What a recorder hands the library: one recorded lecture's files, as plain data.

Why: the library processes recordings but must not know how a recorder lays them out on disk
(or that the recorder is this project's SFU): data flows SFU -> recording -> vod, never back.
The recorder describes each track (its segments in time order, what it shows) and where the
room's timeline is; vod keeps that description beside the video, in its own storage, so its
jobs read only what they were given. Paths are the server's own, built from ids; nothing here
comes from a client.

The timeline file holds one JSON object per line, ``{"t": <media seconds>, "event": <name>,
"data": {...}}``; a last line cut short by a crash is skipped.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vod.storage import VideoStorage

SCREEN = "screen"  # a video track's source when it is a shared screen


@dataclass(frozen=True)
class RecordedTrack:
    number: int  # in order of publication: ties between equally long cameras go to the first
    kind: str  # audio or video
    codec: str  # h264, vp8 or opus
    participant: str
    source: str  # camera, screen or microphone, as the room's catalogue named it
    segments: tuple[Path, ...]  # Matroska files in time order; frames carry media time


@dataclass(frozen=True)
class RecordingManifest:
    tracks: tuple[RecordedTrack, ...]
    timeline: Path
    work_dir: Path  # scratch space for the processing of this recording

    def to_json(self) -> dict[str, Any]:
        return {
            "tracks": [
                {
                    "number": t.number,
                    "kind": t.kind,
                    "codec": t.codec,
                    "participant": t.participant,
                    "source": t.source,
                    "segments": [str(s) for s in t.segments],
                }
                for t in self.tracks
            ],
            "timeline": str(self.timeline),
            "work_dir": str(self.work_dir),
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> RecordingManifest:
        tracks = tuple(
            RecordedTrack(
                number=int(t["number"]),
                kind=str(t["kind"]),
                codec=str(t["codec"]),
                participant=str(t["participant"]),
                source=str(t["source"]),
                segments=tuple(Path(s) for s in t["segments"]),
            )
            for t in value["tracks"]
        )
        return cls(tracks, Path(value["timeline"]), Path(value["work_dir"]))


def manifest_path(storage: VideoStorage, video_id: int) -> Path:
    return storage.video_dir(video_id) / "manifest.json"


def save_manifest(storage: VideoStorage, video_id: int, manifest: RecordingManifest) -> None:
    """Written before the video's ``recorded`` job is queued (blocking; atomic)."""
    path = manifest_path(storage, video_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(manifest.to_json(), indent=1))
    os.replace(scratch, path)


def load_manifest(storage: VideoStorage, video_id: int) -> RecordingManifest | None:
    """The recording behind a video; None for an upload (blocking)."""
    try:
        value = json.loads(manifest_path(storage, video_id).read_text())
    except FileNotFoundError:
        return None
    return RecordingManifest.from_json(value)


def read_timeline(path: Path) -> list[dict[str, Any]]:
    """The timeline's entries in order (see the module docstring; blocking)."""
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("t"), int | float):
            entries.append(entry)
    return entries
