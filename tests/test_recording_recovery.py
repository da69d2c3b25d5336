"""Which recordings a starting server takes over: those whose recording process is gone."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from recording.directory import RecordingDirectory
from recording.recovery import left_behind


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_only_orphaned_or_finished_recordings_are_taken_over(tmp_path: Path) -> None:
    orphan = RecordingDirectory.create(tmp_path, 5, 1, "killed")
    orphan.update_state(owner={**orphan.read_state()["owner"], "pid": dead_pid()})
    running = RecordingDirectory.create(tmp_path, 5, 1, "still recording here")
    assert running.read_state()["owner"]["pid"] == os.getpid()
    finished = RecordingDirectory.create(tmp_path, 6, 1, "ended cleanly")
    finished.update_state(state="finished")
    done = RecordingDirectory.create(tmp_path, 7, 1, "already a video")
    done.update_state(state="handed_off", video_id=3)
    elsewhere = RecordingDirectory.create(tmp_path, 8, 1, "another machine's")
    elsewhere.update_state(owner={"host": "not-this-host.invalid", "pid": dead_pid()})
    (tmp_path / "recordings" / "not-a-lecture").mkdir()  # ignored, never a path to follow

    found = left_behind(tmp_path)

    assert [d.path for d in found] == [orphan.path, finished.path]
    assert orphan.read_state()["state"] == "finished" and orphan.read_state()["recovered"]
    assert running.read_state()["state"] == "recording"
    assert [p.name for p in (tmp_path / "recordings" / "5").iterdir() if p.is_dir()] != []
    assert left_behind(tmp_path) == found  # asking again changes nothing more
