"""The app's recording service: which lectures record, and their takes.

The room's signaling calls ``start``, ``stop`` and ``lecture_ended`` for the effects of the
room's operations, and ``observe`` for every event it emits to a whole lecture (those a replay
needs go into the timeline). The lecture's ``MediaRoom`` comes from the media registry:
``media_created`` hears of each one it makes (on first use, and again after a room emptied),
and ``media_for`` looks it up when a take starts.

The state is this process's, like the SFU media it records. With media nodes sharing the data
directory (``recording.ports.Nodes``), each take names its node, and ``watch`` hands off any
node's take whose node died (as a restart hands off its own process's), so a lecture recorded
on a machine that died becomes a video without waiting for that machine to come back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from classroom_server.db import Database
from recording.directory import RecordingDirectory
from recording.handoff import Enqueue, hand_off
from recording.ports import MediaRoom, Nodes
from recording.recovery import recover
from recording.session import RecordingSession

log = logging.getLogger(__name__)
MediaLookup = Callable[[int], MediaRoom | None]
MAX_CATALOGUE = 400  # tracks read from one ``media:tracks`` event


class Recordings:
    def __init__(
        self,
        data_dir: Path,
        database: Database,
        enqueue: Enqueue,
        media_for: MediaLookup,
        nodes: Nodes | None = None,
    ) -> None:
        self._data_dir = data_dir
        self._nodes = nodes
        self._watching: asyncio.Task[None] | None = None
        self._database = database
        self._enqueue = enqueue
        self._media_for = media_for
        self._sessions: dict[int, RecordingSession] = {}
        # The latest SFU catalogue of each live lecture (publication -> source), kept before
        # its first take too: a screen shared before recording starts is still a screen.
        self._sources: dict[int, dict[str, str]] = {}

    async def is_recording(self, lecture_id: int) -> bool:
        session = self._sessions.get(lecture_id)
        return session is not None and session.recording

    def session(self, lecture_id: int) -> RecordingSession | None:
        return self._sessions.get(lecture_id)

    async def start(
        self, lecture_id: int, course_id: int, title: str, slide: dict[str, Any] | None
    ) -> bool:
        """Starts a take (the first one creates the recording); False if one is running."""
        session = self._sessions.get(lecture_id)
        if session is None:
            node = self._nodes.node_id if self._nodes is not None else None
            directory = RecordingDirectory.create(
                self._data_dir, lecture_id, course_id, title, node
            )
            session = self._sessions[lecture_id] = RecordingSession(directory)
            session.sources(self._sources.get(lecture_id, {}))
        media = self._media_for(lecture_id)
        if media is not None:
            session.attach(media)
        return session.start(slide)

    async def stop(self, lecture_id: int) -> bool:
        session = self._sessions.get(lecture_id)
        return session is not None and await session.stop()

    async def lecture_ended(self, lecture_id: int) -> int | None:
        """Finishes the lecture's recording and queues its processing; the video id."""
        self._sources.pop(lecture_id, None)
        session = self._sessions.pop(lecture_id, None)
        if session is None:
            return None
        await session.finish()
        return await hand_off(self._database, self._enqueue, session.directory)

    def media_created(self, lecture_id: int, media: MediaRoom) -> None:
        """The media registry made a lecture's media: a running recording listens to it."""
        session = self._sessions.get(lecture_id)
        if session is not None:
            session.attach(media)

    async def observe(self, lecture_id: int, event: str, data: dict[str, Any]) -> None:
        """Called for each event emitted to the whole room of a lecture."""
        if event == "media:tracks":
            self._catalogue(lecture_id, data)
        session = self._sessions.get(lecture_id)
        if session is not None:
            session.observe(event, data)

    def _catalogue(self, lecture_id: int, data: dict[str, Any]) -> None:
        tracks = data.get("tracks")
        sources = {
            str(entry["publication_id"]): str(entry["source"])
            for entry in (tracks if isinstance(tracks, list) else [])[:MAX_CATALOGUE]
            if isinstance(entry, dict) and entry.get("publication_id") and entry.get("source")
        }
        self._sources[lecture_id] = sources
        session = self._sessions.get(lecture_id)
        if session is not None:
            session.sources(sources)

    async def recover(self) -> list[int]:
        """Hands off what an earlier process (or a dead node) left behind."""
        return await recover(self._data_dir, self._database, self._enqueue, self._nodes)

    def watch(self, seconds: float) -> None:
        """From now on, ``recover`` every ``seconds`` (until ``close``)."""
        self._watching = asyncio.get_running_loop().create_task(self._watch(seconds))

    async def _watch(self, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.recover()
            except Exception:
                log.exception("looking for recordings left behind failed")

    async def close(self) -> None:
        """Server shutdown: every take ends and its files are closed; the next start hands
        the recordings off (the lectures may still go on elsewhere, so none is handed now)."""
        if self._watching is not None:
            self._watching.cancel()
            await asyncio.gather(self._watching, return_exceptions=True)
        for session in list(self._sessions.values()):
            await session.finish()
        self._sessions.clear()
