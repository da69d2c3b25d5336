"""Which recordings a starting server takes over: those whose recording process is gone."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from recording.directory import RecordingDirectory
from recording.recovery import left_behind


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


async def test_only_orphaned_or_finished_recordings_are_taken_over(tmp_path: Path) -> None:
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

    found = await left_behind(tmp_path)

    assert [d.path for d in found] == [orphan.path, finished.path]
    assert orphan.read_state()["state"] == "finished" and orphan.read_state()["recovered"]
    assert running.read_state()["state"] == "recording"
    assert [p.name for p in (tmp_path / "recordings" / "5").iterdir() if p.is_dir()] != []
    assert await left_behind(tmp_path) == found  # asking again changes nothing more


class Nodes:
    """Media nodes as Redis would answer: ``live`` hold a lease."""

    def __init__(self, node_id: str, *live: str) -> None:
        self.node_id = node_id
        self.live = {node_id, *live}

    async def alive(self, nodes: Iterable[str]) -> set[str]:
        return self.live & set(nodes)


async def test_with_media_nodes_a_take_is_orphaned_when_its_node_lost_its_lease(
    tmp_path: Path,
) -> None:
    """On a shared data directory, another machine's take is judged by its node's lease: a
    dead node's take is taken over by any node, a live node's (even another host's) is not."""
    nodes = Nodes("here", "there")
    mine = RecordingDirectory.create(tmp_path, 5, 1, "this node's", node="here")
    theirs = RecordingDirectory.create(tmp_path, 6, 1, "a live node's", node="there")
    theirs.update_state(owner={**theirs.read_state()["owner"], "host": "other.invalid"})
    lost = RecordingDirectory.create(tmp_path, 7, 1, "a dead node's", node="gone")
    lost.update_state(owner={**lost.read_state()["owner"], "host": "other.invalid"})
    # Its process lives (this one), but its node lost its lease: it records nothing now.
    stale = RecordingDirectory.create(tmp_path, 8, 1, "an expired lease", node="expired")

    found = await left_behind(tmp_path, nodes)

    assert [d.path for d in found] == [lost.path, stale.path]
    assert mine.read_state()["state"] == theirs.read_state()["state"] == "recording"
