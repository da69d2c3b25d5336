"""The recorder of the process that holds a lecture's media, whichever process asks.

The recorder is one more subscriber of the lecture's tracks, so a take must run where the
media is held (``signaling.media_relay``). The room's recording effects and the events it
offers to the timeline happen on whichever process the sender's socket landed on; this
``Recorder`` sends each to the holder's recorder over the relay, or straight to the local one
when the media is here (always, in one process). Starting a take places the lecture's media
if nobody has joined it yet, so the take and the media it waits for meet on one process.
Whether a take runs is noted beside the placement: when the lecture's node dies, the node that
places it again starts a new take there (the dead node's take becomes a video of its own,
``recording.service.Recordings.watch``).
"""

from __future__ import annotations

from typing import Any

from signaling.media_relay import MediaRelay
from signaling.node_bus import RemoteError
from signaling.recording_hook import Recorder

OP = "recorder"


class PlacedRecorder:
    """A ``Recorder`` that runs each call on the recorder of the lecture's media node."""

    def __init__(self, local: Recorder, relay: MediaRelay) -> None:
        self._local = local
        self._relay = relay
        relay.serve(OP, self._serve)

    async def is_recording(self, lecture_id: int) -> bool:
        node = await self._relay.holder(lecture_id)
        if self._relay.elsewhere(node):
            return bool((await self._remote(node, "is_recording", lecture_id))["value"])
        return await self._local.is_recording(lecture_id)

    async def start(
        self, lecture_id: int, course_id: int, title: str, slide: dict[str, Any] | None
    ) -> bool:
        node = await self._relay.place(lecture_id)
        if self._relay.elsewhere(node):
            take = {"course": course_id, "title": title, "slide": slide}
            started = bool((await self._remote(node, "start", lecture_id, **take))["value"])
        else:
            started = await self._local.start(lecture_id, course_id, title, slide)
        await self._relay.nodes.note_recording(lecture_id, True)
        return started

    async def stop(self, lecture_id: int) -> bool:
        await self._relay.nodes.note_recording(lecture_id, False)
        node = await self._relay.holder(lecture_id)
        if self._relay.elsewhere(node):
            return bool((await self._remote(node, "stop", lecture_id))["value"])
        return await self._local.stop(lecture_id)

    async def lecture_ended(self, lecture_id: int) -> int | None:
        await self._relay.nodes.note_recording(lecture_id, False)
        node = await self._relay.holder(lecture_id)
        if not self._relay.elsewhere(node):
            return await self._local.lecture_ended(lecture_id)
        video = (await self._remote(node, "lecture_ended", lecture_id))["value"]
        return int(video) if video is not None else None

    async def observe(self, lecture_id: int, event: str, data: dict[str, Any]) -> None:
        node = await self._relay.holder(lecture_id)
        if self._relay.elsewhere(node):  # told, not asked: the room never waits on a disk
            args = {"call": "observe", "lecture": lecture_id, "event": event, "data": data}
            await self._relay.tell(node, OP, args)
        else:
            await self._local.observe(lecture_id, event, data)

    async def _remote(self, node: str, call: str, lecture_id: int, **args: Any) -> dict[str, Any]:
        return await self._relay.call(node, OP, {"call": call, "lecture": lecture_id, **args})

    async def _serve(self, _op: str, args: dict[str, Any]) -> dict[str, Any]:
        lecture_id, call = int(args["lecture"]), args["call"]
        local = self._local
        if call == "is_recording":
            value: object = await local.is_recording(lecture_id)
        elif call == "start":
            value = await local.start(lecture_id, int(args["course"]), args["title"], args["slide"])
        elif call == "stop":
            value = await local.stop(lecture_id)
        elif call == "lecture_ended":
            value = await local.lecture_ended(lecture_id)
        elif call == "observe":
            await local.observe(lecture_id, str(args["event"]), args["data"])
            value = None
        else:
            raise RemoteError("unknown_operation", f"no recorder call {call!r}", {})
        return {"value": value}
