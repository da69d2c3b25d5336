"""Recording control in the room: the educator starts and stops takes, and may have a lecture
record automatically.

The rules live here (educator only, through the EVENTS table; only while the lecture is live);
the recorder itself is outside the room (it holds the media), and acts on the effects these
operations return (``StartRecording``, ``StopRecording``). The automatic choice is a column of
the lecture, read when someone joins. Starting while a take runs, or stopping when none does,
changes nothing and is not an error.
"""

from __future__ import annotations

from classroom_server.db import Lecture, LectureStatus
from classroom_server.room.audit import audit
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import (
    EDUCATORS,
    Outcome,
    RoomError,
    StartRecording,
    StopRecording,
)
from classroom_server.room.payloads import Empty, RecordingAuto


async def _live(ctx: RoomContext, actor: Actor, action: str) -> None:
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        if lecture is None or lecture.status != LectureStatus.LIVE.value:
            raise RoomError("conflict", "only a live lecture can be recorded")
        audit(session, ctx, actor, action, None)
        await session.commit()


async def start(ctx: RoomContext, actor: Actor, _payload: Empty) -> Outcome:
    await _live(ctx, actor, "recording_start")
    outcome = Outcome(ack={"recording": True}).effect(StartRecording())
    return outcome.emit("recording:state", {"recording": True})


async def stop(ctx: RoomContext, actor: Actor, _payload: Empty) -> Outcome:
    await _live(ctx, actor, "recording_stop")
    outcome = Outcome(ack={"recording": False}).effect(StopRecording())
    return outcome.emit("recording:state", {"recording": False})


async def automatic(ctx: RoomContext, actor: Actor, payload: RecordingAuto) -> Outcome:
    """Whether the lecture starts recording by itself when it runs (and media arrives)."""
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        if lecture is None or lecture.status == LectureStatus.ENDED.value:
            raise RoomError("conflict", "the lecture has ended")
        lecture.record_automatically = payload.enabled
        audit(session, ctx, actor, "recording_auto", None, {"enabled": payload.enabled})
        await session.commit()
    view = {"enabled": payload.enabled}
    return Outcome(ack=dict(view)).emit("recording:auto", view, EDUCATORS)
