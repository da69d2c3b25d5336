"""Where the live room meets the recorder.

``emitted`` is called by the namespace for each outcome it delivers: its effects
(``StartRecording``, ``StopRecording``, ``LectureEnded``) go to the recorder, and every event
sent to the whole room is offered to the recording's timeline. ``joined`` starts a lecture
whose educator chose to record automatically (once per process and lecture, so an educator's
stop is not undone by the next join). A take started or stopped here is told to the room's
notices (the BBB webhooks).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from classroom_server.db import Lecture, LectureStatus
from classroom_server.room import Outcome, RoomContext
from classroom_server.room.outcome import Effect, LectureEnded, StartRecording, StopRecording
from classroom_server.room.slides import page_annotations
from classroom_server.room_notices import RoomNotices

log = logging.getLogger(__name__)


class Recorder(Protocol):
    """What the room asks of the recorder (``recording.service.Recordings``, handed in by the
    composition root: recording builds on the SFU, so signaling never imports it)."""

    async def is_recording(self, lecture_id: int) -> bool: ...

    async def start(
        self, lecture_id: int, course_id: int, title: str, slide: dict[str, Any] | None
    ) -> bool: ...

    async def stop(self, lecture_id: int) -> bool: ...

    async def lecture_ended(self, lecture_id: int) -> int | None: ...

    async def observe(self, lecture_id: int, event: str, data: dict[str, Any]) -> None: ...


class RecordingHook:
    def __init__(
        self,
        recordings: Recorder,
        context: Callable[[int], RoomContext],
        emit_outcome: Callable[[int, Outcome], Awaitable[None]],
        notices: RoomNotices,
    ) -> None:
        self.recordings = recordings
        self._notices = notices
        self._context = context
        self._emit_outcome = emit_outcome
        self._auto_started: set[int] = set()

    async def emitted(self, lecture_id: int, outcome: Outcome) -> None:
        for effect in outcome.effects:
            await self._guarded(lecture_id, type(effect).__name__, self._apply(lecture_id, effect))
        for emit in outcome.emits:
            if emit.to.kind == "room":
                await self.recordings.observe(lecture_id, emit.event, emit.data)

    async def _guarded(self, lecture_id: int, what: str, action: Awaitable[object]) -> None:
        try:
            await action
        except Exception:
            # The room goes on even if the disk or the library refuses the recording.
            log.exception("recording could not follow %s in lecture %s", what, lecture_id)

    async def _apply(self, lecture_id: int, effect: Effect) -> None:
        match effect:
            case StartRecording():
                lecture = await self._lecture(lecture_id)
                if lecture is not None and await self._start(lecture):
                    self._notices.recording(lecture_id, True)
            case StopRecording():
                if await self.recordings.stop(lecture_id):
                    self._notices.recording(lecture_id, False)
            case LectureEnded():
                self._auto_started.discard(lecture_id)
                await self.recordings.lecture_ended(lecture_id)

    async def _lecture(self, lecture_id: int) -> Lecture | None:
        async with self._context(lecture_id).database.session() as session:
            return await session.get(Lecture, lecture_id)

    async def _start(self, lecture: Lecture) -> bool:
        """Whether a take started (not if one was running)."""
        ctx = self._context(lecture.id)
        settings = await ctx.settings()
        slide = None
        if settings.deck_id:
            # What the page already shows: the replay draws it from the take's first moment.
            drawn = await page_annotations(ctx, settings)
            slide = {"deck_id": settings.deck_id, "page": settings.page, "annotations": drawn}
        return await self.recordings.start(lecture.id, lecture.course_id, lecture.title, slide)

    async def joined(self, lecture_id: int) -> None:
        if lecture_id in self._auto_started or await self.recordings.is_recording(lecture_id):
            return
        lecture = await self._lecture(lecture_id)
        if lecture is None or lecture.status != LectureStatus.LIVE.value:
            return
        if not lecture.record_automatically:
            return
        self._auto_started.add(lecture_id)
        await self._guarded(lecture_id, "automatic recording", self._start(lecture))
        if await self.recordings.is_recording(
            lecture_id
        ):  # the room sees it, as when started by hand
            await self._emit_outcome(
                lecture_id, Outcome().emit("recording:state", {"recording": True})
            )
            self._notices.recording(lecture_id, True)

    async def snapshot_flag(self, lecture_id: int) -> bool:
        return await self.recordings.is_recording(lecture_id)
