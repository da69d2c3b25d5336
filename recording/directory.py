"""Where one recording lives on disk, and the small state files that survive a crash.

``<data dir>/recordings/<lecture id>/<n>/`` holds one recording: every take (start/stop
period) of a lecture until the lecture ends or the server stops. A recording left behind by a
crash is processed on the next start and a later recording of the same lecture gets the next
``n``. Every path is built from integers and fixed names, never from anything a client sent
(publication ids come from the client's SDP, so tracks are numbered instead).

Files: ``recording.json`` (state, video id once handed to the library), ``marks.jsonl`` (takes),
``timeline.jsonl`` (room events), ``tracks/<NN>/track.json`` and ``tracks/<NN>/*.mkv``.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

State = Literal["recording", "finished", "handed_off", "empty"]
MAX_TRACKS = 99


def recordings_root(data_dir: Path) -> Path:
    return data_dir / "recordings"


def write_json_atomically(path: Path, value: Any) -> None:
    """Readers (and a crash) see the old file or the new one, never half of one."""
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(value, indent=1))
    os.replace(scratch, path)


@dataclass(frozen=True)
class RecordingDirectory:
    path: Path

    @classmethod
    def create(
        cls, data_dir: Path, lecture_id: int, course_id: int, title: str, node: str | None = None
    ) -> RecordingDirectory:
        """``node``: the media node recording it, by which other nodes judge it orphaned."""
        lecture_dir = recordings_root(data_dir) / str(int(lecture_id))
        lecture_dir.mkdir(parents=True, exist_ok=True)
        taken = [int(p.name) for p in lecture_dir.iterdir() if p.name.isdigit()]
        path = lecture_dir / str(max(taken, default=0) + 1)
        path.mkdir()
        (path / "tracks").mkdir()
        directory = cls(path)
        directory.write_state(
            {
                "lecture_id": int(lecture_id),
                "course_id": int(course_id),
                "title": title,
                "state": "recording",
                "video_id": None,
                "owner": {"host": socket.gethostname(), "pid": os.getpid(), "node": node},
            }
        )
        return directory

    @property
    def data_dir(self) -> Path:
        return self.path.parents[2]

    @property
    def lecture_id(self) -> int:
        return int(self.path.parent.name)

    @property
    def state_file(self) -> Path:
        return self.path / "recording.json"

    @property
    def marks_file(self) -> Path:
        return self.path / "marks.jsonl"

    @property
    def timeline_file(self) -> Path:
        return self.path / "timeline.jsonl"

    @property
    def tracks_dir(self) -> Path:
        return self.path / "tracks"

    def read_state(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(self.state_file.read_text())
        return state

    def write_state(self, state: dict[str, Any]) -> None:
        write_json_atomically(self.state_file, state)

    def update_state(self, **changes: Any) -> dict[str, Any]:
        state = self.read_state()
        state.update(changes)
        self.write_state(state)
        return state

    def new_track_dir(self, metadata: dict[str, Any]) -> Path:
        """A numbered directory for one track, with its metadata written before any media."""
        taken = [int(p.name) for p in self.tracks_dir.iterdir() if p.name.isdigit()]
        number = max(taken, default=0) + 1
        if number > MAX_TRACKS:
            raise OverflowError("too many tracks in one recording")
        path = self.tracks_dir / f"{number:02d}"
        path.mkdir()
        write_json_atomically(path / "track.json", metadata)
        return path

    def track_dirs(self) -> list[Path]:
        return sorted(p for p in self.tracks_dir.iterdir() if p.name.isdigit() and p.is_dir())


def recordings_of(data_dir: Path) -> Iterator[RecordingDirectory]:
    """Every recording on disk, in lecture then number order; unreadable ones are skipped."""
    root = recordings_root(data_dir)
    if not root.is_dir():
        return
    for lecture_dir in sorted(root.iterdir(), key=lambda p: p.name):
        if not lecture_dir.name.isdigit():
            continue
        for path in sorted(
            lecture_dir.iterdir(), key=lambda p: int(p.name) if p.name.isdigit() else 0
        ):
            if (path / "recording.json").is_file():
                yield RecordingDirectory(path)
