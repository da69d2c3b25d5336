"""Recordings a crash (or kill) left behind are handed to the library.

A recording whose ``recording.json`` still says ``recording`` belonged to a process that is no
longer running it: the segments already on disk are all there is, and each one is readable up
to its last flushed cluster (see ``segment_writer``). So it is marked finished and handed off
like any other. Whether its owner still runs: with media nodes sharing the data directory
(``recording.ports.Nodes``), whether its node holds a lease; else, for a process on this
host, whether its pid lives (another host's is not ours to judge).
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from classroom_server.db import Database
from recording.directory import RecordingDirectory, recordings_of
from recording.handoff import Enqueue, hand_off
from recording.ports import Nodes

log = logging.getLogger(__name__)


def _owner_alive(state: dict[str, object], live_nodes: set[str] | None) -> bool:
    recorded_by = state.get("owner")
    if not isinstance(recorded_by, dict) or not isinstance(recorded_by.get("pid"), int):
        return False
    node = recorded_by.get("node")
    if live_nodes is not None and isinstance(node, str):
        return node in live_nodes
    if recorded_by.get("host") != socket.gethostname():
        return True  # another machine's process: not ours to judge
    pid = int(recorded_by["pid"])
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _states(data_dir: Path) -> list[tuple[RecordingDirectory, dict[str, object]]]:
    found = []
    for directory in recordings_of(data_dir):
        try:
            found.append((directory, directory.read_state()))
        except (OSError, ValueError):
            log.warning("unreadable recording state in %s", directory.path)
    return found


def _owner_node(state: dict[str, object]) -> str | None:
    owner = state.get("owner")
    node = owner.get("node") if isinstance(owner, dict) else None
    return node if isinstance(node, str) else None


async def left_behind(data_dir: Path, nodes: Nodes | None = None) -> list[RecordingDirectory]:
    """Recordings to hand off: finished but not handed off, or orphaned mid-recording."""
    states = _states(data_dir)
    live: set[str] | None = None
    if nodes is not None:
        recording = {_owner_node(s) for _, s in states if s.get("state") == "recording"}
        try:
            live = await nodes.alive(node for node in recording if node is not None)
        except Exception:
            # Redis is down: judge by this host's processes alone, taking no other's take.
            log.warning("cannot ask which media nodes live", exc_info=True)
    found = []
    for directory, state in states:
        if state.get("state") == "finished":
            found.append(directory)
        elif state.get("state") == "recording" and not _owner_alive(state, live):
            directory.update_state(state="finished", recovered=True)
            found.append(directory)
    return found


async def recover(
    data_dir: Path, database: Database, enqueue: Enqueue, nodes: Nodes | None = None
) -> list[int]:
    """Hands off every recording left behind; returns the library video ids."""
    videos = []
    for directory in await left_behind(data_dir, nodes):
        try:
            video_id = await hand_off(database, enqueue, directory)
            if video_id is not None:
                videos.append(video_id)
        except Exception:
            log.exception("could not hand off the recording in %s", directory.path)
    return videos
