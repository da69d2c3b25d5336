"""One lecture's recording while it runs: takes, tracks and the timeline.

A ``RecordingSession`` is a ``PublicationListener``: attached to the lecture's ``MediaRoom`` it
hears of every track (those already published included) and records each one during takes.
The signaling layer feeds it the room's events through ``observe``; it keeps them in the
timeline while a take runs.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from recording.directory import RecordingDirectory, write_json_atomically
from recording.marks import MediaClock
from recording.ports import MediaRoom, Publication, TrackSource
from recording.segment_writer import CODEC_NAMES, SegmentWriter
from recording.timeline import Timeline
from recording.track_recorder import TrackRecorder

log = logging.getLogger(__name__)
MAX_PUBLICATIONS = 400  # sources remembered per recording (a lecture's catalogue is smaller)


class RecordingSession:
    def __init__(self, directory: RecordingDirectory) -> None:
        self.directory = directory
        self.clock = MediaClock(directory.marks_file)
        self.timeline = Timeline(directory.timeline_file)
        self._tracks: dict[str, tuple[TrackSource, Path, str]] = {}  # publication -> where
        self._sources: dict[str, str] = {}  # publication -> camera, microphone or screen
        self._metadata: dict[str, tuple[Path, dict[str, Any]]] = {}  # publication -> track.json
        self._recorders: dict[str, TrackRecorder] = {}
        self._media: MediaRoom | None = None
        self._last_slide: dict[str, Any] | None = None
        self._stopping: set[asyncio.Task[None]] = set()

    @property
    def recording(self) -> bool:
        return self.clock.running

    # PublicationListener
    def published(self, track: Publication, forwarder: TrackSource) -> None:
        codec_name = CODEC_NAMES.get(track.codec.mimeType.lower())
        if codec_name is None:
            log.warning("not recording a %s track", track.codec.mimeType)
            return
        if track.publication_id in self._tracks:
            return
        metadata = {
            "publication": track.publication_id[:200],
            "participant": track.participant_id[:100],
            "kind": track.kind,
            "codec": codec_name,
            "clock_rate": track.codec.clockRate,
        }
        source = self._sources.get(track.publication_id)
        if source is not None:
            metadata["source"] = source
        try:
            track_dir = self.directory.new_track_dir(metadata)
        except (OSError, OverflowError):
            # This runs inside the SFU's publish: a full disk must not stop the lecture.
            log.exception("not recording %s", track.publication_id)
            return
        self._tracks[track.publication_id] = (forwarder, track_dir, codec_name)
        if len(self._metadata) < MAX_PUBLICATIONS:
            self._metadata[track.publication_id] = (track_dir, metadata)
        if self.clock.running:
            self._record(track.publication_id)

    def sources(self, catalogue: dict[str, str]) -> None:
        """What each publication is, from the SFU's catalogue (``media:tracks``): a track
        whose source is new or changed gets it in its ``track.json``, so processing can tell
        the educator's shared screen from their camera."""
        for publication_id, source in list(catalogue.items())[:MAX_PUBLICATIONS]:
            if len(self._sources) >= MAX_PUBLICATIONS and publication_id not in self._sources:
                continue
            self._sources[publication_id] = source
            known = self._metadata.get(publication_id)
            if known is None or known[1].get("source") == source:
                continue
            track_dir, metadata = known
            metadata["source"] = source
            try:
                write_json_atomically(track_dir / "track.json", metadata)
            except OSError:
                log.exception("could not note %s as %s", publication_id, source)

    def unpublished(self, publication_id: str) -> None:
        self._tracks.pop(publication_id, None)
        recorder = self._recorders.pop(publication_id, None)
        if recorder is not None:
            stopping = asyncio.get_running_loop().create_task(recorder.stop())
            self._stopping.add(stopping)
            stopping.add_done_callback(self._stopping.discard)

    def _record(self, publication_id: str) -> None:
        forwarder, track_dir, codec_name = self._tracks[publication_id]
        writer = SegmentWriter(track_dir, codec_name, self.clock.take)
        self._recorders[publication_id] = TrackRecorder(forwarder, writer, self.clock)

    def attach(self, media: MediaRoom) -> None:
        """Listens to ``media`` (once); tracks published earlier are announced at once."""
        if self._media is media:
            return
        if self._media is not None:
            self._media.remove_listener(self)
        self._media = media
        media.add_listener(self)

    def start(self, slide: dict[str, Any] | None = None) -> bool:
        """Starts a take; ``slide`` (the one showing now) opens its part of the timeline.
        False when a take is already running."""
        if self.clock.running:
            return False
        self.clock.start()
        for publication_id in self._tracks:
            self._record(publication_id)
        current = slide or self._last_slide
        if current is not None:
            at = self.clock.media_time() or 0.0
            if not self.timeline.add(at, "slides:page", current):  # too many annotations
                where = {"deck_id": current.get("deck_id"), "page": current.get("page")}
                self.timeline.add(at, "slides:page", where)
        return True

    async def stop(self) -> bool:
        """Ends the take; every track's current segment is closed. False when none ran."""
        if not self.clock.running:
            return False
        self.clock.stop()
        recorders, self._recorders = list(self._recorders.values()), {}
        await asyncio.gather(*(r.stop() for r in recorders), *self._stopping)
        return True

    def observe(self, event: str, data: dict[str, Any]) -> None:
        """One room event sent to everyone; kept in the timeline while a take runs."""
        if event == "slides:page":
            self._last_slide = {"deck_id": data.get("deck_id"), "page": data.get("page")}
        at = self.clock.media_time()
        if at is not None and not self.timeline.add(at, event, data) and self._last_slide:
            if event == "slides:page":  # a page heavy with annotations: keep the change itself
                self.timeline.add(at, event, self._last_slide)

    async def finish(self) -> None:
        """Stops recording for good (lecture over): the recording is ready for processing."""
        await self.stop()
        if self._media is not None:
            self._media.remove_listener(self)
            self._media = None
        self.directory.update_state(state="finished")
