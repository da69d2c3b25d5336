"""On start, recordings a crash (or kill) left behind are handed to the library.

A recording whose ``recording.json`` still says ``recording`` belonged to a process that is no
longer running it: the segments already on disk are all there is, and each one is readable up
to its last flushed cluster (see ``segment_writer``). So it is marked finished and handed off
like any other. Recordings owned by another live process on this host are left alone.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from classroom_server.db import Database
from recording.directory import RecordingDirectory, recordings_of
from recording.handoff import Enqueue, hand_off

log = logging.getLogger(__name__)


def _owner_alive(state: dict[str, object]) -> bool:
    recorded_by = state.get("owner")
    if not isinstance(recorded_by, dict) or not isinstance(recorded_by.get("pid"), int):
        return False
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


def left_behind(data_dir: Path) -> list[RecordingDirectory]:
    """Recordings to hand off: finished but not handed off, or orphaned mid-recording."""
    found = []
    for directory in recordings_of(data_dir):
        try:
            state = directory.read_state()
        except (OSError, ValueError):
            log.warning("unreadable recording state in %s", directory.path)
            continue
        if state.get("state") == "finished":
            found.append(directory)
        elif state.get("state") == "recording" and not _owner_alive(state):
            directory.update_state(state="finished", recovered=True)
            found.append(directory)
    return found


async def recover(data_dir: Path, database: Database, enqueue: Enqueue) -> list[int]:
    """Hands off every recording left behind; returns the library video ids."""
    videos = []
    for directory in left_behind(data_dir):
        try:
            video_id = await hand_off(database, enqueue, directory)
            if video_id is not None:
                videos.append(video_id)
        except Exception:
            log.exception("could not hand off the recording in %s", directory.path)
    return videos
